"""The sandbox console shows everything the bot does and lets a newcomer do what users do:
alerts and toasts, edits and deletions, files saved to disk, replies to a ticket, presses on
earlier messages, deep links, and `python -m bot admin --sandbox` without a token."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from bot.__main__ import main, parser
from bot.cli.admin import admin_settings, run_admin_command
from bot.sandbox.config import SANDBOX_ADMIN, SANDBOX_STAFF_CHAT, sandbox_settings
from bot.sandbox.console import Console, _payload
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from tests.harness import Person, running_app, sqlite_only
from tests.registration_helpers import register_bpu

Predicate = Callable[[Sent], bool]


class Driver:
    """Types lines into the console as a person would and collects what it prints."""

    def __init__(self, tg: FakeTelegram, files: Path) -> None:
        self.tg = tg
        self.out: list[str] = []
        self.console = Console(tg, write=self.out.append, files_dir=files)
        self.console.shown = len(tg.sent)

    async def type(self, line: str, until: Predicate | None = None) -> str:
        """Feeds `line`; waits for the bot's call `until` describes; returns what was shown."""
        start, mark = len(self.tg.sent), len(self.out)
        await self.console.handle(line)
        if until is not None:
            await self.tg.wait_for(until, 10, start)
        self.console.show_new()
        return "\n".join(self.out[mark:])

    def number_of(self, text: str) -> int:
        """The msg number the console showed for the bot message containing `text`."""
        for call in reversed(self.tg.sent):
            shown = call.params.get("text") or call.params.get("caption") or ""
            if call.method.startswith("send") and text in shown:
                return int(call.result["message_id"])
        raise AssertionError(f"no bot message with {text!r}")


def to(chat: int, method: str = "sendMessage", has: str = "") -> Predicate:
    def match(call: Sent) -> bool:
        text = call.params.get("text") or call.params.get("caption") or ""
        return (call.method == method and str(call.params.get("chat_id")) == str(chat)
                and has in text)
    return match


def answered(call: Sent) -> bool:
    return call.method == "answerCallbackQuery" and bool(call.params.get("text"))


@pytest.fixture
async def driver(fake_tg: FakeTelegram, database_url: str, tmp_path: Path
                 ) -> AsyncIterator[Driver]:
    fake_tg.group_chat(SANDBOX_STAFF_CHAT)
    async with running_app(sandbox_settings(database_url, fake_tg), fake_tg):
        yield Driver(fake_tg, tmp_path / "sandbox-files")


async def test_a_status_button_shows_its_toast_the_edited_card_and_the_pressers_name(
    driver: Driver, fake_tg: FakeTelegram
) -> None:
    worker = Person(fake_tg, 2)
    await worker.press(await register_bpu(worker), "reg:confirm")
    await fake_tg.wait_for(to(SANDBOX_STAFF_CHAT, has="#1"))
    await driver.type(":user 1001 Rina")
    card = await driver.type(":staff")
    assert "(you are writing in the staff group)" in card
    shown = await driver.type(":1", until=to(SANDBOX_STAFF_CHAT, "editMessageText"))
    number = driver.number_of("Siti Aminah")
    assert "[toast at the top of the chat, for you] Status diubah menjadi Dihubungi." in shown
    assert f"[bot edited msg {number} (staff group); it now reads]" in shown
    assert "Rina" in shown  # who pressed: the console's user, not a stand-in name
    assert "  :1  [✅ Dihubungi] (button)" in shown
    again = await driver.type(":1", until=answered)
    assert re.search(r"\[toast at the top of the chat, for you\] .*sudah Dihubungi", again)


async def test_removed_buttons_a_one_time_keyboard_and_a_deletion_are_shown(
    driver: Driver, fake_tg: FakeTelegram
) -> None:
    consent = await driver.type("/daftar", until=to(SANDBOX_ADMIN, has="setuju"))
    assert "  :1  [✅ Saya setuju] (button)" in consent
    number = driver.number_of("setuju?")
    segment = await driver.type(":1", until=to(SANDBOX_ADMIN, has="pemberi kerja"))
    assert f"[bot changed the buttons of msg {number} (you)]\n  (buttons removed)" in segment
    assert "(keyboard)" in segment
    assert await driver.type(f":press {number} 1") == f"(msg {number} has no button 1; " \
                                                      f":show {number} lists them)"
    cancelled = await driver.type("/batal", until=to(SANDBOX_ADMIN, has="Dibatalkan"))
    assert "(keyboard)" not in cancelled.split("Dibatalkan", 1)[1]  # one-time: answered
    async with httpx.AsyncClient() as client:
        await client.post(f"{fake_tg.base_url}{fake_tg.token}/deleteMessage",
                          data={"chat_id": SANDBOX_ADMIN, "message_id": number})
    assert f"[bot deleted msg {number} (you)]" in await driver.type(":help")
    assert await driver.type(f":show {number}") == "(usage: :show M, a message that still exists)"


async def test_every_file_the_bot_sends_is_saved_and_its_path_printed(
    driver: Driver, tmp_path: Path
) -> None:
    await driver.type(":staff")
    chart = await driver.type("/stats grafik", until=to(SANDBOX_STAFF_CHAT, "sendPhoto"))
    export = await driver.type("/ekspor", until=to(SANDBOX_STAFF_CHAT, "sendDocument"))
    table = await driver.type("/ekspor csv", until=to(SANDBOX_STAFF_CHAT, "sendDocument"))
    files = tmp_path / "sandbox-files"
    for shown, suffix, magic in ((chart, ".png", b"\x89PNG"), (export, ".xlsx", b"PK\x03\x04"),
                                 (table, ".csv", b"")):
        found = re.search(r"\((?:picture|file) saved: (\S+), [\d,]+ bytes\)", shown)
        assert found is not None, shown
        assert Path(found[1]).parent == files and Path(found[1]).suffix == suffix
        assert _starts_with(Path(found[1]), magic)
    assert len(driver.console.saved) == 3
    assert "[bot is busy in staff group: upload document…]" in export


