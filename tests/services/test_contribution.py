"""BPU contribution estimate: JKK 1%, JKM Rp6.800, optional JHT 2% of declared income."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.amounts import Period
from bot.services.contribution import (
    INCOME_BANDS,
    JKK_REPORTED_MAX,
    JKK_REPORTED_MIN,
    MAX_DECLARED_INCOME,
    MIN_DECLARED_INCOME,
    WEEKS_PER_MONTH,
    WORK_DAYS_PER_MONTH,
    bpu_contribution,
    monthly_income,
    period_unclear,
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


def test_low_income_is_counted_at_the_lowest_computable_income() -> None:
    result = bpu_contribution(Decimal(500_000), with_jht=False)
    assert result.clamped and result.declared_income == MIN_DECLARED_INCOME
    assert result.reported_income == 500_000 and result.total == 16_800


def test_high_income_is_counted_at_the_highest_computable_income() -> None:
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


def test_limits_are_derived_from_the_reported_jkk_minimum_and_maximum() -> None:
    assert (JKK_REPORTED_MIN, JKK_REPORTED_MAX) == (10_000, 207_000)
    assert (MIN_DECLARED_INCOME, MAX_DECLARED_INCOME) == (1_000_000, 20_700_000)
    assert str(MIN_DECLARED_INCOME) == "1000000"  # a plain integer, not 1.0000E+6


@pytest.mark.parametrize(("amount", "period", "monthly"), [
    (100_000, Period.DAY, 2_500_000),  # x 25 working days
    (600_000, Period.WEEK, 2_400_000),  # x 4 weeks
    (24_000_000, Period.YEAR, 2_000_000),  # / 12 months
    (1_000_001, Period.YEAR, 83_333),  # rounded to whole rupiah
    (2_000_000, Period.MONTH, 2_000_000),
])
def test_income_per_day_week_or_year_becomes_monthly(amount: int, period: Period,
                                                     monthly: int) -> None:
    assert monthly_income(Decimal(amount), period) == monthly
    assert WORK_DAYS_PER_MONTH == 25 and WEEKS_PER_MONTH == 4


def test_small_amount_without_period_is_unclear() -> None:
    assert period_unclear(Decimal(100_000), None)
    assert period_unclear(Decimal(999_999), None)
    assert not period_unclear(Decimal(1_000_000), None)  # taken as a month
    assert not period_unclear(Decimal(100_000), Period.DAY)
    assert not period_unclear(Decimal(100_000), Period.MONTH)  # said: clamped to the minimum
