"""Staff follow-up: each new lead is posted to the staff groups with status buttons;
a button or `/status <number> <status> [KPJ]` updates the lead and every announcement.
Leads whose cards waited for the group's pace go out together in a combined card
(handlers/lead_cards.py); "📞 Nomor" shows the phone to the one who pressed it, recorded;
"terdaftar" asks for the KPJ number, which a reply to the question records.

Announcements are shared by everyone in the group, so they speak the default language;
answers to the person who pressed or typed speak theirs.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.error import TelegramError
from telegram.ext import MessageHandler, filters

from bot.context import App, BotContext
from bot.i18n import N_, Gettext, tanggal_jam
from bot.services import followup
from bot.services.enums import LeadStatus
from bot.services.followup import LeadCard, StatusResult
from bot.services.registration import Kind
from handlers import lead_cards
from handlers.access import staff_button, staff_command
from handlers.callback_data import LeadButton, LeadCardAction, LeadCardButton
from handlers.common import answer_stale, escape, staff_gettext, tell_in_background
from handlers.labels import status_label
from handlers.lead_views import segment_label

logger = logging.getLogger(__name__)

REFUSALS = {
    followup.UnknownStatus: N_("Unknown status. Use one of: minat, dihubungi, terdaftar, "
                               "tidak_berminat."),
    followup.InvalidKpj: N_("A KPJ number has exactly 11 digits, for example "
                            "/status 12 terdaftar 12345678901."),
    followup.KpjNeedsRegistered: N_("A KPJ number can only be given with the status "
                                    "terdaftar."),
    followup.LeadErased: N_("This worker erased their data, so no KPJ number is stored. "
                            "The status can still be changed."),
}


def card_text(context: BotContext, card: LeadCard, *, changer: str | None = None,
              updated: bool = False) -> str:
    """The announcement; `changer` (HTML) names who set the current status."""
    _, language = staff_gettext(context), context.settings.default_language
    tz = context.settings.tz
    title = (_("✏️ <b>Lead #{id}: data updated</b>") if updated
             else _("🆕 <b>New lead #{id}</b>")).format(id=card.id)
    region = ", ".join(part for part in (card.kecamatan, card.kabupaten) if part)
    origin = (_("{union}, organizer {organizer}").format(union=escape(card.union or "-"),
                                                         organizer=escape(card.organizer))
              if card.organizer else _("none (came directly)"))
    registered = (_("Registered by the organizer on {when}") if card.source == Kind.ASSISTED
                  else _("Registered on {when}"))
    rows = [
        (_("Name"), f"<b>{escape(card.name)}</b>" if card.name else _("(data erased)")),
        (_("Segment"), segment_label(card.segment, _)),
        (_("Work"), escape(card.occupation or "-")),
        (_("Lives in"), escape(region or "-")),
    ]
    lines = [title, *(f"• {label}: {value}" for label, value in rows),
             "• " + _("Union: {origin}").format(origin=origin),
             "• " + registered.format(when=tanggal_jam(card.created_at, tz, language)),
             "• " + _("Status: <b>{status}</b>").format(status=status_label(card.status, _))]
    if card.reach_through is not None:  # before the union line
        link = (f'<a href="tg://user?id={card.reach_through}">'
                f'{escape(card.organizer or "-")}</a>')
        lines.insert(-3, "• " + _("📵 No phone: contact the worker through the organizer "
                                  "{organizer}").format(organizer=link))
    change = card.last_change
    if change is not None and change.changed_by is not None:
        who = changer or f'<a href="tg://user?id={change.changed_by}">{change.changed_by}</a>'
        lines.append("  " + _("changed by {who}, {when}").format(
            who=who, when=tanggal_jam(change.changed_at, tz, language)))
    if card.kpj_recorded:
        lines.append("• " + _("KPJ number recorded"))
    return "\n".join(lines)


def card_keyboard(card: LeadCard, _: Gettext) -> InlineKeyboardMarkup:
    """Status buttons under an announcement, in the group's (default) language, and
    "📞 Nomor" while the worker's data is stored."""
    rows = [[
        InlineKeyboardButton(("✅ " if status == card.status else "") + status_label(status, _),
                             callback_data=LeadButton(card.id, status).pack())
        for status in followup.BUTTON_STATUSES
    ]]
    if card.name is not None:
        rows.append([InlineKeyboardButton(_("📞 Number"), callback_data=LeadCardButton(
            LeadCardAction.PHONE, card.id).pack())])
    return InlineKeyboardMarkup(rows)


