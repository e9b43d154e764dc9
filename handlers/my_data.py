"""/datasaya shows what is stored about the worker; /hapusdata erases it after a confirmation.

Erasure itself is bot.services.erasure; here the staff groups catch up: the lead's card is
drawn again without the name, and the bot's copies of the worker's questions to staff are
deleted (or, older than Telegram lets a bot delete, overwritten).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import time as dt_time
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import App, BotContext, CommandSpec, LeadListener
from bot.i18n import N_
from bot.services import erasure, leads
from handlers import lead_views
from handlers.callback_data import EraseButton
from handlers.common import add_commands, answer_stale, staff_gettext, tell_in_background

logger = logging.getLogger(__name__)


async def show_my_data(update: Update, context: BotContext) -> None:
    """The stored lead, NIK masked but for its last 4 digits."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    _ = context.gettext
    view = await leads.own_lead(context.sessions, telegram_user_id=user.id)
    if view is None and await erasure.holds_data(context.sessions, telegram_user_id=user.id):
        await message.reply_text(_(
            "You have not registered. Stored are your questions to the bot and to our staff "
            "(or a form you have not sent), your Telegram account number and language. "
            "/hapusdata deletes them; /daftar registers you."))
        return
    if view is None:
        await message.reply_text(_("Nothing about you is stored, apart from your Telegram "
                                   "account number and language. Send /daftar to register."))
        return
    text = lead_views.lead_text(view, _) + "\n\n" + _(
        "To correct it send /daftar; to delete it send /hapusdata.")
    await message.reply_text(text)


async def ask_erase(update: Update, context: BotContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    _ = context.gettext
    if not await erasure.holds_data(context.sessions, telegram_user_id=user.id):
        await message.reply_text(_("Nothing about you is stored, so there is nothing to delete."))
        return
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(_("🗑 Yes, delete my data"),
                              callback_data=EraseButton(True).pack())],
        [InlineKeyboardButton(_("No, keep it"), callback_data=EraseButton(False).pack())],
    ])
    await message.reply_text(
        _("Delete your name, NIK, phone number, employer and work, any form you have not "
          "sent, and your questions to the bot and to our staff (also their copies in the "
          "staff group)? Staff will no longer be able to contact you. Only an anonymous "
          "record (segment, district, date, status) stays for the campaign's counts, with a "
          "coded form of your NIK (not the NIK itself) so that you are counted once if you "
          "register again. This cannot be undone."), reply_markup=keyboard)


async def erase(update: Update, context: BotContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    button = EraseButton.parse(query.data or "")
    if button is None:
        await answer_stale(query, context)
        return
    await query.answer()
    _ = context.gettext
    if not button.confirmed:
        await query.edit_message_text(_("Nothing was deleted."))
        return
    erased = await erasure.erase_own(context.sessions, telegram_user_id=user.id,
                                     now=context.now(), nik_key=context.settings.nik_key)
    await query.edit_message_text(
        _("🗑 Your personal data has been deleted.") if erased.found
        else _("Nothing about you is stored, so there is nothing to delete."))
    catch_up(context, erased)


async def apply_retention(context: BotContext) -> None:
    """Daily: personal data is kept no longer than the consent text promises."""
    for erased in await erasure.erase_expired(
            context.sessions, now=context.now(),
            retention=timedelta(days=context.settings.retention_days)):
        catch_up(context, erased)


def catch_up(context: BotContext, erased: erasure.Erasure) -> None:
    """After the update, in the order of the staff groups' queue: the lead's cards are drawn
    again without the name, the copies of the worker's questions to staff go."""
    for lead_id in erased.lead_ids:
        tell_in_background(context, context.bot_data.lead_erased_listeners, lead_id)
    if erased.staff_copies:
        tell_in_background(context, [_removing(erased.staff_copies)], 0)


def _removing(copies: Sequence[erasure.StaffCopy]) -> LeadListener:
    """A queued job (a lead listener that takes no lead) removing these copies."""
    async def remove(context: BotContext, _lead: int) -> None:
        await remove_staff_copies(context, copies)
    return remove


async def remove_staff_copies(context: BotContext, copies: Sequence[erasure.StaffCopy]) -> None:
    """Deletes the bot's copies of an erased worker's messages in the staff groups. Telegram
    lets a bot delete a message for 48 hours only: older copies are overwritten instead."""
    _ = staff_gettext(context)
    for copy in copies:
        try:
            await context.bot.delete_message(copy.chat_id, copy.message_id)
            continue
        except BadRequest:  # older than 48 hours (or deleted by staff already)
            pass
        except TelegramError as error:  # the bot left the group, ...
            logger.warning("staff copy not deleted ticket=%s chat=%s error=%s",
                           copy.ticket_id, copy.chat_id, type(error).__name__)
            continue
        try:
            await context.bot.edit_message_text(_(
                "🗑 Ticket #{number}: this message was erased at the worker's request."
            ).format(number=copy.ticket_id), copy.chat_id, copy.message_id)
        except TelegramError as error:
            logger.warning("staff copy not erased ticket=%s chat=%s error=%s",
                           copy.ticket_id, copy.chat_id, type(error).__name__)


def register(app: App) -> None:
    private = filters.ChatType.PRIVATE
    if app.job_queue is not None and app.bot_data.settings is not None:
        at = dt_time(2, 0, tzinfo=app.bot_data.settings.tz)
        app.job_queue.run_daily(apply_retention, time=at, name="apply_retention")
    app.add_handler(CommandHandler("datasaya", show_my_data, filters=private))
    app.add_handler(CommandHandler("hapusdata", ask_erase, filters=private))
    app.add_handler(CallbackQueryHandler(erase, pattern=r"^erase:"))
    add_commands(app, CommandSpec("datasaya", N_("See the data stored about me")),
                 CommandSpec("hapusdata", N_("Delete my data")))
