"""End to end: lead cards that wait for the staff group's pace go out combined, "📞 Nomor"
shows the phone to the one who pressed it (recorded), and "terdaftar" asks for the KPJ
number (issue 15, Staff; issue 16, staff views at scale)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from telegram.ext import BaseRateLimiter

from bot.context import App, BotContext
from bot.ratelimit import RateLimitArgs
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.services import leads
from bot.services.registration import Kind, RegistrationForm
from bot.settings import Settings
from db.models import CombinedCardLead, LeadDataView
from handlers.common import tell_in_background
from handlers.lead_cards import KPJ_MARK
from tests.conftest import STAFF_CHAT, STAFF_MEMBER
from tests.harness import Person, buttons, running_app
from tests.registration_helpers import stored_leads

FORM = {"segment": "BPU", "full_name": "Siti Aminah", "nik": "3509214508900001",
        "phone": "+6281234567890", "occupation": "Petani", "kabupaten": "Jember",
        "kecamatan": "Sumbersari", "programmes": "jkk_jkm", "income_band": None}
WORKER = 701


class GroupPace(BaseRateLimiter[RateLimitArgs]):
    """The staff group's pace on a fake clock: every request into a group waits for a permit
    the test hands out (Telegram's 20 a minute: 20 permits are one minute)."""

    def __init__(self) -> None:
        self.permits = asyncio.Semaphore(0)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
        kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> Any:
        if str(data.get("chat_id", "")).startswith("-"):
            await self.permits.acquire()
        return await callback(*args, **kwargs)

    def minute(self, minutes: int = 1) -> None:
        for _ in range(20 * minutes):
            self.permits.release()


async def store_lead(app: App, index: int) -> int:
    """A lead stored and announced in the background, as the registration handler does."""
    assert app.bot_data.sessions is not None
    form = FORM | {"nik": f"350921450890{index + 1:04d}", "full_name": f"Pekerja {index}"}
    view = await leads.submit(app.bot_data.sessions, kind=Kind.SELF,
                              form=RegistrationForm.from_dict(form),
                              telegram_user_id=WORKER + index, chat_id=WORKER + index,
                              now=datetime.now(UTC))
    tell_in_background(BotContext(app),  # type: ignore[arg-type]
                       app.bot_data.lead_listeners, view.id)
    return view.id


def group_posts(fake_tg: FakeTelegram, start: int = 0) -> list[Sent]:
    return [c for c in fake_tg.sent[start:] if c.method == "sendMessage"
            and str(c.params.get("chat_id")) == str(STAFF_CHAT)]


async def until_shown(fake_tg: FakeTelegram, lead_ids: list[int]) -> None:
    """Waits until every lead's number is in a staff-group post (a card or a combined one)."""
    seen: set[int] = set()

    def all_seen(call: Sent) -> bool:
        if call.method == "sendMessage" and str(call.params.get("chat_id")) == str(STAFF_CHAT):
            seen.update(int(n) for n in re.findall(r"#(\d+)", call.params.get("text", "")))
        return set(lead_ids) <= seen

    await fake_tg.wait_for(all_seen, timeout=120)  # a hang guard, not a speed budget


def staff(fake_tg: FakeTelegram) -> Person:
    return Person(fake_tg, STAFF_MEMBER, "Ani").in_chat(STAFF_CHAT)


async def alert(fake_tg: FakeTelegram, sent: Sent, data: str, user: int = STAFF_MEMBER) -> Sent:
    """Presses a button under `sent` and returns the callback answer."""
    start = len(fake_tg.sent)
    message = fake_tg.messages[(STAFF_CHAT, sent.result["message_id"])]
    await fake_tg.press(user, message, data, "Ani")
    return await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)


