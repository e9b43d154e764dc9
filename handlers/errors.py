"""One place for unexpected errors: log without personal data, apologise, keep running."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.context import App, BotContext
from bot.services import users

logger = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Logs the exception (type and update id only) and apologises to the user."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        # The user blocked the bot: an event, not an error.
        logger.info("user blocked the bot update=%s", update_id)
        await users.blocked_the_bot(
            context.sessions, telegram_user_id=update.effective_user.id, now=context.now()
        )
        return
    logger.error("error while handling update=%s: %s", update_id, type(error).__name__,
                 exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    _ = context.gettext
    try:
        await context.bot.send_message(
            update.effective_chat.id,
            _("😔 Sorry, something went wrong on our side. Please try again in a moment; "
              "what you entered before is kept. If it keeps happening, call 175."),
        )
    except TelegramError:
        logger.warning("could not send the apology for update=%s", update_id)


def register(app: App) -> None:
    app.add_error_handler(on_error)
