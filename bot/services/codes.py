"""Organizers' referral codes and single-use invite tokens, both Telegram deep-link payloads.

A referral code ("SPSI-7KQ4X") is read aloud at union meetings and typed from posters, so
its random part avoids look-alikes (no 0/O, 1/I/L). An invite token is a secret: it links a
Telegram account to an organizer, so it is long and random instead. The "inv_" prefix tells
/start which of the two it got; referral codes never contain "_".

A third kind opens a private flow from a group ("go_daftar": handlers/private_only.py), so
personal data is asked for and shown in the private chat only. Its "go_" prefix is neither
an invite's nor possible in a referral code.
"""

from __future__ import annotations

import random
import re
import secrets
import unicodedata
from collections.abc import Iterable
from typing import Protocol, TypeVar

from bot.errors import InvalidReferralCode

# Deep-link payloads: letters, digits, "_" and "-", 1-64 characters (python-telegram-bot
# src/telegram/helpers.py create_deep_linked_url).
PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols: no 0, O, 1, I, L
PREFIX_ALPHABET = "23456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # a union's letters stay as written
RANDOM_LENGTH = 5  # 31**5: about 28.6 million codes
PREFIX_MAX = 8
INVITE_PREFIX = "inv_"
INVITE_BYTES = 12  # 96 bits, 16 URL-safe characters
FLOW_PREFIX = "go_"


def referral_prefix(short_name: str | None) -> str:
    """A union's short name as a code prefix: "K-SPSI" -> "KSPSI", at most 8 characters.

    Accents are dropped ("é" -> "E"); anything else outside A-Z and 2-9 is left out.
    """
    if not short_name:
        return ""
    ascii_only = unicodedata.normalize("NFKD", short_name).upper()
    return "".join(c for c in ascii_only if c in PREFIX_ALPHABET)[:PREFIX_MAX]


class Named(Protocol):
    @property
    def short_name(self) -> str: ...


U = TypeVar("U", bound=Named)


def union_with_prefix(unions: Iterable[U], word: str) -> U | None:
    """The one union whose code (its referral codes' prefix) is `word`: "kspsi" -> K-SPSI.

    None when no union or more than one has that code.
    """
    prefix = referral_prefix(word)
    if not prefix or prefix != word.upper():
        return None
    found = [union for union in unions if referral_prefix(union.short_name) == prefix]
    return found[0] if len(found) == 1 else None


def new_referral_code(prefix: str | None, rng: random.Random) -> str:
    """A fresh code like "SPSI-7KQ4X" (just "7KQ4X" without a usable prefix).

    `rng` is a `secrets.SystemRandom()` in production and a seeded `random.Random` in
    tests. Uniqueness is the caller's job: it retries when the code exists.
    """
    tail = "".join(rng.choice(CODE_ALPHABET) for _ in range(RANDOM_LENGTH))
    head = referral_prefix(prefix)
    return f"{head}-{tail}" if head else tail


def normalize_referral_code(text: str) -> str:
    """The stored form of a typed or linked code: trimmed, no spaces, upper case.

    Raises InvalidReferralCode with reason "characters" (anything but letters, digits,
    "_" and "-") or "length" (not 1-64 characters). Idempotent.
    """
    if len(text) > 256:
        raise InvalidReferralCode("length")
    # Spaces people type ("spsi 7kq4x") and invisible marks pasted from chats are dropped.
    code = "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")
    if not code or len(code) > 64:
        raise InvalidReferralCode("length")
    if not code.isascii() or not PAYLOAD.fullmatch(code):
        raise InvalidReferralCode("characters")
    return code.upper()


def new_invite_token() -> str:
    """An unguessable single-use invite payload: "inv_" and 96 random bits."""
    return INVITE_PREFIX + secrets.token_urlsafe(INVITE_BYTES)


def is_invite_payload(payload: str) -> bool:
    """Whether a /start payload is an organizer invite rather than a referral code."""
    return payload.startswith(INVITE_PREFIX) and PAYLOAD.fullmatch(payload) is not None


def flow_payload(flow: str) -> str:
    """The /start payload that opens the private flow `flow` (a command name): "go_daftar"."""
    return FLOW_PREFIX + flow


def flow_of_payload(payload: str) -> str | None:
    """The flow a "go_" payload names (maybe one that does not exist); None for any other
    payload, referral codes and invite tokens included."""
    return payload.removeprefix(FLOW_PREFIX) if payload.startswith(FLOW_PREFIX) else None
