"""End to end: personal data never goes into a group; private flows continue in private.

In a group, the commands and buttons of the private flows (registration, /datasaya,
/hapusdata, /iuran, /rujuk, /petugas) answer with a link to the private chat,
t.me/<bot>?start=go_<flow>, and /start go_<flow> in private opens that flow.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from db.models import CodeGuess
from tests.harness import Person, buttons
from tests.registration_helpers import make_organizer, register_bpu

GROUP = -100777
WORKER = 601
LINK = "https://t.me/SinergiBot?start="
# What the registered worker's data looks like in any message (name, masked NIK, phone).
PERSONAL = ("Siti Aminah", "0001", "+62", "7890", "Sumbersari")


def url_buttons(sent: Sent) -> list[tuple[str, str]]:
    markup = sent.params.get("reply_markup") or {}
    return [(b["text"], b["url"]) for row in markup.get("inline_keyboard", []) for b in row
            if "url" in b]


def group_texts(fake_tg: FakeTelegram, start: int) -> list[str]:
    return [c.params.get("text", "") for c in fake_tg.sent[start:]
            if str(c.params.get("chat_id")) == str(GROUP)]


async def registered(fake_tg: FakeTelegram) -> Person:
    siti = Person(fake_tg, WORKER, "Siti")
    summary = await register_bpu(siti)
    await siti.press(summary, "reg:confirm")
    return siti


async def press_in_group(fake_tg: FakeTelegram, message: Sent, data: str) -> Sent:
    """Presses a button with `data` under a bot message in the group; returns the answer."""
    start = len(fake_tg.sent)
    await fake_tg.press(WORKER, fake_tg.messages[(GROUP, message.result["message_id"])],
                        data, "Siti")
    return await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)


async def test_help_in_a_group_links_the_private_flows(fake_tg: FakeTelegram, app: App) -> None:
    fake_tg.group_chat(GROUP, "Serikat Tani")
    menu = await Person(fake_tg, WORKER, "Siti").in_chat(GROUP).say("/bantuan")
    data = [d for _, d in buttons(menu) if d]
    assert "menu:daftar" not in data and "menu:iuran" not in data
    assert "menu:topics" in data  # answers about the programmes are fine in a group
    urls = dict(url_buttons(menu))
    assert f"{LINK}go_daftar" in urls.values() and f"{LINK}go_iuran" in urls.values()


@pytest.mark.parametrize("data", ["menu:daftar", "reg:update", "reg:confirm", "reg:edit:name",
                                  "calc:2000000", "menu:iuran", "erase:yes"])
async def test_private_buttons_pressed_in_a_group_open_the_private_chat(
    fake_tg: FakeTelegram, app: App, data: str
) -> None:
    """A registered worker presses "Daftar minat" or "Perbarui" under a group message (an
    old menu, or a forged press): nothing of theirs is posted in the group."""
    await registered(fake_tg)
    fake_tg.group_chat(GROUP, "Serikat Tani")
    menu = await Person(fake_tg, WORKER, "Siti").in_chat(GROUP).say("/bantuan")
    start = len(fake_tg.sent)
    answer = await press_in_group(fake_tg, menu, data)
    flow = "iuran" if "iuran" in data or "calc" in data else (
        "hapusdata" if data.startswith("erase") else "daftar")
    assert answer.params.get("url") == f"{LINK}go_{flow}"
    await Person(fake_tg, 602).say("/bantuan")  # a later update: the press was handled fully
    assert group_texts(fake_tg, start) == []
    assert not any(c.method.startswith("edit") for c in fake_tg.sent[start:])


@pytest.mark.parametrize(("command", "flow"), [
    ("/daftar", "daftar"), ("/daftar@SinergiBot", "daftar"), ("/datasaya", "datasaya"),
    ("/hapusdata", "hapusdata"), ("/iuran 2,5 juta", "iuran"), ("/iuran", "iuran"),
    ("/rujuk", "rujuk"), ("/petugas NIK saya 3509214508900001", "petugas"),
])
async def test_private_commands_in_a_group_answer_with_a_link(
    fake_tg: FakeTelegram, app: App, command: str, flow: str
) -> None:
    await registered(fake_tg)
    fake_tg.group_chat(GROUP, "Serikat Tani")
    start = len(fake_tg.sent)
    reply = await Person(fake_tg, WORKER, "Siti").in_chat(GROUP).say(command)
    assert [url for _, url in url_buttons(reply)] == [f"{LINK}go_{flow}"]
    assert "pribadi" in reply.params["text"]
    await Person(fake_tg, 602).say("/bantuan")
    texts = group_texts(fake_tg, start)
    assert len(texts) == 1
    assert not any(part in texts[0] for part in PERSONAL), texts
    assert "Rp" not in texts[0]
    async with app.bot_data.sessions() as session:  # type: ignore[misc]
        assert await session.scalar(select(func.count()).select_from(CodeGuess)) == 0


async def test_an_income_question_in_a_group_is_answered_in_private(
    fake_tg: FakeTelegram, app: App
) -> None:
    fake_tg.group_chat(GROUP, "Serikat Tani")
    member = Person(fake_tg, WORKER, "Siti").in_chat(GROUP)
    reply = await member.say("@SinergiBot penghasilan saya 2 juta iurannya berapa?")
    assert [url for _, url in url_buttons(reply)] == [f"{LINK}go_iuran"]
    assert "Rp" not in reply.params["text"]
    general = await member.say("@SinergiBot jht bisa cair kapan?")
    assert "JHT" in general.params["text"]  # answers without personal data stay in the group


async def _start(person: Person, flow: str) -> Sent:
    return await person.say(f"/start go_{flow}")


async def test_the_link_opens_each_flow_in_private(fake_tg: FakeTelegram, app: App) -> None:
    siti = await registered(fake_tg)
    data = await _start(siti, "datasaya")
    assert "Siti Aminah" in data.params["text"] and "0001" in data.params["text"]
    again = await _start(siti, "daftar")
    assert "reg:update" in [d for _, d in buttons(again)]
    erase = await _start(siti, "hapusdata")
    assert "erase:yes" in [d for _, d in buttons(erase)]
    income = await _start(siti, "iuran")
    assert any(d.startswith("calc:") for _, d in buttons(income))
    assert "tidak bisa membaca" not in income.params["text"]
    staff = await _start(siti, "petugas")
    assert "/batal" in staff.params["text"]
    await siti.say("/batal")

    newcomer = Person(fake_tg, 603, "Budi")
    consent = await _start(newcomer, "daftar")
    assert "reg:consent:yes" in [d for _, d in buttons(consent)]
    refused = await _start(Person(fake_tg, 604, "Ani"), "rujuk")
    assert "organizer" in refused.params["text"] or "pengurus" in refused.params["text"]
    await make_organizer(app, telegram_user_id=605)
    form = await _start(Person(fake_tg, 605, "Darto"), "rujuk")
    assert "reg:consent:yes" in [d for _, d in buttons(form)]
    unknown = await _start(Person(fake_tg, 606, "Eko"), "lainnya")
    assert "Sinergi" in unknown.params["text"]  # the welcome, not a wrong-code warning
    async with app.bot_data.sessions() as session:  # type: ignore[misc]
        assert await session.scalar(select(func.count()).select_from(CodeGuess)) == 0

