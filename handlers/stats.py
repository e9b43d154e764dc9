"""Staff reporting: /stats (text and chart), /target, and the daily recap at 16:00."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time

from babel.dates import format_date, get_month_names
from telegram import Update
from telegram.error import TelegramError

from bot.context import App, BotContext
from bot.i18n import N_, Gettext, babel_locale, number, percent, tanggal, tanggal_jam
from bot.services import charts, digest, stats
from handlers.access import staff_command
from handlers.common import escape
from handlers.labels import status_label

logger = logging.getLogger(__name__)

BAR_CELLS = 10
NAME_LIMIT = 40  # keeps five long union or organizer names inside one message
CHART_WORDS = ("grafik", "chart", "grafis")


def bar(ratio: float | None) -> str:
    filled = min(BAR_CELLS, round((ratio or 0) * BAR_CELLS))
    return "▓" * filled + "░" * (BAR_CELLS - filled)


def short(name: str) -> str:
    return escape(name if len(name) <= NAME_LIMIT else name[: NAME_LIMIT - 1] + "…")


def progress_lines(report: tuple[stats.Progress, ...], _: Gettext, language: str) -> list[str]:
    lines = []
    for item in report:
        shown = percent(item.ratio, language) if item.ratio is not None else "–"
        lines.append(_("{segment} {count} of {target} ({percent})").format(
            segment=item.segment, count=number(item.interested, language),
            target=number(item.target, language), percent=shown))
        lines.append(f"<code>{bar(item.ratio)}</code>")
    registered = {item.segment: number(item.registered, language) for item in report}
    lines.append(_("Already registered as participants (status Registered): "
                   "PU {pu} · BPU {bpu}").format(pu=registered["PU"], bpu=registered["BPU"]))
    return lines


def target_heading(targets: stats.Targets, _: Gettext) -> str:
    """"Target 2026" only for targets someone set; the news figures are labelled undated."""
    if targets.from_news:
        return _("<b>Leads {year}</b> (interest registered in the bot) against the news "
                 "figures, undated").format(year=targets.year)
    return _("<b>Target {year}</b>: interest registered in the bot (leads)").format(
        year=targets.year)


def target_note(targets: stats.Targets, _: Gettext, language: str) -> str:
    if targets.stored:
        return _("Targets {year} set by an administrator with /target.").format(
            year=targets.year)
    if targets.from_news:
        return _("{pu} and {bpu} are news figures, undated (Antara Jatim), not this year's "
                 "targets. An administrator sets this year's targets with /target.").format(
            pu=number(targets.pu, language), bpu=number(targets.bpu, language))
    return _("Targets from the settings; administrators can change them with /target.")


def ranked(title: str, items: list[stats.Ranked], language: str) -> list[str]:
    lines = ["", f"<b>{title}</b>"]
    for place, item in enumerate(items, 1):
        detail = f" ({short(item.detail)})" if item.detail else ""
        lines.append(f"{place}. {short(item.name)}{detail} — {number(item.count, language)}")
    return lines if items else [*lines, "–"]


def period_title(period: stats.Period, _: Gettext, language: str) -> str:
    if period.kind == "year":
        return _("📊 <b>Statistics {year}</b>").format(year=period.year)
    if period.kind == "month":
        month = format_date(period.first_day, "MMMM y", locale=babel_locale(language))
        return _("📊 <b>Statistics {month}</b>").format(month=month)
    return _("📊 <b>Statistics, last {days} days</b> ({first} – {last})").format(
        days=number(period.days or 0, language), first=tanggal(period.first_day, language),
        last=tanggal(period.last_day, language))


def render_report(report: stats.StatsReport, context: BotContext) -> str:
    _, language = context.gettext, context.language
    period = report.period
    lines = [period_title(period, _, language),
             _("As of {moment}").format(moment=tanggal_jam(context.now(), context.settings.tz,
                                                            language)),
             "", target_heading(report.targets, _),
             *progress_lines(report.progress, _, language),
             "<i>" + target_note(report.targets, _, language) + "</i>",
             "", _("<b>New leads</b>: today {today} · 7 days {week} · 30 days {month}").format(
                 today=number(report.today, language), week=number(report.last_7_days, language),
                 month=number(report.last_30_days, language))]
    if period.kind != "year":
        lines += ["", _("<b>In this period</b>: PU {pu} · BPU {bpu} · total {total}").format(
            pu=number(report.by_segment["PU"], language),
            bpu=number(report.by_segment["BPU"], language),
            total=number(sum(report.by_segment.values()), language))]
    lines += ["", _("<b>By status</b> (leads of the period)")]
    lines += [f"{status_label(status, _)}: {number(count, language)}"
              for status, count in report.funnel.items()]
    lines += ranked(_("Top unions"), report.unions, language)
    lines += ranked(_("Top organizers"), report.organizers, language)
    lines += ranked(_("Top kabupaten"), report.kabupaten, language)
    lines += ranked(_("Top kecamatan"), report.kecamatan, language)
    lines += ranked(_("Top occupations"), report.occupations, language)
    lines += ["", _("<b>Info (/siaran)</b>: {receiving} workers receive it · {stopped} stopped "
                    "it").format(receiving=number(report.news_receiving, language),
                                 stopped=number(report.news_opted_out, language))]
    return "\n".join(lines)


async def show_stats(update: Update, context: BotContext) -> None:
    """/stats [30 | 2026-11 | grafik]: progress against the targets, for staff."""
    message = update.effective_message
    if message is None:
        return
    _, args, settings = context.gettext, context.args or [], context.settings
    if len(args) == 1 and args[0].lower() in CHART_WORDS:
        await show_chart(update, context)
        return
    try:
        if len(args) > 1:
            raise stats.InvalidPeriod(args)
        period = stats.parse_period(args[0] if args else None, now=context.now(), tz=settings.tz)
    except stats.InvalidPeriod:
        await message.reply_text(_(
            "Usage: /stats (this year), /stats 30 (the last 30 days), /stats 2026-11 "
            "(a month) or /stats grafik (a chart)."))
        return
    report = await stats.report(context.sessions, period=period, now=context.now(),
                                tz=settings.tz, default_pu=settings.target_pu,
                                default_bpu=settings.target_bpu)
    await message.reply_text(render_report(report, context))


async def show_chart(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    _, language, settings = context.gettext, context.language, context.settings
    data = await charts.chart_data(context.sessions, now=context.now(), tz=settings.tz,
                                   default_pu=settings.target_pu, default_bpu=settings.target_bpu)
    months = get_month_names("abbreviated", locale=babel_locale(language))
    year = data.targets.year
    news = data.targets.from_news
    labels = charts.ChartLabels(
        title=(_("Leads {year}, cumulative, against the news figures (undated)") if news
               else _("Leads {year}, cumulative, against the targets")).format(year=year),
        unions_title=_("Leads {year} by union").format(year=year),
        target=_("News figure pace {segment} (undated)") if news else _("Target pace {segment}"),
        no_unions=_("No leads through unions yet"), without_union=_("No union"),
        months=[months[m] for m in range(1, 13)], number=lambda n: number(n, language))
    png = await asyncio.to_thread(charts.render_png, data, labels)
    shown = {s: number(data.cumulative[s][-1], language) for s in stats.SEGMENTS}
    caption = _("📈 Leads {year}: PU {pu} of {target_pu} · BPU {bpu} of {target_bpu}").format(
        year=year, pu=shown["PU"], bpu=shown["BPU"], target_pu=number(data.targets.pu, language),
        target_bpu=number(data.targets.bpu, language))
    if news:
        caption += "\n" + target_note(data.targets, _, language)
    await message.reply_photo(png, caption=caption)


async def set_target(update: Update, context: BotContext) -> None:
    """/target 29000 18000 [2027]: an administrator sets the year's targets."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    _, language = context.gettext, context.language
    try:
        year, pu, bpu = stats.parse_target(
            context.args or [], today=context.now().astimezone(context.settings.tz).date())
    except stats.InvalidTarget:
        await message.reply_text(_("Usage: /target PU BPU [year], for example /target 29000 "
                                   "18000 or /target 30000 20000 2027."))
        return
    await stats.set_target(context.sessions, year=year, pu=pu, bpu=bpu, updated_by=user.id,
                           now=context.now())
    logger.info("targets set year=%s by user=%s", year, user.id)
    await message.reply_text(_("✅ Targets {year}: PU {pu}, BPU {bpu}. /stats now measures "
                               "against them.").format(year=year, pu=number(pu, language),
                                                       bpu=number(bpu, language)))


