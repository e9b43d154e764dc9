"""Unions, organizer invites, codes and recaps, on a real SQLite file with the migrations."""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import (
    AlreadyOrganizer,
    InvalidName,
    InviteExpired,
    InviteUnknown,
    InviteUsed,
    UnionExists,
    UnknownUnion,
)
from bot.services import codes, organizers
from bot.services.referrals import GUESS_LIMIT, GUESS_WINDOW, TooManyGuesses
from db.models import Lead
from db.session import Sessions

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


async def invite(sessions: Sessions, name: str = "Budi", now: datetime = NOW) -> str:
    if not await organizers.list_unions(sessions):
        await organizers.create_union(sessions, name="Serikat Pekerja Seluruh Indonesia",
                                      short_name="SPSI", now=NOW)
    token, _organizer_id = await organizers.create_invite(
        sessions, union="spsi", display_name=name, created_by=None, now=now, valid_for=WEEK
    )
    return token


async def add_lead(sessions: Sessions, organizer_id: int | None, status: str, age: int) -> None:
    when = NOW - timedelta(days=age)
    async with sessions.begin() as session:
        session.add(Lead(segment="BPU", programmes="jkk_jkm", consent_at=when,
                         consent_version="1", source="self", status=status,
                         organizer_id=organizer_id, created_at=when, updated_at=when))


async def test_claimed_invite_links_the_account_and_gives_a_code(sessions: Sessions) -> None:
    token = await invite(sessions)
    assert codes.is_invite_payload(token)
    info = await organizers.claim_invite(sessions, token=token, telegram_user_id=77, now=NOW)
    assert (info.display_name, info.union_short_name) == ("Budi", "SPSI")
    assert codes.normalize_referral_code(info.code) == info.code
    assert await organizers.my_code(sessions, 77) == info
    assert await organizers.my_code(sessions, 78) is None


async def test_short_name_defaults_to_initials(sessions: Sessions) -> None:
    union = await organizers.create_union(
        sessions, name="  Konfederasi Serikat  Pekerja Indonesia ", short_name=None, now=NOW
    )
    assert (union.name, union.short_name) == ("Konfederasi Serikat Pekerja Indonesia", "KSPI")


async def test_union_names_must_be_unique_and_sensible(sessions: Sessions) -> None:
    await organizers.create_union(sessions, name="Serikat Buruh", short_name="SB", now=NOW)
    with pytest.raises(UnionExists):
        await organizers.create_union(sessions, name="serikat buruh", short_name="X", now=NOW)
    with pytest.raises(UnionExists):
        await organizers.create_union(sessions, name="Lain", short_name="sb", now=NOW)
    with pytest.raises(InvalidName):
        await organizers.create_union(sessions, name="   ", short_name="Y", now=NOW)


async def test_invite_for_an_unknown_union_is_refused(sessions: Sessions) -> None:
    with pytest.raises(UnknownUnion):
        await organizers.create_invite(sessions, union="NOPE", display_name="Budi",
                                       created_by=None, now=NOW, valid_for=WEEK)


async def test_an_invite_works_once(sessions: Sessions) -> None:
    token = await invite(sessions)
    await organizers.claim_invite(sessions, token=token, telegram_user_id=77, now=NOW)
    with pytest.raises(InviteUsed):
        await organizers.claim_invite(sessions, token=token, telegram_user_id=88, now=NOW)
    with pytest.raises(AlreadyOrganizer):  # the same organizer opening the link again
        await organizers.claim_invite(sessions, token=token, telegram_user_id=77, now=NOW)


async def test_expired_and_unknown_invites_are_refused(sessions: Sessions) -> None:
    token = await invite(sessions)
    with pytest.raises(InviteExpired):
        await organizers.claim_invite(sessions, token=token, telegram_user_id=77,
                                      now=NOW + WEEK)
    with pytest.raises(InviteUnknown):
        await organizers.claim_invite(sessions, token=token + "x", telegram_user_id=77, now=NOW)
    assert await organizers.my_code(sessions, 77) is None


