"""Workers ask a person: /petugas, the "Ask our staff" button, and the thread that follows.

The question goes to every staff group as the bot's own copy (a forward would lose the
sender under forward privacy) with the worker's first name and a ticket number, posted after
the worker is answered (handlers.handoff_copies); the staff side (answers, /tutup) is in
handlers.handoff_staff. While the ticket is open, the worker's next messages join its thread
through the "handoff" flow of the conversation registry, except questions the bot can answer
itself ("jht itu apa"): those get the answer, and the ticket stays open.
"""

from __future__ import annotations

import logging
import re
from contextlib import suppress
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, filters

from bot.context import App, BotContext, CommandSpec, Flow, Group
from bot.i18n import N_, Gettext
from bot.services import answering, conversations, handoff
from bot.services.conversations import FlowState
from handlers import handoff_copies, handoff_staff, questions
from handlers.callback_data import HandoffAction, HandoffButton
from handlers.common import add_commands, answer_stale, main_menu, remember_user, staff_gettext

logger = logging.getLogger(__name__)

done_keyboard = handoff_staff.done_keyboard


async def ask_staff(update: Update, context: BotContext) -> None:
    """/petugas [question]: passes the question on, or asks for it first."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    parts = re.split(r"\s", message.text or "", maxsplit=1)
    text = parts[1].strip() if len(parts) > 1 else ""
    if text:
        await submit(update, context, text)
        return
    await ask_for_question(update, context)


async def ask_for_question(update: Update, context: BotContext) -> None:
    """Opens the handoff flow and asks for the question (also what /start go_petugas opens)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    await conversations.save(context.sessions, chat_id=user.id, user_id=user.id,
                             state=FlowState(handoff.FLOW, "question"), now=context.now())
    await message.reply_text(context.gettext(
        "🙋 Type your question for our staff in one message. They answer here, usually on "
        "working days. Send /batal to cancel."))


async def ask_from_button(update: Update, context: BotContext) -> None:
    """The "Ask our staff" button under an answer the bot could not give."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    button = HandoffButton.parse(query.data or "")
    if button is None or button.action is not HandoffAction.ASK:
        await answer_stale(query, context)
        return
    try:
        text = await handoff.question_of(
            context.sessions, question_id=button.number, telegram_user_id=user.id)
    except handoff.NotYourQuestion:
        logger.info("refused handoff button user=%s", user.id)
        await answer_stale(query, context)
        return
    await query.answer()
    await submit(update, context, text)


async def on_message(update: Update, context: BotContext, state: FlowState) -> None:
    """A message while the handoff flow is open: the question, a follow-up in the thread, or
    a question the bot can answer itself (the ticket stays open)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if not message.text:
        await message.reply_text(context.gettext(
            "I can pass on text only. Please write your message; do not send photos of "
            "your ID card here."))
        return
    ticket_id = state.data.get("ticket")
    if isinstance(ticket_id, int):  # the thread of an open ticket, not /petugas's question
        known = await handoff.answer_known(
            context.sessions, context.faq_index, telegram_user_id=user.id, text=message.text,
            now=context.now())
        if known is not None:
            await answer_in_thread(update, context, known, ticket_id)
            return
    await submit(update, context, message.text)


async def answer_in_thread(update: Update, context: BotContext, known: answering.Answer,
                           ticket_id: int) -> None:
    """The knowledge base's answer, then a word that the staff still have the ticket."""
    user = update.effective_user
    entry_id, question_id = known.decision.entry_id, known.question_id
    assert user is not None and entry_id is not None and question_id is not None
    await questions.send_entry(update, context, context.faq_index.kb.get(entry_id),
                               question_id, known.decision.extra)
    _ = context.gettext
    await context.bot.send_message(user.id, _(
        "ℹ️ I answered this myself; it was not passed on. Your question to our staff "
        "(ticket #{number}) stays open: their answer will come here, and what you write "
        "here goes to them. Press Done when you have what you need.").format(
        number=ticket_id), reply_markup=done_keyboard(ticket_id, _))


