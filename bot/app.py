"""Builds the python-telegram-bot Application: the one place where everything is wired."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, BaseRateLimiter, ContextTypes, Defaults

from bot.context import (
    App,
    AppState,
    BotContext,
    Flow,
    LeadListener,
    PayloadHandler,
    TextHandler,
)
from bot.i18n import load_catalogs
from bot.memory import release_free_memory
from bot.ratelimit import ReplyPacedRateLimiter
from bot.request import RetryingRequest
from bot.services import conversations
from bot.services.answering import build_index
from bot.services.learning import load_learned
from bot.settings import Settings, SettingsError
from bot.updates import CleanInputApplication, PerUserUpdateProcessor
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker, prepare_sqlite_file
from handlers import (
    broadcasts,
    calculator,
    common,
    errors,
    exports,
    followup,
    group_admin,
    handoff,
    handoff_staff,
    learning,
    my_data,
    news,
    organizers,
    private_only,
    questions,
    questions_report,
    referral,
    registration,
    router,
    start,
    stats,
)

logger = logging.getLogger(__name__)


class Feature(Protocol):
    """A feature: a module of handlers/ whose register(app) adds its handlers (in the groups
    of bot.context.Group), its menu commands next to them (add_commands, staff_command) and
    its jobs. What it plugs into the shared pieces is said in its row of FEATURES."""

    def register(self, app: App) -> None: ...


@dataclass(frozen=True)
class Row:
    """One feature and what it gives the shared pieces of AppState besides its handlers."""

    feature: Feature
    # Offered `/start <payload>` (deep links), in table order, until one takes it.
    payload: PayloadHandler | None = None
    # Flows by name: they take the user's private messages while one is open (router).
    flows: Mapping[str, Flow] = field(default_factory=dict)
    # Private text that no flow is waiting for (router); one feature at most.
    free_text: TextHandler | None = None
    # Told after the update that stored (on_lead) or erased (on_lead_erased) a lead.
    on_lead: LeadListener | None = None
    on_lead_erased: LeadListener | None = None
    # Told after staff changed a lead's status (button or /status).
    on_lead_status: LeadListener | None = None


# The bot's table of contents. A feature's handler is handlers/<module>.py; its rules are in
# bot/services/, its queries in db/ (named in the comment above its row); what users read is
# the handler module's _("...") msgids, translated in locales/en/LC_MESSAGES/messages.po.
#
# Order matters: within a handler group the first matching handler wins, so specific
# commands and buttons come before the router that takes every remaining private message,
# the private flows' answers in groups (private_only) before the flows themselves, and
# payloads go to private_only ("go_"), organizers ("inv_"), then referral (any other code).
FEATURES: tuple[Row, ...] = (
    # Every update: visit and language (Group.OBSERVE); menus, links, background lead jobs
    #   rules: users, codes | queries: db/users.py
    Row(common),
    # /daftar, /iuran, /petugas, /hapusdata... in a group: a link to the private chat
    #   rules: codes (go_<flow> payloads) | queries: -
    Row(private_only, payload=private_only.open_from_link),
    # /start, main menu, /bantuan, /bahasa, /kontak | rules: users | queries: db/users.py
    Row(start),
    # /start inv_..., /kodeku, /rekap (union organizers); tells an organizer of their
    #   referrals' registration and status changes
    #   rules: organizers, referrals (guess limiter), codes | queries: db/organizers.py, guesses.py
    Row(organizers, payload=organizers.claim_from_link, on_lead=organizers.tell_registered,
        on_lead_status=organizers.tell_status),
    # /start <referral code> | rules: referrals | queries: db/organizers.py, db/guesses.py
    Row(referral, payload=referral.start_with_code),
    # /daftar, /rujuk, /batal: the lead form (flows "register", "refer"); views in
    #   registration_views.py, lead_views.py, registration_errors.py
    #   rules: registration, validators, leads, regions | queries: db/leads.py, conversations.py
    Row(registration, flows=registration.FLOW_HANDLERS),
    # /datasaya, /hapusdata, daily retention | rules: erasure, leads | queries: db/erasure.py
    Row(my_data),
    # /iuran: the contribution calculator | rules: contribution, amounts | queries: question_log
    Row(calculator),
    # Free-text questions, topics, 👍/👎, answers in groups, /muatulang
    #   rules: answering, decision, matching, dialogue; knowledge: bot/knowledge/loader.py,
    #   locales/knowledge/faq.yaml | queries: db/question_log.py
    Row(questions, free_text=questions.answer_question),
    # /stats, /target, the daily digest | rules: stats, charts, digest | queries: db/stats.py
    Row(stats),
    # /ekspor | rules: exports | queries: db/stats.py, db/organizers.py
    Row(exports),
    # /petugas, "Ask our staff", Done, /batal of a thread (Group.CANCEL_HANDOFF): flow "handoff"
    #   rules: handoff | queries: db/handoff.py
    Row(handoff, flows=handoff.FLOW_HANDLERS),
    # Staff replies to a ticket copy, /tutup; long answers in parts (handoff_relay.py)
    #   rules: handoff, message_parts | queries: db/handoff.py
    Row(handoff_staff),
    # Lead cards in the staff groups, status buttons, /status
    #   rules: followup | queries: db/followup.py, db/leads.py
    Row(followup, on_lead=followup.announce_lead, on_lead_erased=followup.refresh_lead),
    # /serikat_baru, /undang, /nonaktifkan, /serikat (administrators)
    #   rules: group_admin, organizers | queries: db/followup.py, db/organizers.py
    Row(group_admin),
    # /pertanyaan: unanswered questions | rules: questions_report | queries: same name in db/
    Row(questions_report),
    # /lampirkan, draft buttons: staff teach the matcher | rules: learning | queries: learning
    Row(learning),
    # /siaran: broadcasts to opted-in workers | rules: broadcasts | queries: db/broadcasts.py
    Row(broadcasts),
    # /berhenti, /stop, /langganan, the broadcasts' "Berhenti menerima info" button; "stop"
    #   typed as free text (hook in router) | rules: news | queries: db/broadcasts.py
    Row(news),
    # The error handler: logs, apologises, database outages | rules: outages | db/faults.py
    Row(errors),
    # Last: edits and channel posts (Group.IGNORE), the open flow or the free-text answerer,
    #   unknown commands, stale buttons | rules: conversations | queries: db/conversations.py
    Row(router),
)


def wire(app: App, rows: tuple[Row, ...] = FEATURES) -> None:
    """Registers each feature's handlers and plugs its row into AppState, in table order."""
    state = app.bot_data
    for row in rows:
        row.feature.register(app)
        if row.payload is not None:
            state.payload_handlers.append(row.payload)
        for name, flow in row.flows.items():
            assert name not in state.flows, f"two features claim the flow {name!r}"
            state.flows[name] = flow
        if row.free_text is not None:
            assert state.free_text is None, "two features claim the free text"
            state.free_text = row.free_text
        if row.on_lead is not None:
            state.lead_listeners.append(row.on_lead)
        if row.on_lead_erased is not None:
            state.lead_erased_listeners.append(row.on_lead_erased)
        if row.on_lead_status is not None:
            state.lead_status_listeners.append(row.on_lead_status)


