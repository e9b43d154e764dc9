"""End to end: follow-ups read against the last answer, incomes per day or week, questions
in the middle of /daftar, and the "Daftar minat" button under answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event, select

from bot.context import Flow, utcnow
from bot.knowledge.loader import load_knowledge
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.services import conversations
from bot.services.conversations import FlowState
from db.models import Conversation, QuestionLog
from db.session import make_engine, make_sessionmaker
from tests.harness import Person, buttons, reply_keyboard, running_app
from tests.registration_helpers import NIK_SUMBERSARI, keyboard_label


def opening(entry_id: str) -> str:
    """The first line of an entry's Indonesian answer: the bot sent that entry."""
    return load_knowledge().get(entry_id).answer["id"].split("\n", 1)[0]


async def replies(person: Person, text: str, count: int) -> list[Sent]:
    """Sends ``text`` and returns the bot's next ``count`` messages in the chat."""
    index = len(person.tg.sent)
    await person.tg.send_message(person.user_id, text, chat_id=person.chat_id,
                                 first_name=person.first_name)
    found: list[Sent] = []
    while len(found) < count:
        call = await person.tg.wait_for(
            lambda c: c.method == "sendMessage"
            and str(c.params.get("chat_id")) == str(person.chat), 5, index)
        index = person.tg.sent.index(call, index) + 1
        found.append(call)
    return found


async def last_logged(app: Any, user_id: int) -> QuestionLog:
    async with app.bot_data.sessions() as session:
        rows = await session.scalars(select(QuestionLog).where(
            QuestionLog.telegram_user_id == user_id).order_by(QuestionLog.id.desc()))
        return rows.first()


# ---------------------------------------------------------------- follow-ups

async def test_amount_follow_up_recomputes_the_contribution(fake_tg: FakeTelegram,
                                                            app) -> None:
    person = Person(fake_tg, 1301)
    first = await person.say("penghasilan 2 juta iurannya berapa")
    assert "Rp26.800" in first.params["text"]
    again = await person.say("kalau 2,5 juta?")
    text = again.params["text"]
    assert "Rp2.500.000" in text
    assert "Rp31.800" in text  # JKK 25.000 + JKM 6.800
    assert "Rp81.800" in text  # + JHT 50.000
    assert (await last_logged(app, 1301)).entry_id == "hitung_iuran"


async def test_claim_follow_up_after_jht_gets_the_jht_claim(fake_tg: FakeTelegram,
                                                            app) -> None:
    person = Person(fake_tg, 1302)
    about = await person.say("jht itu apa")
    assert opening("jht_apa") in about.params["text"]
    claim = await person.say("terus klaimnya gimana?")
    assert opening("klaim_jht") in claim.params["text"]
    logged = await last_logged(app, 1302)
    assert logged.entry_id == "klaim_jht" and logged.text == "terus klaimnya gimana? (jht)"


async def test_without_a_recent_answer_a_follow_up_is_read_alone(fake_tg: FakeTelegram,
                                                                 app) -> None:
    person = Person(fake_tg, 1303)
    await person.say("jht itu apa")
    later = app.bot_data.clock() + timedelta(minutes=6)  # QUESTION_CONTEXT_MINUTES is 5
    app.bot_data.clock = lambda: later
    reply = await person.say("terus klaimnya gimana?")
    assert "Cara klaim JHT" not in reply.params["text"]
    assert (await last_logged(app, 1303)).text == "terus klaimnya gimana?"
    fresh = await Person(fake_tg, 1304).say("kalau 2,5 juta?")  # no answer before at all
    assert "Rp31.800" not in fresh.params["text"]


async def test_follow_up_context_survives_a_restart(fake_tg: FakeTelegram, settings) -> None:
    person = Person(fake_tg, 1305)
    async with running_app(settings, fake_tg):
        assert "Rp26.800" in (await person.say("/iuran 2 juta")).params["text"]
    async with running_app(settings, fake_tg):
        again = await person.say("kalau 3 juta?")
        assert "Rp36.800" in again.params["text"]  # JKK 30.000 + JKM 6.800


# ---------------------------------------------------------------- incomes per day or week

