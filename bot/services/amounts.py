"""Finds a rupiah amount in the free text workers type.

Handles "Rp 1.500.000", "1,5 jt", "1.5jt", "2 juta", "500rb", "1500000", "sejuta",
"dua juta", "satu setengah juta", "2 juta 500 ribu" and the Javanese "rong juta".
Long digit runs (NIK, phone numbers) are not money unless written after "Rp".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+", re.UNICODE)
_MAX_DIGITS = 15  # anything longer is an identifier, never a fee or an income
_MAX_VALUE = Decimal(10) ** 15
_BARE_MIN = Decimal(10_000)  # "56 tahun", "2025", "175" are not money; "1500000" is
_PHONE_DIGITS = 10  # a bare run of >= 10 digits is a NIK or a phone number

_ASCII_DIGITS = frozenset("0123456789")
_CURRENCY = frozenset({"rp", "idr", "rupiah"})
_UNITS: dict[str, Decimal] = {
    **dict.fromkeys(("juta", "jt", "jta", "jutaan", "jtan", "yuta", "yuto"), Decimal(10**6)),
    **dict.fromkeys(("ribu", "rb", "rbu", "rebu", "ribuan", "rban", "k", "ewu", "ebu"),
                    Decimal(1000)),
}
_SE_UNITS = {  # "sejuta", "seribu", Javanese "sakjuta", "sewu", Madurese "saebu"
    "sejuta": Decimal(10**6), "sakjuta": Decimal(10**6), "seribu": Decimal(1000),
    "sewu": Decimal(1000), "saebu": Decimal(1000),
}
_DIGITS: dict[str, int] = {
    "satu": 1, "siji": 1, "sak": 1, "dua": 2, "loro": 2, "rong": 2, "duwa": 2,
    "tiga": 3, "telu": 3, "telung": 3, "tello": 3, "empat": 4, "papat": 4, "patang": 4,
    "empa": 4, "lima": 5, "limo": 5, "limang": 5, "lema": 5, "enam": 6, "enem": 6, "nem": 6,
    "tujuh": 7, "pitu": 7, "pitung": 7, "delapan": 8, "wolu": 8, "wolung": 8,
    "sembilan": 9, "songo": 9, "sangang": 9, "sepuluh": 10, "sebelas": 11,
    "seratus": 100, "satus": 100,
}
_MULTIPLIERS = {"puluh": 10, "ratus": 100, "atus": 100}
_HALF = frozenset({"setengah", "stengah", "satengah", "separo"})


@dataclass(frozen=True)
class AmountMatch:
    """An amount found in text: its value in whole rupiah and where it was written."""

    value: Decimal
    start: int
    end: int


def parse_number(raw: str) -> Decimal | None:
    """Reads "1.500.000", "1,5", "1.5", "1,500,000" or "1.500.000,00"; None if malformed."""
    if not re.fullmatch(r"[0-9]+(?:[.,][0-9]+)*", raw):
        return None
    groups = re.split(r"[.,]", raw)
    if len(groups) == 1:
        return Decimal(raw)
    head, *rest = groups
    if all(len(group) == 3 for group in rest):  # thousands grouping: 1.500.000
        return Decimal(head + "".join(rest))
    *middle, last = rest
    if 1 <= len(last) <= 2 and all(len(group) == 3 for group in middle):
        return Decimal(head + "".join(middle) + "." + last)  # decimal part: 1,5 / 1.500,00
    return None


def _whole(value: Decimal) -> Decimal:
    # Amounts are whole rupiah: "Rp1.500.000,50" rounds half up to 1.500.001
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def iter_amounts(text: str) -> Iterator[AmountMatch]:
    """Yields every money amount in ``text``, left to right. Never raises."""
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    i = 0
    while i < len(tokens):
        found = _read_amount(tokens, i)
        if found is None:
            i += 1
            continue
        value, last = found
        if Decimal(0) < value < _MAX_VALUE:
            yield AmountMatch(_whole(value), tokens[i][1], tokens[last][2])
        i = last + 1


def parse_rupiah(text: str) -> Decimal | None:
    """The first money amount in ``text`` in whole rupiah, or None when there is none."""
    return next((match.value for match in iter_amounts(text)), None)


def _read_amount(tokens: list[tuple[str, int, int]], start: int) -> tuple[Decimal, int] | None:
    """Parses an amount expression starting at ``tokens[start]``; returns (value, last index).

    ``total`` holds what is already multiplied by a unit (juta, ribu), ``group`` the complete
    hundreds and tens below that unit, ``pending`` the last number not yet multiplied.
    """
    i, has_currency = start, False
    if tokens[i][0].lower() in _CURRENCY:
        has_currency = True
        i += 1
    total, group, pending, last_unit = Decimal(0), Decimal(0), Decimal(0), Decimal(0)
    has_unit = has_number = bare_ok = False
    end = None
    while i < len(tokens):
        word = tokens[i][0].lower()
        if word[0] in _ASCII_DIGITS:
            if pending or group:  # two numbers in a row: a new expression starts
                break
            number = _read_digits(word, has_currency)
            if number is None:
                break
            bare_ok = number >= _BARE_MIN and number == number.to_integral_value()
            pending, has_number = number, True
        elif word in _DIGITS:
            pending += _DIGITS[word]
            has_number = True
        elif word in _MULTIPLIERS and pending:
            group += pending * _MULTIPLIERS[word]
            pending = Decimal(0)
        elif word == "belas" and pending:
            group += pending + 10
            pending = Decimal(0)
        elif word in _SE_UNITS and not (pending or group):
            total += _SE_UNITS[word]
            last_unit, has_unit, has_number = _SE_UNITS[word], True, True
        elif word in _UNITS and (pending or group):
            total += (group + pending) * _UNITS[word]
            last_unit, group, pending, has_unit = _UNITS[word], Decimal(0), Decimal(0), True
        elif word in _HALF and has_number:
            if pending or group:  # "satu setengah juta"
                pending += Decimal("0.5")
            elif last_unit:  # "sejuta setengah", "2 juta setengah"
                total += last_unit / 2
            else:
                break
        else:
            break
        end = i
        i += 1
    if end is None or not has_number:
        return None
    if not (has_currency or has_unit or bare_ok):
        return None
    return total + group + pending, end


def _read_digits(word: str, has_currency: bool) -> Decimal | None:
    """A written number, or None when it is malformed or looks like a NIK or phone number."""
    digits = sum(ch in _ASCII_DIGITS for ch in word)
    if digits > _MAX_DIGITS:
        return None
    if not has_currency and (digits >= _PHONE_DIGITS or (word.isdigit() and word[0] == "0")):
        return None  # NIK, phone number or a code, not money
    return parse_number(word)
