"""End to end: a worker stops the /siaran news (button, /berhenti, /stop, typed words) and
takes it back (/langganan); broadcasts carry a sender line and arrive formatted, safely;
/stats counts the opt-outs (issue 15, "Broadcast opt-out")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.sandbox.telegram_html import visible_length
from bot.settings import Settings
from db.models import Lead
from tests.conftest import ADMIN, STAFF_CHAT, STAFF_MEMBER
from tests.handlers.test_broadcasts import add_leads, preview, send, summary
from tests.harness import Person, buttons, running_app

SENDER = "📢 <b>Info dari BPJS Ketenagakerjaan Kantor Cabang Jember</b>\n\n"
STOPPED = "Anda tidak akan menerima info dari BPJS Ketenagakerjaan Kantor Cabang Jember lagi"
RESUMED = "Anda akan menerima info dari BPJS Ketenagakerjaan Kantor Cabang Jember lagi"


async def opt_in(app: App, user_id: int) -> tuple[bool, bool]:
    """(broadcast_opt_in, stopped recorded) of the worker's lead."""
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        lead = await session.scalar(select(Lead).where(Lead.telegram_user_id == user_id))
        assert lead is not None
        return lead.broadcast_opt_in, lead.broadcast_opted_out_at is not None


def delivered_to(fake_tg: FakeTelegram, user_id: int) -> list[Sent]:
    return [c for c in fake_tg.sent
            if c.method == "sendMessage" and c.params.get("chat_id") == str(user_id)]


async def broadcast(fake_tg: FakeTelegram, text: str) -> Sent:
    """/siaran `text`, Kirim, and the final summary; returns the preview."""
    shown = await preview(fake_tg, text)
    await send(fake_tg, shown)
    await summary(fake_tg)
    return shown


async def test_a_broadcast_has_the_sender_line_and_a_button_that_stops_the_news(
        fake_tg: FakeTelegram, app: App) -> None:
    await add_leads(app, fake_tg, [76001, 76002])
    shown = await broadcast(fake_tg, "Sosialisasi JKK hari Sabtu di balai desa")
    got = delivered_to(fake_tg, 76001)[0]
    assert got.params["text"] == SENDER + "Sosialisasi JKK hari Sabtu di balai desa"
    assert buttons(got) == [("🔕 Berhenti menerima info", "news:off")]
    assert got.params["text"] in shown.params["text"]  # the preview shows the same message
    assert "Berhenti menerima info" in shown.params["text"]

    worker = Person(fake_tg, 76001, "Budi")
    reply = await worker.press(got, "news:off")
    assert STOPPED in reply.params["text"] and "/langganan" in reply.params["text"]
    assert await opt_in(app, 76001) == (False, True)
    # The next broadcast goes to the other worker only.
    again = await preview(fake_tg, "Info kedua")
    assert "1 pekerja akan menerima" in again.params["text"]

    back = await worker.press(reply, "🔔 Terima info lagi")
    assert RESUMED in back.params["text"] and "/berhenti" in back.params["text"]
    assert await opt_in(app, 76001) == (True, False)


async def test_berhenti_stop_and_langganan_each_confirm(fake_tg: FakeTelegram, app: App) -> None:
    await add_leads(app, fake_tg, [76101])
    worker = Person(fake_tg, 76101)
    assert STOPPED in (await worker.say("/berhenti")).params["text"]
    assert await opt_in(app, 76101) == (False, True)
    already = (await worker.say("/stop")).params["text"]
    assert "sudah tidak menerima info" in already and "/langganan" in already
    assert RESUMED in (await worker.say("/langganan")).params["text"]
    assert await opt_in(app, 76101) == (True, False)
    assert "sudah menerima info" in (await worker.say("/langganan")).params["text"]
    assert STOPPED in (await worker.say("/stop")).params["text"]
    assert await opt_in(app, 76101) == (False, True)

    stranger = Person(fake_tg, 76199)  # never registered: nothing to stop, a way to join
    assert "tidak ada di daftar penerima info" in (await stranger.say("/berhenti")).params["text"]
    assert "/daftar" in (await stranger.say("/langganan")).params["text"]


