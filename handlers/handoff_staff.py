"""The staff side of a handoff: a reply to a ticket's message in the group goes to the worker.

With privacy mode on, a bot in a group still receives replies to its own messages, so the
reply handler sees exactly those (and only replies to the bot's ticket copies, so other
replies in the group stay free for other features). /tutup closes a ticket.
"""

from __future__ import annotations

import logging
import re

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import App, BotContext
from bot.i18n import N_, Gettext
from bot.services import handoff, users
from handlers import handoff_relay
from handlers import learning as learning_views
from handlers.access import guarded, staff_command
from handlers.callback_data import HandoffAction, HandoffButton
from handlers.common import answer_stale, blocked_the_bot, escape, staff_gettext

logger = logging.getLogger(__name__)

TICKET_MARK = "🎫 #"  # every copy of a worker's message starts with it, then the number
COPY_NUMBER = re.compile(re.escape(TICKET_MARK) + r"(\d{1,18})\b")


class _ReplyToTicketCopy(filters.MessageFilter):
    """A reply to a bot message that is a ticket copy (the bot's id is checked later)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied is not None and replied.from_user is not None
                    and replied.from_user.is_bot and (replied.text or "").startswith(TICKET_MARK))


def done_keyboard(ticket_id: int, _: Gettext) -> InlineKeyboardMarkup:
    """The worker's way to end the thread."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        _("✅ Done"), callback_data=HandoffButton(HandoffAction.DONE, ticket_id).pack())]])


async def worker_gettext(context: BotContext, telegram_user_id: int) -> Gettext:
    catalogs = context.bot_data.catalogs
    assert catalogs is not None
    language = await users.language_of(context.sessions, telegram_user_id=telegram_user_id)
    return catalogs.gettext(language or context.settings.default_language)


async def announce(context: BotContext, text: str) -> None:
    for chat_id in sorted(context.settings.staff_chat_ids):
        try:
            await context.bot.send_message(chat_id, text)
        except TelegramError as error:
            logger.warning("no notice in chat %s: %s", chat_id, type(error).__name__)


async def answer_worker(update: Update, context: BotContext) -> None:
    """A staff member replies to a ticket's message: the worker receives the answer."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None or message.reply_to_message is None:
        return
    replied = message.reply_to_message
    if replied.from_user is None or replied.from_user.id != context.bot.id:
        return
    _ = staff_gettext(context)
    ticket = await handoff.by_copy(context.sessions, chat_id=chat.id,
                                   message_id=replied.message_id,
                                   number_shown=number_in_copy(replied.text))
    if ticket is None:
        await message.reply_text(_("I cannot find the ticket of this message."))
        return
    if not message.text:
        await message.reply_text(_("Only text answers can be passed on to the worker."))
        return
    worker_ = await worker_gettext(context, ticket.telegram_user_id)
    delivery = await handoff_relay.deliver(
        context, worker_id=ticket.telegram_user_id, ticket_id=ticket.id, text=message.text,
        worker_=worker_, keyboard=done_keyboard(ticket.id, worker_))
    if delivery.blocked:
        await blocked_the_bot(context, ticket.telegram_user_id)
    if delivery.delivered:  # what reached the worker, and only that
        await handoff.record_staff_reply(
            context.sessions, ticket_id=ticket.id, text=delivery.delivered_text,
            chat_id=chat.id, message_id=message.message_id, author_id=user.id,
            now=context.now())
        logger.info("ticket %s answered by staff=%s parts=%s/%s", ticket.id, user.id,
                    delivery.delivered, len(delivery.parts))
    await message.reply_text(
        handoff_relay.report(_, ticket.first_name, ticket.id, delivery),
        reply_markup=(learning_views.draft_keyboard(message.message_id, _)
                      if delivery.delivered else None))


async def close_ticket(update: Update, context: BotContext) -> None:
    """/tutup <number>, or /tutup as a reply to a ticket's message: closes the ticket; one
    that no staff answer reached is closed only after the staff member confirms."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    _ = staff_gettext(context)
    ticket_id = _number(context.args or [])
    replied = message.reply_to_message
    if ticket_id is None and replied is not None:
        found = await handoff.by_copy(
            context.sessions, chat_id=chat.id, message_id=replied.message_id,
            number_shown=number_in_copy(replied.text) if _from_bot(replied, context) else None)
        ticket_id = found.id if found is not None else None
    if ticket_id is None:
        # The msgid shows "<ticket number>" literally: escaped, or Telegram refuses the HTML.
        await message.reply_text(escape(_("Usage: /tutup <ticket number>, e.g. /tutup 12.")))
        return
    try:
        await _close(context, ticket_id, message, only_if_answered=True)
    except handoff.NotAnswered as unanswered:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
            _("Close without an answer"),
            callback_data=HandoffButton(HandoffAction.FORCE, ticket_id).pack())]])
        await message.reply_text(_(
            "⚠️ Nobody has answered ticket #{number} of {name} yet: closing it tells the "
            "worker that it is closed, without an answer. Reply to the ticket's message to "
            "answer first, or press the button to close it anyway.").format(
            number=ticket_id, name=escape(unanswered.ticket.first_name)),
            reply_markup=keyboard)


