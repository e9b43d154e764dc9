"""The registration form's rules (bot/services/registration.py), without Telegram."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.services import leads
from bot.services.registration import (
    FORM_VERSION,
    DuplicateNik,
    IssuedRegion,
    KecamatanUnknown,
    Kind,
    RegistrationForm,
    Step,
    SummaryAction,
    SummaryChoice,
    UnclearChoice,
    after_question,
    answer,
    asked,
    back,
    decline_region,
    edit,
    may_be_question,
    next_step,
    region_differs,
    summary_choice,
    take_answer,
)
from db.session import Sessions

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NIK_SUMBERSARI = "3509214508900001"
# A form as the handler saved it before the form was typed (version 1: no "version" key).
OLD_ROW = {
    "segment": "BPU", "full_name": "Siti Aminah", "nik": NIK_SUMBERSARI,
    "nik_issued": {"kabupaten": "Jember", "kecamatan": "Sumbersari"},
    "phone": "+6281234567890", "occupation": "Petani", "kabupaten": "Jember",
    "kecamatan": "Sumbersari", "programmes": "jkk_jkm", "income_band": "1-2",
    "broadcast_opt_in": False, "referral_code": None, "editing": None,
    "history": ["consent", "segment", "name", "nik", "phone", "occupation", "kabupaten",
                "kecamatan", "programmes", "income", "broadcast", "referral", "summary"],
}
COMPLETE = RegistrationForm.from_dict(OLD_ROW)


# ---------------------------------------------------------------- stored form

def test_a_form_stored_before_the_version_loads() -> None:
    form = RegistrationForm.from_dict(OLD_ROW)
    assert form.full_name == "Siti Aminah" and form.nik == NIK_SUMBERSARI
    assert form.nik_issued == IssuedRegion("Jember", "Sumbersari")
    assert form.broadcast_opt_in is False and form.editing is False
    assert form.history[-1] is Step.SUMMARY and len(form.history) == 13


def test_old_rows_with_only_some_answers_load() -> None:
    form = RegistrationForm.from_dict({"nik": NIK_SUMBERSARI, "full_name": "Ahmad",
                                       "lead_id": 4, "kecamatan_candidates": ["Puger"],
                                       "question_answered_at": "name", "region_confirmed": True})
    assert (form.nik, form.lead_id, form.kecamatan_candidates) == (NIK_SUMBERSARI, 4, ("Puger",))
    assert form.question_answered_at is Step.NAME and form.region_confirmed


def test_a_form_survives_its_round_trip_and_says_its_version() -> None:
    form = replace(COMPLETE, lead_id=9, kecamatan_candidates=("Puger",), editing=True,
                   question_answered_at=Step.KECAMATAN, referral_name="Budi (SPSI)")
    stored = form.to_dict()
    assert stored["version"] == FORM_VERSION
    assert RegistrationForm.from_dict(stored) == form
    assert RegistrationForm.from_dict(stored).to_dict() == stored


def test_unanswered_steps_are_not_stored() -> None:
    stored = RegistrationForm(segment="PU", history=(Step.CONSENT, Step.SEGMENT)).to_dict()
    assert stored == {"version": FORM_VERSION, "segment": "PU",
                      "history": ["consent", "segment"]}


def test_values_of_the_wrong_type_are_dropped_not_raised() -> None:
    form = RegistrationForm.from_dict({
        "full_name": ["x"], "lead_id": "3", "history": ["consent", "nonsense", 4],
        "nik_issued": "Jember", "broadcast_opt_in": "yes", "question_answered_at": "nope",
        "kecamatan_candidates": "Puger",
    })
    assert form == RegistrationForm(history=(Step.CONSENT,))


# ---------------------------------------------------------------- order of the questions

def test_a_self_employed_worker_gets_programmes_not_employer() -> None:
    form = RegistrationForm(segment="BPU")
    assert next_step(Kind.SELF, form, Step.SEGMENT) is Step.NAME
    assert next_step(Kind.SELF, form, Step.KECAMATAN) is Step.PROGRAMMES
    assert next_step(Kind.SELF, replace(form, segment="PU"), Step.KECAMATAN) is Step.EMPLOYER


def test_the_referral_step_is_only_for_a_new_self_registration() -> None:
    assert next_step(Kind.SELF, COMPLETE, Step.BROADCAST) is Step.REFERRAL
    assert next_step(Kind.ASSISTED, COMPLETE, Step.BROADCAST) is Step.SUMMARY
    assert next_step(Kind.SELF, replace(COMPLETE, lead_id=3), Step.BROADCAST) is Step.SUMMARY


def test_a_nik_from_elsewhere_asks_where_the_worker_lives() -> None:
    form = replace(COMPLETE, kabupaten="Lumajang", kecamatan="Pasirian")
    assert region_differs(form)
    assert next_step(Kind.SELF, form, Step.KECAMATAN) is Step.REGION_CHECK
    assert not region_differs(replace(form, region_confirmed=True))
    assert not region_differs(replace(form, nik_issued=IssuedRegion(None, "Puger")))


def test_editing_asks_only_what_is_missing_then_the_summary() -> None:
    assert next_step(Kind.SELF, replace(COMPLETE, editing=True), Step.NAME) is Step.SUMMARY
    changed = edit(COMPLETE, Step.KABUPATEN)
    assert (changed.kabupaten, changed.kecamatan, changed.editing) == (None, None, True)
    assert next_step(Kind.SELF, changed, Step.CONSENT) is Step.KABUPATEN
    after = answer(Step.KABUPATEN, "Jember", changed, today=TODAY)
    assert next_step(Kind.SELF, after, Step.KABUPATEN) is Step.KECAMATAN
    to_pu = answer(Step.SEGMENT, "PU", edit(COMPLETE, Step.SEGMENT), today=TODAY)
    assert next_step(Kind.SELF, to_pu, Step.SEGMENT) is Step.EMPLOYER


def test_editing_one_field_keeps_the_others() -> None:
    changed = edit(COMPLETE, Step.NAME)
    assert changed.full_name is None and changed.kecamatan == "Sumbersari"
    assert replace(changed, full_name="Siti Aminah", editing=False) == COMPLETE


# ---------------------------------------------------------------- answers

def test_a_new_regency_clears_its_district_and_the_confirmation() -> None:
    form = replace(COMPLETE, region_confirmed=True)
    after = answer(Step.KABUPATEN, "Lumajang", form, today=TODAY)
    assert (after.kabupaten, after.kecamatan, after.region_confirmed) == (
        "Lumajang", None, False)


def test_no_at_the_region_check_asks_the_region_again() -> None:
    step, form = decline_region(replace(COMPLETE, kabupaten="Lumajang", kecamatan="Pasirian"))
    assert step is Step.KABUPATEN and (form.kabupaten, form.kecamatan) == (None, None)
    assert form.nik == NIK_SUMBERSARI


def test_a_nik_records_where_it_was_issued() -> None:
    form = answer(Step.NIK, NIK_SUMBERSARI, RegistrationForm(region_confirmed=True), today=TODAY)
    assert form.nik_issued == IssuedRegion("Jember", "Sumbersari")
    assert not form.region_confirmed


def test_an_unclear_choice_is_refused() -> None:
    with pytest.raises(UnclearChoice):
        answer(Step.SEGMENT, "maybe", RegistrationForm(), today=TODAY)


# ---------------------------------------------------------------- back and history

def test_each_asked_step_is_remembered_once_and_back_goes_one_step() -> None:
    form = asked(asked(asked(RegistrationForm(), Step.CONSENT), Step.SEGMENT), Step.SEGMENT)
    form = asked(form, Step.NAME)
    assert form.history == (Step.CONSENT, Step.SEGMENT, Step.NAME)
    step, form = back(form)
    assert step is Step.SEGMENT and form.history == (Step.CONSENT, Step.SEGMENT)
    assert asked(form, step) == form


def test_back_never_undoes_the_consent() -> None:
    only = RegistrationForm(history=(Step.CONSENT,))
    assert back(only) == (Step.CONSENT, only)
    assert back(RegistrationForm()) == (Step.CONSENT, RegistrationForm())


# ---------------------------------------------------------------- summary buttons

def test_summary_buttons_that_apply() -> None:
    assert summary_choice("confirm", Step.SUMMARY) == SummaryChoice(SummaryAction.CONFIRM)
    assert summary_choice("cancel", Step.NAME) == SummaryChoice(SummaryAction.CANCEL)
    assert summary_choice("change", Step.SUMMARY) == SummaryChoice(SummaryAction.CHANGE)
    assert summary_choice("summary", Step.NIK) == SummaryChoice(SummaryAction.SUMMARY)
    assert summary_choice("edit:kabupaten", Step.SUMMARY) == SummaryChoice(
        SummaryAction.EDIT, Step.KABUPATEN)


@pytest.mark.parametrize("action", ["edit:consent", "edit:kecamatan", "edit", "edit:",
                                    "cancel:now", "send", "", "consent:yes"])
def test_forged_summary_buttons_are_refused(action: str) -> None:
    assert summary_choice(action, Step.SUMMARY) is None


def test_an_old_summary_cannot_send_a_form_in_the_middle_of_an_edit() -> None:
    assert summary_choice("confirm", Step.NIK) is None


# ---------------------------------------------------------------- questions in the form

def test_a_typed_refused_answer_may_be_a_question_a_button_not() -> None:
    assert may_be_question(Step.PHONE, COMPLETE, refused=True, typed=True)
    assert not may_be_question(Step.INCOME, COMPLETE, refused=True, typed=False)


def test_an_accepted_free_text_may_be_a_question_once() -> None:
    form = RegistrationForm()
    assert may_be_question(Step.NAME, form, refused=False, typed=True)
    assert not may_be_question(Step.PHONE, form, refused=False, typed=True)
    again = after_question(form, Step.NAME, refused=False)
    assert not may_be_question(Step.NAME, again, refused=False, typed=True)
    assert after_question(form, Step.PHONE, refused=True) == form  # nothing typed is stored


# ---------------------------------------------------------------- take_answer (database)

async def test_an_accepted_answer_moves_on_and_forgets_the_interruption(
        sessions: Sessions) -> None:
    form = RegistrationForm(segment="BPU", question_answered_at=Step.NAME,
                            kecamatan_candidates=("Puger",))
    outcome = await take_answer(sessions, kind=Kind.SELF, step=Step.NAME, form=form,
                                code="Siti Aminah", telegram_user_id=1, now=NOW, today=TODAY)
    assert outcome.step is Step.NIK and outcome.error is None
    assert outcome.form == RegistrationForm(segment="BPU", full_name="Siti Aminah")


async def test_an_unknown_district_keeps_the_form_and_offers_candidates(
        sessions: Sessions) -> None:
    form = RegistrationForm(kabupaten="Jember")
    outcome = await take_answer(sessions, kind=Kind.SELF, step=Step.KECAMATAN, form=form,
                                code="sumbrsri", telegram_user_id=1, now=NOW, today=TODAY)
    assert outcome.step is Step.KECAMATAN and isinstance(outcome.error, KecamatanUnknown)
    assert "Sumbersari" in outcome.form.kecamatan_candidates
    assert replace(outcome.form, kecamatan_candidates=()) == form


async def test_another_leads_nik_is_refused_its_own_is_not(sessions: Sessions) -> None:
    view = await leads.submit(sessions, kind=Kind.SELF, form=COMPLETE, telegram_user_id=7,
                              chat_id=7, now=NOW)
    at_nik = RegistrationForm(segment="BPU", full_name="Ahmad")
    refused = await take_answer(sessions, kind=Kind.SELF, step=Step.NIK, form=at_nik,
                                code=NIK_SUMBERSARI, telegram_user_id=8, now=NOW, today=TODAY)
    assert isinstance(refused.error, DuplicateNik) and refused.form == at_nik
    own = replace(at_nik, lead_id=view.id)
    taken = await take_answer(sessions, kind=Kind.SELF, step=Step.NIK, form=own,
                              code=NIK_SUMBERSARI, telegram_user_id=7, now=NOW, today=TODAY)
    assert taken.error is None and taken.form.nik == NIK_SUMBERSARI


async def test_no_at_the_region_check_touches_nothing_else(sessions: Sessions) -> None:
    form = replace(COMPLETE, kabupaten="Lumajang", kecamatan="Pasirian")
    outcome = await take_answer(sessions, kind=Kind.SELF, step=Step.REGION_CHECK, form=form,
                                code="no", telegram_user_id=1, now=NOW, today=TODAY)
    assert (outcome.step, outcome.form) == decline_region(form)
