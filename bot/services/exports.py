"""/ekspor: the leads as an XLSX or CSV file, filtered, streamed in batches, logged.

Arguments, in any order, each at most once:
    csv | xlsx               file format (default xlsx)
    30 | 2026-11             the last N days (1-366) or a month (default: all leads)
    bulan ini | bulan lalu | minggu ini | ...   a period in words (bot/services/periods.py)
    PU | BPU                 segment
    minat | dihubungi | terdaftar | tidak_berminat   current status
    any other word           a union's name, short name or code (leads credited to its
                             organizers); the code is its referral codes' prefix ("KSPSI")
"""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import DomainError, UnknownUnion
from bot.services import codes, periods, stats, xlsx
from bot.services.enums import LeadStatus
from db import organizers as organizer_queries
from db import stats as queries
from db.session import Sessions

BATCH = 2000
FORMATS = ("xlsx", "csv")
FORMULA_FIRST = "=+-@\t\r"
# Where a cell could start (the text's start, after ; , or a line break), before white
# space and quotes and a formula character: the place for the apostrophe.
_FORMULA_PART = re.compile(r'(?<![^;,\n\r])(?=[\s"]*[=+\-@\t\r])')
STATUS_WORDS = {s.value: s.value for s in LeadStatus} | {
    "tidak-berminat": LeadStatus.TIDAK_BERMINAT.value}
COLUMNS = 19


class InvalidExportFilter(DomainError):
    """An argument of /ekspor is unknown or repeated; `args[0]` is the word."""


class ExportTooLarge(DomainError):
    """The file is over Telegram's upload limit; `args[0]` is its size in bytes."""


@dataclass(frozen=True)
class ExportRequest:
    file_format: str = "xlsx"
    period: stats.Period | None = None
    period_text: str | None = None
    segment: str | None = None
    status: str | None = None
    union: str | None = None

    def filters(self) -> dict[str, str]:
        """The filters as given, for the export log and the file name."""
        values = {"period": self.period_text, "union": self.union, "segment": self.segment,
                  "status": self.status}
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class ExportLabels:
    """The words of the file, from the handler: 19 headers and labels for coded values."""

    headers: Sequence[str]
    values: dict[str, str] = field(default_factory=dict)  # "status:terdaftar" -> "Terdaftar"
    sheet_name: str = "Leads"


@dataclass(frozen=True)
class ExportFile:
    path: Path
    filename: str
    rows: int
    size: int


def parse_export_args(args: Sequence[str], *, now: datetime, tz: ZoneInfo) -> ExportRequest:
    found: dict[str, Any] = {}

    def put(key: str, value: Any, word: str) -> None:
        if key in found:
            raise InvalidExportFilter(word)
        found[key] = value

    index = 0
    while index < len(args):
        said = periods.said_period(args, index, now=now, tz=tz)
        if said is not None:  # "bulan ini", "bulan lalu", "minggu ini", ...
            put("period", said.period, " ".join(args[index:index + said.words]))
            found["period_text"] = said.text
            index += said.words
            continue
        word = args[index]
        index += 1
        lowered = word.lower()
        if lowered in FORMATS:
            put("file_format", lowered, word)
        elif lowered in STATUS_WORDS:
            put("status", STATUS_WORDS[lowered], word)
        elif word.upper() in stats.SEGMENTS:
            put("segment", word.upper(), word)
        elif word[:1].isdigit():
            try:
                period = stats.parse_period(word, now=now, tz=tz)
            except stats.InvalidPeriod:
                raise InvalidExportFilter(word) from None
            put("period", period, word)
            found["period_text"] = word
        elif re.fullmatch(r"[\w.&-]{1,32}", word) and lowered not in periods.PERIOD_WORDS:
            put("union", word, word)
        else:
            raise InvalidExportFilter(word)
    return ExportRequest(**found)


def safe(value: str | None) -> str | None:
    """Text a spreadsheet would run as a formula gets an apostrophe, the rest stays as typed.

    Not only at the start: a spreadsheet set to split a CSV on ";" (common in Indonesian
    settings) or on "," starts a new cell after either, so each part of the text between
    them that starts with a formula character (after white space and quotes) gets one too:
    `Petani;=cmd|' /C calc'!A0` becomes `Petani;'=cmd|' /C calc'!A0`.
    """
    if not value:
        return value
    if not value.isprintable():  # control characters: kept out of every file
        value = xlsx.ILLEGAL.sub("", value)
        if not value:
            return value
    if ";" in value or "," in value or "\n" in value or "\r" in value:
        return _FORMULA_PART.sub("'", value)  # rare: most values are one part
    first = value[0]  # the fast way for the usual one part, a million times in large exports
    if first in FORMULA_FIRST:
        return "'" + value
    return _FORMULA_PART.sub("'", value) if first.isspace() or first == '"' else value


Moment = Callable[[datetime], object]
Text = Callable[[str | None], str | None]


