"""/iuran: the monthly contribution of a self-employed (BPU) worker, from their income.

An income per day, week or year is turned into a month first, with the assumption shown
("Rp100.000 sehari × 25 hari kerja ≈ Rp2.500.000 sebulan"); a small amount without a period
gets buttons to say whether it is per day, week or month. Every result is logged as an
answer of the calculator entry, so that "kalau 2,5 juta?" right after is read as a
follow-up (bot/services/dialogue.py).
"""

from __future__ import annotations

from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import App, BotContext, CommandSpec
from bot.i18n import N_, rate, rupiah
from bot.knowledge import sources
from bot.services import answering, contribution
from bot.services.amounts import Income, Period, find_income
from bot.services.matching import CONTRIBUTION_ENTRY
from handlers.callback_data import IncomeButton, MenuButton, MenuItem, PeriodButton
from handlers.common import add_commands, answer_stale, in_group, send_private_link

# How a period is written back into the question log, so that a follow-up finds it again.
_PERIOD_LOGGED = {Period.DAY: "sehari", Period.WEEK: "seminggu", Period.MONTH: "sebulan",
                  Period.YEAR: "setahun"}


def assumption_text(amount: Decimal, period: Period, monthly: Decimal,
                    context: BotContext) -> str:
    """"Rp100.000 a day × 25 working days ≈ Rp2.500.000 a month" and how to correct it."""
    _, language = context.gettext, context.language
    values = {"amount": rupiah(amount, language), "monthly": rupiah(monthly, language)}
    if period is Period.DAY:
        line = _("{amount} a day × {days} working days ≈ {monthly} a month").format(
            days=contribution.WORK_DAYS_PER_MONTH, **values)
    elif period is Period.WEEK:
        line = _("{amount} a week × {weeks} weeks ≈ {monthly} a month").format(
            weeks=contribution.WEEKS_PER_MONTH, **values)
    else:
        line = _("{amount} a year ÷ {months} months ≈ {monthly} a month").format(
            months=contribution.MONTHS_PER_YEAR, **values)
    return line + "\n" + _(
        "(An assumption: if you earn a different amount in a month, type it, for example "
        "<i>2 juta sebulan</i>.)")


def clamp_text(result: contribution.BpuContribution, context: BotContext) -> str:
    """Says which limit the estimate used and where it comes from: derived from the reported
    lowest and highest JKK contribution, not a band table."""
    _, language = context.gettext, context.language
    if result.reported_income < contribution.MIN_DECLARED_INCOME:
        text = _("(Your income {typed} is below the lowest income this bot can compute, {limit}, "
                 "so the estimate uses {limit}. That limit is derived from the lowest reported "
                 "JKK contribution, {jkk} a month. Your official income band: call 175 or see "
                 "the JMO app.)")
        jkk = contribution.JKK_REPORTED_MIN
    else:
        text = _("(Your income {typed} is above the highest income this bot can compute, "
                 "{limit}, so the estimate uses {limit}. That limit is derived from the highest "
                 "reported JKK contribution, {jkk} a month. Your official income band: call 175 "
                 "or see the JMO app.)")
        jkk = contribution.JKK_REPORTED_MAX
    return text.format(typed=rupiah(result.reported_income, language),
                       limit=rupiah(result.declared_income, language),
                       jkk=rupiah(jkk, language))


def result_text(income: Decimal, context: BotContext, assumption: str | None = None) -> str:
    """Both packages for one declared income, each programme on its line."""
    _, language = context.gettext, context.language
    basic = contribution.bpu_contribution(income, with_jht=False)
    full = contribution.bpu_contribution(income, with_jht=True)
    lines = [assumption, ""] if assumption else []
    lines += [_("<b>Estimated BPU contribution</b> for a declared income of {income} a month:")
              .format(income=rupiah(basic.declared_income, language)), ""]
    if basic.clamped:
        lines += [clamp_text(basic, context), ""]
    lines += [
        _("• JKK (work accident, {rate}): {amount}").format(
            rate=rate(contribution.JKK_RATE, language), amount=rupiah(basic.jkk, language)),
        _("• JKM (death, flat): {amount}").format(amount=rupiah(basic.jkm, language)),
        _("<b>JKK + JKM: {amount} a month</b>").format(amount=rupiah(basic.total, language)),
        "",
        _("• JHT (old-age savings, optional, {rate}): {amount}").format(
            rate=rate(contribution.JHT_RATE, language),
            amount=rupiah(full.jht or Decimal(0), language)),
        _("<b>JKK + JKM + JHT: {amount} a month</b>").format(
            amount=rupiah(full.total, language)),
        "",
        _("JKK {jkk} of declared income and JKM {jkm} per PP 44/2015; JHT {jht} of declared "
          "income. This is an estimate: the official income bands are not confirmed here, so "
          "check your band at 175 or in the JMO app.").format(
            jkk=rate(contribution.JKK_RATE, language), jkm=rupiah(contribution.JKM_FLAT, language),
            jht=rate(contribution.JHT_RATE, language)),
        "<i>" + _("Source: {source}").format(source=sources.readable(contribution.SOURCE))
        + "</i>",
    ]
    return "\n".join(lines)


