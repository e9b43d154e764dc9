"""Estimated monthly contribution of a self-employed (BPU) participant.

Rules from bpjstk-facts.md section 2.2: JKK 1% of declared income and JKM a flat Rp6.800
[PP 44/2015; S8, S41], optional JHT 2% of declared income [S8; no regulation named in the
sheet]. The reported JKK contribution runs from Rp10.000 to Rp207.000 [S46], so the lowest
and highest income the bot can compute are Rp1.000.000 and Rp20.700.000 (DERIVED: JKK / 1%),
and an income outside is counted at the nearest of the two; the official band table is
UNCONFIRMED. Every result is therefore an
estimate ("perkiraan"): handlers must say so, show ``source`` and point to 175 or JMO.

An income per day, week or year becomes a monthly figure first (``monthly_income``): a day
x 25 working days, a week x 4, a year / 12. The handler shows the assumption.

Amounts are whole rupiah. Percentages are rounded half up to the rupiah (1% of Rp1.234.567 is
Rp12.346); inside the clamped range a declared income in whole thousands never needs rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.services.amounts import Period

JKK_RATE = Decimal("0.01")
JHT_RATE = Decimal("0.02")
JKM_FLAT = Decimal(6800)
JKK_REPORTED_MIN = Decimal(10_000)  # reported lowest BPU JKK contribution a month [S46]
JKK_REPORTED_MAX = Decimal(207_000)  # reported highest [S46]
MIN_DECLARED_INCOME = (JKK_REPORTED_MIN / JKK_RATE).quantize(Decimal(1))  # DERIVED: 1.000.000
MAX_DECLARED_INCOME = (JKK_REPORTED_MAX / JKK_RATE).quantize(Decimal(1))  # DERIVED: 20.700.000
# Turning an income per day, week or year into a month. 25 working days: six days a week
# over a month's 4 1/3 weeks, as a day labourer is paid only for days worked. 4 weeks: the
# usual "sebulan = 4 minggu", a little under the 4 1/3 weeks of a calendar month, so the
# estimate errs low rather than high, and 600rb a week (6 days of 100rb) gives about what
# 100rb a day does (Rp2.400.000 against Rp2.500.000).
WORK_DAYS_PER_MONTH = 25
WEEKS_PER_MONTH = 4
MONTHS_PER_YEAR = 12
SOURCE = "PP 44/2015; S8, S41, S46 (bpjstk-facts.md)"

# Declared-income choices offered as buttons when the worker gave no amount. These are
# examples of what a worker may declare, NOT the official bands (unconfirmed, see above).
INCOME_BANDS: tuple[Decimal, ...] = (
    Decimal(1_000_000),
    Decimal(1_500_000),
    Decimal(2_000_000),
    Decimal(3_000_000),
    Decimal(5_000_000),
)


@dataclass(frozen=True)
class BpuContribution:
    """Monthly BPU contribution estimate, per programme and in total (whole rupiah)."""

    reported_income: Decimal  # what the worker typed
    declared_income: Decimal  # within MIN/MAX_DECLARED_INCOME; the base of JKK and JHT
    jkk: Decimal
    jkm: Decimal
    jht: Decimal | None  # None when the worker did not choose JHT
    total: Decimal
    clamped: bool  # True when reported_income was outside the range and was moved into it
    source: str = SOURCE
    is_estimate: bool = True  # always: the band table is unconfirmed


def _rupiah(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def bpu_contribution(income: Decimal, with_jht: bool) -> BpuContribution:
    """Estimates the monthly contribution for a declared income.

    Args:
        income: monthly income the worker says they earn, in rupiah.
        with_jht: whether to add the optional JHT savings programme.

    Raises:
        ValueError: if ``income`` is not a finite number.
    """
    if not income.is_finite():
        raise ValueError("income must be a finite amount")
    declared = _rupiah(min(max(income, MIN_DECLARED_INCOME), MAX_DECLARED_INCOME))
    jkk = _rupiah(declared * JKK_RATE)
    jht = _rupiah(declared * JHT_RATE) if with_jht else None
    total = jkk + JKM_FLAT + (jht or Decimal(0))
    return BpuContribution(
        reported_income=income,
        declared_income=declared,
        jkk=jkk,
        jkm=JKM_FLAT,
        jht=jht,
        total=total,
        clamped=not (MIN_DECLARED_INCOME <= income <= MAX_DECLARED_INCOME),
    )


def monthly_income(amount: Decimal, period: Period) -> Decimal:
    """An income per ``period`` as a month's income, in whole rupiah (see the factors above)."""
    if period is Period.DAY:
        monthly = amount * WORK_DAYS_PER_MONTH
    elif period is Period.WEEK:
        monthly = amount * WEEKS_PER_MONTH
    elif period is Period.YEAR:
        monthly = amount / MONTHS_PER_YEAR
    else:
        monthly = amount
    return _rupiah(monthly)


def period_unclear(amount: Decimal, period: Period | None) -> bool:
    """True when the worker should be asked whether an income is per day, week or month.

    An amount with no period word is taken as monthly when it is at least the lowest income
    the bot can compute (Rp1.000.000); below that ("penghasilan 100rb") it is more likely a
    day's or a week's pay, and a guess would be off by a factor of 4 to 25.
    """
    return period is None and amount < MIN_DECLARED_INCOME