async def test_unknown_invite_links_count_as_wrong_guesses(sessions: Sessions) -> None:
    token = await invite(sessions)
    for n in range(GUESS_LIMIT):
        with pytest.raises(InviteUnknown):
            await organizers.claim_invite_link(sessions, token=f"inv_{n}x",
                                               telegram_user_id=77, now=NOW)
    with pytest.raises(TooManyGuesses):  # before the token is looked at, even a right one
        await organizers.claim_invite_link(sessions, token=token, telegram_user_id=77, now=NOW)
    with pytest.raises(InviteExpired):  # an expired invite is no guess: not counted
        await organizers.claim_invite_link(sessions, token=token, telegram_user_id=88,
                                           now=NOW + WEEK)
    info = await organizers.claim_invite_link(sessions, token=token, telegram_user_id=77,
                                              now=NOW + GUESS_WINDOW)
    assert info.display_name == "Budi"


async def test_an_organizer_cannot_claim_a_second_invite(sessions: Sessions) -> None:
    first, second = await invite(sessions, "Budi"), await invite(sessions, "Ani")
    await organizers.claim_invite(sessions, token=first, telegram_user_id=77, now=NOW)
    with pytest.raises(AlreadyOrganizer):
        await organizers.claim_invite(sessions, token=second, telegram_user_id=77, now=NOW)
    info = await organizers.claim_invite(sessions, token=second, telegram_user_id=88, now=NOW)
    assert info.display_name == "Ani"


async def test_a_code_collision_is_retried(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await organizers.claim_invite(sessions, token=await invite(sessions),
                                          telegram_user_id=77, now=NOW)
    fresh = codes.new_referral_code("SPSI", secrets.SystemRandom())
    proposals = itertools.chain([first.code, first.code], itertools.repeat(fresh))
    monkeypatch.setattr(codes, "new_referral_code", lambda *_args: next(proposals))
    second = await organizers.claim_invite(sessions, token=await invite(sessions, "Ani"),
                                           telegram_user_id=88, now=NOW)
    assert second.code == fresh != first.code


async def test_recap_counts_leads_by_status_per_window(sessions: Sessions) -> None:
    info = await organizers.claim_invite(sessions, token=await invite(sessions),
                                         telegram_user_id=77, now=NOW)
    other = await organizers.claim_invite(sessions, token=await invite(sessions, "Ani"),
                                          telegram_user_id=88, now=NOW)
    for status, age in [("minat", 1), ("minat", 6), ("dihubungi", 10), ("terdaftar", 29),
                        ("tidak_berminat", 45), ("terdaftar", 100)]:
        await add_lead(sessions, info.id, status, age)
    await add_lead(sessions, other.id, "minat", 1)
    await add_lead(sessions, None, "minat", 1)
    recap = await organizers.recap(sessions, 77, NOW)
    assert recap is not None
    assert recap.last_7_days == {"minat": 2, "dihubungi": 0, "terdaftar": 0,
                                 "tidak_berminat": 0}
    assert recap.last_30_days == {"minat": 2, "dihubungi": 1, "terdaftar": 1,
                                  "tidak_berminat": 0}
    assert recap.total == {"minat": 2, "dihubungi": 1, "terdaftar": 2, "tidak_berminat": 1}
    assert await organizers.recap(sessions, 99, NOW) is None


async def test_union_list_shows_organizers_codes_and_lead_counts(sessions: Sessions) -> None:
    info = await organizers.claim_invite(sessions, token=await invite(sessions),
                                         telegram_user_id=77, now=NOW)
    await invite(sessions, "Ani")
    await add_lead(sessions, info.id, "minat", 1)
    [union] = await organizers.list_unions(sessions)
    budi, ani = union.organizers
    assert (budi.display_name, budi.linked, budi.code, budi.leads) == ("Budi", True, info.code, 1)
    assert (ani.display_name, ani.linked, ani.code, ani.leads) == ("Ani", False, None, 0)