async def test_a_hundred_leads_are_shown_within_a_minute_of_the_groups_pace(
    fake_tg: FakeTelegram, settings: Settings
) -> None:
    pace = GroupPace()
    async with running_app(settings, fake_tg, rate_limiter=pace) as app:
        lead_ids = [await store_lead(app, index) for index in range(100)]
        pace.minute()  # the group takes 20 messages in this minute
        await until_shown(fake_tg, lead_ids)
        posts = group_posts(fake_tg)
    # Stopping the app awaited the background task: every card is recorded now.
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        combined = set(await session.scalars(select(CombinedCardLead.lead_id)))
    # One card for the first lead, then combined cards of 20: 100 leads in 6 messages,
    # where single cards took 100 (five minutes at 20 a minute).
    assert len(posts) <= 7
    combined_posts = [p for p in posts if "leadcard:open:" in str(p.params["reply_markup"])]
    assert combined_posts and all(len(buttons(p)) <= 20 for p in combined_posts)
    first = combined_posts[0].params["text"]
    assert "Pekerja" in first and "BPU" in first and "Sumbersari, Jember" in first
    assert "3509214508900" not in first and "81234567890" not in first
    # Every lead is announced exactly once, so a restart posts none of them again.
    single = {int(m) for p in posts if p not in combined_posts
              for m in re.findall(r"#(\d+)", p.params["text"])}
    assert combined | single == set(lead_ids) and not combined & single


async def test_a_lead_in_a_combined_card_opens_its_own_card_and_is_redrawn_when_erased(
    fake_tg: FakeTelegram, settings: Settings
) -> None:
    pace = GroupPace()
    async with running_app(settings, fake_tg, rate_limiter=pace) as app:
        lead_ids = [await store_lead(app, index) for index in range(3)]
        pace.minute(5)
        await until_shown(fake_tg, lead_ids)
        [combined] = [p for p in group_posts(fake_tg)
                      if "leadcard:open:" in str(p.params["reply_markup"])]
        # Which leads wait for the combined card depends on how far the first one's turn
        # went while the others were stored (other lead listeners run too): read it.
        in_card = [int(data.rsplit(":", 1)[1]) for _label, data in buttons(combined)
                   if data.startswith("leadcard:open:")]
        opened_id, kept_id = in_card[-1], in_card[0]
        card = await staff(fake_tg).press(combined, f"leadcard:open:{opened_id}")
        assert card.method == "sendMessage" and f"#{opened_id}" in card.params["text"]
        assert f"lead:{opened_id}:terdaftar" in [data for _label, data in buttons(card)]
        # The opened card is an announcement: a status change redraws it.
        edited = await staff(fake_tg).press(card, f"lead:{opened_id}:dihubungi")
        assert edited.method == "editMessageText"
        assert int(edited.params["message_id"]) == card.result["message_id"]
        # The worker erases their data: the combined card loses the name too.
        erased, kept = lead_ids.index(opened_id), lead_ids.index(kept_id)
        worker = Person(fake_tg, WORKER + erased, "Pekerja")
        start = len(fake_tg.sent)
        await worker.press(await worker.say("/hapusdata"), "erase:yes")
        redrawn = await fake_tg.wait_for(
            lambda c: c.method == "editMessageText"
            and int(c.params["message_id"]) == combined.result["message_id"], start=start)
    assert f"Pekerja {erased}" not in redrawn.params["text"]
    assert f"Pekerja {kept}" in redrawn.params["text"]


async def test_a_single_lead_still_gets_its_own_card(fake_tg: FakeTelegram, app: App) -> None:
    lead_id = await store_lead(app, 0)
    await until_shown(fake_tg, [lead_id])
    [card] = group_posts(fake_tg)
    assert "leadcard:open:" not in str(card.params["reply_markup"])
    assert ("📞 Nomor", f"leadcard:phone:{lead_id}") in buttons(card)


async def test_the_number_button_shows_the_phone_only_in_an_alert_and_records_it(
    fake_tg: FakeTelegram, app: App
) -> None:
    lead_id = await store_lead(app, 0)
    await until_shown(fake_tg, [lead_id])
    [card] = group_posts(fake_tg)
    posts = len(group_posts(fake_tg))
    shown = await alert(fake_tg, card, f"leadcard:phone:{lead_id}")
    assert shown.params["show_alert"] in (True, "true")
    assert "+6281234567890" in shown.params["text"] and f"#{lead_id}" in shown.params["text"]
    assert len(group_posts(fake_tg)) == posts  # nothing the whole group reads
    assert not any("81234567890" in c.params.get("text", "") for c in fake_tg.sent
                   if c.method != "answerCallbackQuery")
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        [view] = await session.scalars(select(LeadDataView))
    assert (view.lead_id, view.viewed_by, view.chat_id, view.field) == (
        lead_id, STAFF_MEMBER, STAFF_CHAT, "phone")