def render_recap(recap: digest.Recap, _: Gettext, language: str) -> str:
    changes = " · ".join(f"{status_label(status, _)} {number(count, language)}"
                         for status, count in recap.status_changes.items() if count)
    return "\n".join([
        _("🗓 <b>Daily recap, {day}</b>").format(day=tanggal(recap.day, language)),
        _("New leads today: PU {pu} · BPU {bpu}").format(
            pu=number(recap.new_leads["PU"], language),
            bpu=number(recap.new_leads["BPU"], language)),
        _("Status changes today: {changes}").format(changes=changes or "–"),
        "", target_heading(recap.targets, _),
        *progress_lines(recap.progress, _, language),
        *([target_note(recap.targets, _, language)] if recap.targets.from_news else []),
        "", _("Details: /stats"),
    ])


async def post_recap(app: App, now: datetime) -> bool:
    """Posts the day's recap to every staff group, once per date across all instances."""
    state = app.bot_data
    assert state.settings is not None and state.sessions is not None and state.catalogs
    settings = state.settings
    day = now.astimezone(settings.tz).date()
    if not await digest.claim(state.sessions, name=digest.JOB_NAME, period=day.isoformat(),
                              now=now):
        return False
    recap = await digest.build_recap(state.sessions, now=now, tz=settings.tz,
                                     default_pu=settings.target_pu,
                                     default_bpu=settings.target_bpu)
    language = settings.default_language
    text = render_recap(recap, state.catalogs.gettext(language), language)
    for chat_id in sorted(settings.staff_chat_ids):
        try:
            await app.bot.send_message(chat_id, text)
        except TelegramError as error:
            logger.warning("daily recap not delivered to chat %s: %s", chat_id, error)
    logger.info("daily recap posted for %s", day)
    return True


async def recap_job(context: BotContext) -> None:
    app: App = context.application  # type: ignore[assignment]  # PTB leaves its context type unsolved
    await post_recap(app, context.now())


def register(app: App) -> None:
    staff_command(app, "stats", show_stats, N_("Progress against the targets; /stats grafik"))
    staff_command(app, "target", set_target, N_("Set the year's targets (PU, BPU)"), admin=True)
    settings = app.bot_data.settings
    if app.job_queue is not None and settings is not None and settings.staff_chat_ids:
        app.job_queue.run_daily(recap_job, time=time(16, 0, tzinfo=settings.tz),
                                name=digest.JOB_NAME)