def band_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(rupiah(band, context.language),
                              callback_data=IncomeButton(band).pack())]
        for band in contribution.INCOME_BANDS
    ])


def period_keyboard(amount: Decimal, context: BotContext) -> InlineKeyboardMarkup:
    _ = context.gettext
    labels = ((Period.DAY, _("Per day")), (Period.WEEK, _("Per week")),
              (Period.MONTH, _("Per month")))
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(label, callback_data=PeriodButton(period, amount).pack())
        for period, label in labels]])


async def send_income(update: Update, context: BotContext, income: Income,
                      logged_text: str) -> None:
    """The contribution for an income; first the question "per day, week or month?" when a
    small amount came without a period. Logged as an answer of the calculator."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return
    if user is not None:
        await answering.log_shown(context.sessions, telegram_user_id=user.id,
                                  entry_id=CONTRIBUTION_ENTRY, reason="contribution",
                                  text=logged_text, now=context.now())
    if contribution.period_unclear(income.amount, income.period):
        await context.bot.send_message(chat.id, context.gettext(
            "Is {amount} your income per day, per week or per month?").format(
            amount=rupiah(income.amount, context.language)),
            reply_markup=period_keyboard(income.amount, context))
        return
    period = income.period or Period.MONTH
    monthly = contribution.monthly_income(income.amount, period)
    assumption = (None if period is Period.MONTH
                  else assumption_text(income.amount, period, monthly, context))
    await context.bot.send_message(chat.id, result_text(monthly, context, assumption))


async def show(update: Update, context: BotContext) -> None:
    """/iuran [amount]: the result for the amount, or buttons to choose an income."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    if chat is None:
        return
    typed = " ".join(context.args or [])
    income = find_income(typed) if typed else None
    if income is None:
        await ask_income(update, context, unreadable=bool(typed))
        return
    await send_income(update, context, income, f"/iuran {typed}")


async def ask_income(update: Update, context: BotContext, unreadable: bool = False) -> None:
    """The income question with a button per band (also what /start go_iuran opens)."""
    chat = update.effective_chat
    if chat is None:
        return
    note = context.gettext("I could not read that amount. ") if unreadable else ""
    await context.bot.send_message(chat.id, note + context.gettext(
        "How much do you earn in a month, roughly? Choose, or type it (for example "
        "<i>/iuran 2,5 juta</i> or <i>/iuran 100rb sehari</i>)."),
        reply_markup=band_keyboard(context))


async def reply_for_text(update: Update, context: BotContext, text: str) -> None:
    """A question like "penghasilan 2 juta iurannya berapa" answered by the calculator."""
    chat, income = update.effective_chat, find_income(text)
    if chat is None or income is None:
        return
    if in_group(update):  # a worker's income is theirs: the answer comes in private
        await send_private_link(update, context, "iuran")
        return
    await send_income(update, context, income, text)


async def chosen(update: Update, context: BotContext) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is None or query.data is None or chat is None:
        return
    button = IncomeButton.parse(query.data)
    if button is None or button.amount not in contribution.INCOME_BANDS:
        await answer_stale(query, context)
        return
    amount = button.amount
    await query.answer()
    await send_income(update, context, Income(amount, Period.MONTH),
                      f"[{CONTRIBUTION_ENTRY}] {amount} {_PERIOD_LOGGED[Period.MONTH]}")


async def chosen_period(update: Update, context: BotContext) -> None:
    """A "per day / per week / per month" button under an amount typed without a period."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    button = PeriodButton.parse(query.data)
    if button is None:
        await answer_stale(query, context)
        return
    await query.answer()
    await send_income(update, context, Income(button.amount, button.period),
                      f"[{CONTRIBUTION_ENTRY}] {button.amount} {_PERIOD_LOGGED[button.period]}")


def register(app: App) -> None:
    app.add_handler(CommandHandler("iuran", show))
    app.add_handler(CallbackQueryHandler(show, pattern=MenuButton.pattern(MenuItem.IURAN)))
    app.add_handler(CallbackQueryHandler(chosen, pattern=r"^calc:"))
    app.add_handler(CallbackQueryHandler(chosen_period, pattern=r"^calcp:"))
    add_commands(app, CommandSpec("iuran", N_("Count the monthly contribution")))
