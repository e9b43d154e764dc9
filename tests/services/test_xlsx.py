"""The streaming XLSX writer (bot/services/xlsx.py): what goes in reads back the same."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from bot.services.xlsx import SheetWriter, column_letter


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 18, 25, 26, 701, 702)] == [
        "A", "S", "Z", "AA", "ZZ", "AAA"]


def test_values_read_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    sheet = SheetWriter(path, "Leads & <co>", ["No", "Teks", "Waktu", "Kosong"])
    when = datetime(2026, 11, 23, 9, 5)  # noqa: DTZ001 local wall time
    sheet.rows([[1, "=1+1", when, None], [2, "a < b & c > d", when, ""]])
    sheet.rows([[3, "  spasi di depan", None, None],
                [4, "kontrol\x00\x07\x1b hilang\ttab\nbaris", None, None],
                [5.5, "+6281234567890", None, None]])
    sheet.close()
    book = load_workbook(path)
    ws = book.active
    assert ws.title == "Leads & <co>"
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    assert rows == [
        ["No", "Teks", "Waktu", "Kosong"],
        [1, "=1+1", when, None],
        [2, "a < b & c > d", when, None],
        [3, "  spasi di depan", None, None],
        [4, "kontrol hilang\ttab\nbaris", None, None],
        [5.5, "+6281234567890", None, None],
    ]
    assert ws.cell(2, 2).data_type == "s"  # text, never a formula
    assert ws.auto_filter.ref == "A1:D6" and ws.freeze_panes == "A2"


def test_no_rows_gives_the_header_alone(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    sheet = SheetWriter(path, "Leads", ["No", "Nama"])
    sheet.close()
    ws = load_workbook(path).active
    assert [list(row) for row in ws.iter_rows(values_only=True)] == [["No", "Nama"]]
    assert ws.auto_filter.ref == "A1:B1"