async def submit(update: Update, context: BotContext, text: str) -> None:
    """Records the worker's message as a new ticket or in its thread, answers the worker, and
    queues the copies for the staff groups (handlers/handoff_copies.py)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    _ = context.gettext
    if not context.settings.staff_chat_ids:
        await context.bot.send_message(chat.id, unavailable(_))
        return
    try:
        posted = await handoff.post(
            context.sessions, telegram_user_id=user.id, first_name=user.first_name, text=text,
            now=context.now(), staff_chats=context.settings.staff_chat_ids)
    except handoff.EmptyQuestion:
        await context.bot.send_message(chat.id, _("Please type your question."))
        return
    except handoff.TooManyFollowUps:
        await context.bot.send_message(chat.id, _(
            "⏳ Our staff have your messages and will answer here. Please wait for their "
            "answer before writing more; this message was not passed on. For something "
            "urgent, call 175."))
        return
    ticket = posted.ticket
    keyboard = done_keyboard(ticket.id, _)
    if posted.duplicate:
        await context.bot.send_message(chat.id, _(
            "Your message is with our staff already (ticket #{number}).").format(
            number=ticket.id), reply_markup=keyboard)
        return
    reply = (_("✅ Your question went to our staff as ticket #{number}. Their answer will "
               "appear here. You can add details by writing here; press Done when you "
               "have what you need.") if posted.new
             else _("📨 Passed on to our staff (ticket #{number})."))
    await context.bot.send_message(chat.id, reply.format(number=ticket.id), reply_markup=keyboard)
    handoff_copies.post_in_background(context, posted, text, _)


def unavailable(_: Gettext) -> str:
    return _("😔 Sorry, I cannot reach our staff right now. Please call 175, or try again "
             "later.")


async def done(update: Update, context: BotContext) -> None:
    """The worker's "Done" button; before any staff answer it asks to confirm first."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    button = HandoffButton.parse(query.data or "")
    if button is None or button.action not in (HandoffAction.DONE, HandoffAction.END):
        await answer_stale(query, context)
        return
    try:
        await finish(update, context, button.number,
                     only_if_answered=button.action is HandoffAction.DONE)
    except handoff.UnknownTicket:
        await answer_stale(query, context)
        return
    except handoff.NotAnswered:
        await query.answer()
        await ask_to_confirm_done(update, context, button.number)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)


async def ask_to_confirm_done(update: Update, context: BotContext, ticket_id: int) -> None:
    user = update.effective_user
    assert user is not None
    _ = context.gettext
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(_("Yes, close it"), callback_data=HandoffButton(
            HandoffAction.END, ticket_id).pack()),
        InlineKeyboardButton(_("No, keep waiting"), callback_data=HandoffButton(
            HandoffAction.KEEP, ticket_id).pack())]])
    await context.bot.send_message(user.id, _(
        "Our staff have not answered your question #{number} yet. Close it anyway? They "
        "will then not answer it.").format(number=ticket_id), reply_markup=keyboard)


async def keep_open(update: Update, context: BotContext) -> None:
    """"No, keep waiting": the ticket stays open."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    button = HandoffButton.parse(query.data or "")
    ticket = None
    if button is not None and button.action is HandoffAction.KEEP:
        with suppress(handoff.UnknownTicket):
            ticket = await handoff.get(context.sessions, ticket_id=button.number)
    if button is None or ticket is None or ticket.telegram_user_id != user.id:
        await answer_stale(query, context)
        return
    await query.answer()
    await query.edit_message_text(context.gettext(
        "👍 Your question #{number} stays open; our staff will answer here.").format(
        number=button.number))


async def cancel_thread(update: Update, context: BotContext) -> None:
    """/batal while the handoff flow is open ends it; otherwise other features handle it."""
    user = update.effective_user
    if user is None:
        return
    state = await conversations.current(
        context.sessions, chat_id=user.id, user_id=user.id, now=context.now(),
        idle=timedelta(minutes=context.settings.conversation_timeout_minutes))
    if state is None or state.flow != handoff.FLOW:
        return
    await remember_user(update, context)  # this group runs before the one that loads it
    ticket_id = state.data.get("ticket")
    if isinstance(ticket_id, int):
        await finish(update, context, ticket_id)
    else:
        await conversations.close(context.sessions, chat_id=user.id, user_id=user.id)
        await context.bot.send_message(user.id, context.gettext(
            "Cancelled. You can still ask me anything."), reply_markup=main_menu(context))
    raise ApplicationHandlerStop


async def finish(update: Update, context: BotContext, ticket_id: int, *,
                 only_if_answered: bool = False) -> None:
    user = update.effective_user
    assert user is not None
    ticket, changed = await handoff.close(context.sessions, ticket_id=ticket_id,
                                          telegram_user_id=user.id, now=context.now(),
                                          only_if_answered=only_if_answered)
    await context.bot.send_message(user.id, context.gettext(
        "👍 Your question #{number} is closed. Send /petugas if you need our staff again."
    ).format(number=ticket.id), reply_markup=main_menu(context))
    if changed:
        await handoff_staff.announce(context, handoff_staff.ended_text(
            staff_gettext(context), ticket.first_name, ticket.id))


# The open thread takes the worker's messages (bot/app.py's FEATURES plugs it in).
FLOW_HANDLERS = {handoff.FLOW: Flow(on_message, "petugas")}


def register(app: App) -> None:
    """The worker's side; the staff side is handlers/handoff_staff.py, the next feature."""
    private = filters.ChatType.PRIVATE
    # Before every other group: /batal ends a handoff here and stops; any other /batal (a
    # form's) goes on to the feature that owns it.
    app.add_handler(CommandHandler(["batal", "cancel"], cancel_thread, filters=private),
                    group=Group.CANCEL_HANDOFF)
    app.add_handler(CommandHandler("petugas", ask_staff, filters=private))
    app.add_handler(CallbackQueryHandler(ask_from_button, pattern=r"^handoff:ask:"))
    app.add_handler(CallbackQueryHandler(done, pattern=r"^handoff:(done|end):"))
    app.add_handler(CallbackQueryHandler(keep_open, pattern=r"^handoff:keep:"))
    add_commands(app, CommandSpec("petugas", N_("Ask our staff a question")))
    handoff_copies.schedule_recovery(app)
