"""/iuran: the monthly contribution of a self-employed (BPU) worker, from their income."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import App, BotContext, CommandSpec
from bot.i18n import N_, rupiah
from bot.knowledge import sources
from bot.services import contribution
from bot.services.amounts import parse_rupiah
from handlers.common import add_commands, in_group, send_private_link


def result_text(income: Decimal, context: BotContext) -> str:
    """Both packages for one declared income, each programme on its line."""
    _, language = context.gettext, context.language
    basic = contribution.bpu_contribution(income, with_jht=False)
    full = contribution.bpu_contribution(income, with_jht=True)
    lines = [_("<b>Estimated BPU contribution</b> for a declared income of {income} a month:")
             .format(income=rupiah(basic.declared_income, language)), ""]
    if basic.clamped:
        lines += [_("(Your amount {typed} is outside the reported range {low}–{high}, so the "
                    "nearest limit is used.)").format(
            typed=rupiah(basic.reported_income, language),
            low=rupiah(contribution.MIN_DECLARED_INCOME, language),
            high=rupiah(contribution.MAX_DECLARED_INCOME, language)), ""]
    lines += [
        _("• JKK (work accident, 1%): {amount}").format(amount=rupiah(basic.jkk, language)),
        _("• JKM (death, flat): {amount}").format(amount=rupiah(basic.jkm, language)),
        _("<b>JKK + JKM: {amount} a month</b>").format(amount=rupiah(basic.total, language)),
        "",
        _("• JHT (old-age savings, optional, 2%): {amount}").format(
            amount=rupiah(full.jht or Decimal(0), language)),
        _("<b>JKK + JKM + JHT: {amount} a month</b>").format(
            amount=rupiah(full.total, language)),
        "",
        _("JKK 1% of declared income and JKM Rp6.800 per PP 44/2015; JHT 2% of declared "
          "income. This is an estimate: the official income bands are not confirmed here, so "
          "check your band at 175 or in the JMO app."),
        "<i>" + _("Source: {source}").format(source=sources.readable(contribution.SOURCE))
        + "</i>",
    ]
    return "\n".join(lines)


def band_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(rupiah(band, context.language), callback_data=f"calc:{band}")]
        for band in contribution.INCOME_BANDS
    ])


async def show(update: Update, context: BotContext) -> None:
    """/iuran [amount]: the result for the amount, or buttons to choose an income."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    if chat is None:
        return
    typed = " ".join(context.args or [])
    amount = parse_rupiah(typed) if typed else None
    if amount is None:
        await ask_income(update, context, unreadable=bool(typed))
        return
    await context.bot.send_message(chat.id, result_text(amount, context))


async def ask_income(update: Update, context: BotContext, unreadable: bool = False) -> None:
    """The income question with a button per band (also what /start go_iuran opens)."""
    chat = update.effective_chat
    if chat is None:
        return
    note = context.gettext("I could not read that amount. ") if unreadable else ""
    await context.bot.send_message(chat.id, note + context.gettext(
        "How much do you earn in a month, roughly? Choose, or type it (for example "
        "<i>/iuran 2,5 juta</i>)."), reply_markup=band_keyboard(context))


async def reply_for_text(update: Update, context: BotContext, text: str) -> None:
    """A question like "penghasilan 2 juta iurannya berapa" answered by the calculator."""
    chat, amount = update.effective_chat, parse_rupiah(text)
    if chat is None or amount is None:
        return
    if in_group(update):  # a worker's income is theirs: the answer comes in private
        await send_private_link(update, context, "iuran")
        return
    await context.bot.send_message(chat.id, result_text(amount, context))


async def chosen(update: Update, context: BotContext) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    try:
        amount = Decimal(query.data.removeprefix("calc:"))
    except InvalidOperation:
        amount = None
    if amount is None or amount not in contribution.INCOME_BANDS:
        await query.answer(context.gettext(
            "This button is no longer valid. Please use the latest message."), show_alert=True)
        return
    await query.answer()
    await context.bot.send_message(chat.id, result_text(amount, context))


def register(app: App) -> None:
    app.add_handler(CommandHandler("iuran", show))
    app.add_handler(CallbackQueryHandler(show, pattern=r"^menu:iuran$"))
    app.add_handler(CallbackQueryHandler(chosen, pattern=r"^calc:\d+$"))
    add_commands(app, CommandSpec("iuran", N_("Count the monthly contribution")))
