"""Union administration: invites, deactivating referral codes and the commands' arguments,
on a real SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.errors import AlreadyOrganizer
from bot.services import group_admin, organizers, referrals
from db.models import ReferralCode
from db.session import Sessions
from tests.services.test_followup import NOW, STAFF, new_lead, stored


async def test_deactivated_code_credits_nobody_and_keeps_old_credits(
    sessions: Sessions,
) -> None:
    await organizers.create_union(sessions, name="Serikat Buruh", short_name="SB", now=NOW)
    invite = await group_admin.invite(sessions, union="SB", display_name="Budi",
                                      created_by=STAFF, now=NOW)
    info = await organizers.claim_invite(sessions, token=invite.token, telegram_user_id=778,
                                         now=NOW)
    first = await new_lead(sessions, referral_code=info.code)
    result = await group_admin.deactivate(sessions, code=info.code.lower(), by=STAFF)
    assert (result.code, result.organizer, result.leads, result.was_active) == (
        info.code, "Budi", 1, True)
    async with sessions() as session:
        with pytest.raises(referrals.UnknownReferralCode):
            await referrals.valid_code(session, info.code, 702)
        code = await session.scalar(select(ReferralCode).where(ReferralCode.code == info.code))
        assert code is not None and not code.active
    assert (await stored(sessions, first)).organizer_id == invite.organizer_id
    second = await new_lead(sessions, user=703, nik="3509081703850002", referral_code=info.code)
    assert (await stored(sessions, second)).organizer_id is None
    assert not (await group_admin.deactivate(sessions, code=info.code, by=STAFF)).was_active
    with pytest.raises(group_admin.UnknownCode):
        await group_admin.deactivate(sessions, code="NOPE-12345", by=STAFF)


@pytest.mark.parametrize(("args", "parsed"), [
    (["Serikat", "Pekerja", "Seluruh", "Indonesia", "SPSI"],
     ("Serikat Pekerja Seluruh Indonesia", "SPSI")),
    (["Serikat", "Petani", "Jember"], ("Serikat Petani Jember", None)),
    (["KSPSI"], ("KSPSI", None)),
    (["Serikat", "Buruh", "|", "Sbuh"], ("Serikat Buruh", "Sbuh")),
    ([], None), (["|", "X"], None),
])
def test_union_arguments(args: list[str], parsed: tuple[str, str | None] | None) -> None:
    assert group_admin.union_args(args) == parsed


@pytest.mark.parametrize(("args", "parsed"), [
    (["SPSI", "Budi", "Santoso"], ("SPSI", "Budi Santoso")),
    (["Serikat", "Buruh", "|", "Budi"], ("Serikat Buruh", "Budi")),
    (["SPSI"], None), ([], None), (["SPSI", "|"], None),
])
def test_invite_arguments(args: list[str], parsed: tuple[str, str] | None) -> None:
    assert group_admin.invite_args(args) == parsed


async def test_a_deactivated_organizer_can_be_invited_again(sessions: Sessions) -> None:
    await organizers.create_union(sessions, name="Serikat Buruh", short_name="SB", now=NOW)
    old = await group_admin.invite(sessions, union="SB", display_name="Budi",
                                   created_by=STAFF, now=NOW)
    info = await organizers.claim_invite(sessions, token=old.token, telegram_user_id=779,
                                         now=NOW)
    credited = await new_lead(sessions, referral_code=info.code)
    await group_admin.deactivate(sessions, code=info.code, by=STAFF)
    new = await group_admin.invite(sessions, union="SB", display_name="Budi Santoso",
                                   created_by=STAFF, now=NOW)
    again = await organizers.claim_invite(sessions, token=new.token, telegram_user_id=779,
                                          now=NOW)
    assert again.code != info.code and again.display_name == "Budi Santoso"
    assert await organizers.my_code(sessions, 779) == again
    assert (await stored(sessions, credited)).organizer_id == old.organizer_id
    # Active again: a third invite is refused as before.
    third = await group_admin.invite(sessions, union="SB", display_name="Budi",
                                     created_by=STAFF, now=NOW)
    with pytest.raises(AlreadyOrganizer):
        await organizers.claim_invite(sessions, token=third.token, telegram_user_id=779, now=NOW)
