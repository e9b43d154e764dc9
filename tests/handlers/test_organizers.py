"""End to end: the admin command line, claiming an invite, /kodeku and /rekap."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import segno
from PIL import Image

from bot.__main__ import parser
from bot.cli.admin import run_admin_command
from bot.context import App, utcnow
from bot.sandbox.fake_telegram import FakeTelegram
from bot.services.posters import QR_SCALE
from bot.settings import Settings
from db.models import Lead
from tests.harness import Person
from tests.services.test_posters import pdf_page_size, pdf_text

ROOT = Path(__file__).resolve().parent.parent.parent
INVITE_LINK = re.compile(r"https://t\.me/SinergiBot\?start=(inv_[A-Za-z0-9_-]+)")


async def admin(settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status = await run_admin_command(settings, parser().parse_args(["admin", *argv]))
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


async def new_invite(settings: Settings, capsys: pytest.CaptureFixture[str],
                     name: str = "Budi Santoso") -> str:
    if "SPSI" not in await admin(settings, capsys, "unions"):
        await admin(settings, capsys, "union-add", "Serikat Pekerja Seluruh Indonesia",
                    "--short", "SPSI")
    match = INVITE_LINK.search(await admin(settings, capsys, "invite", "SPSI", name))
    assert match is not None
    return match.group(1)


async def organizer(settings: Settings, capsys: pytest.CaptureFixture[str],
                    fake_tg: FakeTelegram, user_id: int = 601) -> tuple[Person, str]:
    """A person who claimed an invite, and their referral code."""
    person = Person(fake_tg, user_id, "Budi")
    reply = await person.say(f"/start {await new_invite(settings, capsys)}")
    code = re.search(r"Kode rujukan Anda: <b>([^<]+)</b>", reply.params["text"])
    assert code is not None, reply.params["text"]
    return person, code.group(1)


async def test_admin_cli_adds_a_union_and_prints_an_invite_link(
    settings: Settings, capsys: pytest.CaptureFixture[str], app: App
) -> None:
    await new_invite(settings, capsys)
    listing = await admin(settings, capsys, "unions")
    assert "SPSI  Serikat Pekerja Seluruh Indonesia" in listing
    assert "Budi Santoso  invite not claimed yet  leads 0" in listing
    status = await run_admin_command(settings, parser().parse_args(["admin", "invite", "X", "Y"]))
    assert status == 1 and "no active union named 'X'" in capsys.readouterr().err


def test_admin_cli_runs_as_python_m_bot(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM", "DATABASE"))}
    env |= {"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
            "BOT_USERNAME": "@SinergiJemberBot", "PYTHONPATH": str(ROOT)}

    def run(*argv: str) -> str:
        done = subprocess.run([sys.executable, "-m", "bot", "admin", *argv], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "short name KSPI" in run("union-add", "Konfederasi Serikat Pekerja Indonesia")
    out = run("invite", "kspi", "Ani", "--days", "3")
    assert re.search(r"^https://t\.me/SinergiJemberBot\?start=inv_\S+$", out, re.MULTILINE)


async def test_invite_link_links_the_account_and_shows_the_code(
    settings: Settings, capsys: pytest.CaptureFixture[str], fake_tg: FakeTelegram, app: App
) -> None:
    person, code = await organizer(settings, capsys, fake_tg)
    text = fake_tg.sent[-1].params["text"]
    assert "Budi Santoso" in text and "Serikat Pekerja Seluruh Indonesia" in text
    assert "/kodeku" in text and "/rekap" in text and "/rujuk" in text
    assert code.startswith("SPSI")
    listing = await admin(settings, capsys, "unions")
    assert f"Budi Santoso  code {code}  leads 0" in listing


async def test_a_second_claim_of_the_same_invite_is_refused(
    settings: Settings, capsys: pytest.CaptureFixture[str], fake_tg: FakeTelegram, app: App
) -> None:
    token = await new_invite(settings, capsys)
    await Person(fake_tg, 602).say(f"/start {token}")
    reply = await Person(fake_tg, 603).say(f"/start {token}")
    assert "sudah dipakai" in reply.params["text"] and "undangan baru" in reply.params["text"]
    again = await Person(fake_tg, 602).say(f"/start {token}")
    assert "/kodeku" in again.params["text"]


async def test_expired_and_unknown_invites_are_refused(
    settings: Settings, capsys: pytest.CaptureFixture[str], fake_tg: FakeTelegram, app: App
) -> None:
    token = await new_invite(settings, capsys)
    app.bot_data.clock = lambda: utcnow() + timedelta(days=8)
    reply = await Person(fake_tg, 604).say(f"/start {token}")
    assert "kedaluwarsa" in reply.params["text"] and "undangan baru" in reply.params["text"]
    unknown = await Person(fake_tg, 604).say("/start inv_doesnotexist0000")
    assert "tidak berlaku" in unknown.params["text"]


async def test_kodeku_sends_link_invitation_and_a_qr_code_of_the_link(
    settings: Settings, capsys: pytest.CaptureFixture[str], fake_tg: FakeTelegram, app: App
) -> None:
    person, code = await organizer(settings, capsys, fake_tg)
    start = len(fake_tg.sent)
    reply = await person.say("/kodeku")
    link = f"https://t.me/SinergiBot?start={code}"
    assert link in reply.params["text"] and code in reply.params["text"]
    invitation = await fake_tg.wait_for(
        lambda c: c.method == "sendMessage" and "Rp16.800" in c.params["text"], start=start
    )
    assert link in invitation.params["text"] and "JKK + JKM" in invitation.params["text"]
    photo = await fake_tg.wait_for(lambda c: c.method == "sendPhoto", start=start)
    png = fake_tg.files[photo.result["photo"][0]["file_id"]]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert read_qr_modules(png) == [[bool(m) for m in row]
                                    for row in segno.make(link, error="m").matrix]


async def test_kodeku_sends_an_a4_poster_and_the_code_under_the_qr_code(
    settings: Settings, capsys: pytest.CaptureFixture[str], fake_tg: FakeTelegram, app: App
) -> None:
    person, code = await organizer(settings, capsys, fake_tg)
    start = len(fake_tg.sent)
    await person.say("/kodeku")
    photo = await fake_tg.wait_for(lambda c: c.method == "sendPhoto", start=start)
    png = Image.open(io.BytesIO(fake_tg.files[photo.result["photo"][0]["file_id"]]))
    assert png.height > png.width  # a band under the square QR code, for the code
    poster = await fake_tg.wait_for(lambda c: c.method == "sendDocument", start=start)
    document = poster.result["document"]
    assert document["file_name"] == f"poster-sinergi-{code}.pdf"
    assert "Poster A4" in poster.params["caption"]
    pdf = fake_tg.files[document["file_id"]]
    assert pdf.startswith(b"%PDF")
    assert pdf_page_size(pdf) == pytest.approx((595.4, 841.7), abs=1)  # A4, in points
    text = pdf_text(pdf)
    assert code in text and "Serikat Pekerja Seluruh Indonesia" in text
    assert "Petugas BPJS Ketenagakerjaan Jember akan menghubungi Anda" in text


def read_qr_modules(png: bytes, border: int = 4) -> list[list[bool]]:
    """The dark/light modules of a segno PNG, sampled at each module's centre."""
    image = Image.open(io.BytesIO(png)).convert("L")
    pixels, size = image.tobytes(), image.width // QR_SCALE - 2 * border

    def dark(x: int, y: int) -> bool:
        centre = QR_SCALE // 2
        return pixels[((border + y) * QR_SCALE + centre) * image.width
                      + (border + x) * QR_SCALE + centre] < 128

    return [[dark(x, y) for x in range(size)] for y in range(size)]