# Long polling: at least this long between two getUpdates calls (python -m bot). With 0 a busy
# bot polled again as soon as a call returned and got an update or two per call, a Bot API
# round trip each; waiting 50 ms gathers what came meanwhile into one call: about a fifth less
# CPU per question (docs/BENCHMARKS.md, "CPU per question"). An update that arrives while a
# long poll waits is still returned at once; one that arrives in the pause waits for it.
POLL_INTERVAL = 0.05


def build_application(
    settings: Settings,
    *,
    rate_limiter: bool | BaseRateLimiter[Any] = True,
    sole_receiver: bool = True,
) -> App:
    """The Application with every feature. `sole_receiver`: this process alone receives the
    updates (long polling), so per-user facts may be kept in memory (AppState.visit_every);
    False for a webhook, which several instances may serve."""
    # Any: the bot's type follows the rate limiter chosen below; App is the type handlers see.
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .application_class(CleanInputApplication)
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .context_types(ContextTypes(context=BotContext, bot_data=AppState))
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(PerUserUpdateProcessor())
        # Sends retry transient failures (5xx, dropped connections, timeouts): bot/request.py
        .request(RetryingRequest(
            connection_pool_size=256, retries=settings.telegram_retries,
            backoff=settings.telegram_retry_backoff,
            connect_timeout=settings.telegram_connect_timeout,
            read_timeout=settings.telegram_read_timeout,
            write_timeout=settings.telegram_write_timeout,
        ))
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
    )
    if settings.telegram_api_file_url:
        builder = builder.base_file_url(settings.telegram_api_file_url)
    if rate_limiter is True:
        # Retries on: AIORateLimiter re-raises RetryAfter unless told to retry, which would
        # drop the reply instead of delaying it. Replies are not paced as bulk (bot/ratelimit).
        builder = builder.rate_limiter(ReplyPacedRateLimiter(max_retries=5))
    elif rate_limiter:
        builder = builder.rate_limiter(rate_limiter)
    app: App = builder.build()
    state = app.bot_data
    state.settings = settings
    state.sole_receiver = sole_receiver
    state.visit_every = common.VISIT_EVERY if sole_receiver else timedelta(0)
    try:
        prepare_sqlite_file(settings.database_url)
    except OSError as error:
        raise SettingsError(
            f"DATABASE_URL points to a file that cannot be created: {error}"
        ) from None
    state.engine = make_engine(settings.database_url, hide_parameters=True)
    state.sessions = make_sessionmaker(state.engine)
    if sole_receiver:  # "no open form" kept in memory: bot/services/conversations.py
        conversations.remember_absent(state.sessions, state.engine)
    state.catalogs = load_catalogs(default=settings.default_language)
    # A broken knowledge base stops the start (KnowledgeError names the file and entry).
    state.faq = build_index(settings.knowledge_path)
    wire(app)
    return app


