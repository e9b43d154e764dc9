"""Where a private message goes: the open flow, else the question answerer, else a hint."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from bot.context import App, BotContext, Group
from bot.i18n import Gettext
from bot.services import conversations
from handlers import news
from handlers.common import answer_stale, main_menu


async def route_private(update: Update, context: BotContext) -> None:
    """Gives the message to the user's open flow, or answers it as a question."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    _ = context.gettext
    idle = timedelta(minutes=context.settings.conversation_timeout_minutes)
    state = await conversations.current(
        context.sessions, chat_id=chat.id, user_id=user.id, now=context.now(), idle=idle
    )
    flow = context.bot_data.flows.get(state.flow) if state is not None else None
    if state is not None and flow is not None:
        if state.expired:
            await message.reply_text(timeout_text(
                _, context.settings.conversation_timeout_minutes, flow.restart_command))
            return
        await flow.on_message(update, context, state)
        return
    if await news.stop_from_text(update, context):  # "stop", "jgn kirim info lg"
        return
    if message.text and context.bot_data.free_text is not None:
        await context.bot_data.free_text(update, context)
        return
    await message.reply_text(
        _("I can only read text for now. Type your question, or choose from the menu."),
        reply_markup=main_menu(context),
    )


def timeout_text(_: Gettext, minutes: int, restart_command: str) -> str:
    return _(
        "⏰ The form was closed because there was no answer for {minutes} minutes. "
        "Nothing from it was saved. Send /{command} to start again."
    ).format(minutes=minutes, command=restart_command)


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not know: say which ones it knows."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(
        context.gettext("I don't know that command. Send /bantuan to see what I can do."),
        reply_markup=main_menu(context),
    )


async def stale_button(update: Update, context: BotContext) -> None:
    """A button no feature claims: old, from a closed form, or forged."""
    if update.callback_query is not None:
        await answer_stale(update.callback_query, context)


async def ignore_update(update: Update, context: BotContext) -> None:
    """An edited message or a channel post: nothing for the bot to do.

    An edit is not a new answer: taken as one, fixing a typo in the name while the form asks
    for the work would store the name as the work. The bot has no channel features.
    """
    raise ApplicationHandlerStop


def register(app: App) -> None:
    """Registered last: specific handlers of the features come first."""
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(
        filters.UpdateType.EDITED | filters.UpdateType.CHANNEL_POSTS, ignore_update),
        group=Group.IGNORE)
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    app.add_handler(
        MessageHandler(private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, route_private)
    )
    app.add_handler(CallbackQueryHandler(stale_button))
