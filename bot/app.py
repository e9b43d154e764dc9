"""Builds the python-telegram-bot Application: the one place where everything is wired."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, BaseRateLimiter, ContextTypes, Defaults

from bot.context import App, AppState, BotContext
from bot.i18n import load_catalogs
from bot.memory import release_free_memory
from bot.ratelimit import ReplyPacedRateLimiter
from bot.request import RetryingRequest
from bot.services.faq import build_index
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
    faq,
    followup,
    group_admin,
    handoff,
    learning,
    my_data,
    organizers,
    private_only,
    questions_report,
    referral,
    registration,
    router,
    start,
    stats,
)

logger = logging.getLogger(__name__)

# Order matters: the first matching handler of a group wins, so specific commands and
# buttons come before the router that takes every remaining private message, and the
# private flows' answers in groups (private_only) before the flows themselves.
FEATURES: tuple[Any, ...] = (
    common, private_only, start, organizers, referral, registration, my_data, calculator, faq,
    stats, exports, handoff, followup, group_admin, questions_report, learning,
    broadcasts, errors, router,
)


def build_application(
    settings: Settings,
    *,
    rate_limiter: bool | BaseRateLimiter[Any] = True,
    sole_receiver: bool = True,
) -> App:
    """The Application with every feature. `sole_receiver`: this process alone receives the
    updates (long polling), so per-user facts may be kept in memory (AppState.visit_every);
    False for a webhook, which several instances may serve."""
    builder = (
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
    app: App = builder.build()  # type: ignore[assignment]
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
    state.catalogs = load_catalogs(default=settings.default_language)
    # A broken knowledge base stops the start (KnowledgeError names the file and entry).
    state.faq = build_index(settings.knowledge_path)
    for feature in FEATURES:
        feature.register(app)
    return app


async def on_startup(app: App) -> None:
    """Brings the schema up to date and publishes the command menus."""
    state = app.bot_data
    assert state.engine is not None and state.catalogs is not None and state.settings
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