def who(user: User) -> str:
    return escape(user.full_name)


async def announce_lead(context: BotContext, lead_id: int) -> None:
    """A lead listener: posts the new (or updated) lead to every staff group."""
    card, earlier = await followup.lead_card(context.sessions, lead_id=lead_id)
    text, markup = card_text(context, card, updated=earlier > 0), card_keyboard(
        card, staff_gettext(context))
    posted: list[tuple[int, int]] = []
    for chat_id in sorted(context.settings.staff_chat_ids):
        try:
            message = await context.bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramError as error:  # one unreachable group must not stop the others
            logger.warning("lead not announced lead=%s chat=%s error=%s", lead_id, chat_id,
                           type(error).__name__)
            continue
        posted.append((chat_id, message.message_id))
    if not posted:
        return
    await followup.record_notifications(context.sessions, lead_id=lead_id, messages=posted)
    # The posts may have waited minutes for the group's pace: a worker who erased their data
    # or staff who changed the status meanwhile found no card to redraw. Redraw it now.
    result = await followup.current(context.sessions, lead_id=lead_id)
    if result.card != card:
        await refresh(context, result, None)


async def announce_leads(context: BotContext, lead_ids: list[int]) -> None:
    """The lead listener's batch form: the leads whose cards waited go out in combined
    cards (up to lead_cards.MAX_COMBINED each); a lone lead still gets its own card."""
    _ = staff_gettext(context)
    cards = await followup.lead_cards(context.sessions, lead_ids=dict.fromkeys(lead_ids))
    for page in lead_cards.pages(cards, _):
        if len(page) == 1:
            await announce_lead(context, page[0][0].id)
            continue
        text, markup = lead_cards.combined_text(page, _), lead_cards.combined_keyboard(page)
        for chat_id in sorted(context.settings.staff_chat_ids):
            try:
                message = await context.bot.send_message(chat_id, text, reply_markup=markup)
            except TelegramError as error:  # as announce_lead: the other groups go on
                logger.warning("combined card not posted leads=%s chat=%s error=%s",
                               len(page), chat_id, type(error).__name__)
                continue
            await followup.record_combined(context.sessions,
                                           lead_ids=[card.id for card, _seen in page],
                                           chat_id=chat_id, message_id=message.message_id)
        logger.info("combined card leads=%s", len(page))


async def announce_missed(context: BotContext) -> None:
    """Once at start: leads stored but never shown in a staff group get their card now
    (the process stopped while their cards waited for Telegram's pace, or no group could
    be reached). Only where this process alone receives the updates: behind a webhook,
    another instance may still have those cards on their way."""
    if not context.settings.staff_chat_ids:
        return
    missed = await followup.unannounced(context.sessions, now=context.now())
    if missed:
        logger.info("announcing %s leads no staff group has seen", len(missed))
    if missed:  # many cards lost at a meeting come back combined, at the group's pace
        await announce_leads(context, missed)


async def refresh_lead(context: BotContext, lead_id: int) -> None:
    """Shows a lead's current data in all its announcements and combined cards, e.g. after
    the worker erased their data (the name then becomes "(data erased)")."""
    await refresh(context, await followup.current(context.sessions, lead_id=lead_id), None)
    _ = staff_gettext(context)
    for chat_id, message_id in await followup.combined_cards_of(context.sessions,
                                                                lead_id=lead_id):
        cards = await followup.combined_card(context.sessions, chat_id=chat_id,
                                             message_id=message_id)
        page = [(card, False) for card in cards]
        try:
            await context.bot.edit_message_text(
                lead_cards.combined_text(page, _), chat_id, message_id,
                reply_markup=lead_cards.combined_keyboard(page))
        except TelegramError as error:
            logger.warning("combined card not updated lead=%s chat=%s message=%s error=%s",
                           lead_id, chat_id, message_id, type(error).__name__)


async def refresh(context: BotContext, result: StatusResult, changer: str | None,
                  also: tuple[int, int] | None = None) -> None:
    """Edits every announcement of the lead to show its new status."""
    text, markup = card_text(context, result.card, changer=changer), card_keyboard(
        result.card, staff_gettext(context))
    targets = dict.fromkeys((*result.messages, *((also,) if also else ())))
    for chat_id, message_id in targets:
        try:
            await context.bot.edit_message_text(text, chat_id, message_id, reply_markup=markup)
        except TelegramError as error:  # deleted message, bot removed from a group, ...
            logger.warning("lead announcement not updated lead=%s chat=%s message=%s "
                           "error=%s", result.card.id, chat_id, message_id,
                           type(error).__name__)


