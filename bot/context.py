"""The typed context every handler receives, instead of string keys into bot_data."""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.i18n import Catalogs, Gettext
from bot.services.conversations import FlowState
from bot.settings import Settings
from db.session import Sessions

T = TypeVar("T")


def _required(value: T | None) -> T:
    if value is None:
        raise RuntimeError("application state used before build_application() filled it")
    return value


def utcnow() -> datetime:
    return datetime.now(UTC)


FlowHandler = Callable[[Update, "BotContext", FlowState], Awaitable[None]]


@dataclass(frozen=True)
class Flow:
    """A multi-step flow that takes the user's messages while it is open."""

    on_message: FlowHandler
    restart_command: str
PayloadHandler = Callable[[Update, "BotContext", str], Awaitable[bool]]
TextHandler = Callable[[Update, "BotContext"], Awaitable[None]]
LeadListener = Callable[["BotContext", int], Awaitable[None]]


@dataclass(frozen=True)
class CommandSpec:
    """A command for the menu that Telegram shows; `description` is a msgid."""

    command: str
    description: str
    scope: str = "private"  # "private", "staff" (staff groups) or "admin" (staff groups, admins)


@dataclass
class AppState:
    """Live objects shared by all handlers; PTB builds it without arguments.

    The registries let each feature module plug into the shared pieces (the menu of
    commands, the flows that take free text, /start payloads) from its register().
    """

    settings: Settings | None = None
    engine: AsyncEngine | None = None
    sessions: Sessions | None = None
    catalogs: Catalogs | None = None
    clock: Callable[[], datetime] = utcnow
    commands: list[CommandSpec] = field(default_factory=list)
    flows: dict[str, Flow] = field(default_factory=dict)
    payload_handlers: list[PayloadHandler] = field(default_factory=list)
    free_text: TextHandler | None = None
    faq: Any = None  # bot.services.answering.FaqIndex, replaced whole on /muatulang
    lead_listeners: list[LeadListener] = field(default_factory=list)  # a lead was stored
    lead_erased_listeners: list[LeadListener] = field(default_factory=list)
    # Lead listeners waiting to run after their update, one after another, and whether a
    # task is running them (handlers/common.tell_in_background).
    lead_jobs: deque[tuple[LeadListener, int]] = field(default_factory=deque)
    lead_jobs_running: bool = False
    extras: dict[str, Any] = field(default_factory=dict)
    # This process alone receives the updates (long polling); False behind a webhook, where
    # instances take turns with the same users.
    sole_receiver: bool = False
    # How long a user's language is taken from memory between two writes of their visit
    # (handlers/common.py). Only a sole receiver may keep it.
    visit_every: timedelta = timedelta(0)


class BotContext(CallbackContext[ExtBot[None], dict[str, Any], dict[str, Any], AppState]):
    @property
    def settings(self) -> Settings:
        return _required(self.bot_data.settings)

    @property
    def sessions(self) -> Sessions:
        return _required(self.bot_data.sessions)

    def now(self) -> datetime:
        return self.bot_data.clock()

    @property
    def language(self) -> str:
        stored = (self.user_data or {}).get("locale")
        return stored if isinstance(stored, str) else self.settings.default_language

    @property
    def gettext(self) -> Gettext:
        return _required(self.bot_data.catalogs).gettext(self.language)


App = Application[
    ExtBot[None], BotContext, dict[str, Any], dict[str, Any], AppState, JobQueue[BotContext]
]
