"""200 workers registering at the same time end as exactly 200 leads, correctly credited."""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.sandbox.fake_telegram import FakeTelegram
from bot.settings import Settings
from tests.harness import Person, running_app
from tests.registration_helpers import make_organizer, register_bpu, stored_leads

WORKERS = 200


async def _register(fake_tg: FakeTelegram, index: int, code: str) -> None:
    user_id = 20_000 + index
    start = len(fake_tg.sent)
    await fake_tg.send_message(user_id, f"/start {code}")
    await fake_tg.wait_for(lambda c: "datang lewat" in c.params.get("text", "")
                           and c.params.get("chat_id") in (user_id, str(user_id)),
                           timeout=300, start=start)
    person = Person(fake_tg, user_id, f"Pekerja{index}", timeout=300)
    summary = await register_bpu(person, nik=f"350921450890{index + 1:04d}",
                                 name="Pekerja " + "".join(chr(97 + int(d)) for d in str(index)))
    start = len(fake_tg.sent)
    await person.press(summary, "reg:confirm")
    await fake_tg.wait_for(lambda c: "tercatat" in c.params.get("text", "")
                           and c.params.get("chat_id") in (user_id, str(user_id)),
                           timeout=300, start=start)


async def test_two_hundred_concurrent_registrations(fake_tg: FakeTelegram,
                                                    settings: Settings) -> None:
    async with running_app(settings, fake_tg, rate_limiter=False) as app:
        spsi = await make_organizer(app, code="SPSI-AAAAA", telegram_user_id=1)
        sbsi = await make_organizer(app, code="SBSI-BBBBB", telegram_user_id=2,
                                    union="SBSI", short="SBSI")
        codes = {0: "SPSI-AAAAA", 1: "SBSI-BBBBB"}
        # 900 s: a hang guard, not a speed budget.
        await asyncio.wait_for(asyncio.gather(
            *(_register(fake_tg, i, codes[i % 2]) for i in range(WORKERS))), 900)
        leads = await stored_leads(app)
    assert len(leads) == WORKERS
    assert len({lead.nik for lead in leads}) == WORKERS
    assert len({lead.telegram_user_id for lead in leads}) == WORKERS
    credited = Counter(lead.organizer_id for lead in leads)
    assert credited == {spsi: WORKERS // 2, sbsi: WORKERS // 2}
    for lead in leads:
        expected = spsi if (lead.telegram_user_id - 20_000) % 2 == 0 else sbsi
        assert lead.organizer_id == expected
