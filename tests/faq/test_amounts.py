"""Money amounts are found however workers write them, and identifiers are never money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import given
from hypothesis import strategies as st

from bot.services.amounts import iter_amounts, parse_number, parse_rupiah


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


amounts = st.integers(min_value=10_000, max_value=999_999_999)


@given(amounts)
def test_indonesian_grouping_round_trips(amount: int) -> None:
    written = f"{amount:,}".replace(",", ".")
    assert parse_rupiah(f"Rp {written}") == Decimal(amount)
    assert parse_rupiah(f"penghasilan {written} sebulan") == Decimal(amount)
    assert parse_rupiah(f"Rp{amount}") == Decimal(amount)


@given(amounts)
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
