"""End to end: /start, menus, help, language, contact, unknown input, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.sandbox.fake_telegram import FakeTelegram
from db.models import User
from handlers.common import VISIT_EVERY
from tests.harness import Person, buttons


async def test_start_greets_in_indonesian_with_the_main_menu(fake_tg: FakeTelegram, app) -> None:
    siti = Person(fake_tg, 501, "Siti")
    reply = await siti.say("/start")
    assert reply.method == "sendMessage"
    assert reply.params["parse_mode"] == "HTML"
    assert "Halo, Siti!" in reply.params["text"]
    assert "JKK, JKM, JHT, JP dan JKP" in reply.params["text"]
    labels = [label for label, _ in buttons(reply)]
    assert "📝 Daftar minat" in labels and "💰 Hitung iuran" in labels


async def test_start_escapes_the_users_name(fake_tg: FakeTelegram, app) -> None:
    reply = await Person(fake_tg, 502, "<b>Bos</b> & co").say("/start")
    assert "&lt;b&gt;Bos&lt;/b&gt; &amp; co" in reply.params["text"]


async def test_start_with_unknown_payload_still_greets(fake_tg: FakeTelegram, app) -> None:
    reply = await Person(fake_tg, 503).say("/start ZZZ-NOTHING")
    assert "Halo" in reply.params["text"]


async def test_help_lists_the_commands(fake_tg: FakeTelegram, app) -> None:
    reply = await Person(fake_tg, 504).say("/bantuan")
    assert "/kontak" in reply.params["text"] and "/bahasa" in reply.params["text"]
    english = await Person(fake_tg, 504).say("/help")
    assert english.params["text"] == reply.params["text"]


async def test_language_switch_is_stored_per_user(fake_tg: FakeTelegram, app) -> None:
    budi, siti = Person(fake_tg, 505, "Budi"), Person(fake_tg, 506, "Siti")
    choice = await budi.say("/bahasa")
    confirmed = await budi.press(choice, "lang:en")
    assert confirmed.method == "editMessageText"
    assert "Language set" in confirmed.params["text"]
    await fake_tg.wait_for(lambda c: c.params.get("text") == "What would you like to do?")
    assert "Hello, Budi!" in (await budi.say("/start")).params["text"]
    assert "Halo, Siti!" in (await siti.say("/start")).params["text"]
    back = await budi.press(await budi.say("/bahasa"), "lang:id")
    assert "Bahasa dipilih" in back.params["text"]


async def test_contact_never_invents_branch_details(fake_tg: FakeTelegram, app) -> None:
    reply = await Person(fake_tg, 507).say("/kontak")
    text = reply.params["text"]
    assert "175" in text and "Alamat:" not in text
    assert "hubungi 175" in text


async def test_unknown_command_and_sticker_get_a_friendly_hint(fake_tg, app) -> None:
    person = Person(fake_tg, 508)
    reply = await person.say("/entahlah")
    assert "/bantuan" in reply.params["text"]
    sticker = {"file_id": "st1", "file_unique_id": "st1", "width": 1, "height": 1,
               "is_animated": False, "is_video": False, "type": "regular"}
    reply = await person.say(None, sticker=sticker)
    assert "hanya bisa membaca tulisan" in reply.params["text"]
    voice = {"file_id": "v1", "file_unique_id": "v1", "duration": 2}
    assert "tulisan" in (await person.say(None, voice=voice)).params["text"]


async def test_command_menus_are_published_per_language(fake_tg: FakeTelegram, app) -> None:
    scopes = {(json.loads(key)[0] or {}).get("type") for key in fake_tg.commands}
    assert "all_private_chats" in scopes
    languages = {json.loads(key)[1] for key in fake_tg.commands}
    assert {"id", "en", None} <= languages
    private_id = fake_tg.commands[json.dumps([{"type": "all_private_chats"}, "id"],
                                             sort_keys=True)]
    assert {"command": "kontak", "description": "Call centre dan kantor cabang"} in private_id


async def test_forged_button_gets_a_friendly_alert(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 509)
    reply = await person.say("/start")
    start = len(fake_tg.sent)
    await fake_tg.press(509, fake_tg.messages[(509, reply.result["message_id"])], "forged:123")
    answer = await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    assert "tidak berlaku" in answer.params["text"]
    assert answer.params["show_alert"] in (True, "true")


async def _user_row(app, user_id: int) -> User:
    async with app.bot_data.sessions() as session:
        user = await session.get(User, user_id)
    assert user is not None
    return user


async def test_the_visit_is_written_at_most_once_a_minute(fake_tg: FakeTelegram, app) -> None:
    now = [datetime(2026, 11, 24, 9, 0, tzinfo=UTC)]
    app.bot_data.clock = lambda: now[0]
    person = Person(fake_tg, 509)
    await person.say("/start")
    assert (await _user_row(app, 509)).last_seen == now[0]
    first = now[0]
    now[0] = first + timedelta(seconds=59)
    await person.say("/bantuan")
    assert (await _user_row(app, 509)).last_seen == first  # within the minute: not written
    now[0] = first + VISIT_EVERY
    await person.say("/bantuan")
    assert (await _user_row(app, 509)).last_seen == first + VISIT_EVERY


async def test_a_language_chosen_elsewhere_applies_within_the_minute(
    fake_tg: FakeTelegram, app
) -> None:
    now = [datetime(2026, 11, 24, 9, 0, tzinfo=UTC)]
    app.bot_data.clock = lambda: now[0]
    person = Person(fake_tg, 510, "Budi")
    assert "Halo, Budi!" in (await person.say("/start")).params["text"]
    # Another instance behind the webhook stores English for this user.
    async with app.bot_data.sessions.begin() as session:
        await session.execute(update(User).where(User.telegram_user_id == 510)
                              .values(language="en"))
    now[0] += timedelta(seconds=30)
    assert "Halo, Budi!" in (await person.say("/start")).params["text"]
    now[0] += VISIT_EVERY
    assert "Hello, Budi!" in (await person.say("/start")).params["text"]
