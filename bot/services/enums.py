"""Stored codes of the registration feature: segments, statuses, programmes, income bands.

Pure data. Values are what the database stores (Indonesian where staff read them raw);
handlers turn them into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from bot.services.contribution import MIN_DECLARED_INCOME


class Segment(StrEnum):
    """Penerima Upah (wage earner) or Bukan Penerima Upah (self-employed)."""

    PU = "PU"
    BPU = "BPU"


class LeadStatus(StrEnum):
    """Where a registered interest stands, as the branch staff follow it up."""

    MINAT = "minat"  # interest registered, nobody has called yet
    DIHUBUNGI = "dihubungi"  # staff or the organizer have contacted the worker
    TERDAFTAR = "terdaftar"  # enrolled with BPJS Ketenagakerjaan
    TIDAK_BERMINAT = "tidak_berminat"  # declined

    @classmethod
    def of(cls, value: str) -> LeadStatus | None:
        """The status stored as `value`, or None for anything else."""
        return cls._value2member_map_.get(value)  # type: ignore[return-value]


class Programme(StrEnum):
    """The BPJS Ketenagakerjaan programmes (bpjstk-facts.md section 1)."""

    JKK = "JKK"  # work accident
    JKM = "JKM"  # death
    JHT = "JHT"  # old-age savings
    JP = "JP"  # pension, PU only
    JKP = "JKP"  # job loss, PU only


class Programmes(StrEnum):
    """The package a BPU worker chooses: the minimum, or the minimum plus JHT savings."""

    JKK_JKM = "jkk_jkm"
    JKK_JKM_JHT = "jkk_jkm_jht"

    @property
    def programmes(self) -> tuple[Programme, ...]:
        if self is Programmes.JKK_JKM:
            return (Programme.JKK, Programme.JKM)
        return (Programme.JKK, Programme.JKM, Programme.JHT)


# A PU worker does not choose: the employer registers them. JKK, JKM and JHT are mandatory;
# JP for medium and large enterprises only; JKP automatic for eligible workers (facts §1).
PU_PROGRAMMES: tuple[Programme, ...] = (
    Programme.JKK, Programme.JKM, Programme.JHT, Programme.JP, Programme.JKP,
)


@dataclass(frozen=True)
class IncomeBand:
    """A declared monthly income range in rupiah: lower inclusive, upper exclusive."""

    code: str
    lower: Decimal
    upper: Decimal | None  # None: no upper limit

    @property
    def estimate(self) -> Decimal:
        """The income used to estimate a BPU contribution: the lower bound, at least the
        minimum declared income (Rp1.000.000), so the estimate never overstates the fee."""
        return max(self.lower, MIN_DECLARED_INCOME)

    def contains(self, amount: Decimal) -> bool:
        return self.lower <= amount and (self.upper is None or amount < self.upper)


_JUTA = Decimal(1_000_000)

INCOME_BANDS: tuple[IncomeBand, ...] = (
    IncomeBand("lt1", Decimal(0), 1 * _JUTA),
    IncomeBand("1-2", 1 * _JUTA, 2 * _JUTA),
    IncomeBand("2-3", 2 * _JUTA, 3 * _JUTA),
    IncomeBand("3-5", 3 * _JUTA, 5 * _JUTA),
    IncomeBand("gt5", 5 * _JUTA, None),
)


def income_band(code: str) -> IncomeBand | None:
    """The band stored under `code`, or None for an unknown code."""
    return next((band for band in INCOME_BANDS if band.code == code), None)


def income_band_for(amount: Decimal) -> IncomeBand:
    """The band a monthly income falls in; raises ValueError for a negative amount."""
    for band in INCOME_BANDS:
        if band.contains(amount):
            return band
    raise ValueError("income cannot be negative")
