"""End to end: /stats, /stats grafik, /target, /ekspor and the daily recap."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from bot.context import App
from bot.i18n import Gettext
from bot.sandbox.fake_telegram import FakeTelegram
from db.models import ExportLog, Lead
from handlers.exports import HEADERS
from handlers.stats import post_recap
from tests.conftest import ADMIN, STAFF_CHAT, STAFF_MEMBER
from tests.factories import NOW, add_leads, add_organizer, lead_values
from tests.harness import Person

TZ = ZoneInfo("Asia/Jakarta")
OTHER_GROUP = -1009999999999
LONG = "Serikat Pekerja " + "Sangat Panjang " * 6


def gettext(app: App) -> Gettext:
    assert app.bot_data.catalogs is not None
    return app.bot_data.catalogs.gettext("id")


def staff(fake_tg: FakeTelegram, user: int = STAFF_MEMBER) -> Person:
    return Person(fake_tg, user, "Staf").in_chat(STAFF_CHAT)


async def seed(app: App) -> list[int]:
    """Seven leads this year (two PU, one of them enrolled) and one from last year."""
    app.bot_data.clock = lambda: NOW
    sessions = app.bot_data.sessions
    assert sessions is not None
    _u, darto = await add_organizer(sessions, union="Serikat Pekerja SI", short="SPSI",
                                    name="Pak <Darto> & Co")
    organizers = [darto]
    for index in range(5):  # long names must not push the message over 4096 characters
        organizers.append((await add_organizer(sessions, union=f"{LONG}{index}",
                                               short=f"{LONG[:30]}{index}",
                                               name=f"{LONG}{index}"))[1])
    return await add_leads(
        sessions,
        {"segment": "PU", "status": "terdaftar", "organizer_id": darto,
         "created_at": NOW - timedelta(hours=1)},
        {"segment": "PU", "organizer_id": darto, "occupation": "=1+1",
         "created_at": NOW - timedelta(days=2)},
        *({"organizer_id": organizers[i], "created_at": NOW - timedelta(days=9)}
          for i in range(1, 6)),
        {"created_at": NOW - timedelta(days=365), "erased_at": NOW},
    )


async def test_stats_shows_progress_against_the_targets(fake_tg: FakeTelegram, app: App) -> None:
    await seed(app)
    _ = gettext(app)
    reply = await staff(fake_tg).say("/stats")
    text = reply.params["text"]
    assert reply.params["parse_mode"] == "HTML" and len(text) < 4096
    assert _("{segment} {count} of {target} ({percent})").format(
        segment="PU", count="2", target="29.000", percent="0,0%") in text
    assert _("{segment} {count} of {target} ({percent})").format(
        segment="BPU", count="5", target="18.000", percent="0,0%") in text
    assert "PU 1 · BPU 0" in text  # enrolled as participants
    assert "Pak &lt;Darto&gt; &amp; Co (SPSI) — 2" in text and "<Darto>" not in text
    assert "▓" in text or "░" in text
    assert "=1+1" in text  # occupations are escaped text, only exports need defusing


async def test_stats_period_and_bad_argument(fake_tg: FakeTelegram, app: App) -> None:
    await seed(app)
    _ = gettext(app)
    month = (await staff(fake_tg).say("/stats 2026-11")).params["text"]
    assert _("<b>In this period</b>: PU {pu} · BPU {bpu} · total {total}").format(
        pu=2, bpu=5, total=7) in month
    usage = (await staff(fake_tg).say("/stats kemarin")).params["text"]
    assert "/stats 2026-11" in usage and "29.000" not in usage


async def test_stats_is_refused_outside_the_staff_group(fake_tg: FakeTelegram, app: App) -> None:
    await seed(app)
    _ = gettext(app)
    fake_tg.group_chat(OTHER_GROUP, "Grup lain")
    refusal = _("Sorry, this command only works in the BPJS Ketenagakerjaan staff group.")
    for person in (Person(fake_tg, ADMIN), Person(fake_tg, ADMIN).in_chat(OTHER_GROUP)):
        for command in ("/stats", "/stats grafik", "/ekspor", "/target 1 2"):
            reply = await person.say(command)
            assert reply.method == "sendMessage" and reply.params["text"] == refusal


async def test_only_an_admin_sets_the_target(fake_tg: FakeTelegram, app: App) -> None:
    await seed(app)
    _ = gettext(app)
    refused = await staff(fake_tg).say("/target 30000 20000")
    assert refused.params["text"] == _(
        "Sorry, this command is for BPJS Ketenagakerjaan staff administrators.")
    assert "29.000" in (await staff(fake_tg).say("/stats")).params["text"]
    done = await staff(fake_tg, ADMIN).say("/target 30.000 20000")
    assert "30.000" in done.params["text"] and "20.000" in done.params["text"]
    text = (await staff(fake_tg).say("/stats")).params["text"]
    assert "30.000" in text and "20.000" in text and "29.000" not in text
    usage = await staff(fake_tg, ADMIN).say("/target banyak")
    assert "/target 29000 18000" in usage.params["text"]


async def test_news_figures_are_labelled_undated_until_an_admin_sets_the_year(
    fake_tg: FakeTelegram, app: App
) -> None:
    await seed(app)
    before = (await staff(fake_tg).say("/stats")).params["text"]
    assert "dibanding target dari berita (tanpa tahun)" in before
    assert "29.000 dan 18.000 adalah target dari berita" in before
    assert "Target 2026" not in before and "PU 2 dari 29.000" in before
    chart = await staff(fake_tg).say("/stats grafik", timeout=20)
    assert "target dari berita (tanpa tahun" in chart.params["caption"]
    start = len(fake_tg.sent)
    assert await post_recap(app, NOW)
    recap = next(c for c in fake_tg.sent[start:] if c.method == "sendMessage")
    assert "target dari berita (tanpa tahun)" in recap.params["text"]
    assert "Target 2026" not in recap.params["text"]
    # The same numbers, now set as this year's targets, are shown as such.
    await staff(fake_tg, ADMIN).say("/target 29.000 18.000")
    after = (await staff(fake_tg).say("/stats")).params["text"]
    assert "<b>Target 2026</b>" in after and "Target 2026 ditetapkan admin" in after
    assert "berita" not in after and "PU 2 dari 29.000" in after
    chart = await staff(fake_tg).say("/stats grafik", timeout=20)
    assert "berita" not in chart.params["caption"]


async def test_chart_is_a_png_photo(fake_tg: FakeTelegram, app: App) -> None:
    await seed(app)
    reply = await staff(fake_tg).say("/stats grafik", timeout=20)
    assert reply.method == "sendPhoto" and "18.000" in reply.params["caption"]
    data = fake_tg.files[reply.result["photo"][-1]["file_id"]]
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1400, 700)
        assert len(image.convert("L").getcolors(256) or []) > 10  # lines, bars, text


def expected_row(number: int, lead_id: int, seeded: dict, csv: bool = False) -> list[object]:
    """The first six columns; the factory numbers leads 1, 2, ... as the fresh ids are.
    The phone ("+62...") gets the CSV's formula guard; in XLSX it is a text cell as it is."""
    values = lead_values(lead_id, **seeded)
    erased = "erased_at" in seeded
    local = values["created_at"].astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    return [number, local, values["segment"], None if erased else values["full_name"],
            None if erased else values["nik"],
            None if erased else ("'" if csv else "") + values["phone"]]