async def test_rekap_counts_referred_leads_per_window(
    settings: Settings, capsys: pytest.CaptureFixture[str], fake_tg: FakeTelegram, app: App
) -> None:
    person, _code = await organizer(settings, capsys, fake_tg)
    empty = await person.say("/rekap")
    assert "/kodeku" in empty.params["text"]
    [organizer_id] = [int(m) for m in re.findall(r"organizer (\d+)",
                                                 await admin(settings, capsys, "unions"))]
    now = utcnow()
    async with app.bot_data.sessions.begin() as session:  # type: ignore[union-attr]
        for status, age in [("minat", 2), ("minat", 20), ("terdaftar", 3),
                            ("tidak_berminat", 60)] + [("dihubungi", 90)] * 1200:
            when = now - timedelta(days=age)
            session.add(Lead(segment="BPU", programmes="jkk_jkm", consent_at=when,
                             consent_version="1", source="self", status=status,
                             organizer_id=organizer_id, created_at=when, updated_at=when))
    text = (await person.say("/rekap")).params["text"]
    rows = {line.rsplit(None, 3)[0].strip(): line.split()[-3:]
            for line in text.split("<pre>")[1].split("</pre>")[0].splitlines()[1:]}
    assert rows["Minat"] == ["1", "2", "2"]
    assert rows["Dihubungi"] == ["0", "0", "1.200"]
    assert rows["Terdaftar"] == ["1", "1", "1"]
    assert rows["Tidak berminat"] == ["0", "0", "1"]
    assert rows["Jumlah"] == ["2", "3", "1.204"]


async def test_non_organizers_get_a_polite_refusal(fake_tg: FakeTelegram, app: App) -> None:
    person = Person(fake_tg, 605)
    for command in ("/kodeku", "/rekap"):
        text = (await person.say(command)).params["text"]
        assert "khusus pengurus serikat" in text and "undangan" in text