async def close_unanswered(update: Update, context: BotContext) -> None:
    """The "Close without an answer" button under /tutup's warning."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    button = HandoffButton.parse(query.data or "")
    if button is None or button.action is not HandoffAction.FORCE:
        await answer_stale(query, context)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _close(context, button.number, query.message)


async def _close(context: BotContext, ticket_id: int, message: MaybeInaccessibleMessage, *,
                 only_if_answered: bool = False) -> None:
    _ = staff_gettext(context)
    chat_id = message.chat.id
    try:
        ticket, changed = await handoff.close(context.sessions, ticket_id=ticket_id,
                                              now=context.now(),
                                              only_if_answered=only_if_answered)
    except handoff.UnknownTicket:
        await context.bot.send_message(chat_id, _("There is no ticket #{number}.").format(
            number=ticket_id))
        return
    if not changed:
        await context.bot.send_message(chat_id, _("Ticket #{number} was closed already.").format(
            number=ticket.id))
        return
    logger.info("ticket %s closed by staff", ticket.id)
    worker_ = await worker_gettext(context, ticket.telegram_user_id)
    try:
        await context.bot.send_message(ticket.telegram_user_id, closed_text(worker_, ticket.id))
    except Forbidden:
        await blocked_the_bot(context, ticket.telegram_user_id)
    await context.bot.send_message(chat_id, _("✅ Ticket #{number} closed.").format(
        number=ticket.id))


def closed_text(_: Gettext, ticket_id: int) -> str:
    return _("Our staff closed your question #{number}. Send /petugas if you need them "
             "again.").format(number=ticket_id)


def ended_text(_: Gettext, name: str, ticket_id: int) -> str:
    return _("✅ {name} ended ticket #{number}.").format(name=escape(name), number=ticket_id)


def number_in_copy(text: str | None) -> int | None:
    """The ticket number a copy of the bot's shows after TICKET_MARK ("🎫 #12 · ...")."""
    found = COPY_NUMBER.match(text or "")
    return int(found.group(1)) if found else None


def _from_bot(message: Message, context: BotContext) -> bool:
    return message.from_user is not None and message.from_user.id == context.bot.id


def _number(args: list[str]) -> int | None:
    if not args:
        return None
    digits = args[0].lstrip("#")
    return int(digits) if digits.isdigit() else None


def register(app: App) -> None:
    settings = app.bot_data.settings
    staff_chats = list(settings.staff_chat_ids) if settings is not None else []
    staff_command(app, "tutup", close_ticket, N_("Close a worker's question: /tutup <number>"))
    app.add_handler(CallbackQueryHandler(guarded(close_unanswered, admin=False),
                                         pattern=r"^handoff:force:"))
    app.add_handler(MessageHandler(
        filters.Chat(chat_id=staff_chats) & filters.REPLY & ~filters.COMMAND
        & _ReplyToTicketCopy(), answer_worker))
