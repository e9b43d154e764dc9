"""Staff follow-up: each new lead is posted to the staff groups with status buttons;
a button or `/status <number> <status> [KPJ]` updates the lead and every announcement.

Announcements are shared by everyone in the group, so they speak the default language;
answers to the person who pressed or typed speak theirs.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.error import TelegramError

from bot.context import App, BotContext
from bot.i18n import N_, Gettext, tanggal_jam
from bot.services import followup
from bot.services.followup import LeadCard, StatusResult
from bot.services.registration import Kind
from handlers.access import staff_button, staff_command
from handlers.callback_data import LeadButton
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
    """Status buttons under an announcement, in the group's (default) language."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(("✅ " if status == card.status else "") + status_label(status, _),
                             callback_data=LeadButton(card.id, status).pack())
        for status in followup.BUTTON_STATUSES
    ]])


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
    for lead_id in missed:
        await announce_lead(context, lead_id)


async def refresh_lead(context: BotContext, lead_id: int) -> None:
    """Shows a lead's current data in all its announcements, e.g. after the worker erased
    their data (the name then becomes "(data erased)")."""
    await refresh(context, await followup.current(context.sessions, lead_id=lead_id), None)


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


def register(app: App) -> None:
    if app.job_queue is not None and app.bot_data.sole_receiver:
        app.job_queue.run_once(announce_missed, when=0, name="announce_missed")
    staff_button(app, r"^lead:", press_status)
    staff_command(app, "status", status_command,
                  N_("Set a lead's status: /status <number> <status> [KPJ]"))
