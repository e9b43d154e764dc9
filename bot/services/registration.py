"""The registration form as a state machine: which question comes next, what an answer means.

Plain values in and out, no Telegram: the handler reads the update, calls `take_answer` (or
one of the rules below), and shows the question of the step it gets back. The answers so far
are a `RegistrationForm`, stored with the conversation after every step (`to_dict`), so
nothing entered is lost on a restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.errors import DomainError
from bot.services import enums, referrals, regions, typed_answers, validators
from bot.services.typed_answers import Reading
from db import leads as lead_queries
from db.session import Sessions

# v3: organizers hear of their referrals' registration and status (name and status only);
# an organizer may register a worker without a phone, reached through the organizer.
CONSENT_VERSION = "2026-12-v3"
KABUPATEN_OTHER = "other"
# The answer at the phone step of /rujuk for a worker without a phone: the worker agreed to
# be reached through the registering organizer. Stored as an empty phone on an assisted lead
# (bot.services.leads.contact_via_organizer).
PHONE_VIA_ORGANIZER = "via_organizer"
# The shape of RegistrationForm.to_dict(). Version 1 (rows saved before the form was typed)
# has the same keys without "version"; a later change of shape converts in from_dict.
FORM_VERSION = 2


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
# Steps whose answer is free text, where a question could pass for an answer ("jht itu apa"
# is a valid name): the form answers it and asks again, once; the next text is the answer.
FREE_TEXT_STEPS = frozenset({Step.NAME, Step.OCCUPATION, Step.EMPLOYER, Step.KABUPATEN,
                             Step.KECAMATAN})
# An answer that another one depends on: a new regency needs its district asked again.
DEPENDENTS = {Step.KABUPATEN: (Step.KECAMATAN,)}


class UnclearChoice(DomainError):
    """The answer is not one of the offered choices; `reading` holds what was understood
    of a typed one (an amount, an occupation), for the form to say so."""

    def __init__(self, text: str, reading: Reading | None = None) -> None:
        super().__init__(text)
        self.reading = reading


class KecamatanUnknown(DomainError):
    """No district matched; `candidates` are the closest names ("Maksud Anda ...?")."""

    def __init__(self, candidates: tuple[str, ...]) -> None:
        super().__init__("kecamatan not recognised")
        self.candidates = candidates


class TextTooShort(DomainError):
    """A free-text answer is empty or too short after cleaning."""


class KabupatenNeeded(DomainError):
    """"Other" was chosen: the worker types the regency's name."""


class DuplicateNik(DomainError):
    """The NIK belongs to another lead; its data is not revealed."""


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


@dataclass(frozen=True)
class IssuedRegion:
    """Where the NIK was issued (read from its digits), to compare with the answer."""

    kabupaten: str | None = None
    kecamatan: str | None = None