async def test_export_xlsx_reads_as_a_report(fake_tg: FakeTelegram, app: App) -> None:
    """Indonesian headers, income as rupiah bands, the phone as typed, column widths, the
    header row bold and frozen, an autofilter over every row."""
    app.bot_data.clock = lambda: NOW
    sessions = app.bot_data.sessions
    assert sessions is not None
    await add_leads(sessions, {"income_band": "2-3", "created_at": NOW - timedelta(hours=2)},
                    {"income_band": "lt1", "created_at": NOW - timedelta(hours=1)},
                    {"income_band": "gt5", "created_at": NOW - timedelta(minutes=5)})
    reply = await staff(fake_tg).say("/ekspor", timeout=20)
    book = load_workbook(io.BytesIO(fake_tg.files[reply.result["document"]["file_id"]]))
    sheet = book.active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "No", "Tanggal daftar", "Segmen", "Nama", "NIK", "No HP", "Pekerjaan", "Kabupaten",
        "Kecamatan", "Pemberi kerja", "Program", "Penghasilan", "Bersedia info", "Sumber",
        "Serikat", "Pengurus serikat", "Status", "No KPJ", "Diperbarui"]
    assert [row[11] for row in rows[1:]] == [
        "Rp2.000.000–Rp3.000.000", "di bawah Rp1.000.000", "di atas Rp5.000.000"]
    assert [row[5] for row in rows[1:]] == [lead_values(n)["phone"] for n in (1, 2, 3)]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:S4"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.cell(2, 2).number_format == "yyyy\\-mm\\-dd\\ hh:mm"
    widths = {letter: sheet.column_dimensions[letter].width for letter in ("A", "D", "L", "P")}
    assert widths["A"] < widths["D"] and widths["L"] >= len("Rp2.000.000–Rp3.000.000")
    assert widths["P"] >= len("Pengurus serikat")


