"""BPU contribution estimate: JKK 1%, JKM Rp6.800, optional JHT 2% of declared income."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.contribution import (
    INCOME_BANDS,
    MAX_DECLARED_INCOME,
    MIN_DECLARED_INCOME,
    bpu_contribution,
)


def test_cheapest_package_is_16800() -> None:
    result = bpu_contribution(Decimal(1_000_000), with_jht=False)
    assert (result.jkk, result.jkm, result.jht, result.total) == (10_000, 6_800, None, 16_800)
    assert not result.clamped and result.is_estimate


def test_cheapest_with_jht_is_36800() -> None:
    assert bpu_contribution(Decimal(1_000_000), with_jht=True).total == 36_800


def test_two_million_with_jht() -> None:
    result = bpu_contribution(Decimal(2_000_000), with_jht=True)
    assert (result.jkk, result.jht, result.total) == (20_000, 40_000, 66_800)
    assert "PP 44/2015" in result.source and "S46" in result.source


def test_low_income_is_clamped_to_the_reported_minimum() -> None:
    result = bpu_contribution(Decimal(500_000), with_jht=False)
    assert result.clamped and result.declared_income == MIN_DECLARED_INCOME
    assert result.reported_income == 500_000 and result.total == 16_800


def test_high_income_is_clamped_to_the_reported_maximum() -> None:
    result = bpu_contribution(Decimal(50_000_000), with_jht=True)
    assert result.clamped and result.declared_income == MAX_DECLARED_INCOME
    assert (result.jkk, result.jht, result.total) == (207_000, 414_000, 627_800)


def test_rounding_is_half_up_to_whole_rupiah() -> None:
    result = bpu_contribution(Decimal(1_234_550), with_jht=True)
    assert result.jkk == 12_346 and result.jht == 24_691


def test_income_bands_are_plain_choices_inside_the_range() -> None:
    assert len(INCOME_BANDS) >= 3
    assert all(MIN_DECLARED_INCOME <= band <= MAX_DECLARED_INCOME for band in INCOME_BANDS)
    assert list(INCOME_BANDS) == sorted(INCOME_BANDS)


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity")])
def test_non_finite_income_is_rejected(bad: Decimal) -> None:
    with pytest.raises(ValueError):
        bpu_contribution(bad, with_jht=False)


incomes = st.decimals(min_value=-10**9, max_value=10**10, allow_nan=False,
                      allow_infinity=False, places=2)


@given(incomes, st.booleans())
def test_parts_add_up_and_stay_in_range(income: Decimal, with_jht: bool) -> None:
    result = bpu_contribution(income, with_jht)
    assert result.jkm == 6_800
    assert result.total == result.jkk + result.jkm + (result.jht or 0)
    assert (result.jht is not None) == with_jht
    assert 10_000 <= result.jkk <= 207_000
    assert MIN_DECLARED_INCOME <= result.declared_income <= MAX_DECLARED_INCOME
    assert result.clamped == (not MIN_DECLARED_INCOME <= income <= MAX_DECLARED_INCOME)
    for part in (result.jkk, result.total, result.jht or Decimal(0)):
        assert part == part.to_integral_value()


@given(st.integers(min_value=1_000_000, max_value=20_700_000))
def test_inside_the_range_rates_are_exact(income: int) -> None:
    result = bpu_contribution(Decimal(income), with_jht=True)
    assert abs(result.jkk - Decimal(income) / 100) <= Decimal("0.5")
    assert abs(result.jht - Decimal(income) / 50) <= Decimal("0.5")  # type: ignore[operator]
