"""Estimated monthly contribution of a self-employed (BPU) participant.

Rules from bpjstk-facts.md section 2.2: JKK 1% of declared income and JKM a flat Rp6.800
[PP 44/2015; S8, S41], optional JHT 2% of declared income [S8; no regulation named in the
sheet]. The reported JKK range is
Rp10.000-Rp207.000 [S46], so the declared income is clamped to Rp1.000.000-Rp20.700.000; that
range is DERIVED and the official band table is UNCONFIRMED. Every result is therefore an
estimate ("perkiraan"): handlers must say so, show ``source`` and point to 175 or JMO.

Amounts are whole rupiah. Percentages are rounded half up to the rupiah (1% of Rp1.234.567 is
Rp12.346); inside the clamped range a declared income in whole thousands never needs rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

JKK_RATE = Decimal("0.01")
JHT_RATE = Decimal("0.02")
JKM_FLAT = Decimal(6800)
MIN_DECLARED_INCOME = Decimal(1_000_000)  # DERIVED: JKK minimum Rp10.000 / 1% [S46]
MAX_DECLARED_INCOME = Decimal(20_700_000)  # DERIVED: JKK maximum Rp207.000 / 1% [S46]
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
    declared_income: Decimal  # after clamping to the reported range; the base of JKK and JHT
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