async def test_typed_words_stop_the_news(fake_tg: FakeTelegram, app: App) -> None:
    await add_leads(app, fake_tg, [76201])
    worker = Person(fake_tg, 76201)
    for words in ("stop", "Berhenti", "jgn kirim info lg", "ga usah kirim info lagi",
                  "STOP!!! makasih min"):
        reply = await worker.say(words)
        assert STOPPED in reply.params["text"], words
        assert await opt_in(app, 76201) == (False, True), words
        await worker.say("/langganan")
        assert await opt_in(app, 76201) == (True, False)


async def test_a_question_about_quitting_a_job_is_answered_not_taken_as_stop(
        fake_tg: FakeTelegram, app: App) -> None:
    await add_leads(app, fake_tg, [76301])
    worker = Person(fake_tg, 76301)
    replies = []
    for question in ("saya sudah berhenti kerja, jht bisa dicairkan?", "berhenti kerja"):
        replies.append((await worker.say(question)).params["text"])
        assert "menerima info" not in replies[-1], question
        assert await opt_in(app, 76301) == (True, False), question
    assert "JHT" in replies[0]  # answered as the question it is


def _bold_command(text: str, bold: str) -> dict[str, Any]:
    """A /siaran message with Telegram formatting: `bold` in bold (an entity)."""
    command = text.split()[0]
    return {"entities": [{"type": "bot_command", "offset": 0, "length": len(command)},
                         {"type": "bold", "offset": text.index(bold), "length": len(bold)}]}


async def test_formatting_arrives_formatted_and_safe_and_the_preview_matches(
        fake_tg: FakeTelegram, app: App) -> None:
    await add_leads(app, fake_tg, [76401])
    text = ("/siaran Sosialisasi JKK Sabtu. <i>Wajib</i> bawa KTP & KK, <Sabtu> "
            "<b>tanpa tutup, <script>x</script> <a href=\"javascript:alert(1)\">klik</a>")
    admin = Person(fake_tg, ADMIN, "Admin").in_chat(STAFF_CHAT)
    start = len(fake_tg.sent)
    message = await fake_tg.send_message(ADMIN, None, chat_id=STAFF_CHAT, first_name="Admin")
    # the fake writes only a bot_command entity: send the formatted message by hand
    message.update(text=text, **_bold_command(text, "Sosialisasi JKK Sabtu"))
    message["message_id"] += 100_000
    fake_tg.messages[(STAFF_CHAT, message["message_id"])] = message
    await fake_tg.push_update({"message": message})
    shown = await admin.reply_after(start)
    await send(fake_tg, shown)
    await summary(fake_tg)
    got = delivered_to(fake_tg, 76401)[0].params["text"]
    assert got == SENDER + (
        "<b>Sosialisasi JKK Sabtu</b>. <i>Wajib</i> bawa KTP &amp; KK, &lt;Sabtu&gt; "
        "&lt;b&gt;tanpa tutup, &lt;script&gt;x&lt;/script&gt; "
        "&lt;a href=\"javascript:alert(1)\"&gt;klik&lt;/a&gt;")
    visible_length(got)  # Telegram takes it (raises where it would refuse it)
    assert got in shown.params["text"]


async def test_stats_counts_the_opt_outs(fake_tg: FakeTelegram, app: App) -> None:
    await add_leads(app, fake_tg, [76501, 76502, 76503])
    await add_leads(app, fake_tg, [76504], opt_in=False)  # never asked: not an opt-out
    await Person(fake_tg, 76501).say("/berhenti")
    await Person(fake_tg, 76502).say("jgn kirim info lg")
    report = (await Person(fake_tg, STAFF_MEMBER).in_chat(STAFF_CHAT).say("/stats")).params
    assert "<b>Info (/siaran)</b>: 1 pekerja menerima · 2 berhenti menerima" in report["text"]


async def test_without_a_branch_name_the_sender_is_the_jember_branch(
        fake_tg: FakeTelegram, settings: Settings) -> None:
    unnamed = settings.model_copy(update={"branch_name": " "})
    async with running_app(unnamed, fake_tg) as app:
        await add_leads(app, fake_tg, [76601])
        await broadcast(fake_tg, "Info iuran")
        got = delivered_to(fake_tg, 76601)[0].params["text"]
        assert got == "📢 <b>Info dari BPJS Ketenagakerjaan Cabang Jember</b>\n\nInfo iuran"
        reply = await Person(fake_tg, 76601).say("/berhenti")
        assert "info dari BPJS Ketenagakerjaan Cabang Jember lagi" in reply.params["text"]
