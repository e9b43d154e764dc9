"""End to end, issue 15 (staff): occupations in /stats, the union chart, /bantuan in the
staff group, and /ekspor with periods in words and a union's code."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram
from bot.services import charts
from db.models import ExportLog, Lead
from tests.conftest import STAFF_CHAT, STAFF_MEMBER
from tests.factories import NOW, add_leads, add_organizer
from tests.harness import Person

# NOW is Monday 23 November 2026, 09.00 in Jember.
DAY = timedelta(days=1)


def in_staff_group(fake_tg: FakeTelegram) -> Person:
    return Person(fake_tg, STAFF_MEMBER, "Staf").in_chat(STAFF_CHAT)


async def seed(app: App) -> dict[str, int]:
    """Leads of SPSI (this week, last week, last month), of K-SPSI, and of no union."""
    app.bot_data.clock = lambda: NOW
    sessions = app.bot_data.sessions
    assert sessions is not None
    _u, spsi = await add_organizer(sessions, union="Serikat Pekerja SI", short="SPSI",
                                   name="Pak Darto")
    _u, kspsi = await add_organizer(sessions, union="Konfederasi SPSI", short="K-SPSI",
                                    name="Bu Sri")
    ids = await add_leads(
        sessions,
        {"organizer_id": spsi, "occupation": "ngojek online (grab)",
         "created_at": NOW - timedelta(hours=1)},                       # this week
        {"organizer_id": spsi, "occupation": "Ojek / ojol", "created_at": NOW - 2 * DAY},
        {"organizer_id": spsi, "occupation": "ojol", "created_at": NOW - 30 * DAY},  # October
        {"organizer_id": kspsi, "occupation": "Petani", "created_at": NOW - 3 * DAY},
        {"occupation": "Petani", "created_at": NOW - 4 * DAY},          # no union
        {"occupation": "guru ngaji", "created_at": NOW - 5 * DAY},      # no union
        {"occupation": "Petani", "created_at": NOW - 6 * DAY},          # no union
    )
    return {"first": ids[0], "spsi": spsi, "kspsi": kspsi}


async def test_stats_counts_typed_jobs_as_the_listed_occupation(
    fake_tg: FakeTelegram, app: App
) -> None:
    ids = await seed(app)
    text = (await in_staff_group(fake_tg).say("/stats")).params["text"]
    top = text.split("<b>Pekerjaan teratas</b>")[1]
    assert "1. Ojek / ojol — 3" in top and "2. Petani — 3" in top
    assert "3. guru ngaji — 1" in top and "ngojek" not in top
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:  # what the worker typed is kept
        lead = await session.get(Lead, ids["first"])
    assert lead is not None and lead.occupation == "ngojek online (grab)"


async def test_union_chart_has_whole_number_ticks_and_a_bar_for_no_union(
    fake_tg: FakeTelegram, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(app)
    drawn: list[tuple[charts.ChartData, Any]] = []
    draw = charts.draw

    def recording(data: charts.ChartData, labels: charts.ChartLabels) -> Any:
        figure = draw(data, labels)
        drawn.append((data, figure))
        return figure

    monkeypatch.setattr(charts, "draw", recording)
    reply = await in_staff_group(fake_tg).say("/stats grafik", timeout=20)
    assert reply.method == "sendPhoto"
    assert fake_tg.files[reply.result["photo"][-1]["file_id"]].startswith(b"\x89PNG")
    [(data, figure)] = drawn
    assert [(u.name, u.count) for u in data.unions] == [("SPSI", 3), ("K-SPSI", 1)]
    assert data.without_union == 3
    unions = figure.axes[1]
    names = [label.get_text() for label in unions.get_yticklabels()]
    assert names == ["Tanpa serikat", "K-SPSI", "SPSI"]  # bottom to top
    ticks = [label.get_text() for label in unions.get_xticklabels()]
    assert ticks and all(tick.isdigit() for tick in ticks), ticks
    assert len(set(ticks)) == len(ticks)  # no "0, 0, 1, 1, 2"
    assert [bar.get_width() for bar in unions.patches] == [3, 1, 3]


async def test_help_in_the_staff_group_lists_the_staff_commands(
    fake_tg: FakeTelegram, app: App
) -> None:
    text = (await in_staff_group(fake_tg).say("/bantuan")).params["text"]
    assert "Perintah untuk petugas" in text
    for command in ("/stats", "/ekspor", "/status", "/tutup", "/serikat"):
        assert f"\n{command} — " in text, command
    admin = text.split("<b>Khusus admin</b>")[1]
    assert "/siaran — " in admin and "/target — " in admin
    assert "/tutup — Tutup pertanyaan pekerja: /tutup &lt;nomor&gt;" in text
    assert "/daftar" not in text and "/iuran" not in text
    private = (await Person(fake_tg, 777).say("/bantuan")).params["text"]
    assert "/daftar" in private and "/ekspor" not in private


async def export_rows(fake_tg: FakeTelegram, command: str) -> list[tuple[Any, ...]]:
    reply = await in_staff_group(fake_tg).say(command, timeout=20)
    assert reply.method == "sendDocument", reply.params.get("text")
    book = load_workbook(io.BytesIO(fake_tg.files[reply.result["document"]["file_id"]]))
    return list(book.active.iter_rows(values_only=True))[1:]


async def test_export_takes_periods_in_words_and_a_union_code(
    fake_tg: FakeTelegram, app: App
) -> None:
    await seed(app)
    this_month = await export_rows(fake_tg, "/ekspor bulan ini spsi")
    assert [row[3] for row in this_month] == ["Pekerja Nomor 1", "Pekerja Nomor 2"]
    last_month = await export_rows(fake_tg, "/ekspor bulan lalu SPSI")
    assert [row[3] for row in last_month] == ["Pekerja Nomor 3"]
    this_week = await export_rows(fake_tg, "/ekspor minggu ini")
    assert [row[3] for row in this_week] == ["Pekerja Nomor 1"]
    by_code = await export_rows(fake_tg, "/ekspor KSPSI bulan ini")
    assert [row[3] for row in by_code] == ["Pekerja Nomor 4"]
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        logs = list(await session.scalars(select(ExportLog).order_by(ExportLog.id)))
    assert [log.filters for log in logs] == [
        {"period": "2026-11", "union": "spsi"}, {"period": "2026-10", "union": "SPSI"},
        {"period": "2026-11-23--2026-11-29"}, {"period": "2026-11", "union": "KSPSI"}]
    unfinished = await in_staff_group(fake_tg).say("/ekspor bulan spsi")
    assert "“bulan”" in unfinished.params["text"]
    assert "/ekspor bulan ini SPSI" in unfinished.params["text"]
