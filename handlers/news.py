"""Stopping and restarting the /siaran news: /berhenti (/stop), /langganan, the
"Berhenti menerima info" button under every broadcast, and words such as "stop" or
"jgn kirim info lg" typed to the bot (read in bot.services.news, hooked in handlers/router.py).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import App, BotContext, CommandSpec
from bot.i18n import N_
from bot.services import news
from handlers.broadcasts import sender_name
from handlers.callback_data import NewsButton
from handlers.common import add_commands, answer_stale, escape

logger = logging.getLogger(__name__)


async def stop_news(update: Update, context: BotContext) -> None:
    """/berhenti, /stop: no more broadcasts; says how to get them back."""
    await _choose(update, context, receive=False)


async def start_news(update: Update, context: BotContext) -> None:
    """/langganan: broadcasts again, for a worker who stopped them."""
    await _choose(update, context, receive=True)


async def stop_from_text(update: Update, context: BotContext) -> bool:
    """Free text that only asks to stop the news ("stop", "ga usah kirim info lagi") stops
    it; anything else (a question that mentions "berhenti kerja") is left to the answerer."""
    message = update.effective_message
    if message is None or not message.text or not news.asks_to_stop(message.text):
        return False
    await _choose(update, context, receive=False)
    return True


async def on_button(update: Update, context: BotContext) -> None:
    """"Berhenti menerima info" under a broadcast, "Terima info lagi" under the reply."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    button = NewsButton.parse(query.data)
    if button is None:
        await answer_stale(query, context)
        return
    await query.answer()
    await _choose(update, context, receive=button.receive)


async def _choose(update: Update, context: BotContext, *, receive: bool) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    choice = await news.choose(context.sessions, telegram_user_id=user.id, receive=receive,
                               now=context.now())
    if choice.changed:
        logger.info("news %s user=%s", "on" if receive else "off", user.id)
    _, branch = context.gettext, escape(sender_name(context.settings))
    keyboard = None
    if not choice.registered:
        text = (_("Info goes to workers who registered their interest. Send /daftar: the form "
                  "asks whether you want to receive info.") if receive else
                _("You are not on the info list, so the bot sends you no info. Only workers "
                  "who registered with /daftar and asked for info receive it."))
    elif receive:
        text = (_("🔔 Done: you will receive info from {branch} again. To stop, send "
                  "/berhenti.") if choice.changed else
                _("You already receive info from {branch}. To stop, send /berhenti.")
                ).format(branch=branch)
    elif choice.changed:
        text = _("🔕 Done: you will no longer receive info from {branch}.\nChanged your mind? "
                 "Press the button below or send /langganan.").format(branch=branch)
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
            _("🔔 Receive info again"), callback_data=NewsButton(receive=True).pack())]])
    else:
        text = _("You no longer receive info from {branch}. To receive it again, send "
                 "/langganan.").format(branch=branch)
    await context.bot.send_message(chat.id, text, reply_markup=keyboard)


def register(app: App) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler(["berhenti", "stop"], stop_news, filters=private))
    app.add_handler(CommandHandler("langganan", start_news, filters=private))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^news:"))
    add_commands(app, CommandSpec("berhenti", N_("Stop receiving info (broadcasts)")),
                 CommandSpec("langganan", N_("Receive info (broadcasts) again")))
