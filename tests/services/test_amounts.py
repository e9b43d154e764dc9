"""Money amounts are found however workers write them, and identifiers are never money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services import amounts
from bot.services.amounts import (
    MAX_TOKENS,
    Income,
    Period,
    ScanWork,
    find_income,
    iter_amounts,
    parse_number,
    parse_rupiah,
    period_in,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("1,5 jt", 1_500_000),
    ("1.5jt", 1_500_000),
    ("Rp 1.500.000", 1_500_000),
    ("Rp1.500.000,-", 1_500_000),
    ("1500000", 1_500_000),
    ("2 juta", 2_000_000),
    ("sejuta", 1_000_000),
    ("dua juta", 2_000_000),
    ("satu setengah juta", 1_500_000),
    ("sejuta setengah", 1_500_000),
    ("500 ribu", 500_000),
    ("500rb", 500_000),
    ("2,5jt", 2_500_000),
    ("1jt", 1_000_000),
    ("2 juta 500 ribu", 2_500_000),
    ("dua ratus lima puluh ribu", 250_000),
    ("lima belas juta", 15_000_000),
    ("rong juta", 2_000_000),
    ("penghasilan 2 juta iurannya berapa", 2_000_000),
    ("kalau 2,5jt brp", 2_500_000),
    ("iuran Rp16.800 sebulan", 16_800),
    ("Rp 1.500.000,50", 1_500_001),
])
def test_amounts_written_every_way(text: str, expected: int) -> None:
    assert parse_rupiah(text) == Decimal(expected)


@pytest.mark.parametrize("text", [
    "NIK saya 3509123456789012",
    "hp 081234567890",
    "wa 0812-3456-7890",
    "0812 3456 7890",
    "umur 56 tahun",
    "tahun 2025",
    "jht 10 persen",
    "kelas 3",
    "punya dua anak",
    "1.5",
    "",
    "juta",
])
def test_no_money_in_identifiers_ages_and_plain_numbers(text: str) -> None:
    assert parse_rupiah(text) is None


def test_rp_prefix_makes_a_long_number_money() -> None:
    assert parse_rupiah("Rp 10000000000") == Decimal(10_000_000_000)


def test_first_amount_wins_and_all_are_found() -> None:
    found = list(iter_amounts("pilih 1 jt atau 2 jt"))
    assert [m.value for m in found] == [Decimal(1_000_000), Decimal(2_000_000)]
    assert parse_rupiah("pilih 1 jt atau 2 jt") == Decimal(1_000_000)
    text = "gaji Rp 2.000.000 sebulan"
    assert text[found_span(text)] == "Rp 2.000.000"


def found_span(text: str) -> slice:
    match = next(iter_amounts(text))
    return slice(match.start, match.end)


def test_parse_number_reads_both_separators() -> None:
    assert parse_number("1.500.000") == parse_number("1,500,000") == Decimal(1_500_000)
    assert parse_number("1,5") == parse_number("1.5") == Decimal("1.5")
    assert parse_number("1.2.3") is None


@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    result = parse_rupiah(text)
    assert result is None or (result > 0 and result == result.to_integral_value())


incomes = st.integers(min_value=10_000, max_value=999_999_999)


@given(incomes)
def test_indonesian_grouping_round_trips(amount: int) -> None:
    written = f"{amount:,}".replace(",", ".")
    assert parse_rupiah(f"Rp {written}") == Decimal(amount)
    assert parse_rupiah(f"penghasilan {written} sebulan") == Decimal(amount)
    assert parse_rupiah(f"Rp{amount}") == Decimal(amount)


@given(incomes)
def test_babel_formatted_amounts_round_trip(amount: int) -> None:
    formatted = format_currency(amount, "IDR", format="¤#,##0", currency_digits=False,
                                locale="id_ID")
    assert parse_rupiah(formatted) == Decimal(amount)
    assert parse_rupiah(format_decimal(amount, locale="id_ID")) == Decimal(amount)


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=9))
def test_millions_with_decimal_comma_round_trip(whole: int, tenth: int) -> None:
    expected = Decimal(whole * 1_000_000 + tenth * 100_000)
    assert parse_rupiah(f"{whole},{tenth} jt") == expected
    assert parse_rupiah(f"{whole}.{tenth}juta") == expected
    assert parse_rupiah(f"{whole} juta") == Decimal(whole * 1_000_000)


# ---------------------------------------------------------------- bounded, linear work

def test_worst_case_message_takes_linear_bounded_work() -> None:
    # 1.024 number words that never reach "ribu"/"juta" (4.096 characters, Telegram's
    # longest message): trying every start cost 1.024 x 1.024 / 2 token steps.
    for words in (1024, 2048):
        work = ScanWork()
        assert list(iter_amounts("nem " * words, work)) == []
        assert work.tokens == words
        assert work.steps <= 2 * work.tokens


def test_work_is_bounded_however_long_the_text() -> None:
    work = ScanWork()
    list(iter_amounts("a1" * 10_000, work))  # letters and digits: one token per character
    assert work.tokens == MAX_TOKENS
    assert work.steps <= 2 * MAX_TOKENS


def test_amounts_are_still_found_among_many_number_words() -> None:
    text = "dua puluh " * 300 + "5 juta"
    work = ScanWork()
    assert [m.value for m in iter_amounts(text, work)] == [Decimal(5_000_000)]
    assert work.steps <= 2 * work.tokens


_VOCABULARY = ["rp", "2", "15000", "1.500.000", "0812", "nem", "dua", "puluh", "ratus", "belas",
               "juta", "ribu", "rb", "sejuta", "setengah", "lima", "iuran", "seratus", "k",
               "1,5", "10000000000000000", "sewu", "separo"]


def _every_start(text: str) -> list[tuple[Decimal, int, int]]:
    """The scan as it was (quadratic): after a non-amount, try again from the next token."""
    tokens, found, i = amounts._tokens(text), [], 0
    while i < len(tokens):
        value, last, _stop = amounts._read_amount(tokens, i)
        if value is None:
            i += 1
            continue
        if Decimal(0) < value < amounts._MAX_VALUE:
            found.append((value, i, last))
        i = last + 1
    return found


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_VOCABULARY), max_size=10))
def test_skipping_finds_what_trying_every_start_finds(words: list[str]) -> None:
    text = " ".join(words)
    assert list(amounts._scan(amounts._tokens(text), None)) == _every_start(text)


# ---------------------------------------------------------------- the period of an income

@pytest.mark.parametrize(("text", "amount", "period"), [
    ("penghasilan sy sehari 100rb, brp iurannya", 100_000, Period.DAY),
    ("100rb/hari", 100_000, Period.DAY),
    ("dapat 100 ribu per hari", 100_000, Period.DAY),
    ("sedino dibayar 110rb", 110_000, Period.DAY),
    ("600 ribu per minggu", 600_000, Period.WEEK),
    ("seminggu 600rb", 600_000, Period.WEEK),
    ("gaji 2 juta sebulan", 2_000_000, Period.MONTH),
    ("sesasi 3 juta", 3_000_000, Period.MONTH),
    ("setahun 24 juta", 24_000_000, Period.YEAR),
    ("gaji 2 juta", 2_000_000, None),
    ("2 juta hari ini", 2_000_000, None),  # "hari ini" is today, not a day's pay
    ("umur 56 tahun, 2 juta", 2_000_000, None),
    ("sehari 75rb, sebulan 18 dino", 75_000, None),  # two periods as near: not guessed
])
def test_income_period_is_read_next_to_the_amount(text: str, amount: int,
                                                  period: Period | None) -> None:
    assert find_income(text) == Income(Decimal(amount), period)


def test_period_alone() -> None:
    assert period_in("kalau seminggu?") is Period.WEEK
    assert period_in("sehari") is Period.DAY
    assert period_in("sehari atau sebulan") is None
    assert period_in("terus klaimnya gimana?") is None
    assert find_income("terus klaimnya gimana?") is None
