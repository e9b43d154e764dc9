"""Union organizers: claiming an invite (/start inv_...), /kodeku and /rekap."""

from __future__ import annotations

import asyncio
import logging

from telegram import InputFile, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, filters
from telegram.helpers import create_deep_linked_url

from bot.context import App, BotContext, CommandSpec
from bot.errors import AlreadyOrganizer, InviteExpired, InviteUnknown, InviteUsed
from bot.i18n import N_, Gettext, number, rupiah, tanggal
from bot.services import codes, contribution, organizers, referrals, users
from bot.services.enums import LeadStatus
from bot.services.posters import PosterWords, poster_pdf, qr_png
from handlers.common import add_commands, escape
from handlers.labels import status_label

logger = logging.getLogger(__name__)

REFUSALS = {
    InviteUnknown: N_("This invitation link is not valid. Please check that you opened the "
                      "whole link, or ask the BPJS Ketenagakerjaan Jember branch staff for a "
                      "new invitation."),
    InviteExpired: N_("This invitation link has expired. Please ask the BPJS "
                      "Ketenagakerjaan Jember branch staff for a new invitation."),
    InviteUsed: N_("This invitation link has already been used: each invitation works once, "
                   "for one Telegram account. Please ask the BPJS Ketenagakerjaan Jember "
                   "branch staff for a new invitation."),
    AlreadyOrganizer: N_("Your Telegram account is already linked as an organizer. Send "
                         "/kodeku to see your referral code."),
}


def bot_username(context: BotContext) -> str:
    return context.settings.bot_username or context.bot.username


def cheapest_fee() -> str:
    """The cheapest BPU package (JKK + JKM), from the contribution rules: Rp16.800."""
    package = contribution.bpu_contribution(contribution.MIN_DECLARED_INCOME, with_jht=False)
    return rupiah(package.total)


async def claim_from_link(update: Update, context: BotContext, payload: str) -> bool:
    """An organizer opened their invite link: link the account and show their code."""
    if not codes.is_invite_payload(payload):
        return False
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return True
    _ = context.gettext
    try:
        info = await organizers.claim_invite_link(
            context.sessions, token=payload, telegram_user_id=user.id, now=context.now())
    except referrals.TooManyGuesses:
        await message.reply_text(_("⚠️ Too many invalid invitation links. Please wait 10 "
                                   "minutes, then open the link from the branch staff again."))
        return True
    except (InviteUnknown, InviteExpired, InviteUsed, AlreadyOrganizer) as error:
        await message.reply_text(_(REFUSALS[type(error)]))
        return True
    await message.reply_text("\n".join([
        _("✅ Welcome, {name}! Your Telegram account is now linked as an organizer of "
          "<b>{union}</b>.").format(name=escape(info.display_name), union=escape(info.union_name)),
        "",
        _("Your referral code: <b>{code}</b>").format(code=escape(info.code)),
        "",
        _("What you can do:"),
        _("/kodeku — your code, your link, an invitation to forward and a QR code to print"),
        _("/rekap — the workers you referred, by status"),
        _("/rujuk — register a worker who has no Telegram"),
    ]))
    return True


