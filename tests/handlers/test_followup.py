"""End to end: new leads in the staff group, status buttons and /status. The union
administration commands are in test_group_admin.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.app import build_application
from bot.context import App, BotContext
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.services import leads
from bot.services.registration import Kind, RegistrationForm
from bot.settings import Settings
from db.models import LeadNotification, LeadStatusChange
from handlers import followup as followup_handlers
from handlers.lead_cards import KPJ_MARK
from tests.conftest import STAFF_CHAT, STAFF_MEMBER
from tests.harness import Person, buttons, running_app
from tests.registration_helpers import (
    BPU_ANSWERS,
    NIK_PUGER,
    NIK_SUMBERSARI,
    make_organizer,
    register_bpu,
    stored_leads,
)

PHONE_DIGITS = "81234567890"
FORM = {"segment": "BPU", "full_name": "Siti <Aminah>", "nik": NIK_SUMBERSARI,
        "phone": "+6281234567890", "occupation": "Petani", "kabupaten": "Jember",
        "kecamatan": "Sumbersari", "programmes": "jkk_jkm", "income_band": None}


def to_chat(chat_id: int, method: str = "sendMessage") -> Callable[[Sent], bool]:
    return lambda c: c.method == method and str(c.params.get("chat_id")) == str(chat_id)


async def submit_lead(app: App, user: int = 701, **data: str) -> int:
    """A stored lead, announced as the registration handler does after storing it."""
    assert app.bot_data.sessions is not None
    view = await leads.submit(app.bot_data.sessions, kind=Kind.SELF,
                              form=RegistrationForm.from_dict(FORM | data), telegram_user_id=user,
                              chat_id=user, now=datetime.now(UTC))
    context = BotContext(app)  # type: ignore[arg-type]
    for listener in app.bot_data.lead_listeners:
        await listener(context, view.id)
    return view.id


async def announcement(fake_tg: FakeTelegram, start: int = 0) -> Sent:
    return await fake_tg.wait_for(to_chat(STAFF_CHAT), start=start)


def staff(fake_tg: FakeTelegram, user_id: int = STAFF_MEMBER) -> Person:
    return Person(fake_tg, user_id, "Ani").in_chat(STAFF_CHAT)


async def changes(app: App) -> list[tuple[str, int | None]]:
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        rows = await session.scalars(select(LeadStatusChange).order_by(LeadStatusChange.id))
        return [(row.status, row.changed_by) for row in rows]


async def test_new_lead_is_announced_without_nik_or_phone(fake_tg: FakeTelegram, app: App) -> None:
    await make_organizer(app)
    lead_id = await submit_lead(app, referral_code="SPSI-7KQ4X")
    sent = await announcement(fake_tg)
    text = sent.params["text"]
    assert f"#{lead_id}" in text and "Siti &lt;Aminah&gt;" in text and "Petani" in text
    assert "Sumbersari, Jember" in text and "SPSI" in text and "Pak Darto" in text
    assert NIK_SUMBERSARI not in text and NIK_SUMBERSARI[-4:] not in text
    assert PHONE_DIGITS not in text and "0812" not in text
    assert [data for _label, data in buttons(sent)] == [
        f"lead:{lead_id}:dihubungi", f"lead:{lead_id}:terdaftar", f"lead:{lead_id}:tidak_berminat",
        f"leadcard:phone:{lead_id}"]
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        row = await session.scalar(select(LeadNotification))
    assert row is not None and (row.lead_id, row.chat_id, row.message_id) == (
        lead_id, STAFF_CHAT, sent.result["message_id"])


async def test_pressing_terdaftar_updates_the_lead_and_the_message(
    fake_tg: FakeTelegram, app: App
) -> None:
    lead_id = await submit_lead(app)
    sent = await announcement(fake_tg)
    edited = await staff(fake_tg).press(sent, f"lead:{lead_id}:terdaftar")
    assert edited.method == "editMessageText"
    assert int(edited.params["message_id"]) == sent.result["message_id"]
    text = edited.params["text"]
    assert "Terdaftar" in text and "Ani" in text and str(datetime.now(UTC).year) in text
    assert ("✅ Terdaftar", f"lead:{lead_id}:terdaftar") in buttons(edited)
    [lead] = await stored_leads(app)
    assert lead.status == "terdaftar" and lead.kpj_number is None
    assert await changes(app) == [("minat", None), ("terdaftar", STAFF_MEMBER)]


async def test_status_command_stores_the_kpj_number(fake_tg: FakeTelegram, app: App) -> None:
    lead_id = await submit_lead(app)
    sent = await announcement(fake_tg)
    ani = staff(fake_tg)
    start = len(fake_tg.sent)
    bad = await ani.say(f"/status {lead_id} terdaftar 12345")
    assert "11" in bad.params["text"]
    reply = await ani.say(f"/status {lead_id} terdaftar 12345678901")
    assert f"#{lead_id}" in reply.params["text"] and "Terdaftar" in reply.params["text"]
    edited = await fake_tg.wait_for(to_chat(STAFF_CHAT, "editMessageText"), start=start)
    assert int(edited.params["message_id"]) == sent.result["message_id"]
    assert "12345678901" not in edited.params["text"]
    [lead] = await stored_leads(app)
    assert (lead.status, lead.kpj_number) == ("terdaftar", "12345678901")
    await ani.say(f"/status {lead_id} tidak berminat")
    assert (await stored_leads(app))[0].status == "tidak_berminat"
    assert await changes(app) == [("minat", None), ("terdaftar", STAFF_MEMBER),
                                  ("tidak_berminat", STAFF_MEMBER)]


async def test_status_command_explains_its_usage(fake_tg: FakeTelegram, app: App) -> None:
    ani = staff(fake_tg)
    assert "/status" in (await ani.say("/status")).params["text"]
    assert "#404" in (await ani.say("/status 404 dihubungi")).params["text"]
    lead_id = await submit_lead(app)
    assert "tidak_berminat" in (await ani.say(f"/status {lead_id} daftar")).params["text"]
    assert (await stored_leads(app))[0].status == "minat"


async def test_erased_lead_shows_no_name(fake_tg: FakeTelegram, app: App) -> None:
    lead_id = await submit_lead(app)
    sent = await announcement(fake_tg)
    assert app.bot_data.sessions is not None
    await leads.erase_own(app.bot_data.sessions, telegram_user_id=701, now=datetime.now(UTC))
    start = len(fake_tg.sent)
    await followup_handlers.refresh_lead(BotContext(app), lead_id)  # type: ignore[arg-type]
    redacted = await fake_tg.wait_for(to_chat(STAFF_CHAT, "editMessageText"), start=start)
    assert "Siti" not in redacted.params["text"] and "(data" in redacted.params["text"]
    edited = await staff(fake_tg).press(sent, f"lead:{lead_id}:dihubungi")
    assert "Siti" not in edited.params["text"] and "(data" in edited.params["text"]
    assert "Dihubungi" in edited.params["text"]


async def test_follow_up_is_refused_outside_the_staff_group(
    fake_tg: FakeTelegram, app: App
) -> None:
    lead_id = await submit_lead(app)
    sent = await announcement(fake_tg)
    private = await Person(fake_tg, STAFF_MEMBER).say(f"/status {lead_id} dihubungi")
    assert "grup staf" in private.params["text"]
    other = Person(fake_tg, STAFF_MEMBER).in_chat(-100999)
    fake_tg.group_chat(-100999, "Warga")
    assert "grup staf" in (await other.say(f"/status {lead_id} dihubungi")).params["text"]
    # A forwarded or copied button pressed in another group.
    start = len(fake_tg.sent)
    fake_tg.messages[(-100999, sent.result["message_id"])] = {
        **fake_tg.messages[(STAFF_CHAT, sent.result["message_id"])],
        "chat": fake_tg.chats[-100999]}
    await fake_tg.press(STAFF_MEMBER, fake_tg.messages[(-100999, sent.result["message_id"])],
                        f"lead:{lead_id}:terdaftar")
    alert = await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    assert alert.params["show_alert"] in (True, "true")
    assert (await stored_leads(app))[0].status == "minat"


# FOR THE LEAD: this one runs the real registration form (tests.registration_helpers);
# it needs handlers.registration in bot.app.FEATURES before handlers.followup.
async def test_registered_worker_is_announced_to_staff(fake_tg: FakeTelegram, app: App) -> None:
    siti = Person(fake_tg, 701, "Siti")
    summary = await register_bpu(siti)
    start = len(fake_tg.sent)
    await siti.press(summary, "reg:confirm")
    sent = await announcement(fake_tg, start)
    assert BPU_ANSWERS["name"] in sent.params["text"]
    assert NIK_SUMBERSARI not in sent.params["text"] and PHONE_DIGITS not in sent.params["text"]
    edited = await staff(fake_tg).press(sent, "Terdaftar")
    assert "Terdaftar" in edited.params["text"]
    assert (await stored_leads(app))[0].status == "terdaftar"


async def test_a_card_waiting_for_the_staff_group_does_not_hold_up_the_worker(
    fake_tg: FakeTelegram, app: App
) -> None:
    """Telegram takes about 20 messages a minute into one group: when a union meeting
    registers at once, the staff cards queue. The worker is answered meanwhile."""
    siti = Person(fake_tg, 701, "Siti")
    summary = await register_bpu(siti)
    fake_tg.inject("hold", method="sendMessage", chat_id=STAFF_CHAT)
    thanks = await siti.press(summary, "reg:confirm")
    assert "tercatat" in thanks.params["text"]
    answer = await siti.say("/datasaya")  # the same worker's next message
    assert BPU_ANSWERS["name"] in answer.params["text"]
    assert not [call for call in fake_tg.sent if to_chat(STAFF_CHAT)(call)]  # still held
    start = len(fake_tg.sent)
    fake_tg.release_held()
    card = await announcement(fake_tg, start)
    assert BPU_ANSWERS["name"] in card.params["text"]
    edited = await staff(fake_tg).press(card, "Terdaftar")  # its buttons find the lead
    assert "Terdaftar" in edited.params["text"]


async def test_a_card_lost_with_the_process_is_posted_at_the_next_start(
    fake_tg: FakeTelegram, settings: Settings
) -> None:
    """Stopped while a card waited for Telegram's pace: the lead is stored, and the next
    start shows staff the leads no group has seen, and only those."""
    async with running_app(settings, fake_tg) as app:
        await submit_lead(app)  # stored and announced
        await announcement(fake_tg)
        assert app.bot_data.sessions is not None
        await leads.submit(  # stored, the card never sent
            app.bot_data.sessions, kind=Kind.SELF, telegram_user_id=702, chat_id=702,
            form=RegistrationForm.from_dict(
                FORM | {"full_name": "Budi Santoso", "nik": NIK_PUGER, "kecamatan": "Puger"}),
            now=datetime.now(UTC))
    start = len(fake_tg.sent)
    async with running_app(settings, fake_tg):
        card = await announcement(fake_tg, start)
        assert "Budi Santoso" in card.params["text"]
        edited = await staff(fake_tg).press(card, "Terdaftar")  # its buttons find the lead
        assert "Terdaftar" in edited.params["text"]
    # Besides the card, only the question for the KPJ number that Terdaftar asks.
    assert [c.params["text"] for c in fake_tg.sent[start:] if to_chat(STAFF_CHAT)(c)
            and not c.params["text"].startswith(KPJ_MARK)] == [card.params["text"]]


async def test_erasure_redraws_the_staff_announcement(fake_tg, app) -> None:
    from tests.conftest import STAFF_CHAT
    from tests.harness import Person
    from tests.registration_helpers import register_bpu

    siti = Person(fake_tg, 4242, "Siti")
    summary = await register_bpu(siti)
    await siti.press(summary, "reg:confirm")
    notice = await fake_tg.wait_for(
        lambda c: str(c.params.get("chat_id")) == str(STAFF_CHAT)
        and "Siti Aminah" in c.params.get("text", ""))
    done = await siti.press(await siti.say("/hapusdata"), "erase:yes")
    assert "dihapus" in done.params["text"]
    redrawn = await fake_tg.wait_for(
        lambda c: c.method == "editMessageText"
        and c.params.get("message_id") in (notice.result["message_id"],
                                           str(notice.result["message_id"]))
        and "Siti Aminah" not in c.params.get("text", ""))
    assert "data dihapus" in redrawn.params["text"]


async def test_erasure_while_the_card_waits_leaves_no_name_in_the_group(
    fake_tg: FakeTelegram, app: App
) -> None:
    """The card was drawn with the name, then waited for the group's pace while the worker
    erased their data: once it is posted it is drawn again, without the name."""
    siti = Person(fake_tg, 4243, "Siti")
    summary = await register_bpu(siti)
    fake_tg.inject("hold", method="sendMessage", chat_id=STAFF_CHAT)
    await siti.press(summary, "reg:confirm")
    done = await siti.press(await siti.say("/hapusdata"), "erase:yes")
    assert "dihapus" in done.params["text"]
    start = len(fake_tg.sent)
    fake_tg.release_held()
    card = await announcement(fake_tg, start)
    shown = fake_tg.messages[(STAFF_CHAT, card.result["message_id"])]  # as the group sees it
    await fake_tg.wait_for(lambda _: BPU_ANSWERS["name"] not in shown["text"], start=start)
    assert "data dihapus" in shown["text"]


def test_only_a_sole_receiver_posts_missed_cards_at_start(settings: Settings) -> None:
    """Behind a webhook another instance may still have those cards on their way."""
    polling = build_application(settings)
    webhook = build_application(settings, sole_receiver=False)
    assert polling.job_queue is not None and webhook.job_queue is not None
    assert polling.job_queue.get_jobs_by_name("announce_missed")
    assert not webhook.job_queue.get_jobs_by_name("announce_missed")


async def test_cards_go_one_at_a_time_and_a_question_to_staff_gets_in_between(
    fake_tg: FakeTelegram, app: App
) -> None:
    """Queued at Telegram, a backlog of cards would hold a worker's question to staff for
    minutes at the group's pace; posted one at a time, the question waits for one card."""
    fake_tg.inject("hold", method="sendMessage", chat_id=STAFF_CHAT)  # the first card waits
    names = ["Siti Aminah", "Dewi Lestari", "Rina Wati"]
    niks = [NIK_SUMBERSARI, "3509214508900002", "3509214508900003"]
    for n, (name, nik) in enumerate(zip(names, niks, strict=True)):
        worker = Person(fake_tg, 711 + n, name.split()[0])
        await worker.press(await register_bpu(worker, name=name, nik=nik), "reg:confirm")
    asking = Person(fake_tg, 720, "Budi")
    confirmation = await asking.say("/petugas Kapan kantor cabang buka hari Sabtu?")
    assert "#" in confirmation.params["text"]
    # The question's copy goes to the group while the first card is still held.
    await fake_tg.wait_for(lambda c: to_chat(STAFF_CHAT)(c)
                           and "Kapan kantor cabang buka" in c.params["text"])
    fake_tg.release_held()
    for name in names:
        await fake_tg.wait_for(lambda c, name=name: to_chat(STAFF_CHAT)(c)
                               and name in c.params["text"])
    posted = [c.params["text"] for c in fake_tg.sent if to_chat(STAFF_CHAT)(c)]
    assert "Kapan kantor cabang buka" in posted[0]
    # The two cards that waited behind the first go out as one combined card.
    assert [next(i for i, text in enumerate(posted) if name in text) for name in names] == [
        1, 2, 2]


async def test_a_failing_lead_listener_is_logged_and_the_cards_go_on(
    fake_tg: FakeTelegram, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(context: BotContext, lead_id: int) -> None:
        raise RuntimeError("listener failed")

    app.bot_data.lead_listeners.insert(0, broken)
    for n, nik in enumerate((NIK_SUMBERSARI, "3509214508900002")):
        worker = Person(fake_tg, 731 + n, "Siti")
        await worker.press(await register_bpu(worker, nik=nik), "reg:confirm")
    await fake_tg.wait_for(lambda c: len([x for x in fake_tg.sent if to_chat(STAFF_CHAT)(x)]) == 2)
    logged = [r.getMessage() for r in caplog.records if r.name == "handlers.errors"]
    assert logged == ["error while handling update=None: RuntimeError"] * 2
