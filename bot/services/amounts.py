"""Finds a rupiah amount in the free text workers type.

Handles "Rp 1.500.000", "1,5 jt", "1.5jt", "2 juta", "500rb", "1500000", "sejuta",
"dua juta", "satu setengah juta", "2 juta 500 ribu" and the Javanese "rong juta".
Long digit runs (NIK, phone numbers) are not money unless written after "Rp".
``find_income`` also reads the period an income is for ("100rb sehari", "600 ribu per
minggu", "2 juta sebulan"). The scan is linear in the length of the text and bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+", re.UNICODE)
_MAX_DIGITS = 15  # anything longer is an identifier, never a fee or an income
_MAX_VALUE = Decimal(10) ** 15
_BARE_MIN = Decimal(10_000)  # "56 tahun", "2025", "175" are not money; "1500000" is
_PHONE_DIGITS = 10  # a bare run of >= 10 digits is a NIK or a phone number
MAX_TOKENS = 4096  # Telegram's longest message (4.096 characters) cannot hold more

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
_STARTERS = _CURRENCY | _DIGITS.keys() | _SE_UNITS.keys()  # words an amount can begin with


class Period(StrEnum):
    """What an income is counted per."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


# Words that say the period on their own: "sehari", "perminggu", "sebulan", Javanese "sedino",
# "sesasi", Madurese "saare", "sabulan".
_PERIOD_WORDS: dict[str, Period] = {
    **dict.fromkeys(("sehari", "sehri", "shari", "seari", "perhari", "harian", "sedino",
                     "sedina", "sadino", "saare", "sahari", "daily"), Period.DAY),
    **dict.fromkeys(("seminggu", "semingu", "sminggu", "perminggu", "mingguan", "sepekan",
                     "perpekan", "pekanan", "saminggu", "weekly"), Period.WEEK),
    **dict.fromkeys(("sebulan", "sebln", "sbln", "perbulan", "bulanan", "sesasi", "sasasi",
                     "sewulan", "sabulan", "sebulane", "monthly"), Period.MONTH),
    **dict.fromkeys(("setahun", "pertahun", "tahunan", "setaun", "sataon", "yearly"),
                    Period.YEAR),
}
# Words that say it only after "per", "tiap", "se-" as a separate word, or right after a
# "/" ("100rb/hari"): alone, "hari" may be "hari ini" and "tahun" an age.
_PERIOD_UNITS: dict[str, Period] = {
    **dict.fromkeys(("hari", "hr", "dino", "dina", "are", "day"), Period.DAY),
    **dict.fromkeys(("minggu", "mgg", "pekan", "week"), Period.WEEK),
    **dict.fromkeys(("bulan", "bln", "sasi", "wulan", "bulane", "month"), Period.MONTH),
    **dict.fromkeys(("tahun", "thn", "taun", "taon", "year"), Period.YEAR),
}
_PER = frozenset({"per", "tiap", "setiap", "saben", "sak", "se", "sa", "satu", "1", "a"})
_PERIOD_WINDOW = 3  # a period word counts within this many words of the amount


@dataclass(frozen=True)
class AmountMatch:
    """An amount found in text: its value in whole rupiah and where it was written."""

    value: Decimal
    start: int
    end: int


def parse_number(raw: str) -> Decimal | None:
    """Reads "1.500.000", "1,5", "1.5", "1,500,000" or "1.500.000,00"; None if malformed."""
    if raw.isascii() and raw.isdigit():  # the common case, without the regular expressions
        return Decimal(raw)
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


@dataclass(frozen=True)
class Income:
    """An amount of money with the period it is earned in; None when the text does not say."""

    amount: Decimal
    period: Period | None


@dataclass
class ScanWork:
    """What one scan cost: tokens read from the text and token steps taken over them.

    The scan is linear: ``steps <= 2 * tokens`` (each token is read once inside an amount
    expression and at most once more as the start of the next one), and ``tokens`` never
    exceeds ``MAX_TOKENS``. Tests assert these bounds instead of timing the scan.
    """

    tokens: int = 0
    steps: int = 0


