"""The registration form as a state machine: which question comes next, what an answer means.

Plain values in and out, no Telegram: the handler shows the questions and maps buttons to
the codes used here. The answers so far live in `data`, a JSON-able dict stored with the
conversation after every step, so nothing entered is lost on a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from bot.errors import DomainError
from bot.services import enums, regions, validators

CONSENT_VERSION = "2026-12-v2"
KABUPATEN_OTHER = "other"


class Step(StrEnum):
    CONSENT = "consent"
    SEGMENT = "segment"
    NAME = "name"
    NIK = "nik"
    PHONE = "phone"
    OCCUPATION = "occupation"
    KABUPATEN = "kabupaten"
    KECAMATAN = "kecamatan"
    REGION_CHECK = "region_check"
    EMPLOYER = "employer"
    PROGRAMMES = "programmes"
    INCOME = "income"
    BROADCAST = "broadcast"
    REFERRAL = "referral"
    SUMMARY = "summary"


class Kind(StrEnum):
    SELF = "self"  # a worker registers themselves
    ASSISTED = "organizer"  # an organizer registers a worker without Telegram


ORDER = list(Step)
EDITABLE = (Step.SEGMENT, Step.NAME, Step.NIK, Step.PHONE, Step.OCCUPATION, Step.KABUPATEN,
            Step.EMPLOYER, Step.PROGRAMMES, Step.INCOME, Step.BROADCAST)


class UnclearChoice(DomainError):
    """The answer is not one of the offered choices."""


class KecamatanUnknown(DomainError):
    """No district matched; `candidates` are the closest names ("Maksud Anda ...?")."""

    def __init__(self, candidates: tuple[str, ...]) -> None:
        super().__init__("kecamatan not recognised")
        self.candidates = candidates


class TextTooShort(DomainError):
    """A free-text answer is empty or too short after cleaning."""


class KabupatenNeeded(DomainError):
    """"Other" was chosen: the worker types the regency's name."""


@dataclass(frozen=True)
class Choice:
    code: str
    synonyms: tuple[str, ...] = ()


FIELDS = {
    Step.SEGMENT: "segment", Step.NAME: "full_name", Step.NIK: "nik", Step.PHONE: "phone",
    Step.OCCUPATION: "occupation", Step.KABUPATEN: "kabupaten", Step.KECAMATAN: "kecamatan",
    Step.EMPLOYER: "employer", Step.PROGRAMMES: "programmes", Step.INCOME: "income_band",
    Step.BROADCAST: "broadcast_opt_in",
}


def applies(step: Step, kind: Kind, data: dict[str, Any]) -> bool:
    """Whether the form asks `step`, given the answers so far."""
    if step is Step.EMPLOYER:
        return data.get("segment") == "PU"
    if step is Step.PROGRAMMES:
        return data.get("segment") == "BPU"
    if step is Step.REGION_CHECK:
        return region_differs(data)
    if step is Step.REFERRAL:
        return kind is Kind.SELF and not data.get("referral_code") and not data.get("lead_id")
    return step is not Step.CONSENT


def next_step(kind: Kind, data: dict[str, Any], after: Step) -> Step:
    """The question after `after`.

    While editing from the summary, only what is still missing is asked (a new kabupaten
    needs its kecamatan, a new segment its employer or programmes), then the summary.
    """
    if data.get("editing"):
        for step in ORDER[1:-1]:
            missing = step is Step.REGION_CHECK or data.get(FIELDS.get(step, "")) is None
            if step is not Step.REFERRAL and missing and applies(step, kind, data):
                return step
        return Step.SUMMARY
    for step in ORDER[ORDER.index(after) + 1:]:
        if applies(step, kind, data):
            return step
    return Step.SUMMARY


def region_differs(data: dict[str, Any]) -> bool:
    """The NIK was issued elsewhere than where the worker says they live."""
    issued = data.get("nik_issued")
    if not issued or data.get("region_confirmed"):
        return False
    return (issued.get("kabupaten"), issued.get("kecamatan")) != (
        data.get("kabupaten"), data.get("kecamatan") or issued.get("kecamatan")
    ) and issued.get("kabupaten") is not None


def answer(step: Step, value: str, data: dict[str, Any], *, today: date) -> dict[str, Any]:
    """Applies one answer; returns the new data or raises a DomainError to re-ask."""
    new = dict(data)
    text = value.strip()
    if step is Step.SEGMENT:
        new["segment"] = _one_of(text, ("PU", "BPU"))
    elif step is Step.NAME:
        new["full_name"] = validators.clean_name(text)
    elif step is Step.NIK:
        info = validators.parse_nik(text, today=today)
        new["nik"] = info.nik
        suggestion = regions.suggest_region(info)
        new["nik_issued"] = (
            {"kabupaten": suggestion.kabupaten, "kecamatan": suggestion.kecamatan}
            if suggestion is not None else None
        )
        new.pop("region_confirmed", None)
    elif step is Step.PHONE:
        new["phone"] = validators.normalize_phone(text)
    elif step is Step.OCCUPATION:
        new["occupation"] = validators.clean_occupation(text)
    elif step is Step.KABUPATEN:
        new["kabupaten"] = regions.kabupaten_choice(text) or _other_kabupaten(text)
        new.pop("kecamatan", None)
        new.pop("region_confirmed", None)
    elif step is Step.KECAMATAN:
        new["kecamatan"] = _kecamatan(new.get("kabupaten", ""), text)
        new.pop("region_confirmed", None)
    elif step is Step.REGION_CHECK:
        new["region_confirmed"] = _one_of(text, ("yes",)) == "yes"
    elif step is Step.EMPLOYER:
        new["employer"] = _free_text(text, 120)
    elif step is Step.PROGRAMMES:
        new["programmes"] = _one_of(text, ("jkk_jkm", "jkk_jkm_jht"))
    elif step is Step.INCOME:
        new["income_band"] = _one_of(text, tuple(band.code for band in enums.INCOME_BANDS))
    elif step is Step.BROADCAST:
        new["broadcast_opt_in"] = _one_of(text, ("yes", "no")) == "yes"
    elif step is Step.REFERRAL:
        new["referral_code"] = None if text == "skip" else text
    return new


def _one_of(text: str, codes: tuple[str, ...]) -> str:
    if text in codes:
        return text
    raise UnclearChoice(text)


def _free_text(text: str, limit: int) -> str:
    cleaned = validators.clean_text(text, limit)
    if len(cleaned) < 2:
        raise TextTooShort(text)
    return cleaned


def _other_kabupaten(text: str) -> str:
    if text == KABUPATEN_OTHER:
        raise KabupatenNeeded(text)
    return _free_text(text, 80)


def _kecamatan(kabupaten: str, text: str) -> str:
    if not regions.has_kecamatan_list(kabupaten):
        return _free_text(text, 80)
    match = regions.match_kecamatan(kabupaten, text)
    if match.exact is not None:
        return match.exact
    raise KecamatanUnknown(match.candidates)


def back(kind: Kind, data: dict[str, Any], history: list[str]) -> tuple[Step, list[str]]:
    """The step before the current one ("kembali"); the consent is never undone."""
    if len(history) <= 1:
        return Step(history[0]) if history else Step.CONSENT, history
    previous = history[:-1]
    return Step(previous[-1]), previous
