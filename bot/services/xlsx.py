"""A streaming XLSX writer for one sheet of plain values: the rows go straight into the zip.

/ekspor writes 19 cells a lead for up to a few hundred thousand leads. openpyxl (write-only,
through lxml) builds an object per cell and took ~25 s for 100.000 leads, XlsxWriter
(constant_memory) ~11 s for the writing alone (docs/BENCHMARKS.md section 2). What an export
needs is small: text, numbers, date-times, a bold header row frozen at the top with an
autofilter, and column widths. Each row here is one string built from the values, encoded and
deflated into the zip as it comes: memory stays flat whatever the size.

Text is written as inline strings (`t="inlineStr"`): a text cell is never read as a formula,
so no apostrophe guard is needed (that is for CSV). Characters XML 1.0 does not allow are
dropped. Date-times (naive, local wall time) become Excel serial numbers with a date format.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO
from xml.sax.saxutils import quoteattr

# Not allowed in XML 1.0 (a file with one is refused by Excel): C0 controls but tab, line
# feed and carriage return, unpaired surrogates, U+FFFE and U+FFFF.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 Excel's day 0 (1900 date system)
_DAY = 86400.0
MIN_WIDTH, MAX_WIDTH = 6, 45

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/></Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/></Relationships>')
# Styles: 0 plain, 1 date-time (yyyy-mm-dd hh:mm), 2 bold (the header row).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="3">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '</cellStyles></styleSheet>')
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    if not value.isprintable():
        value = ILLEGAL.sub("", value)
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if value[:1].isspace() or value[-1:].isspace():
        return f'<is><t xml:space="preserve">{value}</t></is>'
    return f"<is><t>{value}</t></is>"


def _shown(value: object) -> int:
    """About how many characters a value takes on screen, for the column widths."""
    if isinstance(value, datetime):
        return 16
    return len(str(value)) if value is not None else 0


class SheetWriter:
    """One sheet: `rows()` any number of times, then `close()`; the header row comes first."""

    def __init__(self, path: Path, sheet_name: str, headers: Sequence[str], *,
                 compresslevel: int = 1) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        # The package's fixed parts first ([Content_Types].xml first, as tools that sniff
        # the file type expect); the workbook, which names the filter's area, at the end.
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
                           ("xl/styles.xml", _STYLES)):
            self._zip.writestr(name, text)
        self._sheet_name, self._headers = sheet_name, list(headers)
        self._stream: IO[bytes] | None = None
        self._letters: list[str] = []
        self._last = 0

    def _start(self, sample: Sequence[Sequence[object]]) -> None:
        """The bold first row, frozen; column widths from the headers and the `sample` rows."""
        headers = self._headers
        self._letters = [column_letter(i) for i in range(len(headers))]
        widths = [len(h) + 3 for h in headers]  # room for the filter's arrow
        for row in sample:
            widths = [max(w, _shown(v) + 1) for w, v in zip(widths, row, strict=False)]
        cols = "".join(f'<col min="{i}" max="{i}" width="{min(max(w, MIN_WIDTH), MAX_WIDTH)}" '
                       f'customWidth="1"/>' for i, w in enumerate(widths, 1))
        self._stream = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._stream.write((
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_MAIN} '
            f'{_REL}><sheetViews>'
            '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
            'activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
        ).encode())
        self._write([list(headers)], 1, style=' s="2"')

    def rows(self, rows: Sequence[Sequence[object]]) -> None:
        """Appends rows; the first call's rows also set the column widths."""
        if self._stream is None:
            self._start(rows)
        self._write(rows, self._last + 1)

    def _write(self, rows: Iterable[Sequence[object]], first: int, style: str = "") -> None:
        assert self._stream is not None
        letters, parts, number = self._letters, list[str](), first
        append = parts.append
        for row in rows:
            append(f'<row r="{number}">')
            for letter, value in zip(letters, row, strict=False):
                kind = type(value)
                if kind is str:
                    if value:
                        append(f'<c r="{letter}{number}"{style} t="inlineStr">'
                               f'{_text(value)}</c>')  # type: ignore[arg-type]
                elif value is None:
                    continue
                elif kind is datetime:
                    delta = value - _EPOCH  # type: ignore[operator]
                    append(f'<c r="{letter}{number}" s="1"><v>'
                           f'{delta.days + delta.seconds / _DAY!r}</v></c>')
                elif kind is bool:
                    append(f'<c r="{letter}{number}" t="b"><v>{int(value)}</v></c>')  # type: ignore[call-overload]
                else:  # int, float, Decimal
                    append(f'<c r="{letter}{number}"{style}><v>{value}</v></c>')
            append("</row>")
            number += 1
        self._last = number - 1
        self._stream.write("".join(parts).encode())

    def close(self) -> None:
        """Ends the sheet (autofilter over every row written) and writes the workbook."""
        if self._stream is None:
            self._start([])
        assert self._stream is not None
        last_column = self._letters[-1] if self._letters else "A"
        area = f"A1:{last_column}{max(self._last, 1)}"
        self._stream.write((f'</sheetData><autoFilter ref="{area}"/>' if self._letters else
                            "</sheetData>").encode() + b"</worksheet>")
        self._stream.close()
        name = quoteattr(self._sheet_name)
        absolute = f"$A$1:${last_column}${max(self._last, 1)}"
        quoted = self._sheet_name.replace("'", "''")
        defined = (f'<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
                   f'hidden="1">\'{_escape(quoted)}\'!{absolute}</definedName></definedNames>'
                   if self._letters else "")
        self._zip.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_MAIN} '
            f'{_REL}><bookViews><workbookView/></bookViews><sheets><sheet name={name} '
            f'sheetId="1" r:id="rId1"/></sheets>{defined}</workbook>'))
        self._zip.close()


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