@dataclass(frozen=True)
class RegistrationForm:
    """The answers so far and where the form stands, saved with the conversation."""

    segment: str | None = None  # "PU" or "BPU"
    full_name: str | None = None
    nik: str | None = None
    phone: str | None = None
    occupation: str | None = None
    kabupaten: str | None = None
    kecamatan: str | None = None
    employer: str | None = None
    programmes: str | None = None
    income_band: str | None = None
    broadcast_opt_in: bool | None = None
    referral_code: str | None = None  # typed at the referral step; None: skipped
    referral_name: str | None = None  # "organizer (union)" of that code, for the summary
    referral_from_link: bool = False  # a valid referral link came first: no referral step
    nik_issued: IssuedRegion | None = None
    region_confirmed: bool = False
    lead_id: int | None = None  # the stored lead this form updates
    editing: bool = False  # from the summary: ask only what is missing, then the summary
    history: tuple[Step, ...] = ()  # the steps asked, for "kembali"
    kecamatan_candidates: tuple[str, ...] = ()  # "Maksud Anda ...?" after an unknown district
    question_answered_at: Step | None = None  # a question interrupted this step once

    def answer_to(self, step: Step) -> Any:
        """What the form holds for `step` (None: not answered)."""
        return getattr(self, FIELDS[step]) if step in FIELDS else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON stored in the conversation row: the version and what is not default."""
        stored: dict[str, Any] = {"version": FORM_VERSION}
        for item in fields(self):
            value = getattr(self, item.name)
            if value == item.default:
                continue
            if isinstance(value, IssuedRegion):
                value = {"kabupaten": value.kabupaten, "kecamatan": value.kecamatan}
            elif isinstance(value, tuple):
                value = [str(v) for v in value]
            elif isinstance(value, Step):
                value = value.value
            stored[item.name] = value
        return stored

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RegistrationForm:
        """A stored form, of this version or version 1. Values of the wrong type (a row
        edited by hand, or written by a newer version) are dropped, so the step is asked
        again rather than the conversation failing."""
        text = {
            name: value if isinstance(value := data.get(name), str) else None
            for name in ("segment", "full_name", "nik", "phone", "occupation", "kabupaten",
                         "kecamatan", "employer", "programmes", "income_band",
                         "referral_code", "referral_name")
        }
        issued = data.get("nik_issued")
        lead_id = data.get("lead_id")
        opt_in = data.get("broadcast_opt_in")
        return cls(
            **text,
            broadcast_opt_in=opt_in if isinstance(opt_in, bool) else None,
            nik_issued=IssuedRegion(_text_or_none(issued.get("kabupaten")),
                                    _text_or_none(issued.get("kecamatan")))
            if isinstance(issued, dict) else None,
            region_confirmed=data.get("region_confirmed") is True,
            referral_from_link=data.get("referral_from_link") is True,
            lead_id=lead_id if isinstance(lead_id, int) and not isinstance(lead_id, bool)
            else None,
            editing=bool(data.get("editing")),
            history=tuple(Step(s) for s in _list(data.get("history")) if s in _STEPS),
            kecamatan_candidates=tuple(
                s for s in _list(data.get("kecamatan_candidates")) if isinstance(s, str)),
            question_answered_at=Step(data["question_answered_at"])
            if data.get("question_answered_at") in _STEPS else None,
        )


_STEPS = frozenset(step.value for step in Step)


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def applies(step: Step, kind: Kind, form: RegistrationForm) -> bool:
    """Whether the form asks `step`, given the answers so far."""
    if step is Step.EMPLOYER:
        return form.segment == "PU"
    if step is Step.PROGRAMMES:
        return form.segment == "BPU"
    if step is Step.REGION_CHECK:
        return region_differs(form)
    if step is Step.REFERRAL:
        return kind is Kind.SELF and not (
            form.referral_code or form.referral_from_link or form.lead_id)
    if step is Step.OCCUPATION:  # named at the segment step ("sy ojek, narik sendiri")
        return form.occupation is None or step in form.history
    if step is Step.BROADCAST:
        # News goes to a Telegram account: a worker registered by an organizer has none.
        return kind is Kind.SELF
    return step is not Step.CONSENT


async def new_form(sessions: Sessions, *, kind: Kind, telegram_user_id: int) -> RegistrationForm:
    """An empty form; a worker who came through a valid referral link is not asked for a
    code, and the summary names who invited them."""
    if kind is not Kind.SELF:
        return RegistrationForm()
    info = await referrals.linked(sessions, telegram_user_id=telegram_user_id)
    if info is None:
        return RegistrationForm()
    return RegistrationForm(referral_name=f"{info.organizer} ({info.union})",
                            referral_from_link=True)


def next_step(kind: Kind, form: RegistrationForm, after: Step) -> Step:
    """The question after `after`.

    While editing from the summary, only what is still missing is asked (a new kabupaten
    needs its kecamatan, a new segment its employer or programmes), then the summary.
    """
    if form.editing:
        for step in ORDER[1:-1]:
            missing = step is Step.REGION_CHECK or form.answer_to(step) is None
            if step is not Step.REFERRAL and missing and applies(step, kind, form):
                return step
        return Step.SUMMARY
    for step in ORDER[ORDER.index(after) + 1:]:
        if applies(step, kind, form):
            return step
    return Step.SUMMARY


def region_differs(form: RegistrationForm) -> bool:
    """The NIK was issued elsewhere than where the worker says they live."""
    issued = form.nik_issued
    if issued is None or issued.kabupaten is None or form.region_confirmed:
        return False
    return (issued.kabupaten, issued.kecamatan) != (
        form.kabupaten, form.kecamatan or issued.kecamatan)


def asked(form: RegistrationForm, step: Step) -> RegistrationForm:
    """The form as saved when `step` is asked: the step joins the back history (once)."""
    if form.history and form.history[-1] is step:
        return form
    return replace(form, history=(*form.history, step))


def back(form: RegistrationForm) -> tuple[Step, RegistrationForm]:
    """The step before the current one ("kembali"); the consent is never undone."""
    if len(form.history) <= 1:
        return form.history[0] if form.history else Step.CONSENT, form
    previous = form.history[:-1]
    return previous[-1], replace(form, history=previous)


def _cleared(*steps: Step) -> dict[str, Any]:
    return {FIELDS[step]: None for step in steps}


def edit(form: RegistrationForm, step: Step) -> RegistrationForm:
    """"Change" a field from the summary: its answer (and what depends on it) is cleared,
    so `next_step` asks for it, then for whatever else is missing, then the summary."""
    return replace(form, editing=True, **_cleared(step, *DEPENDENTS.get(step, ())))


def decline_region(form: RegistrationForm) -> tuple[Step, RegistrationForm]:
    """"No" at the region check: the regency and district are asked again."""
    return Step.KABUPATEN, replace(form, **_cleared(Step.KABUPATEN, Step.KECAMATAN))


def correct_nik(form: RegistrationForm) -> tuple[Step, RegistrationForm]:
    """Sending was refused for the NIK (another lead's): it is asked again, then the summary."""
    return Step.NIK, replace(form, editing=True)


class SummaryAction(StrEnum):
    CONFIRM = "confirm"
    CHANGE = "change"  # shows the menu of fields
    SUMMARY = "summary"  # back from that menu
    CANCEL = "cancel"
    EDIT = "edit"  # one field, see SummaryChoice.step


@dataclass(frozen=True)
class SummaryChoice:
    action: SummaryAction
    step: Step | None = None  # the field to change, for EDIT


def summary_choice(action: str, at: Step) -> SummaryChoice | None:
    """A summary button ("confirm", "edit:nik", ...) pressed while the form is at `at`.

    None when it cannot apply: an unknown field, or "confirm" once the form has moved on
    (an old summary's button must not send a form that is half-way through an edit).
    """
    name, _, field = action.partition(":")
    if name == SummaryAction.EDIT:
        editable = {step.value: step for step in EDITABLE}
        return SummaryChoice(SummaryAction.EDIT, editable[field]) if field in editable else None
    if field or name not in set(SummaryAction) or (
            name == SummaryAction.CONFIRM and at is not Step.SUMMARY):
        return None
    return SummaryChoice(SummaryAction(name))


def keeps_stored_data(form: RegistrationForm) -> bool:
    """Cancelling this form leaves a stored registration as it was (an update, not a new
    registration): the worker is told so rather than that nothing was stored."""
    return form.lead_id is not None


def may_be_question(step: Step, form: RegistrationForm, *, refused: bool, typed: bool) -> bool:
    """Whether the text sent at `step` may be a question to answer before the form goes on.

    A refused answer may be one if it was typed (not a button). An accepted one only at a
    free-text step, and once: after the question's answer the same text is the answer.
    """
    if refused:
        return typed
    return step in FREE_TEXT_STEPS and form.question_answered_at is not step


def after_question(form: RegistrationForm, step: Step, *, refused: bool) -> RegistrationForm:
    """The form saved after a question was answered instead of `step`: nothing typed is
    stored; an accepted text is remembered as asked once, so sending it again answers."""
    return form if refused else replace(form, question_answered_at=step)


@dataclass(frozen=True)
class Outcome:
    """What `take_answer` made of an answer: the step to ask now and the form to save."""

    step: Step
    form: RegistrationForm
    error: DomainError | None = None  # refused: why; `step` is asked again


async def take_answer(
    sessions: Sessions, *, kind: Kind, step: Step, form: RegistrationForm, code: str,
    telegram_user_id: int, now: datetime, today: date,
) -> Outcome:
    """Applies the answer `code` (a choice's code, or the text) to the open `step`.

    A referral code is checked (wrong guesses counted), a NIK must not be another lead's.
    """
    try:
        code, form = read_answer(step, code, form)
    except UnclearChoice as unclear:
        kept = form
        if unclear.reading is not None and unclear.reading.occupation and not form.occupation:
            kept = replace(form, occupation=unclear.reading.occupation)
        return Outcome(step, kept, unclear)
    if step is Step.REGION_CHECK and code == "no":
        return Outcome(*decline_region(form))
    if step is Step.PHONE and code == PHONE_VIA_ORGANIZER and kind is Kind.ASSISTED:
        new = replace(form, phone=PHONE_VIA_ORGANIZER, question_answered_at=None)
        return Outcome(next_step(kind, new, step), new)
    try:
        checked = form
        if step is Step.REFERRAL and code != "skip":
            info = await referrals.check(
                sessions, referrals.GuessLimiter(sessions), telegram_user_id=telegram_user_id,
                code=code, now=now)
            checked = replace(form, referral_name=f"{info.organizer} ({info.union})")
        new = answer(step, code, checked, today=today)
        if step is Step.NIK and await nik_taken(sessions, nik=new.nik or "",
                                                lead_id=form.lead_id):
            raise DuplicateNik(None)
    except KecamatanUnknown as unknown:
        return Outcome(step, replace(form, kecamatan_candidates=unknown.candidates), unknown)
    except DomainError as error:
        return Outcome(step, form, error)
    new = replace(new, kecamatan_candidates=(), question_answered_at=None)
    return Outcome(next_step(kind, new, step), new)


async def nik_taken(sessions: Sessions, *, nik: str, lead_id: int | None) -> bool:
    """Whether another lead than `lead_id` has this NIK."""
    async with sessions.begin() as session:
        row = await lead_queries.lead_by_nik(session, nik)
        return row is not None and row.id != lead_id


CHOICES: dict[Step, tuple[str, ...]] = {
    Step.SEGMENT: ("PU", "BPU"), Step.REGION_CHECK: ("yes", "no"),
    Step.PROGRAMMES: tuple(p.value for p in enums.Programmes),
    Step.INCOME: tuple(band.code for band in enums.INCOME_BANDS),
    Step.BROADCAST: ("yes", "no"),
}


def read_answer(step: Step, code: str, form: RegistrationForm) -> tuple[str, RegistrationForm]:
    """A typed answer at a step with buttons, as the code of a choice ("tidak" -> "BPU",
    "2,5 jt an" -> "2-3", "gak ada mas" at the referral step -> "skip"). An occupation named
    at the segment step is kept in the form. Raises UnclearChoice (with what was
    understood) when no choice can be read; other steps' answers pass through."""
    if step is Step.REFERRAL:
        return ("skip" if typed_answers.no_code(code) else code), form
    codes = CHOICES.get(step)
    if codes is None or code in codes:
        return code, form
    reading = Reading(None)
    if not typed_answers.is_question(code):
        if step is Step.SEGMENT:
            reading = typed_answers.segment(code)
        elif step is Step.PROGRAMMES:
            reading = typed_answers.programmes(code)
        elif step is Step.INCOME:
            reading = typed_answers.income(code)
        else:
            reading = Reading(typed_answers.yes_no(code))
    if reading.code is None:
        raise UnclearChoice(code, reading)
    if reading.occupation and not form.occupation:
        form = replace(form, occupation=reading.occupation)
    return reading.code, form


def answer(step: Step, value: str, form: RegistrationForm, *, today: date) -> RegistrationForm:
    """Applies one answer; returns the new form or raises a DomainError to re-ask."""
    text = value.strip()
    if step is Step.SEGMENT:
        return replace(form, segment=_one_of(text, CHOICES[step]))
    if step is Step.NAME:
        return replace(form, full_name=validators.clean_name(text))
    if step is Step.NIK:
        info = validators.parse_nik(text, today=today)
        suggestion = regions.suggest_region(info)
        return replace(form, nik=info.nik, region_confirmed=False, nik_issued=(
            IssuedRegion(suggestion.kabupaten, suggestion.kecamatan)
            if suggestion is not None else None))
    if step is Step.PHONE:
        return replace(form, phone=validators.normalize_phone(text))
    if step is Step.OCCUPATION:
        return replace(form, occupation=typed_answers.listed_occupation(text))
    if step is Step.KABUPATEN:
        kabupaten = regions.kabupaten_choice(text) or _other_kabupaten(text)
        return replace(form, **_cleared(*DEPENDENTS[Step.KABUPATEN]), kabupaten=kabupaten,
                       region_confirmed=False)
    if step is Step.KECAMATAN:
        return replace(form, kecamatan=_kecamatan(form.kabupaten or "", text),
                       region_confirmed=False)
    if step is Step.REGION_CHECK:
        return replace(form, region_confirmed=_one_of(text, ("yes",)) == "yes")
    if step is Step.EMPLOYER:
        return replace(form, employer=_free_text(text, 120))
    if step is Step.PROGRAMMES:
        return replace(form, programmes=_one_of(text, CHOICES[step]))
    if step is Step.INCOME:
        return replace(form, income_band=_one_of(text, CHOICES[step]))
    if step is Step.BROADCAST:
        return replace(form, broadcast_opt_in=_one_of(text, CHOICES[step]) == "yes")
    if step is Step.REFERRAL:
        return replace(form, referral_code=None if text == "skip" else text)
    return form


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
