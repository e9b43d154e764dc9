"""Old and forged button presses: answered politely, never a crash, never another's data.

A modified client can send any callback data under any message. For every prefix the bot
registers (menu:, lang:, reg:, erase:, faq:, fb:, calc:, handoff:, lead:, bc:) an attacker
presses forged data: other users' ids, huge and negative numbers, garbage; and stale
buttons from a closed form. The victim's lead, ticket, feedback and the staff's draft
broadcast must be untouched.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.sandbox.fake_telegram import FakeTelegram
from db.models import Broadcast, Feedback, Lead, Ticket
from tests.conftest import ADMIN, STAFF_CHAT
from tests.faults.test_fuzz import track_completion
from tests.harness import Person, buttons
from tests.registration_helpers import register_bpu

HUGE = "9" * 40  # beyond SQLite's 64-bit integers


def forged_data(question: int, ticket: int, lead: int, broadcast: int) -> list[str]:
    numbers = [str(question), str(ticket), str(lead), str(broadcast), "0", HUGE, "00001"]
    data = [
        "menu:", "menu:x", "menu:daftar:1", "lang:", "lang:xx", "lang:id:1", "lang:<b>",
        "reg:", "reg:confirm", "reg:change", "reg:summary", "reg:cancel", "reg:update",
        "reg:keep", "reg:edit:nik", "reg:edit:", "reg:edit:consent", "reg:consent:yes",
        "reg:consent:no", "reg:consent:maybe", "erase:yes", "erase:no", "erase:", "faq:",
        "faq:show:", "faq:show:../../etc", "faq:topic:", "faq:topic:zzz", "fb:", "fb:x:1",
        "calc:", "calc:-1", "calc:1.5", f"calc:{HUGE}", "handoff:", "handoff:ask:x",
        "lead:", "lead:x:minat", "bc:", "bc:send:", "bc:nuke:1", "x", "🙂", "<b>",
    ]
    for n in numbers:
        data += [f"fb:{n}:1", f"fb:{n}:0", f"handoff:ask:{n}", f"handoff:done:{n}",
                 f"handoff:end:{n}", f"handoff:keep:{n}", f"handoff:force:{n}",
                 f"lead:{n}:terdaftar", f"lead:{n}:tidak_berminat", f"bc:send:{n}",
                 f"bc:cancel:{n}", f"calc:{n}", f"faq:show:{n}"]
    return [d for d in data if 1 <= len(d.encode()) <= 64]


async def victim_setup(fake_tg: FakeTelegram, app: Any) -> dict[str, int]:
    """A registered worker with a FAQ question, an open ticket and a staff draft for them."""
    victim = Person(fake_tg, 6001)
    summary = await register_bpu(victim)
    await victim.press(summary, "reg:confirm")
    answer = await victim.say("berapa iuran untuk petani?")
    question = int(next(d for _l, d in buttons(answer) if d.startswith("fb:")).split(":")[1])
    opened = await victim.say("/petugas Tolong bantu saya")
    ticket = int(next(d for _l, d in buttons(opened) if d.startswith("handoff:done:"))
                 .split(":")[2])
    # The ticket's copy is posted after the worker's answer: in the group before the draft.
    await fake_tg.wait_for(lambda c: str(c.params.get("chat_id")) == str(STAFF_CHAT)
                           and "🎫" in str(c.params.get("text")))
    draft = await Person(fake_tg, ADMIN, chat_id=STAFF_CHAT).say("/siaran Sosialisasi JKK")
    broadcast = int(next(d for _l, d in buttons(draft) if d.startswith("bc:send:")).split(":")[2])
    async with app.bot_data.sessions() as session:
        lead = await session.scalar(select(Lead.id).where(Lead.telegram_user_id == 6001))
    assert lead and ticket
    return {"question": question, "ticket": ticket, "lead": lead, "broadcast": broadcast}


async def test_forged_and_stale_buttons_are_refused_politely(
    fake_tg: FakeTelegram, app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    ids = await victim_setup(fake_tg, app)
    wait_done = track_completion(app)
    attacker = Person(fake_tg, 6002)
    # A stale summary: the attacker's own form, cancelled before pressing "Send".
    summary = await register_bpu(attacker, nik="3509214508900002")
    await attacker.say("/batal")
    stale = fake_tg.messages[(6002, summary.result["message_id"])]
    baseline = len(fake_tg.rejected)
    pressed = 0
    for where in (stale, *_own_messages(fake_tg, 6002)[-1:]):
        for data in forged_data(**ids):
            update = await fake_tg.press(6002, where, data)
            await wait_done(update["update_id"], 10)
            query_id = update["callback_query"]["id"]
            answers = [c for c in fake_tg.sent if c.method == "answerCallbackQuery"
                       and c.params.get("callback_query_id") == query_id]
            assert len(answers) == 1, (data, answers)
            pressed += 1
    # Staff buttons pressed by a staff member who is no administrator, in the staff group.
    member = await fake_tg.send_message(9002, "/bantuan", chat_id=STAFF_CHAT)
    for data in (f"bc:send:{ids['broadcast']}", f"bc:cancel:{ids['broadcast']}"):
        update = await fake_tg.press(9002, member, data)
        await wait_done(update["update_id"], 10)

    assert pressed > 100
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR][:5]
    assert not fake_tg.rejected[baseline:], fake_tg.rejected[baseline:][:5]
    async with app.bot_data.sessions() as session:
        lead = await session.get(Lead, ids["lead"])
        assert lead is not None and lead.full_name == "Siti Aminah" and lead.status == "minat"
        ticket = await session.get(Ticket, ids["ticket"])
        assert ticket is not None and ticket.status == "open"
        assert await session.get(Feedback, ids["question"]) is None
        broadcast = await session.get(Broadcast, ids["broadcast"])
        assert broadcast is not None and broadcast.status == "draft"
        attacker_lead = await session.scalar(select(Lead).where(Lead.telegram_user_id == 6002))
        assert attacker_lead is None  # the stale "Send" stored nothing
    # The victim's data is still theirs to see.
    shown = await Person(fake_tg, 6001).say("/datasaya")
    assert "Siti Aminah" in shown.params["text"]


def _own_messages(fake_tg: FakeTelegram, chat_id: int) -> list[dict[str, Any]]:
    return [m for (chat, _id), m in fake_tg.messages.items()
            if chat == chat_id and m.get("from", {}).get("is_bot")]


async def test_wrong_invite_and_referral_links_are_rate_limited_and_logged_without_code(
    fake_tg: FakeTelegram, app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.registration_helpers import make_organizer

    caplog.set_level(logging.INFO)
    await make_organizer(app, code="SPSI-7KQ4X", telegram_user_id=777)
    guesser = Person(fake_tg, 6101)
    for attempt in range(5):
        reply = await guesser.say(f"/start inv_GUESS{attempt:011d}")
        assert "tidak berlaku" in reply.params["text"].lower(), reply.params["text"]
    limited = await guesser.say("/start inv_GUESS99999999999")
    assert "10 menit" in limited.params["text"] or "10 minutes" in limited.params["text"]
    assert "wrong invite link user=6101 misses=5" in caplog.text
    # Referral codes in links: after 5 wrong ones even the right code waits.
    other = Person(fake_tg, 6102)
    for attempt in range(5):
        start = len(fake_tg.sent)
        await fake_tg.send_message(6102, f"/start WRONG-{attempt}AAAA")
        await fake_tg.wait_for(lambda c: "tidak saya kenal" in c.params.get("text", "")
                               or "tidak aktif" in c.params.get("text", ""), start=start)
    start = len(fake_tg.sent)
    await fake_tg.send_message(6102, "/start SPSI-7KQ4X")
    await other.reply_after(start)
    await asyncio.sleep(0.3)
    assert not any("Pak Darto" in c.params.get("text", "") for c in fake_tg.sent[start:])
    assert "wrong referral code user=6102 misses=5" in caplog.text
    for secret in ("GUESS", "WRONG-"):
        assert secret not in caplog.text