def _tokens(text: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for match in _TOKEN.finditer(text):
        if len(found) == MAX_TOKENS:
            break
        found.append((match.group(), match.start(), match.end()))
    return found


def _scan(
    tokens: list[tuple[str, int, int]], work: ScanWork | None
) -> Iterator[tuple[Decimal, int, int]]:
    """Yields (value, first token, last token) of every amount, left to right.

    When an expression is read and turns out not to be money ("nem nem nem", "dua puluh"
    without "ribu"), the next try starts at the token that ended it, not at the token after
    its start: no later start inside it can reach a unit, a "Rp" or a large bare number that
    the first try did not (tests/services/test_amounts.py compares this with trying every start).
    Without that skip a message of 2.048 number words took 2 million steps.
    """
    if work is not None:
        work.tokens = len(tokens)
    i = 0
    while i < len(tokens):
        word = tokens[i][0]
        if word[0] not in _ASCII_DIGITS and word.lower() not in _STARTERS:
            if work is not None:  # no amount starts with this word: skip it cheaply
                work.steps += 1
            i += 1
            continue
        value, last, stop = _read_amount(tokens, i)
        if work is not None:
            work.steps += stop - i + 1
        if value is not None:
            if Decimal(0) < value < _MAX_VALUE:
                yield value, i, last
            i = last + 1
        else:
            i = max(i + 1, stop)


def iter_amounts(text: str, work: ScanWork | None = None) -> Iterator[AmountMatch]:
    """Yields every money amount in ``text``, left to right. Never raises.

    Only the first ``MAX_TOKENS`` words and numbers are read (a Telegram message has at most
    4.096 characters, so at most that many); ``work``, when given, receives the cost.
    """
    tokens = _tokens(text)
    for value, first, last in _scan(tokens, work):
        yield AmountMatch(_whole(value), tokens[first][1], tokens[last][2])


def parse_rupiah(text: str) -> Decimal | None:
    """The first money amount in ``text`` in whole rupiah, or None when there is none."""
    return next((match.value for match in iter_amounts(text)), None)


def _read_amount(
    tokens: list[tuple[str, int, int]], start: int
) -> tuple[Decimal | None, int, int]:
    """Parses an amount expression starting at ``tokens[start]``.

    Returns (value, last, stop): the value (None when the expression is not money), the
    index of its last token, and the index of the token that ended the reading (where the
    next try may start: ``len(tokens)`` at the end of the text).

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
    if end is None or not has_number or not (has_currency or has_unit or bare_ok):
        return None, start, i
    return total + group + pending, end, i


def _read_digits(word: str, has_currency: bool) -> Decimal | None:
    """A written number, or None when it is malformed or looks like a NIK or phone number."""
    digits = sum(ch in _ASCII_DIGITS for ch in word)
    if digits > _MAX_DIGITS:
        return None
    if not has_currency and (digits >= _PHONE_DIGITS or (word.isdigit() and word[0] == "0")):
        return None  # NIK, phone number or a code, not money
    return parse_number(word)


def _period_at(tokens: list[tuple[str, int, int]], index: int, text: str) -> Period | None:
    word = tokens[index][0].lower()
    if word in _PERIOD_WORDS:
        return _PERIOD_WORDS[word]
    if word not in _PERIOD_UNITS or index == 0:
        return None
    before = tokens[index - 1]
    if before[0].lower() in _PER or text[before[2]:tokens[index][1]].strip() == "/":
        return _PERIOD_UNITS[word]
    return None


def _nearest_period(
    tokens: list[tuple[str, int, int]], first: int, last: int, text: str
) -> Period | None:
    """The period word nearest to the amount at tokens[first..last]; None when there is none
    or when two different periods are equally near ("sehari 75rb sebulan")."""
    for distance in range(1, _PERIOD_WINDOW + 1):
        found = {period for index in (first - distance, last + distance)
                 if 0 <= index < len(tokens)
                 and (period := _period_at(tokens, index, text)) is not None}
        if found:
            return found.pop() if len(found) == 1 else None
    return None


def find_income(text: str) -> Income | None:
    """The first amount in ``text`` and the period said next to it.

    "penghasilan sy sehari 100rb" -> Rp100.000 per day; "2 juta sebulan" -> per month;
    "100rb/minggu" -> per week; "gaji 2 juta" -> period None (the caller decides).
    """
    tokens = _tokens(text)
    for value, first, last in _scan(tokens, None):
        return Income(_whole(value), _nearest_period(tokens, first, last, text))
    return None


def period_in(text: str) -> Period | None:
    """The one period a text names ("kalau seminggu?"), or None when it names none or two."""
    tokens = _tokens(text)
    found = {period for index in range(len(tokens))
             if (period := _period_at(tokens, index, text)) is not None}
    return found.pop() if len(found) == 1 else None
