"""End to end: administrators teach the bot from /pertanyaan and save ticket answers as drafts."""

from __future__ import annotations

from sqlalchemy import select

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.services import learning
from db.models import FaqDraft, LearnedPhrasing
from tests.conftest import ADMIN, STAFF_CHAT, STAFF_MEMBER
from tests.harness import Person, buttons

WORKER = 701
OJOL = "saya ojol bisa ikut"  # answered with jkp_bpu; ojol_platform is the runner-up


async def _dislike(fake_tg: FakeTelegram, text: str) -> Sent:
    reply = await Person(fake_tg, WORKER).say(text)
    data = next(data for label, data in buttons(reply) if label == "👎")
    start = len(fake_tg.sent)
    await fake_tg.press(WORKER, fake_tg.messages[(WORKER, reply.result["message_id"])], data)
    await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    return reply


async def _alert(fake_tg: FakeTelegram, user_id: int, sent: Sent, data: str) -> str:
    start = len(fake_tg.sent)
    await fake_tg.press(user_id, fake_tg.messages[(STAFF_CHAT, sent.result["message_id"])], data)
    ack = await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    return str(ack.params.get("text", ""))


async def _offer(fake_tg: FakeTelegram, user_id: int = ADMIN) -> Sent:
    """/pertanyaan, then the administrators' message with one button per question."""
    admin = Person(fake_tg, user_id).in_chat(STAFF_CHAT)
    report = await admin.say("/pertanyaan")
    return await admin.reply_after(fake_tg.sent.index(report) + 1)


async def _phrasings(app: App) -> list[LearnedPhrasing]:
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        return list(await session.scalars(select(LearnedPhrasing)))


async def test_admin_attaches_a_disliked_question_and_the_bot_then_answers_it(
        fake_tg: FakeTelegram, app: App) -> None:
    await _dislike(fake_tg, OJOL)
    before = app.bot_data.faq.matcher.match(OJOL)
    assert before.entry_id != "ojol_platform" and "ojol_platform" in before.candidates

    offer = await _offer(fake_tg)
    assert any(label.startswith("👎") and OJOL in label for label, _ in buttons(offer))
    admin = Person(fake_tg, ADMIN).in_chat(STAFF_CHAT)
    choose = await admin.press(offer, next(label for label, _ in buttons(offer) if OJOL in label))
    assert OJOL in choose.params["text"] and "/lampirkan" in choose.params["text"]
    target = next(data for _, data in buttons(choose) if data.endswith(":ojol_platform"))
    assert any(data.startswith("learn:x:") for _, data in buttons(choose))
    done = await admin.press(choose, target)
    assert "ojol_platform" in done.params["text"]

    [stored] = await _phrasings(app)
    assert (stored.text, stored.entry_id, stored.out_of_scope, stored.created_by) == (
        OJOL, "ojol_platform", False, ADMIN)
    again = await Person(fake_tg, WORKER + 1).say(OJOL)
    expected = app.bot_data.faq.kb.get("ojol_platform").answer["id"].strip()[:60]
    assert expected in again.params["text"]
    # attached questions leave the list
    await Person(fake_tg, WORKER).say("bos saya galak")
    offer_again = await _offer(fake_tg)
    labels = [label for label, _ in buttons(offer_again)]
    assert "❓ bos saya galak" in labels and not any(OJOL in label for label in labels)


async def test_non_admin_staff_cannot_attach(fake_tg: FakeTelegram, app: App) -> None:
    await _dislike(fake_tg, OJOL)
    offer = await _offer(fake_tg)
    data = next(data for label, data in buttons(offer) if OJOL in label)
    question_id = data.rsplit(":", 1)[1]
    alert = await _alert(fake_tg, STAFF_MEMBER, offer, f"learn:a:{question_id}:ojol_platform")
    assert "khusus untuk admin" in alert.lower()
    refused = await Person(fake_tg, STAFF_MEMBER).in_chat(STAFF_CHAT).say(
        f"/lampirkan {question_id} ojol_platform")
    assert "khusus untuk admin" in refused.params["text"].lower()
    assert await _phrasings(app) == []


