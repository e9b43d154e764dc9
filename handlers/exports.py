"""/ekspor: staff download the leads as XLSX or CSV, in the staff group only."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from telegram import Update
from telegram.constants import ChatAction

from bot.context import App, BotContext
from bot.errors import UnknownUnion
from bot.i18n import N_, Gettext, number
from bot.services import enums, exports
from handlers.access import staff_command
from handlers.common import escape
from handlers.labels import STATUS_LABELS
from handlers.lead_views import band_label

logger = logging.getLogger(__name__)

MAX_UPLOAD = 50 * 1024 * 1024  # the Bot API's limit for files a bot sends

HEADERS = (
    N_("No."), N_("Date registered"), N_("Segment"), N_("Name"), N_("NIK"), N_("Mobile number"),
    N_("Occupation"), N_("Kabupaten"), N_("Kecamatan"), N_("Employer"), N_("Programmes"),
    N_("Income"), N_("Wants news"), N_("Source"), N_("Union"), N_("Organizer"), N_("Status"),
    N_("KPJ number"), N_("Updated"),
)
VALUES = {
    "bool:yes": N_("Yes"), "bool:no": N_("No"),
    "source:self": N_("Self-registered"), "source:organizer": N_("Registered by organizer"),
    "contact:organizer": N_("No phone: through the organizer"),
    "programmes:pu": N_("Through the employer"),
} | {f"status:{code.value}": label for code, label in STATUS_LABELS.items()}


def labels(_: Gettext) -> exports.ExportLabels:
    values = {key: _(label) for key, label in VALUES.items()}
    values |= {"programmes:jkk_jkm": "JKK + JKM", "programmes:jkk_jkm_jht": "JKK + JKM + JHT"}
    values |= {f"income:{band.code}": band_label(band, _) for band in enums.INCOME_BANDS}
    return exports.ExportLabels(headers=[_(header) for header in HEADERS], values=values)


def usage(_: Gettext) -> str:
    return _(
        "Usage: /ekspor [csv] [30 | 2026-11 | bulan ini | bulan lalu | minggu ini] [union] "
        "[status] [PU | BPU], in any order. For example /ekspor, /ekspor csv 2026-11 SPSI "
        "terdaftar, /ekspor bulan ini SPSI, /ekspor 30 BPU. "
        "Statuses: minat, dihubungi, terdaftar, tidak_berminat."
    )


async def export_leads(update: Update, context: BotContext) -> None:
    """/ekspor [csv] [period] [union] [status] [segment]: the leads as a file."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    _, settings = context.gettext, context.settings
    try:
        request = exports.parse_export_args(context.args or [], now=context.now(),
                                            tz=settings.tz)
    except exports.InvalidExportFilter as error:
        await message.reply_text(_("I don't understand “{word}”.").format(
            word=escape(str(error.args[0]))) + "\n" + usage(_))
        return
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    with tempfile.TemporaryDirectory(prefix="sinergi-export-") as folder:
        try:
            result = await exports.export_leads(
                context.sessions, request, labels=labels(_), folder=Path(folder),
                tz=settings.tz, requested_by=user.id, chat_id=chat.id, now=context.now(),
                max_bytes=MAX_UPLOAD)
        except UnknownUnion:
            await message.reply_text(
                _("No union “{name}”: use its short name or code, e.g. SPSI.")
                .format(name=escape(request.union or "")) + "\n" + usage(_))
            return
        except exports.ExportTooLarge:
            await message.reply_text(_("The file would be over Telegram's 50 MB limit. "
                                       "Please narrow it down, e.g. by month or by union."))
            return
        logger.info("export sent format=%s rows=%s by user=%s", request.file_format,
                    result.rows, user.id)
        with result.path.open("rb") as document:
            await message.reply_document(document, filename=result.filename, caption=_(
                "📄 {rows} leads. Personal data: keep this file inside the office and do not "
                "forward it.").format(rows=number(result.rows, context.language)))


def register(app: App) -> None:
    staff_command(app, "ekspor", export_leads, N_("Export the leads (XLSX or CSV)"),
                  aliases=("export",))
