"""Workers ask a person: /petugas, the "Ask our staff" button, and the thread that follows.

The question goes to every staff group as the bot's own copy (a forward would lose the
sender under forward privacy) with the worker's first name and a ticket number; the staff
side (answers, /tutup) is in handlers.handoff_staff. While the ticket is open, the worker's
next messages join its thread through the "handoff" flow of the conversation registry.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from telegram import ReplyParameters, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, filters

from bot.context import App, BotContext, CommandSpec, Flow, Group
from bot.i18n import N_, Gettext
from bot.services import conversations, handoff
from bot.services.conversations import FlowState
from handlers import handoff_staff
from handlers.callback_data import HandoffAction, HandoffButton
from handlers.common import (
    add_commands,
    answer_stale,
    escape,
    main_menu,
    remember_user,
    staff_gettext,
)

logger = logging.getLogger(__name__)

TICKET_MARK = handoff_staff.TICKET_MARK
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
    """A message while the handoff flow is open: the question, or a follow-up in the thread."""
    message = update.effective_message
    if message is None:
        return
    if not message.text:
        await message.reply_text(context.gettext(
            "I can pass on text only. Please write your message; do not send photos of "
            "your ID card here."))
        return
    await submit(update, context, message.text)


async def submit(update: Update, context: BotContext, text: str) -> None:
    """Posts the worker's message to the staff groups, as a new ticket or in its thread."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    _ = context.gettext
    if not context.settings.staff_chat_ids:
        await context.bot.send_message(chat.id, unavailable(_))
        return

    async def post(posted: handoff.Posted) -> list[tuple[int, int]]:
        return await post_copies(context, posted, text)

    try:
        submitted = await handoff.submit(
            context.sessions, telegram_user_id=user.id, first_name=user.first_name, text=text,
            now=context.now(), staff_chats=context.settings.staff_chat_ids, post_copies=post)
    except handoff.EmptyQuestion:
        await context.bot.send_message(chat.id, _("Please type your question."))
        return
    except handoff.TooManyFollowUps:
        await context.bot.send_message(chat.id, _(
            "⏳ Our staff have your messages and will answer here. Please wait for their "
            "answer before writing more; this message was not passed on. For something "
            "urgent, call 175."))
        return
    posted = submitted.posted
    ticket = posted.ticket
    keyboard = done_keyboard(ticket.id, _)
    if posted.duplicate:
        await context.bot.send_message(chat.id, _(
            "Your message is with our staff already (ticket #{number}).").format(
            number=ticket.id), reply_markup=keyboard)
        return
    if not submitted.reached_staff:
        await context.bot.send_message(chat.id, unavailable(_))
        return
    reply = (_("✅ Your question went to our staff as ticket #{number}. Their answer will "
               "appear here. You can add details by writing here; press Done when you "
               "have what you need.") if posted.new
             else _("📨 Passed on to our staff (ticket #{number})."))
    await context.bot.send_message(chat.id, reply.format(number=ticket.id), reply_markup=keyboard)


def unavailable(_: Gettext) -> str:
    return _("😔 Sorry, I cannot reach our staff right now. Please call 175, or try again "
             "later.")


async def post_copies(context: BotContext, posted: handoff.Posted,
                      text: str) -> list[tuple[int, int]]:
    """The bot's own copy in every staff group: (chat_id, message_id) of each one sent."""
    _ = staff_gettext(context)
    ticket = posted.ticket
    name = escape(ticket.first_name)
    text = handoff.clean(text)  # as stored: cut to leave room for the header within 4096
    if posted.new:
        body = "\n".join([
            f"{TICKET_MARK}{ticket.id} · " + _("{name} asks:").format(name=name),
            escape(text), "",
            "<i>" + _("Reply to this message to answer; /tutup {number} closes the ticket.")
            .format(number=ticket.id) + "</i>"])
    else:
        body = f"{TICKET_MARK}{ticket.id} · {name}:\n{escape(text)}"
    copies = []
    for chat_id in sorted(context.settings.staff_chat_ids):
        anchor = posted.anchors.get(chat_id)
        thread = (ReplyParameters(anchor, allow_sending_without_reply=True)
                  if anchor is not None else None)
        try:
            sent = await context.bot.send_message(chat_id, body, reply_parameters=thread)
        except TelegramError as error:
            logger.warning("ticket %s: no copy in chat %s: %s", ticket.id, chat_id,
                           type(error).__name__)
            continue
        copies.append((chat_id, sent.message_id))
    return copies


async def done(update: Update, context: BotContext) -> None:
    """The worker's "Done" button: the ticket is closed and the thread ends."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    button = HandoffButton.parse(query.data or "")
    if button is None or button.action is not HandoffAction.DONE:
        await answer_stale(query, context)
        return
    try:
        await finish(update, context, button.number)
    except handoff.UnknownTicket:
        await answer_stale(query, context)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)


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


async def finish(update: Update, context: BotContext, ticket_id: int) -> None:
    user = update.effective_user
    assert user is not None
    ticket, changed = await handoff.close(context.sessions, ticket_id=ticket_id,
                                          telegram_user_id=user.id, now=context.now())
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
    app.add_handler(CallbackQueryHandler(done, pattern=r"^handoff:done:"))
    add_commands(app, CommandSpec("petugas", N_("Ask our staff a question")))
