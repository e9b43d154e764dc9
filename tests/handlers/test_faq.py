"""End to end: workers' questions answered from the knowledge base, with feedback."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox.fake_telegram import FakeTelegram
from db.models import Feedback, QuestionLog
from tests.conftest import ADMIN, STAFF_CHAT
from tests.harness import Person, buttons


async def _questions(app) -> list[QuestionLog]:
    async with app.bot_data.sessions() as session:
        return list(await session.scalars(select(QuestionLog).order_by(QuestionLog.id)))


async def test_confident_answer_has_source_feedback_and_related(fake_tg: FakeTelegram,
                                                                 app) -> None:
    person = Person(fake_tg, 801)
    reply = await person.say("kalau kecelakaan pas berangkat kerja ditanggung gak?")
    text = reply.params["text"]
    assert "Sumber:" in text and "ditinjau" in text and "2026" in text
    labels = [label for label, _ in buttons(reply)]
    assert labels[:2] == ["👍", "👎"] and 2 <= len(labels) <= 6  # + related, "Daftar minat"
    [logged] = await _questions(app)
    assert logged.outcome == "answer" and logged.telegram_user_id == 801
    thumbs_down = next(data for label, data in buttons(reply) if label == "👎")
    start = len(fake_tg.sent)
    await fake_tg.press(801, fake_tg.messages[(801, reply.result["message_id"])], thumbs_down)
    ack = await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    assert "Terima kasih" in ack.params["text"]
    async with app.bot_data.sessions() as session:
        assert (await session.get(Feedback, logged.id)).helpful is False


async def test_feedback_on_someone_elses_question_is_refused(fake_tg: FakeTelegram, app) -> None:
    reply = await Person(fake_tg, 802).say("jht bisa cair kapan")
    data = next(data for label, data in buttons(reply) if label == "👍")
    message = fake_tg.messages[(802, reply.result["message_id"])]
    start = len(fake_tg.sent)
    await fake_tg.press(803, message, data)
    ack = await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    assert "tidak berlaku" in ack.params["text"]


async def test_bpjs_kesehatan_question_gets_no_jkk_figures(fake_tg: FakeTelegram, app) -> None:
    reply = await Person(fake_tg, 804).say("berapa iuran bpjs kesehatan kelas 3?")
    text = reply.params["text"]
    assert "Kesehatan" in text
    assert "Rp16.800" not in text


async def test_gibberish_gets_an_honest_no_and_a_way_to_staff(fake_tg: FakeTelegram,
                                                              app) -> None:
    reply = await Person(fake_tg, 805).say("qwzx plmk vrrt")
    assert "belum tahu" in reply.params["text"] or "hanya tahu" in reply.params["text"]
    assert any(data.startswith("handoff:ask:") for _, data in buttons(reply))
    [logged] = await _questions(app)
    assert logged.outcome == "none"


async def test_contribution_question_with_amount_uses_the_calculator(fake_tg: FakeTelegram,
                                                                     app) -> None:
    reply = await Person(fake_tg, 806).say("penghasilan 2 juta iurannya berapa")
    text = reply.params["text"]
    assert "Rp2.000.000" in text
    assert "Rp26.800" in text  # JKK 20.000 + JKM 6.800
    assert "Rp66.800" in text  # + JHT 40.000
    assert "PP 44/2015" in text and "175" in text


async def test_iuran_without_amount_offers_bands(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 807)
    reply = await person.say("/iuran")
    assert ("Rp1.500.000", "calc:1500000") in buttons(reply)
    result = await person.press(reply, "calc:1500000")
    assert "Rp21.800" in result.params["text"]  # 15.000 + 6.800
    typed = await person.say("/iuran 1,5jt")
    assert "Rp21.800" in typed.params["text"]


async def test_topics_menu_lists_questions(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 808)
    start = await person.say("/start")
    topics = await person.press(start, "menu:topics")
    topic_data = [data for _, data in buttons(topics)]
    assert "faq:topic:iuran" in topic_data
    questions = await person.press(topics, "faq:topic:iuran")
    first = buttons(questions)[0][1]
    answer = await person.press(questions, first)
    assert "Sumber:" in answer.params["text"]


async def test_groups_get_answers_only_when_mentioned(fake_tg: FakeTelegram, app) -> None:
    fake_tg.group_chat(-500, "Serikat Tani")
    member = Person(fake_tg, 809).in_chat(-500)
    start = len(fake_tg.sent)
    await fake_tg.send_message(809, "jht bisa cair kapan", chat_id=-500)
    mentioned = await member.say("@SinergiBot jht bisa cair kapan?")
    assert "JHT" in mentioned.params["text"]
    replies_in_group = [c for c in fake_tg.sent[start:]
                        if c.params.get("chat_id") in (-500, "-500")]
    assert len([c for c in replies_in_group if c.method == "sendMessage"]) == 1


async def test_admin_reloads_the_knowledge_base(fake_tg: FakeTelegram, app) -> None:
    admin = Person(fake_tg, ADMIN).in_chat(STAFF_CHAT)
    reply = await admin.say("/muatulang")
    assert "dimuat ulang" in reply.params["text"]
    refused = await Person(fake_tg, 810).say("/muatulang")
    assert "grup staf" in refused.params["text"]


async def test_source_line_shows_regulations_and_official_sites_never_news(
    fake_tg: FakeTelegram, app
) -> None:
    person = Person(fake_tg, 811)
    topics = await person.press(await person.say("/start"), "menu:topics")
    shown = {}
    for topic, entry_id in (("iuran", "iuran_bpu"), ("kontak", "kontak"),
                            ("perisai", "perisai")):
        questions = await person.press(topics, f"faq:topic:{topic}")
        answer = await person.press(questions, f"faq:show:{entry_id}")
        shown[entry_id] = answer.params["text"].rsplit("\n", 1)[-1]
    # PP 44/2015 with news sources only (S8 star.grid.id, S41 tribunnews): the regulation alone
    assert shown["iuran_bpu"].startswith("<i>Sumber: PP 44/2015 (JKK 1%, JKM Rp6.800) · ")
    # the official site S1 is shown, the news sources beside it are not
    assert shown["kontak"].startswith("<i>Sumber: bpjsketenagakerjaan.go.id · ")
    # neither a regulation nor an official site: where to check
    assert shown["perisai"].startswith("<i>Sumber: bpjsketenagakerjaan.go.id, 175 · ")
    for line in shown.values():
        assert "ditinjau" in line
        assert not any(site in line for site in ("grid.id", "tribunnews", "kompas", "blogspot"))


async def test_greeting_gets_a_hello_and_the_menu_not_the_apology(fake_tg: FakeTelegram,
                                                                  app) -> None:
    reply = await Person(fake_tg, 811).say("assalamualaikum min, pagi")
    text = reply.params["text"]
    assert text.startswith("Halo!") and "Sinergi" in text
    assert "Maaf" not in text and "hanya tahu" not in text
    assert "menu:topics" in [data for _, data in buttons(reply)]
    assert await _questions(app) == []  # small talk is not logged as a question


async def test_thanks_gets_a_short_welcome(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 812)
    for text in ("ok makasih mas", "matur nuwun", "sakalangkong", "siap 👍"):
        reply = await person.say(text)
        assert reply.params["text"].startswith("Sama-sama!"), text
        assert "Maaf" not in reply.params["text"]


async def test_an_amount_that_is_not_an_income_gets_the_knowledge_base(fake_tg: FakeTelegram,
                                                                       app) -> None:
    reply = await Person(fake_tg, 813).say(
        "santunan kematian 42 juta masih dibayar kalau iurannya nunggak 3 bulan?")
    assert "Perkiraan iuran BPU" not in reply.params["text"]  # not the calculator
    [logged] = await _questions(app)
    assert logged.outcome in ("answer", "suggest")


async def test_a_second_question_gets_its_own_button(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 814)
    reply = await person.say("jht bisa cair kapan? terus iuran bpu sebulan berapa")
    assert "JHT" in reply.params["text"] and "Anda juga bertanya" in reply.params["text"]
    assert buttons(reply)[2] == ("➕ Iuran pekerja mandiri (BPU)", "faq:show:iuran_bpu")
    assert [data for _, data in buttons(reply)].count("faq:show:iuran_bpu") == 1
    second = await person.press(reply, "faq:show:iuran_bpu")
    assert "Rp16.800" in second.params["text"]