def cells(row: Any, number: int, moment: Moment, labels: ExportLabels,
          text: Text = safe) -> list[object]:
    """One lead as the 19 columns; an erased lead keeps no personal field.

    Every text that came from a person (or could) goes through `text`: safe() for CSV, where
    a spreadsheet may read it as a formula; as it is for XLSX, where a text cell is text
    (the writer drops what XML cannot hold). This runs a million times for the largest
    exports, so it stays one flat expression.
    """
    kept, label = row.erased_at is None, labels.values.get
    return [
        number, moment(row.created_at), row.segment,
        text(row.full_name) if kept else None, text(row.nik) if kept else None,
        (text(row.phone) or (label("contact:organizer") if row.source == "organizer" else None))
        if kept else None, text(row.occupation), text(row.kabupaten),
        text(row.kecamatan), text(row.employer) if kept else None,
        label(f"programmes:{row.programmes}", row.programmes),
        label(f"income:{row.income_band}", row.income_band),
        label("bool:yes" if row.broadcast_opt_in else "bool:no"),
        label(f"source:{row.source}", row.source), text(row.short_name),
        text(row.display_name), label(f"status:{row.status}", row.status),
        text(row.kpj_number) if kept else None, moment(row.updated_at),
    ]


def as_is(value: str | None) -> str | None:
    return value


async def _batches(
    sessions: Sessions, request: ExportRequest, union_id: int | None
) -> AsyncIterator[Sequence[Any]]:
    """Leads in id order, BATCH at a time, each batch a short transaction of its own."""
    period, after = request.period, 0
    start, end = (period.start, period.end) if period is not None else (None, None)
    while True:
        async with sessions.begin() as session:
            rows = await queries.export_batch(
                session, start=start, end=end, union_id=union_id, status=request.status,
                segment=request.segment, after_id=after, limit=BATCH)
        if not rows:
            return
        yield rows
        after = rows[-1].id


async def _write_all(
    sessions: Sessions, request: ExportRequest, union_id: int | None,
    write: Callable[[Sequence[Any], int], None],
) -> int:
    """Feeds the batches to `write` in a worker thread, fetching the next one meanwhile.

    The event loop stays free for other users while a large file is written.
    """
    rows, pending = 0, None
    async for batch in _batches(sessions, request, union_id):
        if pending is not None:
            await pending
        pending = asyncio.ensure_future(asyncio.to_thread(write, batch, rows + 1))
        rows += len(batch)
    if pending is not None:
        await pending
    return rows


def _write_csv(
    path: Path, headers: Sequence[str], tz: ZoneInfo, labels: ExportLabels
) -> tuple[Callable[[Sequence[Any], int], None], Callable[[], None]]:
    # UTF-8 with BOM ("utf-8-sig") so Excel reads the accents right.
    handle = path.open("w", encoding="utf-8-sig", newline="")
    # Every field quoted: a "," or ";" inside a name cannot end the cell in any spreadsheet
    # that reads quotes, whichever list separator it is set to.
    writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
    writer.writerow(headers)

    def moment(value: datetime) -> str:
        return value.astimezone(tz).isoformat(" ", "minutes")[:16]  # 2026-11-23 16:30

    def write(batch: Sequence[Any], first: int) -> None:
        writer.writerows(cells(row, first + i, moment, labels) for i, row in enumerate(batch))

    return write, handle.close


def _write_xlsx(
    path: Path, headers: Sequence[str], tz: ZoneInfo, labels: ExportLabels
) -> tuple[Callable[[Sequence[Any], int], None], Callable[[], None]]:
    """Streams the rows into the file (bot/services/xlsx.py): bold header row frozen at the
    top, an autofilter over every row, column widths from the headers and the first batch."""
    sheet = xlsx.SheetWriter(path, labels.sheet_name, headers)

    def moment(value: datetime) -> datetime:  # Excel has no time zones: local wall time
        return value.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)

    def write(batch: Sequence[Any], first: int) -> None:
        sheet.rows([cells(row, first + i, moment, labels, as_is)
                    for i, row in enumerate(batch)])

    return write, sheet.close


async def export_leads(
    sessions: Sessions, request: ExportRequest, *, labels: ExportLabels, folder: Path,
    tz: ZoneInfo, requested_by: int, chat_id: int, now: datetime, max_bytes: int,
) -> ExportFile:
    """Writes the file into `folder` batch by batch, then logs the export.

    Raises UnknownUnion for an unknown union and ExportTooLarge (not logged: nothing left)
    when the file is over `max_bytes`.
    """
    union_id = None
    if request.union is not None:
        async with sessions.begin() as session:
            union = await organizer_queries.union_by_name(session, request.union)
            if union is None:  # its code, as its referral codes start: "KSPSI" for "K-SPSI"
                union = codes.union_with_prefix(await organizer_queries.all_unions(session),
                                                request.union)
        if union is None:
            raise UnknownUnion(request.union)
        union_id = union.id
    slug = "-".join(re.sub(r"[^\w-]", "", v) for v in request.filters().values())
    stamp = now.astimezone(tz).strftime("%Y%m%d-%H%M")
    filename = f"sinergi-leads-{stamp}{'-' + slug if slug else ''}.{request.file_format}"
    path = folder / filename
    opener = _write_csv if request.file_format == "csv" else _write_xlsx
    write, close = opener(path, labels.headers, tz, labels)
    try:
        rows = await _write_all(sessions, request, union_id, write)
    finally:
        await asyncio.to_thread(close)
    size = path.stat().st_size
    if size > max_bytes:
        raise ExportTooLarge(size)
    async with sessions.begin() as session:
        await queries.add_export_log(
            session, requested_by=requested_by, chat_id=chat_id,
            file_format=request.file_format, filters=request.filters(), row_count=rows, now=now)
    return ExportFile(path, filename, rows, size)
