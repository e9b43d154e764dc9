"""/datasaya shows what is stored about the worker; /hapusdata erases it after a confirmation."""

from __future__ import annotations

from datetime import time as dt_time
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import App, BotContext, CommandSpec
from bot.i18n import N_
from bot.services import leads
from handlers import lead_views
from handlers.common import add_commands, tell_in_background


async def show_my_data(update: Update, context: BotContext) -> None:
    """The stored lead, NIK masked but for its last 4 digits."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    _ = context.gettext
    view = await leads.own_lead(context.sessions, telegram_user_id=user.id)
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
    if await leads.own_lead(context.sessions, telegram_user_id=user.id) is None:
        await message.reply_text(_("Nothing about you is stored, so there is nothing to delete."))
        return
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(_("🗑 Yes, delete my data"), callback_data="erase:yes")],
        [InlineKeyboardButton(_("No, keep it"), callback_data="erase:no")],
    ])
    await message.reply_text(
        _("Delete your name, NIK, phone number and employer? Staff will no longer be able to "
          "contact you. Only an anonymous record (segment, district, date) stays for the "
          "campaign's counts. This cannot be undone."), reply_markup=keyboard)


async def erase(update: Update, context: BotContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    await query.answer()
    _ = context.gettext
    if query.data != "erase:yes":
        await query.edit_message_text(_("Nothing was deleted."))
        return
    erased = await leads.erase_own(context.sessions, telegram_user_id=user.id, now=context.now())
    await query.edit_message_text(
        _("🗑 Your personal data has been deleted.") if erased is not None
        else _("Nothing about you is stored, so there is nothing to delete."))
    if erased is not None:
        tell_in_background(context, context.bot_data.lead_erased_listeners, erased)


async def apply_retention(context: BotContext) -> None:
    """Daily: personal data is kept no longer than the consent text promises."""
    await leads.erase_expired(context.sessions, now=context.now(),
                              retention=timedelta(days=context.settings.retention_days))


def register(app: App) -> None:
    private = filters.ChatType.PRIVATE
    if app.job_queue is not None and app.bot_data.settings is not None:
        at = dt_time(2, 0, tzinfo=app.bot_data.settings.tz)
        app.job_queue.run_daily(apply_retention, time=at, name="apply_retention")
    app.add_handler(CommandHandler("datasaya", show_my_data, filters=private))
    app.add_handler(CommandHandler("hapusdata", ask_erase, filters=private))
    app.add_handler(CallbackQueryHandler(erase, pattern=r"^erase:(yes|no)$"))
    add_commands(app, CommandSpec("datasaya", N_("See the data stored about me")),
                 CommandSpec("hapusdata", N_("Delete my data")))