async def test_export_xlsx_and_csv(fake_tg: FakeTelegram, app: App) -> None:
    ids = await seed(app)
    _ = gettext(app)
    reply = await staff(fake_tg).say("/ekspor", timeout=20)
    assert reply.method == "sendDocument"
    assert reply.result["document"]["file_name"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(fake_tg.files[reply.result["document"]["file_id"]])).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [_(header) for header in HEADERS]
    assert len(rows) == 1 + len(ids)
    seeded = await seed_specs(app)
    for number, (row, lead_id) in enumerate(zip(rows[1:], ids, strict=True), 1):
        expected = expected_row(number, lead_id, seeded[lead_id])
        row[1] = row[1].strftime("%Y-%m-%d %H:%M")
        assert row[:6] == expected
    # A text cell is text: no apostrophe before "=" or "+" in XLSX (that guard is CSV's).
    assert rows[2][6] == "=1+1" and sheet.cell(3, 7).data_type == "s"
    assert rows[1][14] == "SPSI" and rows[1][16] == _("Registered")

    reply = await staff(fake_tg).say("/ekspor csv PU terdaftar SPSI", timeout=20)
    raw = fake_tg.files[reply.result["document"]["file_id"]]
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == [_(header) for header in HEADERS] and len(table) == 2
    assert table[1][:6] == [str(v) for v in expected_row(1, ids[0], seeded[ids[0]], csv=True)]
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        logs = list(await session.scalars(select(ExportLog).order_by(ExportLog.id)))
    assert [(log.file_format, log.row_count, log.requested_by, log.chat_id) for log in logs] == [
        ("xlsx", 8, STAFF_MEMBER, STAFF_CHAT), ("csv", 1, STAFF_MEMBER, STAFF_CHAT)]
    assert logs[1].filters == {"union": "SPSI", "segment": "PU", "status": "terdaftar"}


async def seed_specs(app: App) -> dict[int, dict]:
    """The factory overrides of the seeded leads, by id (read back from the database)."""
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        leads = list(await session.scalars(select(Lead).order_by(Lead.id)))
    return {lead.id: {"segment": lead.segment, "created_at": lead.created_at}
            | ({"erased_at": lead.erased_at} if lead.erased_at else {}) for lead in leads}


async def test_export_with_unknown_filter_explains_the_syntax(fake_tg, app: App) -> None:
    await seed(app)
    reply = await staff(fake_tg).say("/ekspor xlsx bulanlalu!")
    assert reply.method == "sendMessage" and "/ekspor csv 2026-11 SPSI terdaftar" in (
        reply.params["text"])
    unknown = await staff(fake_tg).say("/ekspor KSBSI")
    assert unknown.method == "sendMessage" and "KSBSI" in unknown.params["text"]


async def test_daily_recap_is_posted_once_per_date(fake_tg: FakeTelegram, app: App) -> None:
    await seed(app)
    start = len(fake_tg.sent)
    assert await post_recap(app, NOW)
    assert not await post_recap(app, NOW + timedelta(hours=1))
    recaps = [c for c in fake_tg.sent[start:] if c.method == "sendMessage"]
    assert [str(c.params["chat_id"]) for c in recaps] == [str(STAFF_CHAT)]
    assert "PU 1 · BPU 0" in recaps[0].params["text"] and "29.000" in recaps[0].params["text"]
    assert await post_recap(app, NOW + timedelta(days=1))
    jobs = [job for job in app.job_queue.jobs() if job.name == "daily_recap"]
    assert len(jobs) == 1 and jobs[0].next_t is not None
    assert jobs[0].next_t.astimezone(TZ).hour == 16