async def press_status(update: Update, context: BotContext) -> None:
    """A staff member pressed Dihubungi, Terdaftar or Tidak berminat under a lead."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    button = LeadButton.parse(query.data or "")
    if button is None:
        await answer_stale(query, context)
        return
    _ = context.gettext
    try:
        result = await followup.set_status(
            context.sessions, lead_id=button.lead_id, status=button.status.value,
            changed_by=user.id, now=context.now())
    except followup.UnknownLead:
        await query.answer(_("This lead no longer exists."), show_alert=True)
        return
    label = status_label(result.card.status, _)
    if not result.changed:
        await query.answer(_("The status is already {status}.").format(status=label))
        return
    await query.answer(_("Status changed to {status}.").format(status=label))
    tell_in_background(context, context.bot_data.lead_status_listeners, button.lead_id)
    message = query.message
    await refresh(context, result, who(user),
                  (message.chat.id, message.message_id) if message else None)
    if message is not None:
        await ask_kpj(context, result, message.chat.id, message.message_id)


async def ask_kpj(context: BotContext, result: StatusResult, chat_id: int,
                  reply_to: int) -> None:
    """After "terdaftar" without a KPJ number: asks for it (optional)."""
    if result.card.status != LeadStatus.TERDAFTAR or result.card.kpj_recorded \
            or result.card.name is None:
        return
    text, keyboard = lead_cards.kpj_question(result.card.id, staff_gettext(context))
    await context.bot.send_message(chat_id, text, reply_markup=keyboard,
                                   reply_parameters=ReplyParameters(
                                       reply_to, allow_sending_without_reply=True))


async def status_command(update: Update, context: BotContext) -> None:
    """`/status <number> <status> [KPJ]`: the same as the buttons, plus the KPJ number."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    _ = context.gettext
    parsed = followup.status_args(context.args or [])
    if parsed is None:
        await message.reply_text(_(
            "Usage: /status &lt;lead number&gt; &lt;status&gt; [KPJ number]\n"
            "Status: minat, dihubungi, terdaftar, tidak_berminat.\n"
            "Example: /status 12 terdaftar 12345678901"))
        return
    lead_id, words, kpj = parsed
    try:
        result = await followup.set_status(context.sessions, lead_id=lead_id, status=words,
                                           changed_by=user.id, now=context.now(), kpj=kpj)
    except followup.UnknownLead:
        await message.reply_text(_("There is no lead #{id}.").format(id=lead_id))
        return
    except (followup.UnknownStatus, followup.InvalidKpj, followup.KpjNeedsRegistered,
            followup.LeadErased) as error:
        await message.reply_text(_(REFUSALS[type(error)]))
        return
    label = status_label(result.card.status, _)
    if not result.changed:
        await message.reply_text(_("Lead #{id} already has the status {status}.").format(
            id=lead_id, status=label))
        return
    text = _("✅ Lead #{id} is now <b>{status}</b>.").format(id=lead_id, status=label)
    if kpj is not None:
        text += " " + _("The KPJ number is recorded.")
    await message.reply_text(text)
    tell_in_background(context, context.bot_data.lead_status_listeners, lead_id)
    await refresh(context, result, who(user))
    await ask_kpj(context, result, message.chat.id, message.message_id)


async def record_kpj(update: Update, context: BotContext) -> None:
    """A staff member replies to the question for a KPJ number with the number."""
    message, user = update.effective_message, update.effective_user
    replied = message.reply_to_message if message is not None else None
    if message is None or user is None or replied is None or not _from_bot(replied, context):
        return
    lead_id = lead_cards.number_in_question(replied.text)
    if lead_id is None:
        return
    _ = context.gettext
    try:
        result = await followup.set_status(
            context.sessions, lead_id=lead_id, status=LeadStatus.TERDAFTAR,
            changed_by=user.id, now=context.now(), kpj=message.text or "")
    except followup.UnknownLead:
        await message.reply_text(_("There is no lead #{id}.").format(id=lead_id))
        return
    except (followup.InvalidKpj, followup.LeadErased) as error:
        await message.reply_text(_(REFUSALS[type(error)]))
        return
    # Not repeated in the group: 📞 Nomor shows it to whoever needs it.
    await message.reply_text(_("✅ KPJ number recorded for lead #{id}; 📞 Number shows it.")
                             .format(id=lead_id))
    await _close_question(context, replied)
    if result.changed:
        tell_in_background(context, context.bot_data.lead_status_listeners, lead_id)
        await refresh(context, result, who(user))