async def on_startup(app: App) -> None:
    """Brings the schema up to date and publishes the command menus."""
    state = app.bot_data
    assert state.engine is not None and state.catalogs is not None and state.settings
    assert state.sessions is not None and state.faq is not None
    await upgrade(state.engine)
    # Phrasings staff attached from /pertanyaan join the matcher (bot/services/learning.py).
    state.faq = await load_learned(state.sessions, state.faq)
    for language in ("id", "en"):
        _ = state.catalogs.gettext(language)
        private = [BotCommand(c.command, _(c.description))
                   for c in state.commands if c.scope == "private"]
        staff = [BotCommand(c.command, _(c.description))
                 for c in state.commands if c.scope in ("staff", "admin")]
        codes = [language, None] if language == state.settings.default_language else [language]
        for code in codes:
            await app.bot.set_my_commands(private, BotCommandScopeAllPrivateChats(), code)
            for chat_id in state.settings.staff_chat_ids if staff else ():
                try:
                    await app.bot.set_my_commands(staff, BotCommandScopeChat(chat_id), code)
                except TelegramError as error:
                    logger.warning("STAFF_CHAT_IDS: no menu for chat %s: %s", chat_id, error)
    if state.settings.nik_key is None:
        logger.warning("NIK_HASH_KEY is not set: a worker who erases their data and registers "
                       "again is counted twice (README, Settings)")
    logger.info("started with %s commands", len(state.commands))
    release_free_memory()  # what start-up freed goes back to the system (bot/memory.py)


async def on_shutdown(app: App) -> None:
    if app.bot_data.engine is not None:
        await app.bot_data.engine.dispose()