def _starts_with(path: Path, magic: bytes) -> bool:
    data = path.read_bytes()
    return bool(data) and data.startswith(magic)


async def test_open_link_from_admin_sandbox_invite_then_referral_code(
    driver: Driver, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's path for a newcomer: add a union and an invite with `admin --sandbox`,
    open the invite as the organizer, then open the organizer's link as a worker."""
    for argv in (["admin", "--sandbox", "--database", database_url, "union-add",
                  "Serikat Pekerja Seluruh Indonesia", "--short", "SPSI"],
                 ["admin", "invite", "SPSI", "Budi Santoso", "--sandbox",
                  "--database", database_url]):
        args = parser().parse_args(argv)
        assert await run_admin_command(admin_settings(args), args) == 0
    link = re.search(r"https://t\.me/SinergiBot\?start=\S+", capsys.readouterr().out)
    assert link is not None
    await driver.type(":staff")
    welcome = await driver.type(f":open {link[0]}", until=to(SANDBOX_ADMIN, has="Budi"))
    assert f"Telegram sends /start {link[0].split('=', 1)[1]} in your private chat" in welcome
    assert "Selamat datang, Budi Santoso" in welcome and driver.console.chat == SANDBOX_ADMIN
    code = await driver.type("/kodeku", until=to(SANDBOX_ADMIN, "sendPhoto"))
    assert re.search(r"picture saved: \S+SPSI-\w+\.png", code)
    referral = re.search(r"SPSI-\w{5}", code)
    assert referral is not None
    await driver.type(":user 3 Joko")
    greeted = await driver.type(f":open t.me/SinergiBot?start={referral[0]}",
                                until=to(3, has="Budi"))
    assert "Anda datang lewat Budi Santoso" in greeted
    typed = await driver.type(f"/start {referral[0]}", until=to(3, has="Budi"))
    assert "Budi Santoso" in typed
    assert "Halo, Joko" in await driver.type(":open https://t.me/SinergiBot",
                                             until=to(3, has="Halo"))


async def test_staff_reply_to_a_ticket_an_alert_and_an_earlier_button(
    driver: Driver, fake_tg: FakeTelegram
) -> None:
    await driver.type(":user 2 Siti")
    await driver.type("/start", until=to(2, has="Halo"))
    menu = driver.number_of("Halo, Siti")
    asked = await driver.type("/petugas kapan jht saya bisa cair",
                              until=to(SANDBOX_STAFF_CHAT, has="🎫"))
    ticket = driver.number_of("kapan jht saya bisa cair")
    assert f"(staff answer it with :reply {ticket} <answer>)" in asked
    # Staff answer by replying to the ticket's copy in the group.
    await driver.type(":user 1001")
    assert await driver.type(f":reply {ticket} Bisa setelah berhenti kerja") == \
        f"(msg {ticket} is in another chat (staff group); switch with :staff or :private first)"
    await driver.type(":staff")
    answer = await driver.type(f":reply {ticket} Bisa setelah berhenti kerja, bawa KTP",
                               until=to(2, has="bawa KTP"))
    assert "bawa KTP" in answer and "→ user 2 (Siti)]" in answer
    sent_back = await fake_tg.wait_for(
        lambda c: to(SANDBOX_STAFF_CHAT, has="✅")(c) and "learn:" in str(c.params), start=0)
    confirmation = int(sent_back.result["message_id"])
    # A staff member who is not an administrator presses the administrators' button.
    await driver.type(":user 5 Bayu")
    await driver.type(":staff")
    alert = await driver.type(f":press {confirmation} 1", until=answered)
    assert "[pop-up alert, only you see(s) it; OK closes it]\nMaaf" in alert
    # The worker presses a button of the first message, long scrolled away.
    await driver.type(":user 2")
    contact = await driver.type(f":press {menu} 4", until=to(2, has="175"))
    assert "175" in contact
    assert await driver.type(":press 99999 1") == \
        "(there is no msg 99999: deleted, or never sent)"


@sqlite_only
def test_admin_sandbox_needs_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["admin", "union-add", "Serikat Buruh Tani", "--short", "SBT"]) == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err
    assert main(["admin", "--sandbox", "union-add", "Serikat Buruh Tani", "--short", "SBT"]) == 0
    assert main(["admin", "unions", "--sandbox"]) == 0
    assert "SBT  Serikat Buruh Tani" in capsys.readouterr().out
    assert (tmp_path / "data" / "sandbox.db").exists()


@pytest.mark.parametrize(("link", "payload"), [
    ("SPSI-7KQ4X", "SPSI-7KQ4X"),
    ("https://t.me/SinergiBot?start=inv_abc-1", "inv_abc-1"),
    ("t.me/SinergiBot?start=SPSI-7KQ4X", "SPSI-7KQ4X"),
    ("tg://resolve?domain=SinergiBot&start=SPSI-7KQ4X", "SPSI-7KQ4X"),
    ("https://t.me/SinergiBot", ""),
    ("https://example.com/?start=x", None),
    ("two words", None),
    ("https://t.me/SinergiBot?start=bad!code", None),
])
def test_open_reads_links_and_bare_codes(link: str, payload: str | None) -> None:
    assert _payload(link) == payload