async def skip_kpj(update: Update, context: BotContext) -> None:
    """"Skip" under the question for a KPJ number: the question closes."""
    query = update.callback_query
    if query is None:
        return
    button = LeadCardButton.parse(query.data or "")
    if button is None or button.action is not LeadCardAction.NO_KPJ:
        await answer_stale(query, context)
        return
    _ = context.gettext
    # An alert is plain text: no HTML escapes.
    await query.answer(_("Skipped. Add it later with /status {id} terdaftar <KPJ>.")
                       .format(id=button.lead_id))
    if isinstance(query.message, Message):
        await _close_question(context, query.message)


async def _close_question(context: BotContext, question: Message) -> None:
    """Removes the Skip button, so the question reads as answered."""
    try:
        await context.bot.edit_message_reply_markup(question.chat.id, question.message_id)
    except TelegramError as error:
        logger.warning("KPJ question not closed error=%s", type(error).__name__)


async def open_card(update: Update, context: BotContext) -> None:
    """A lead's button under a combined card: posts that lead's own card, with its buttons."""
    query = update.callback_query
    if query is None:
        return
    button = LeadCardButton.parse(query.data or "")
    if button is None or button.action is not LeadCardAction.OPEN \
            or not isinstance(query.message, Message):
        await answer_stale(query, context)
        return
    try:
        result = await followup.current(context.sessions, lead_id=button.lead_id)
    except followup.UnknownLead:
        await query.answer(context.gettext("This lead no longer exists."), show_alert=True)
        return
    await query.answer()
    chat_id = query.message.chat.id
    sent = await context.bot.send_message(
        chat_id, card_text(context, result.card), reply_markup=card_keyboard(
            result.card, staff_gettext(context)),
        reply_parameters=ReplyParameters(query.message.message_id,
                                         allow_sending_without_reply=True))
    # Recorded like an announcement: status changes and erasure redraw it too.
    await followup.record_notifications(context.sessions, lead_id=button.lead_id,
                                        messages=[(chat_id, sent.message_id)])


async def show_phone(update: Update, context: BotContext) -> None:
    """"📞 Nomor": the phone (and KPJ number) in an alert only the presser sees; recorded."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    button = LeadCardButton.parse(query.data or "")
    chat = update.effective_chat
    if button is None or button.action is not LeadCardAction.PHONE or chat is None:
        await answer_stale(query, context)
        return
    _ = context.gettext
    try:
        contact = await followup.show_contact(context.sessions, lead_id=button.lead_id,
                                              viewed_by=user.id, chat_id=chat.id,
                                              now=context.now())
    except followup.UnknownLead:
        await query.answer(_("This lead no longer exists."), show_alert=True)
        return
    except followup.LeadErased:
        await query.answer(_("This worker erased their data: no phone number is stored."),
                           show_alert=True)
        return
    lines = [_("Lead #{id}").format(id=contact.lead_id),
             _("📞 {phone}").format(phone=contact.phone) if contact.phone
             else _("No phone number of their own: reach them through their organizer.")]
    if contact.kpj:
        lines.append(_("KPJ: {kpj}").format(kpj=contact.kpj))
    lines.append(_("Only you see this; it is recorded."))
    await query.answer("\n".join(lines), show_alert=True)


def _from_bot(message: Message, context: BotContext) -> bool:
    return message.from_user is not None and message.from_user.id == context.bot.id


class _ReplyToKpjQuestion(filters.MessageFilter):
    """A reply to a bot message that asks for a KPJ number (the bot's id is checked later)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied is not None and (replied.text or "").startswith(
            lead_cards.KPJ_MARK))


def register(app: App) -> None:
    if app.job_queue is not None and app.bot_data.sole_receiver:
        app.job_queue.run_once(announce_missed, when=0, name="announce_missed")
    app.bot_data.lead_batches[announce_lead] = announce_leads
    staff_button(app, r"^lead:", press_status)
    staff_button(app, r"^leadcard:open:", open_card)
    staff_button(app, r"^leadcard:phone:", show_phone)
    staff_button(app, r"^leadcard:nokpj:", skip_kpj)
    staff_chats = sorted(app.bot_data.settings.staff_chat_ids) if app.bot_data.settings else []
    app.add_handler(MessageHandler(
        filters.Chat(chat_id=staff_chats) & filters.TEXT & ~filters.COMMAND
        & _ReplyToKpjQuestion(), record_kpj))
    staff_command(app, "status", status_command,
                  N_("Set a lead's status: /status <number> <status> [KPJ]"))