async def test_the_number_button_outside_the_staff_group_shows_nothing(
    fake_tg: FakeTelegram, app: App
) -> None:
    """A forwarded card, or forged callback data in a private chat: refused, not recorded."""
    lead_id = await store_lead(app, 0)
    await until_shown(fake_tg, [lead_id])
    outsider = Person(fake_tg, 999, "Orang")
    reply = await outsider.say("/start")
    start = len(fake_tg.sent)
    message = fake_tg.messages[(999, reply.result["message_id"])]
    await fake_tg.press(999, message, f"leadcard:phone:{lead_id}", "Orang")
    refused = await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    assert "+62" not in refused.params["text"] and "staf" in refused.params["text"].lower()
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        assert list(await session.scalars(select(LeadDataView))) == []


async def test_terdaftar_asks_for_the_kpj_number_which_erasure_clears(
    fake_tg: FakeTelegram, app: App
) -> None:
    lead_id = await store_lead(app, 0)
    await until_shown(fake_tg, [lead_id])
    [card] = group_posts(fake_tg)
    ani = staff(fake_tg)
    start = len(fake_tg.sent)
    await ani.press(card, f"lead:{lead_id}:terdaftar")
    question = await fake_tg.wait_for(
        lambda c: c.method == "sendMessage" and c.params["text"].startswith(KPJ_MARK),
        start=start)
    assert f"#{lead_id}" in question.params["text"] and "KPJ" in question.params["text"]
    assert ("⏭️ Lewati", f"leadcard:nokpj:{lead_id}") in buttons(question)
    asked = fake_tg.messages[(STAFF_CHAT, question.result["message_id"])]
    assert "11" in (await ani.say("12345", reply_to=asked)).params["text"]
    start = len(fake_tg.sent)
    recorded = await ani.say("1234 5678 901", reply_to=asked)
    assert "KPJ" in recorded.params["text"] and f"#{lead_id}" in recorded.params["text"]
    assert "12345678901" not in recorded.params["text"]
    await fake_tg.wait_for(lambda c: c.method == "editMessageReplyMarkup"
                           and int(c.params["message_id"]) == question.result["message_id"],
                           start=start)
    [lead] = await stored_leads(app)
    assert (lead.status, lead.kpj_number) == ("terdaftar", "12345678901")
    # Shown to staff: in the number alert, to the one who asks.
    assert "12345678901" in (await alert(fake_tg, card, f"leadcard:phone:{lead_id}")
                             ).params["text"]
    worker = Person(fake_tg, WORKER, "Pekerja")
    await worker.press(await worker.say("/hapusdata"), "erase:yes")
    [lead] = await stored_leads(app)
    assert lead.erased_at is not None and lead.kpj_number is None
    erased = await alert(fake_tg, card, f"leadcard:phone:{lead_id}")
    assert "12345678901" not in erased.params["text"]
    assert "+62" not in erased.params["text"]


async def test_the_kpj_question_can_be_skipped_and_follows_the_status_command(
    fake_tg: FakeTelegram, app: App
) -> None:
    lead_id = await store_lead(app, 0)
    await until_shown(fake_tg, [lead_id])
    ani = staff(fake_tg)
    start = len(fake_tg.sent)
    await ani.say(f"/status {lead_id} terdaftar")
    question = await fake_tg.wait_for(
        lambda c: c.method == "sendMessage" and c.params["text"].startswith(KPJ_MARK),
        start=start)
    skipped = await alert(fake_tg, question, f"leadcard:nokpj:{lead_id}")
    assert f"/status {lead_id} terdaftar" in skipped.params["text"]
    await fake_tg.wait_for(lambda c: c.method == "editMessageReplyMarkup", start=start)
    [lead] = await stored_leads(app)
    assert (lead.status, lead.kpj_number) == ("terdaftar", None)
    # With the number on the command, nothing is asked.
    start = len(fake_tg.sent)
    await ani.say(f"/status {lead_id} terdaftar 12345678901")
    await ani.say(f"/status {lead_id} dihubungi")
    assert not any(c.params.get("text", "").startswith(KPJ_MARK) for c in fake_tg.sent[start:])
