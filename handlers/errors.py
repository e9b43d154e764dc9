"""One place for unexpected errors: log without personal data, apologise, keep running."""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import App, BotContext
from bot.services import outages
from handlers.common import blocked_the_bot

logger = logging.getLogger(__name__)

async def on_error(update: object, context: BotContext) -> None:
    """Logs the exception (type and update id only) and apologises to the user."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        # The user blocked the bot: an event, not an error.
        logger.info("user blocked the bot update=%s", update_id)
        await blocked_the_bot(context, update.effective_user.id)
        return
    fault = outages.classify(error)
    if fault is not None:
        await _database_fault(update, context, fault, update_id)
        # The update's other handlers would hit the same wall: one apology is enough.
        raise ApplicationHandlerStop
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


async def _database_fault(update: object, context: BotContext, fault: outages.DatabaseFault,
                          update_id: int | None) -> None:
    """The database cannot be written: one clear line for the operator, a short note to
    the user. Nothing is remembered but the time of the log line, so the bot recovers as soon
    as the database is writable again."""
    if outages.first_in_a_while(context.bot_data.db_faults_logged, fault, time.monotonic()):
        logger.error("%s: %s (update=%s)", fault.cause, fault.detail, update_id)
    else:
        logger.warning("still %s (update=%s)", fault.cause, update_id)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    text = context.gettext(
        "⚠️ Sorry, there is a technical disruption on our side and I could not save your "
        "last message. Please send it again in a few minutes; what you entered before is "
        "kept. If it is urgent, call 175.")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError:
        logger.warning("could not tell the user about the database fault update=%s", update_id)


def register(app: App) -> None:
    app.add_error_handler(on_error)
