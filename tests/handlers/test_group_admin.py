"""End to end: the union administration commands (/serikat_baru, /undang, /nonaktifkan,
/serikat) in the staff group, for admins only."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram
from bot.services import organizers, referrals
from tests.conftest import ADMIN
from tests.handlers.test_followup import staff, submit_lead
from tests.harness import Person
from tests.registration_helpers import make_organizer, stored_leads

INVITE_LINK = re.compile(r"https://t\.me/SinergiBot\?start=(inv_[A-Za-z0-9_-]+)")


async def test_admin_adds_a_union_and_invites_an_organizer(
    fake_tg: FakeTelegram, app: App
) -> None:
    admin = staff(fake_tg, ADMIN)
    assert "/serikat_baru" in (await admin.say("/serikat_baru")).params["text"]
    added = await admin.say("/serikat_baru Serikat Pekerja Seluruh Indonesia SPSI")
    assert "Serikat Pekerja Seluruh Indonesia" in added.params["text"]
    assert "SPSI" in added.params["text"]
    assert "/undang" in (await admin.say("/undang SPSI")).params["text"]
    assert "XYZ" in (await admin.say("/undang XYZ Budi")).params["text"]
    reply = await admin.say("/undang SPSI Budi Santoso")
    link = INVITE_LINK.search(reply.params["text"])
    assert link is not None, reply.params["text"]
    assert app.bot_data.sessions is not None
    claimed = await organizers.claim_invite(app.bot_data.sessions, token=link.group(1),
                                            telegram_user_id=601, now=datetime.now(UTC))
    assert (claimed.display_name, claimed.union_short_name) == ("Budi Santoso", "SPSI")
    listing = await staff(fake_tg).say("/serikat")
    assert "SPSI" in listing.params["text"] and "Budi Santoso" in listing.params["text"]


async def test_admin_commands_are_refused_to_other_staff(fake_tg: FakeTelegram, app: App) -> None:
    ani = staff(fake_tg)
    for command in ("/serikat_baru Serikat Buruh", "/undang SPSI Budi", "/nonaktifkan SPSI-7KQ4X"):
        assert "admin" in (await ani.say(command)).params["text"]
    assert "grup staf" in (await Person(fake_tg, ADMIN).say("/serikat")).params["text"]
    assert await stored_leads(app) == []


async def test_deactivated_code_can_no_longer_be_used(fake_tg: FakeTelegram, app: App) -> None:
    organizer_id = await make_organizer(app)
    await submit_lead(app, referral_code="SPSI-7KQ4X")
    admin = staff(fake_tg, ADMIN)
    assert "NOPE" in (await admin.say("/nonaktifkan NOPE-00000")).params["text"]
    reply = await admin.say("/nonaktifkan spsi-7kq4x")
    assert "SPSI-7KQ4X" in reply.params["text"] and "Pak Darto" in reply.params["text"]
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        try:
            await referrals.valid_code(session, "SPSI-7KQ4X", 702)
        except referrals.UnknownReferralCode:
            pass
        else:
            raise AssertionError("a deactivated code was still accepted")
    [lead] = await stored_leads(app)
    assert lead.organizer_id == organizer_id  # the existing credit stays