async def refuse_non_organizer(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(context.gettext(
            "This command is for union organizers. To become one, ask your union to contact "
            "the BPJS Ketenagakerjaan Jember branch staff: they will send you a personal "
            "invitation link."
        ))


async def show_code(update: Update, context: BotContext) -> None:
    """The organizer's code and link, an invitation to forward, and the link as a QR code."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    info = await organizers.my_code(context.sessions, user.id, now=context.now())
    if info is None:
        await refuse_non_organizer(update, context)
        return
    _ = context.gettext
    code, link = escape(info.code), create_deep_linked_url(bot_username(context), info.code)
    await message.reply_text("\n".join([
        _("🎫 Your referral code: <b>{code}</b> ({union})").format(
            code=code, union=escape(info.union_short_name)),
        _("Your link: {link}").format(link=link),
        "",
        _("Workers who open your link, or type your code when they register, are counted as "
          "yours. Forward the next message to your groups; print the QR code for posters."),
    ]))
    await message.reply_text("\n\n".join([
        _("Hello friends! 👋 Protect yourself and your family with BPJS Ketenagakerjaan."),
        _("Self-employed workers (farmers, traders, ojek drivers, fishers, freelancers) can "
          "join from {fee} a month (JKK + JKM): cover for work accidents, including on the "
          "way to and from work, and a death benefit.").format(fee=cheapest_fee()),
        _("Ask your questions and register your interest here, it takes a few minutes:\n"
          "{link}").format(link=link),
        _("Or type the code <b>{code}</b> when you register.").format(code=code),
    ]))
    await message.reply_photo(
        InputFile(await asyncio.to_thread(qr_png, link, info.code),
                  filename=f"sinergi-{info.code}.png"),
        caption=_("QR code of your link ({code}): print it or show it on your phone. "
                  "Scanning it opens the bot with your code.").format(code=code),
    )
    pdf = await asyncio.to_thread(poster_pdf, link, info.code, poster_words(context, info))
    await message.reply_document(
        InputFile(pdf, filename=f"poster-sinergi-{info.code}.pdf"),
        caption=_("🖨️ A4 poster (PDF) with your QR code and code, for a meeting hall or a "
                  "warung wall."),
    )


def poster_words(context: BotContext, info: organizers.OrganizerInfo) -> PosterWords:
    """The poster's text, in the organizer's language."""
    _ = context.gettext
    return PosterWords(
        title=info.union_name,
        headline=_("Protect yourself and your family with BPJS Ketenagakerjaan"),
        lines=(
            _("Answers about JHT, JKK, JKM, contributions and claims, any time"),
            _("Register your interest as a participant in a few minutes"),
            _("BPJS Ketenagakerjaan Jember staff will contact you"),
        ),
        scan=_("Scan with your phone camera, or type this code when you register in "
               "@{bot}.").format(bot=bot_username(context)),
    )


async def show_recap(update: Update, context: BotContext) -> None:
    """How many workers the organizer brought, by status, for 7 days, 30 days and in total."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    recap = await organizers.recap(context.sessions, user.id, context.now())
    if recap is None:
        await refuse_non_organizer(update, context)
        return
    _ = context.gettext
    text = [_("📊 <b>Workers you referred</b>"), "<pre>" + escape(recap_table(context, recap))
            + "</pre>", _("Counted from the day each worker registered their interest.")]
    if not sum(recap.total.values()):
        text.append(_("No workers yet: send /kodeku to get your link and invitation to share."))
    if recap.workers:
        text += ["", _("<b>Newest workers</b> (name, status, registered):")]
        text += [worker_line(context, worker) for worker in recap.workers]
        if recap.listed_of > len(recap.workers):
            text.append(_("… and {count} more.").format(
                count=number(recap.listed_of - len(recap.workers), context.language)))
        text.append(_("You see each worker's name and status only (as their consent says); "
                      "workers who deleted their data are only counted. 👤 = registered by "
                      "you with /rujuk."))
    await message.reply_text("\n".join(text))


def worker_line(context: BotContext, worker: organizers.ReferredWorker) -> str:
    _ = context.gettext
    registered = worker.registered_at.astimezone(context.settings.tz).date()
    return "• {mark}{name}: <b>{status}</b>, {day}".format(
        mark="👤 " if worker.by_you else "", name=escape(worker.name),
        status=status_label(worker.status, _), day=tanggal(registered, context.language))


async def _gettext_of(context: BotContext, telegram_user_id: int) -> Gettext:
    language = await users.language_of(context.sessions, telegram_user_id=telegram_user_id)
    catalogs = context.bot_data.catalogs
    assert catalogs is not None
    return catalogs.gettext(language or context.settings.default_language)


async def _tell(context: BotContext, news: organizers.LeadNews, lead_id: int,
                text: str) -> None:
    try:
        await context.bot.send_message(news.organizer_user_id, text)
    except TelegramError as error:  # blocked the bot, deleted the account, ...
        logger.info("organizer not told lead=%s error=%s", lead_id, type(error).__name__)


async def tell_registered(context: BotContext, lead_id: int) -> None:
    """A lead listener: a worker who came through the organizer's link or code registered.
    Not for /rujuk (the organizer sent it and got the confirmation) nor for an update."""
    news = await organizers.lead_news(context.sessions, lead_id=lead_id)
    if news is None or news.by_you or not news.just_registered:
        return
    _ = await _gettext_of(context, news.organizer_user_id)
    await _tell(context, news, lead_id, _(
        "🆕 <b>{name}</b> registered their interest through your code. Status: {status}. "
        "Our staff will contact them; you will hear here when the status changes (/rekap "
        "lists all your workers).").format(name=escape(news.worker_name),
                                           status=status_label(news.status, _)))


async def tell_status(context: BotContext, lead_id: int) -> None:
    """A lead-status listener: staff changed the status of a worker credited to the
    organizer (contacted, registered...)."""
    news = await organizers.lead_news(context.sessions, lead_id=lead_id)
    if news is None:
        return
    _ = await _gettext_of(context, news.organizer_user_id)
    text = _("ℹ️ Status of <b>{name}</b>, whom you referred: <b>{status}</b>.")
    await _tell(context, news, lead_id, text.format(name=escape(news.worker_name),
                                                    status=status_label(news.status, _)))


def recap_table(context: BotContext, recap: organizers.Recap) -> str:
    """Statuses down, the three periods across, numbers right-aligned."""
    _, language = context.gettext, context.language
    windows = (recap.last_7_days, recap.last_30_days, recap.total)
    headers = [_("7 days"), _("30 days"), _("Total")]
    rows = [(status_label(status, _), [window[status] for window in windows])
            for status in LeadStatus]
    rows.append((_("Sum"), [sum(window.values()) for window in windows]))
    width = max(len(label) for label, _counts in rows)
    lines = ["".ljust(width) + "".join(header.rjust(len(header) + 2) for header in headers)]
    for label, counts in rows:
        lines.append(label.ljust(width) + "".join(
            number(count, language).rjust(len(header) + 2)
            for count, header in zip(counts, headers, strict=True)
        ))
    return "\n".join(lines)


def register(app: App) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("kodeku", show_code, filters=private))
    app.add_handler(CommandHandler("rekap", show_recap, filters=private))
    add_commands(
        app,
        CommandSpec("kodeku", N_("My referral code, link and QR code (organizers)")),
        CommandSpec("rekap", N_("The workers I referred (organizers)")),
    )