async def test_daily_income_becomes_monthly_with_the_assumption(fake_tg: FakeTelegram,
                                                                app) -> None:
    reply = await Person(fake_tg, 1310).say("penghasilan sy sehari 100rb, brp iurannya")
    text = reply.params["text"]
    assert "Rp100.000 sehari × 25 hari kerja ≈ Rp2.500.000 sebulan" in text
    assert "Rp31.800" in text and "Rp81.800" in text
    assert "Rp16.800" not in text  # not counted as Rp100.000 a month


async def test_unclear_period_is_asked_with_buttons(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 1311)
    question = await person.say("penghasilan 600rb iurannya berapa")
    assert "per hari, per minggu, atau per bulan" in question.params["text"]
    assert [label for label, _ in buttons(question)] == ["Per hari", "Per minggu", "Per bulan"]
    weekly = await person.press(question, "Per minggu")
    text = weekly.params["text"]
    assert "Rp600.000 seminggu × 4 minggu ≈ Rp2.400.000 sebulan" in text
    assert "Rp30.800" in text  # JKK 24.000 + JKM 6.800
    daily = await person.say("kalau sehari?")  # the same amount, another period
    assert "Rp600.000 sehari × 25 hari kerja ≈ Rp15.000.000 sebulan" in daily.params["text"]


async def test_forged_period_button_is_refused(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 1312)
    question = await person.say("/iuran 600rb")
    message = fake_tg.messages[(1312, question.result["message_id"])]
    start = len(fake_tg.sent)
    await fake_tg.press(1312, message, "calcp:month:99999999999999999999")
    ack = await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    assert "tidak berlaku" in ack.params["text"]


async def test_clamped_income_says_where_the_limit_comes_from(fake_tg: FakeTelegram,
                                                              app) -> None:
    person = Person(fake_tg, 1313)
    low = (await person.say("/iuran 500rb sebulan")).params["text"]
    assert "penghasilan terendah yang bisa dihitung bot ini, Rp1.000.000" in low
    assert "iuran JKK terendah yang dilaporkan, Rp10.000" in low
    assert "175" in low and "JMO" in low and "rentang yang dilaporkan" not in low
    high = (await person.say("/iuran 50 juta")).params["text"]
    assert "penghasilan tertinggi yang bisa dihitung bot ini, Rp20.700.000" in high
    assert "Rp207.000" in high


# ---------------------------------------------------------------- questions during /daftar

async def form_data(app: Any, user_id: int) -> tuple[str, dict[str, Any]]:
    async with app.bot_data.sessions() as session:
        row = await session.scalar(select(Conversation).where(
            Conversation.telegram_user_id == user_id))
        return row.step, dict(row.data)


async def open_form_at_phone(person: Person) -> Sent:
    segment = await person.press(await person.say("/daftar"), "reg:consent:yes")
    await person.say(keyboard_label(segment, "🧑‍🌾"))
    await person.say("Siti Aminah")
    phone_q = await person.say(NIK_SUMBERSARI)
    assert "nomor" in phone_q.params["text"].lower()
    return phone_q


async def test_question_at_the_phone_step_is_answered_and_the_form_goes_on(
        fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 1320)
    await open_form_at_phone(person)
    before = await form_data(app, 1320)
    answer, again = await replies(person, "bentar, ini nanti bayarnya brp?", 2)
    assert opening("iuran_bpu") in answer.params["text"]
    assert "Rp16.800" in answer.params["text"]
    assert "lanjut isi formulir" in again.params["text"]
    assert "nomor" in again.params["text"].lower()
    assert "📱 Kirim nomor saya" in reply_keyboard(again)
    assert await form_data(app, 1320) == before  # nothing typed was stored
    occupation_q = await person.say("0812-3456-7890")
    assert "pekerjaan" in occupation_q.params["text"].lower()


async def test_question_that_passes_for_a_name_is_answered_once(fake_tg: FakeTelegram,
                                                                app) -> None:
    person = Person(fake_tg, 1321)
    segment = await person.press(await person.say("/daftar"), "reg:consent:yes")
    await person.say(keyboard_label(segment, "🧑‍🌾"))
    answer, again = await replies(person, "jht itu apa", 2)
    assert opening("jht_apa") in answer.params["text"]
    assert "nama lengkap" in again.params["text"].lower()
    assert "kirim sekali lagi" in again.params["text"]
    step, data = await form_data(app, 1321)
    assert step == "name" and "full_name" not in data
    nik_q = await person.say("jht itu apa")  # sent again: it is the answer
    assert "NIK" in nik_q.params["text"]


