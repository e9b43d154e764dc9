"""Indonesian region codes and the districts (kecamatan) of the Jember branch's area.

The data are YAML files in locales/regions/ (sources and licences in their headers and in
LICENSES-DATA.md), read once. Kecamatan lists exist for Jember (checked against
bpjstk-facts.md section 7), Lumajang and Bondowoso; any other regency takes a cleaned
free-text kecamatan (see `has_kecamatan_list`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml
from rapidfuzz import fuzz, process

if TYPE_CHECKING:
    from bot.services.validators import NikInfo

REGIONS_DIR = Path(__file__).resolve().parents[2] / "locales" / "regions"

# The regencies the Jember branch serves, offered as buttons; anything else is typed.
KABUPATEN: tuple[str, ...] = ("Jember", "Lumajang", "Bondowoso")

MAX_CANDIDATES = 3
# fuzz.ratio on the squeezed names; one typo in a 4-letter name ("silo" -> "sila") scores 75
CANDIDATE_CUTOFF = 60.0


@dataclass(frozen=True)
class Kecamatan:
    code: str  # "350921"
    name: str  # "Sumbersari"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class KecamatanMatch:
    """`exact` when the text names a district (spaces, case and dots aside); otherwise up
    to three `candidates` for "Maksud Anda ...?", best first; both empty when nothing fits."""

    exact: str | None
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionSuggestion:
    """Where a NIK was first issued; names are None when the tables do not know them."""

    province: str | None
    kabupaten: str | None  # "Jember" (as in KABUPATEN), "Banyuwangi", "Kota Malang"
    kecamatan: str | None  # only for regencies with a kecamatan list


@cache
def _load(filename: str) -> Any:
    with (REGIONS_DIR / filename).open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def _digits(code: str) -> str:
    return code.replace(".", "")


@cache
def provinces() -> Mapping[str, str]:
    """Province names by 2-digit Kemendagri code ("35": "Jawa Timur")."""
    table = _load("provinces.yaml")["provinces"]
    return MappingProxyType({str(k): str(v) for k, v in table.items()})


@cache
def regencies() -> Mapping[str, str]:
    """Regency and city names by 4-digit code ("3509": "Kabupaten Jember")."""
    table = _load("regencies.yaml")["regencies"]
    return MappingProxyType({_digits(str(k)): str(v) for k, v in table.items()})


def is_province_code(code: str) -> bool:
    return code in provinces()


def province_name(code: str) -> str | None:
    return provinces().get(code)


def regency_name(code: str) -> str | None:
    """The official name for "3509" or "35.09", or None."""
    return regencies().get(_digits(code))


def short_regency_name(official: str) -> str:
    """ "Kabupaten Jember" -> "Jember"; a city keeps "Kota" ("Kota Malang")."""
    return re.sub(r"^Kabupaten (Administrasi )?", "", official)


def _squeeze(text: str, drop: frozenset[str]) -> str:
    """"Kec. Sumber Sari" -> "sumbersari": accents, case, spaces and punctuation ignored."""
    decomposed = unicodedata.normalize("NFKD", text[:100])
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = re.findall(r"[^\W_]+", plain)
    if len(words) > 1 and words[0] in drop:
        words = words[1:]
    return "".join(words)


_KEC_WORDS = frozenset({"kec", "kecamatan"})
_KAB_WORDS = frozenset({"kab", "kabupaten"})


def kabupaten_choice(text: str) -> str | None:
    """The KABUPATEN entry that `text` names ("kab. jember" -> "Jember"), or None."""
    key = _squeeze(text, _KAB_WORDS)
    return next((name for name in KABUPATEN if _squeeze(name, _KAB_WORDS) == key), None)


def kecamatan_list(kabupaten: str) -> tuple[Kecamatan, ...]:
    """The official districts of one of KABUPATEN, in code order; empty for others."""
    name = kabupaten_choice(kabupaten)
    return () if name is None else _kecamatan_of(name)


@cache  # keyed by a KABUPATEN entry only, never by what a user typed
def _kecamatan_of(name: str) -> tuple[Kecamatan, ...]:
    rows = _load(f"{name.lower()}.yaml")["kecamatan"]
    return tuple(
        Kecamatan(_digits(row["code"]), row["name"], tuple(row.get("aliases", ())))
        for row in rows
    )


def has_kecamatan_list(kabupaten: str) -> bool:
    return bool(kecamatan_list(kabupaten))


def _keys(kabupaten: str) -> tuple[tuple[str, str], ...]:
    name = kabupaten_choice(kabupaten)
    return () if name is None else _keys_of(name)


@cache
def _keys_of(name: str) -> tuple[tuple[str, str], ...]:
    """(squeezed spelling, official name) for every name and alias."""
    return tuple(
        (_squeeze(spelling, _KEC_WORDS), kec.name)
        for kec in _kecamatan_of(name)
        for spelling in (kec.name, *kec.aliases)
    )


def match_kecamatan(kabupaten: str, text: str) -> KecamatanMatch:
    """Finds the district the worker typed, or the closest few official names."""
    key = _squeeze(text, _KEC_WORDS)
    keys = _keys(kabupaten)
    if not key or not keys:
        return KecamatanMatch(None)
    for spelling, name in keys:
        if spelling == key:
            return KecamatanMatch(name)
    best: dict[str, float] = {}
    for _spelling, score, index in process.extract(
        key, [spelling for spelling, _name in keys], scorer=fuzz.ratio,
        score_cutoff=CANDIDATE_CUTOFF, limit=None,
    ):
        name = keys[index][1]
        best[name] = max(best.get(name, 0.0), score)
    order = {kec.name: i for i, kec in enumerate(kecamatan_list(kabupaten))}
    ranked = sorted(best, key=lambda name: (-best[name], order[name]))
    return KecamatanMatch(None, tuple(ranked[:MAX_CANDIDATES]))


def suggest_region(info: NikInfo) -> RegionSuggestion | None:
    """Where the NIK was first issued (it never changes when the worker moves), or None
    when its regency is unknown to the tables."""
    official = regency_name(info.regency_code)
    if official is None:
        return None
    kabupaten = short_regency_name(official)
    kecamatan = next(
        (kec.name for kec in kecamatan_list(kabupaten) if kec.code == info.district_code), None
    )
    return RegionSuggestion(province_name(info.province_code), kabupaten, kecamatan)