async def test_forged_or_stale_buttons_are_no_longer_valid(fake_tg: FakeTelegram,
                                                           app: App) -> None:
    await _dislike(fake_tg, OJOL)
    offer = await _offer(fake_tg)
    data = next(data for label, data in buttons(offer) if OJOL in label)
    question_id = data.rsplit(":", 1)[1]
    for forged in (f"learn:a:{question_id}:no_such_entry", "learn:a:999999:ojol_platform",
                   "learn:q:999999", "learn:zz", "learn:d:424242"):
        assert "tidak berlaku" in await _alert(fake_tg, ADMIN, offer, forged), forged
    assert await _phrasings(app) == []


async def test_lampirkan_by_entry_id_and_out_of_scope(fake_tg: FakeTelegram, app: App) -> None:
    await Person(fake_tg, WORKER).say("bos saya galak")
    await Person(fake_tg, WORKER).say("pak rt minta uang buat daftar")
    offer = await _offer(fake_tg)
    ids = {label.split(" ", 1)[1]: data.rsplit(":", 1)[1] for label, data in buttons(offer)}
    admin = Person(fake_tg, ADMIN).in_chat(STAFF_CHAT)
    usage = await admin.say("/lampirkan")
    assert "/lampirkan" in usage.params["text"]
    unknown = await admin.say(f"/lampirkan {ids['bos saya galak']} tidak_ada")
    assert "tidak_ada" in unknown.params["text"]
    attached = await admin.say(f"/lampirkan {ids['pak rt minta uang buat daftar']} "
                               "aplikasi_palsu")
    assert "aplikasi_palsu" in attached.params["text"]
    outside = await admin.say(f"/lampirkan #{ids['bos saya galak']} -")
    assert "🚫" in outside.params["text"]
    rows = {p.text: (p.entry_id, p.out_of_scope) for p in await _phrasings(app)}
    assert rows == {"pak rt minta uang buat daftar": ("aplikasi_palsu", False),
                    "bos saya galak": (None, True)}
    assert app.bot_data.faq.matcher.match("pak rt minta uang buat daftar").entry_id == \
        "aplikasi_palsu"
    exported = learning.export_yaml(await learning.phrasings(app.bot_data.sessions))
    assert "bos saya galak" in exported.split("out_of_scope:")[1]


async def test_staff_answer_saved_as_a_masked_draft(fake_tg: FakeTelegram, app: App) -> None:
    fake_tg.user_chat(WORKER, "Siti")
    start = len(fake_tg.sent)
    await Person(fake_tg, WORKER, "Siti").say(
        "/petugas NIK saya 3509214508900001 hp 081234567890 kenapa belum terdaftar?")
    copy = await fake_tg.wait_for(lambda c: c.method == "sendMessage"
                                  and str(c.params["chat_id"]) == str(STAFF_CHAT), start=start)
    staff = Person(fake_tg, STAFF_MEMBER, "Budi").in_chat(STAFF_CHAT)
    sent = await staff.say("Silakan cek di JMO, atau hubungi 081299990000.",
                           reply_to=fake_tg.messages[(STAFF_CHAT, copy.result["message_id"])])
    data = next(data for _, data in buttons(sent) if data.startswith("learn:d:"))
    assert "khusus untuk admin" in (await _alert(fake_tg, STAFF_MEMBER, sent, data)).lower()
    saved = await Person(fake_tg, ADMIN).in_chat(STAFF_CHAT).press(sent, data)
    assert "draf" in saved.params["text"].lower()
    assert "#1" in await _alert(fake_tg, ADMIN, sent, data)  # once only
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        [draft] = list(await session.scalars(select(FaqDraft)))
    assert "3509214508900001" not in draft.question and "081234567890" not in draft.question
    assert "kenapa belum terdaftar" in draft.question
    assert draft.answer == "Silakan cek di JMO, atau hubungi […]."
    assert draft.created_by == ADMIN
    assert "kenapa belum terdaftar" in learning.export_yaml(
        [], await learning.drafts(app.bot_data.sessions))
