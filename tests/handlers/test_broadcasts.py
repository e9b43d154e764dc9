"""End to end: /siaran previews, sends once to every opted-in worker, survives restarts."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.settings import Settings
from db.models import Broadcast, BroadcastDelivery, Lead, User
from tests.conftest import ADMIN, STAFF_CHAT, STAFF_MEMBER
from tests.harness import Person, buttons, running_app

WORKERS = list(range(70001, 70009))


async def add_leads(app: App, fake_tg: FakeTelegram, user_ids: list[int], *,
                    opt_in: bool = True, erased: bool = False) -> None:
    assert app.bot_data.sessions is not None
    now = datetime.now(UTC)
    async with app.bot_data.sessions.begin() as session:
        for user_id in user_ids:
            session.add(Lead(
                segment="BPU", programmes="JKK,JKM", consent_at=now, consent_version="1",
                broadcast_opt_in=opt_in, source="self", telegram_user_id=user_id,
                status="minat", created_at=now, updated_at=now,
                erased_at=now if erased else None))
            session.add(User(telegram_user_id=user_id, first_seen=now, last_seen=now))
            fake_tg.user_chat(user_id)


def sends_to(fake_tg: FakeTelegram) -> Counter[int]:
    return Counter(int(c.params["chat_id"]) for c in fake_tg.sent
                   if c.method == "sendMessage" and int(c.params["chat_id"]) > 0)


async def preview(fake_tg: FakeTelegram, text: str = "Sosialisasi JKK <Sabtu> di balai desa") \
        -> Sent:
    return await Person(fake_tg, ADMIN, "Admin").in_chat(STAFF_CHAT).say(f"/siaran {text}")


async def send(fake_tg: FakeTelegram, shown: Sent) -> None:
    data = next(data for _, data in buttons(shown) if data.startswith("bc:send:"))
    await Person(fake_tg, ADMIN, "Admin").in_chat(STAFF_CHAT).press(shown, data)


def is_summary(call: Sent) -> bool:
    """The final summary in the group (progress messages start with 📤)."""
    return (call.method in ("editMessageText", "sendMessage")
            and str(call.params.get("chat_id")) == str(STAFF_CHAT)
            and call.params.get("text", "").startswith("✅") and "#1" in call.params["text"])


async def summary(fake_tg: FakeTelegram, timeout: float = 15.0) -> Sent:
    return await fake_tg.wait_for(is_summary, timeout)


async def test_non_admin_is_refused(fake_tg: FakeTelegram, app: App) -> None:
    await add_leads(app, fake_tg, WORKERS[:2])
    reply = await Person(fake_tg, STAFF_MEMBER).in_chat(STAFF_CHAT).say("/siaran halo semua")
    assert "admin" in reply.params["text"].lower()
    assert not buttons(reply)


async def test_preview_then_send_reaches_each_opted_in_worker_once(fake_tg: FakeTelegram,
                                                                   app: App) -> None:
    await add_leads(app, fake_tg, WORKERS[:5])
    await add_leads(app, fake_tg, [71001], opt_in=False)
    await add_leads(app, fake_tg, [71002], erased=True)
    await add_leads(app, fake_tg, [71003])
    fake_tg.blocked.add(71003)
    shown = await preview(fake_tg)
    assert "6" in shown.params["text"] and "&lt;Sabtu&gt;" in shown.params["text"]
    # A 429 in the middle: AIORateLimiter waits and retries, nothing is lost.
    for _ in range(3):
        fake_tg.inject("delay", method="sendMessage", delay=0)
    fake_tg.inject("retry_after", method="sendMessage", retry_after=1)
    await send(fake_tg, shown)
    done = await summary(fake_tg)
    assert "5" in done.params["text"] and "6" in done.params["text"]
    assert sends_to(fake_tg) == Counter({user_id: 1 for user_id in WORKERS[:5]})
    delivered = [c for c in fake_tg.sent if c.params.get("chat_id") == str(WORKERS[0])]
    assert delivered[0].params["text"] == (
        "📢 <b>Info dari BPJS Ketenagakerjaan Kantor Cabang Jember</b>\n\n"
        "Sosialisasi JKK &lt;Sabtu&gt; di balai desa")
    assert delivered[0].params["text"] in shown.params["text"]  # the preview showed it
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        blocked = await session.get(BroadcastDelivery, (1, 71003))
        assert blocked is not None and blocked.status == "blocked"
        user = await session.get(User, 71003)
        assert user is not None and user.blocked_at is not None
    # Pressing Kirim again sends nothing more.
    start = len(fake_tg.sent)
    await fake_tg.press(ADMIN, fake_tg.messages[(STAFF_CHAT, shown.result["message_id"])],
                        "bc:send:1")
    alert = await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    assert alert.params.get("show_alert") in (True, "true")
    assert sends_to(fake_tg) == Counter({user_id: 1 for user_id in WORKERS[:5]})


async def test_cancel_sends_nothing(fake_tg: FakeTelegram, app: App) -> None:
    await add_leads(app, fake_tg, WORKERS[:2])
    shown = await preview(fake_tg)
    await Person(fake_tg, ADMIN).in_chat(STAFF_CHAT).press(shown, "bc:cancel:1")
    assert sends_to(fake_tg) == Counter()


async def test_stop_ends_a_broadcast_under_way(fake_tg: FakeTelegram, app: App) -> None:
    workers = list(range(74001, 74021))
    await add_leads(app, fake_tg, workers)
    shown = await preview(fake_tg)
    for _ in range(40):
        fake_tg.inject("delay", method="sendMessage", delay=0.1)
    await send(fake_tg, shown)
    sending = await fake_tg.wait_for(
        lambda c: c.method == "sendMessage" and c.params.get("text", "").startswith("📤"))
    assert ("⏹ Hentikan", "bc:stop:1") in buttons(sending)
    await fake_tg.wait_for(lambda c: c.method == "sendMessage"
                           and c.params.get("chat_id") == str(workers[2]), timeout=15)

    async def press_stop(person: Person) -> Sent:
        # The progress edits go on meanwhile: wait for the answer to this button.
        start = len(fake_tg.sent)
        message = fake_tg.messages[(STAFF_CHAT, sending.result["message_id"])]
        await fake_tg.press(person.user_id, message, "bc:stop:1", person.first_name)
        return await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)

    staff = Person(fake_tg, STAFF_MEMBER).in_chat(STAFF_CHAT)
    refused = await press_stop(staff)  # administrators only
    assert refused.params.get("show_alert")
    admin = Person(fake_tg, ADMIN, "Admin").in_chat(STAFF_CHAT)
    assert (await press_stop(admin)).params["text"] == "Menghentikan siaran…"
    stopped = await fake_tg.wait_for(
        lambda c: c.params.get("text", "").startswith("⏹ Siaran #1 dihentikan"), timeout=15)
    assert "reply_markup" not in stopped.params or not buttons(stopped)  # the button went
    counts = await _deliveries(app)
    assert counts["stopped"] > 0 and counts["pending"] == counts["sending"] == 0
    assert counts["sent"] + counts["stopped"] == len(workers)
    delivered = sum(sends_to(fake_tg).values())
    assert delivered == counts["sent"] < len(workers)
    assert f"{counts['stopped']} pekerja tidak menerimanya" in stopped.params["text"]
    assert "tidak sedang dikirim" in (await press_stop(admin)).params["text"]
    await asyncio.sleep(0.5)
    assert sum(sends_to(fake_tg).values()) == delivered  # nothing more went out


async def _deliveries(app: App) -> Counter[str]:
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        return Counter(await session.scalars(select(BroadcastDelivery.status)))


async def test_broadcast_interrupted_by_a_restart_finishes_once(
        fake_tg: FakeTelegram, settings: Settings) -> None:
    workers = list(range(72001, 72021))
    async with running_app(settings, fake_tg) as first:
        await add_leads(first, fake_tg, workers)
        shown = await preview(fake_tg)
        for _ in range(40):
            fake_tg.inject("delay", method="sendMessage", delay=0.1)
        await send(fake_tg, shown)
        await fake_tg.wait_for(lambda c: c.method == "sendMessage"
                               and c.params.get("chat_id") == str(workers[7]), timeout=15)
    left = await _deliveries(first)
    assert left["pending"] > 0 and left["sending"] == 0
    fake_tg.faults.clear()
    async with running_app(settings, fake_tg) as second:
        await summary(fake_tg)
        assert await _deliveries(second) == Counter({"sent": len(workers)})
    assert sends_to(fake_tg) == Counter({user_id: 1 for user_id in workers})


async def test_two_instances_resuming_send_once_and_report_unknown(
        fake_tg: FakeTelegram, settings: Settings) -> None:
    workers = list(range(73001, 73031))
    async with running_app(settings, fake_tg) as setup:
        await add_leads(setup, fake_tg, workers)
        assert setup.bot_data.sessions is not None
        now = datetime.now(UTC)
        async with setup.bot_data.sessions.begin() as session:
            # Left by a crashed instance: its lease expired, one delivery caught mid-send.
            session.add(Broadcast(id=1, text="Info iuran", created_by=ADMIN, chat_id=STAFF_CHAT,
                                  status="sending", lease_owner="crashed",
                                  lease_until=now - timedelta(seconds=5), created_at=now))
            await session.flush()
            for user_id in workers:
                session.add(BroadcastDelivery(
                    broadcast_id=1, telegram_user_id=user_id,
                    status="sending" if user_id == workers[0] else "pending", updated_at=now))
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(running_app(settings, fake_tg))
        await stack.enter_async_context(running_app(settings, fake_tg))
        await summary(fake_tg)
        assert await _deliveries(setup) == Counter({"sent": len(workers) - 1, "sending": 1})
    assert sends_to(fake_tg) == Counter({user_id: 1 for user_id in workers[1:]})
    assert len([c for c in fake_tg.sent if is_summary(c)]) == 1
