"""Webhook mode (`python -m bot webhook`): Telegram posts each update to us.

Long polling allows one receiver per token; a webhook URL can sit in front of several
instances that share one PostgreSQL database. The server is aiohttp, as in
python-telegram-bot's examples/customwebhookbot.py, so it can also answer health checks:

    POST <path of WEBHOOK_URL>   an update; needs X-Telegram-Bot-Api-Secret-Token
    GET  /healthz                200 {"status": "ok", "database": "reachable"}, else 503
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import TelegramError

from bot.app import build_application
from bot.context import App
from bot.settings import Settings, SettingsError

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's rule for secret_token in setWebhook
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
HEALTH_PATH = "/healthz"
HEALTH_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    path: str
    listen: str
    port: int
    secret: str


def webhook_config(settings: Settings) -> WebhookConfig:
    """The webhook settings, checked; raises SettingsError naming the bad one."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not settings.webhook_url:
        raise SettingsError("WEBHOOK_URL is not set: the public https:// address Telegram "
                            "posts updates to, e.g. https://bot.example.org/telegram")
    parts = urlsplit(settings.webhook_url)
    if parts.scheme != "https" or not parts.hostname:
        raise SettingsError("WEBHOOK_URL must be an https:// address (Telegram requires TLS)")
    path = parts.path or "/"
    if path == HEALTH_PATH:
        raise SettingsError(f"WEBHOOK_URL must not end in {HEALTH_PATH}")
    if not secret:
        raise SettingsError("WEBHOOK_SECRET is not set: 1-256 characters A-Z a-z 0-9 _ -")
    if not SECRET_PATTERN.match(secret):
        raise SettingsError("WEBHOOK_SECRET may only contain A-Z a-z 0-9 _ - (1-256 of them)")
    return WebhookConfig(settings.webhook_url, path, settings.webhook_listen,
                         settings.webhook_port, secret)


def make_web_app(app: App, config: WebhookConfig) -> web.Application:
    async def receive(request: web.Request) -> web.Response:
        """An update from Telegram: checked, queued, answered at once as PTB does."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), config.secret.encode()):
            logger.warning("webhook: update refused, secret token missing or wrong")
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), app.bot)
        except (json.JSONDecodeError, AttributeError, TypeError, KeyError, ValueError):
            return web.Response(status=400)
        await app.update_queue.put(update)
        return web.Response(status=200)

    async def health(request: web.Request) -> web.Response:
        database = await database_reachable(app)
        healthy = database and app.running
        return web.json_response(
            {"status": "ok" if healthy else "unavailable",
             "database": "reachable" if database else "unreachable"},
            status=200 if healthy else 503,
        )

    web_app = web.Application()
    web_app.router.add_post(config.path, receive)
    web_app.router.add_get(HEALTH_PATH, health)
    return web_app


async def database_reachable(app: App) -> bool:
    engine = app.bot_data.engine
    if engine is None:
        return False
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError) as error:
        # The type only: a driver's message may quote the connection URL.
        logger.warning("health check: database unreachable (%s)", type(error).__name__)
        return False
    return True


@asynccontextmanager
async def serving(
    app: App, config: WebhookConfig, *, keep_webhook: bool = False
) -> AsyncIterator[int]:
    """Runs `app` behind the webhook server; yields the port it listens on.

    Start: the same start-up as polling (post_init: migrations, menus), the server, then
    setWebhook.
    Stop: the server first (no new updates), then deleteWebhook unless `keep_webhook`
    (other instances still serve it), then the queued updates are finished.
    """
    # The hooks and their order are run_polling's, so both modes start and stop alike.
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        runner = web.AppRunner(make_web_app(app, config), access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, config.listen, config.port)
            await site.start()
            port = runner.addresses[0][1]
            await app.bot.set_webhook(
                config.url, secret_token=config.secret, allowed_updates=Update.ALL_TYPES
            )
            logger.info("webhook mode: listening on %s:%s, path %s",
                        config.listen, port, config.path)
            yield port
        finally:
            await runner.cleanup()
            if not keep_webhook:
                with suppress(TelegramError):
                    await app.bot.delete_webhook()
            if app.running:
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def run_webhook(settings: Settings, *, keep_webhook: bool = False) -> int:
    """`python -m bot webhook`: serves until SIGINT or SIGTERM."""
    config = webhook_config(settings)
    app = build_application(settings, sole_receiver=False)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with serving(app, config, keep_webhook=keep_webhook):
            await stop.wait()
    except TelegramError as error:
        logger.error("webhook mode: Telegram refused: %s", error)
        return 1
    logger.info("webhook mode: stopped")
    return 0