async def test_wrong_answer_that_is_no_question_still_gets_the_error(fake_tg: FakeTelegram,
                                                                    app) -> None:
    person = Person(fake_tg, 1322)
    await open_form_at_phone(person)
    reply = await person.say("0812")
    assert "nomor HP Indonesia" in reply.params["text"] or "0812 3456 7890" in reply.params[
        "text"]
    assert "lanjut isi formulir" not in reply.params["text"]


# ---------------------------------------------------------------- "Daftar minat"

async def test_join_button_under_answers_about_joining_starts_the_form(fake_tg: FakeTelegram,
                                                                      app) -> None:
    person = Person(fake_tg, 1330)
    answer = await person.say("iuran bpu berapa sebulan")
    assert ("📝 Daftar minat", "reg:join") in buttons(answer)
    consent = await person.press(answer, "reg:join")
    assert "reg:consent:yes" in [data for _, data in buttons(consent)]
    contact = await Person(fake_tg, 1331).say("nomor call centre bpjs tk berapa")
    assert "reg:join" not in [data for _, data in buttons(contact)]


async def test_join_button_during_the_form_goes_on_with_it(fake_tg: FakeTelegram,
                                                           app) -> None:
    person = Person(fake_tg, 1332)
    await open_form_at_phone(person)
    before = await form_data(app, 1332)
    answer, _again = await replies(person, "bentar, ini nanti bayarnya brp?", 2)
    phone_q = await person.press(answer, "reg:join")
    assert "nomor" in phone_q.params["text"].lower()
    assert await form_data(app, 1332) == before


async def test_no_join_button_in_groups(fake_tg: FakeTelegram, app) -> None:
    fake_tg.group_chat(-600, "Serikat Tani")
    member = Person(fake_tg, 1333).in_chat(-600)
    answer = await member.say("@SinergiBot iuran bpu berapa sebulan")
    if "faq:show:iuran_bpu" in [data for _, data in buttons(answer)]:  # "Maksud Anda ...?"
        answer = await member.press(answer, "faq:show:iuran_bpu")
    assert opening("iuran_bpu") in answer.params["text"]
    assert "reg:join" not in [data for _, data in buttons(answer)]


# ---------------------------------------------------------------- "is a form open?" in memory

def conversation_reads(app: Any) -> list[str]:
    """Every SQL statement on the conversations table the bot runs from now on."""
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "conversations" in statement:
            statements.append(statement)

    event.listen(app.bot_data.engine.sync_engine, "before_cursor_execute", seen)
    return statements


async def test_sole_receiver_reads_no_open_form_once_it_knows_there_is_none(
        fake_tg: FakeTelegram, app) -> None:
    """Long polling: the second question costs no read of the conversations table, and a
    form opened afterwards still takes the next messages."""
    person = Person(fake_tg, 1330)
    first = await person.say("iuran BPU berapa")
    assert opening("iuran_bpu") in first.params["text"]
    reads = conversation_reads(app)
    second = await person.say("apa itu JHT")
    assert opening("jht_apa") in second.params["text"]
    assert reads == []
    await open_form_at_phone(person)  # /daftar: the form takes the answers, step by step
    occupation_q = await person.say("0812-3456-7890")
    assert "pekerjaan" in occupation_q.params["text"].lower()


async def survey_step(update: Any, context: Any, state: FlowState) -> None:
    await update.effective_message.reply_text(f"survey got: {update.effective_message.text}")


async def test_behind_a_webhook_a_form_opened_by_another_instance_is_seen(
        fake_tg: FakeTelegram, settings) -> None:
    """Not the sole receiver: every message reads the row, so a flow another instance opened
    meanwhile takes the next message even after a question found none."""
    async with running_app(settings, fake_tg, sole_receiver=False) as app:
        app.bot_data.flows["survey"] = Flow(survey_step, "survey")
        person = Person(fake_tg, 1331)
        first = await person.say("iuran BPU berapa")
        assert opening("iuran_bpu") in first.params["text"]
        other = make_engine(settings.database_url)  # another instance's own connections
        try:
            await conversations.save(make_sessionmaker(other), chat_id=1331, user_id=1331,
                                     state=FlowState("survey", "name"), now=utcnow())
        finally:
            await other.dispose()
        taken = await person.say("apa itu JHT")
        assert taken.params["text"] == "survey got: apa itu JHT"
