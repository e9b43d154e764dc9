"""Who may use staff and administrator commands: the one place that checks it.

Staff commands work only in the chats of STAFF_CHAT_IDS; administrator commands also need
the user in ADMIN_USER_IDS. Anywhere else the answer is a polite refusal that reveals no
data. Every staff command and button is registered through this module, so none can skip
the check, and the tests can list them all (CommandSpec scope "staff").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import App, BotContext, CommandSpec

logger = logging.getLogger(__name__)

# Coroutine, not Awaitable: what PTB's handlers accept (and what an async def is).
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def allowed(update: Update, context: BotContext, *, admin: bool) -> bool:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.id not in context.settings.staff_chat_ids:
        return False
    return not admin or user.id in context.settings.admin_user_ids


def guarded(callback: Callback, *, admin: bool) -> Callback:
    async def check(update: Update, context: BotContext) -> None:
        if allowed(update, context, admin=admin):
            await callback(update, context)
            return
        logger.info("refused %s command chat=%s user=%s", "admin" if admin else "staff",
                    update.effective_chat.id if update.effective_chat else None,
                    update.effective_user.id if update.effective_user else None)
        _ = context.gettext
        text = (_("Sorry, this command is for BPJS Ketenagakerjaan staff administrators.")
                if admin and update.effective_chat is not None
                and update.effective_chat.id in context.settings.staff_chat_ids
                else _("Sorry, this command only works in the BPJS Ketenagakerjaan staff group."))
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)

    return check


def staff_command(
    app: App, command: str, callback: Callback, description: str, *, admin: bool = False,
    aliases: tuple[str, ...] = (),
) -> None:
    """Registers a staff command (in every chat, so elsewhere it is refused politely)."""
    app.add_handler(CommandHandler([command, *aliases], guarded(callback, admin=admin)))
    app.bot_data.commands.append(CommandSpec(command, description, "admin" if admin else "staff"))


def staff_button(app: App, pattern: str, callback: Callback, *, admin: bool = False) -> None:
    app.add_handler(CallbackQueryHandler(guarded(callback, admin=admin), pattern=pattern))
