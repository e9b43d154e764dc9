"""/ekspor's XLSX writer against openpyxl (used before) and XlsxWriter, on the same rows.

Usage: .venv/bin/pip install xlsxwriter   # optional, not a dependency: left out without it
       .venv/bin/python scripts/bench_xlsx_writers.py [--rows 100000] [--runs 3]

Not a test: figures depend on the machine. Writes `--rows` copies of one lead's 19 cells (as
bot.services.exports.cells returns them: numbers, texts, None, two datetimes) with the
bot's streaming writer (bot/services/xlsx.py, in batches of 2.000 rows), with openpyxl in
write-only mode as the bot did before (through lxml when installed), and with XlsxWriter in
constant_memory mode, once with its generic write_row and once with one typed
write_* call per cell. Each run is a fresh file in /tmp. Prints a table; writes JSON to
bench-results/xlsx-writers.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench-results"
# Naive datetimes, as the bot writes them: Excel has no time zones (local wall time).
ROW: Sequence[object] = (
    1, dt.datetime(2026, 11, 3, 10, 5),  # noqa: DTZ001 "BPU", "Siti Aminah", "3509123456780001",
    "+6281234567890", "Petani", "Jember", "Sumbersari", None, "JKK + JKM", "Rp1–2 juta", "Ya",
    "Tautan organizer", "SPSI", "Budi Santoso", "Minat", None,
    dt.datetime(2026, 11, 4, 9, 30),  # noqa: DTZ001
)


def with_openpyxl(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    for _ in range(rows):
        sheet.append(list(ROW))
    workbook.save(path)


def _xlsxwriter(path: Path) -> tuple[object, object, object]:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd hh:mm"})
    return workbook, workbook.add_worksheet("Leads"), workbook.add_format(
        {"num_format": "yyyy-mm-dd hh:mm"})


def with_xlsxwriter(path: Path, rows: int) -> None:
    workbook, sheet, _ = _xlsxwriter(path)
    for number in range(rows):
        sheet.write_row(number, 0, ROW)  # type: ignore[attr-defined]
    workbook.close()  # type: ignore[attr-defined]


def with_xlsxwriter_typed(path: Path, rows: int) -> None:
    workbook, sheet, moment = _xlsxwriter(path)
    text, number_, date = (sheet.write_string, sheet.write_number,  # type: ignore[attr-defined]
                           sheet.write_datetime)  # type: ignore[attr-defined]
    for number in range(rows):
        for column, value in enumerate(ROW):
            if value is None:
                continue
            if isinstance(value, str):
                text(number, column, value)
            elif isinstance(value, dt.datetime):
                date(number, column, value, moment)
            else:
                number_(number, column, value)
    workbook.close()  # type: ignore[attr-defined]


def with_stream(path: Path, rows: int) -> None:
    from bot.services.xlsx import SheetWriter

    sheet = SheetWriter(path, "Leads", [f"Column {i}" for i in range(len(ROW))])
    for first in range(0, rows, 2000):  # in the bot's batches
        sheet.rows([ROW] * min(2000, rows - first))
    sheet.close()


BASE = "openpyxl write_only (before)"
WRITERS: dict[str, Callable[[Path, int], None]] = {
    "bot.services.xlsx streaming (the bot)": with_stream,
    BASE: with_openpyxl,
    "XlsxWriter constant_memory, write_row": with_xlsxwriter,
    "XlsxWriter constant_memory, typed write_*": with_xlsxwriter_typed,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    import openpyxl
    try:
        import xlsxwriter
    except ImportError:
        xlsxwriter = None
        print("XlsxWriter is not installed (.venv/bin/pip install xlsxwriter): left out")
    writers = {name: write for name, write in WRITERS.items()
               if xlsxwriter is not None or "XlsxWriter" not in name}
    results: dict[str, list[float]] = {name: [] for name in writers}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(arguments.runs):  # alternate the writers run by run
            for index, (name, write) in enumerate(writers.items()):
                path = Path(folder) / f"{index}.xlsx"
                started = time.perf_counter()
                write(path, arguments.rows)
                results[name].append(round(time.perf_counter() - started, 2))
                sizes[name] = path.stat().st_size
    base = statistics.median(results[BASE])
    print(f"\n{arguments.rows} rows of 19 cells, median of {arguments.runs} runs")
    print("| Writer | Seconds | × openpyxl | File MB |\n|---|---:|---:|---:|")
    for name, seconds in results.items():
        median = statistics.median(seconds)
        print(f"| {name} | {median:.1f} | {median / base:.2f} | {sizes[name] / 1e6:.1f} |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "xlsx-writers.json").write_text(json.dumps({
        "date": dt.datetime.now(dt.UTC).date().isoformat(), "rows": arguments.rows,
        "seconds": results, "sizes": sizes, "openpyxl": openpyxl.__version__,
        "lxml": bool(openpyxl.LXML),
        "xlsxwriter": xlsxwriter and xlsxwriter.__version__}, indent=2))


if __name__ == "__main__":
    main()
