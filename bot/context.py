"""The typed context every handler receives, instead of string keys into bot_data."""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any, TypeVar
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.i18n import Catalogs, Gettext
from bot.ratelimit import RateLimitArgs
from bot.services.answering import FaqIndex
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


class Group(IntEnum):
    """python-telegram-bot's handler groups, in the order they see an update. Within a group
    the first matching handler wins; every group gets its turn unless a handler raises
    ApplicationHandlerStop. The features' handlers are in FEATURES, in its order (bot/app.py).
    """

    # Edited messages and channel posts stop here: an edit is not a new answer
    # (handlers/router.py: ignore_update).
    IGNORE = -3
    # /batal while a handoff thread is open ends the thread and stops; any other /batal (a
    # form's) goes on to the feature that owns it (handlers/handoff.py: cancel_thread).
    CANCEL_HANDOFF = -2
    # Observers of every update: records the visit, loads the user's language
    # (handlers/common.py: remember_user).
    OBSERVE = -1
    # Commands, buttons and messages of the features, then the router's catch-alls.
    FEATURES = 0


FlowHandler = Callable[[Update, "BotContext", FlowState], Awaitable[None]]


@dataclass(frozen=True)
class Flow:
    """A multi-step flow that takes the user's messages while it is open."""

    on_message: FlowHandler
    restart_command: str
PayloadHandler = Callable[[Update, "BotContext", str], Awaitable[bool]]
TextHandler = Callable[[Update, "BotContext"], Awaitable[None]]
LeadListener = Callable[["BotContext", int], Awaitable[None]]
# Does a listener's work for several waiting leads at once (e.g. one combined staff card).
LeadBatchListener = Callable[["BotContext", list[int]], Awaitable[None]]


@dataclass(frozen=True)
class CommandSpec:
    """A command for the menu that Telegram shows; `description` is a msgid."""

    command: str
    description: str
    scope: str = "private"  # "private", "staff" (staff groups) or "admin" (staff groups, admins)


@dataclass
class AppState:
    """Everything the process shares between updates, each piece a typed field; PTB builds
    it without arguments and build_application() fills it.

    The registries (flows, payload handlers, the free-text answerer, lead listeners) are
    filled from the rows of bot/app.py's FEATURES; `commands` by the features' register()
    (add_commands, staff_command), next to the handler of each command.
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
    faq: FaqIndex | None = None  # replaced whole on /muatulang and /lampirkan
    lead_listeners: list[LeadListener] = field(default_factory=list)  # a lead was stored
    lead_erased_listeners: list[LeadListener] = field(default_factory=list)
    lead_status_listeners: list[LeadListener] = field(default_factory=list)  # staff set one
    # Lead listeners waiting to run after their update, one after another, and whether a
    # task is running them (handlers/common.tell_in_background).
    lead_jobs: deque[tuple[LeadListener, int]] = field(default_factory=deque)
    lead_jobs_running: bool = False
    # Listeners that take the waiting leads together when several wait (handlers/followup.py:
    # one combined card instead of one card each at the group's pace).
    lead_batches: dict[LeadListener, LeadBatchListener] = field(default_factory=dict)
    # Copies of workers' messages to staff waiting to be posted, in order, and whether a task
    # is posting them (handlers/handoff.py): the worker is answered before they are posted.
    handoff_jobs: deque[Callable[[], Awaitable[None]]] = field(default_factory=deque)
    handoff_jobs_running: bool = False
    # This process among the instances sharing the database: the owner of the broadcasts it
    # sends (bot/services/broadcasts.py leases), and those it is sending now.
    instance_id: str = field(default_factory=lambda: uuid4().hex)
    broadcasts_running: set[int] = field(default_factory=set)
    # When each database fault cause was last logged as an ERROR (time.monotonic()), so an
    # outage is one ERROR, then WARNINGs (handlers/errors.py).
    db_faults_logged: dict[str, float] = field(default_factory=dict)
    # This process alone receives the updates (long polling); False behind a webhook, where
    # instances take turns with the same users.
    sole_receiver: bool = False
    # How long a user's language is taken from memory between two writes of their visit
    # (handlers/common.py). Only a sole receiver may keep it.
    visit_every: timedelta = timedelta(0)


class BotContext(CallbackContext[ExtBot[RateLimitArgs], dict[str, Any], dict[str, Any], AppState]):
    @property
    def settings(self) -> Settings:
        return _required(self.bot_data.settings)

    @property
    def sessions(self) -> Sessions:
        return _required(self.bot_data.sessions)

    @property
    def faq_index(self) -> FaqIndex:
        """The knowledge base and its matcher in use now (AppState.faq)."""
        return _required(self.bot_data.faq)

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
    ExtBot[RateLimitArgs], BotContext, dict[str, Any], dict[str, Any], AppState,
    JobQueue[BotContext],
]
