"""Answers typed at the form's button steps (bot/services/typed_answers.py and
registration.read_answer), without Telegram."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.services import typed_answers
from bot.services.amounts import Period
from bot.services.registration import (
    Kind,
    RegistrationForm,
    Step,
    UnclearChoice,
    applies,
    keeps_stored_data,
    next_step,
    read_answer,
)


@pytest.mark.parametrize("text", ["ya", "iya", "Iya mas", "nggih", "inggih", "boleh",
                                  "ok", "ya boleh", "gak apa-apa", "mau pak"])
def test_yes_words(text: str) -> None:
    assert typed_answers.yes_no(text) == "yes"


@pytest.mark.parametrize("text", ["tidak", "Tidak.", "gak", "ga usah", "nggak mas",
                                  "mboten", "ndak", "tidak, terima kasih", "jangan"])
def test_no_words(text: str) -> None:
    assert typed_answers.yes_no(text) == "no"


@pytest.mark.parametrize("text", ["ya tidak", "mungkin", "kirim ke istri", ""])
def test_mixed_or_other_words_are_not_yes_or_no(text: str) -> None:
    assert typed_answers.yes_no(text) is None


@pytest.mark.parametrize(("text", "code", "job"), [
    ("tidak", "BPU", None),
    ("nggih", "PU", None),
    ("sy ojek mas, narik sendiri", "BPU", "Ojek / ojol"),
    ("kerja sendiri", "BPU", None),
    ("gak digaji, dagang sendiri", "BPU", "Pedagang"),
    ("digaji pabrik tiap bulan", "PU", "Buruh pabrik"),
    ("karyawan toko", "PU", None),
    ("saya petani", None, "Petani"),
    ("gak tau", None, None),
    ("ya tapi kerja sendiri", None, None),
])
def test_segment_from_words(text: str, code: str | None, job: str | None) -> None:
    assert typed_answers.segment(text) == typed_answers.Reading(code, job)


@pytest.mark.parametrize(("text", "band"), [
    ("2,5 jt an", "2-3"), ("1-2 juta", "1-2"), ("1jt - 2jt", "1-2"),
    ("antara 3 sampai 5 juta", "3-5"), ("dibawah 1 jt", "lt1"), ("kurang dari sejuta", "lt1"),
    ("lebih dari 5 juta", "gt5"), ("sekitar 1.500.000", "1-2"), ("100rb sehari", "2-3"),
    ("300rb seminggu", "1-2"), ("800 ribu sebulan", "lt1"), ("6 juta", "gt5"),
])
def test_income_bands_from_amounts(text: str, band: str) -> None:
    assert typed_answers.income(text).code == band


def test_small_amount_without_a_period_is_kept_but_not_read() -> None:
    reading = typed_answers.income("100rb")
    assert reading.code is None and reading.amount == Decimal(100_000)
    assert typed_answers.income("gak tentu") == typed_answers.Reading(None)
    assert typed_answers.income("100rb sehari").period is Period.DAY


def test_range_across_bands_is_not_read() -> None:
    assert typed_answers.income("1-3 juta").code is None


@pytest.mark.parametrize(("text", "code"), [
    ("pakai jht", "jkk_jkm_jht"), ("yang lengkap", "jkk_jkm_jht"), ("tanpa jht", "jkk_jkm"),
    ("gak usah jht", "jkk_jkm"), ("yang dasar aja", "jkk_jkm"), ("terserah", None),
])
def test_programmes_from_words(text: str, code: str | None) -> None:
    assert typed_answers.programmes(text).code == code


@pytest.mark.parametrize("text", ["tidak ada", "gak ada mas", "belum", "ndak ada",
                                  "tdk punya kode", "lewati"])
def test_no_code_words(text: str) -> None:
    assert typed_answers.no_code(text)


@pytest.mark.parametrize("text", ["SPSI-7KQ4X", "spsi 7kq4x", "Pak Darto"])
def test_codes_and_names_are_not_no_code(text: str) -> None:
    assert not typed_answers.no_code(text)


@pytest.mark.parametrize(("text", "job"), [
    ("sy ojek mas, narik sendiri", "Ojek / ojol"), ("ngojek online (grab)", "Ojek / ojol"),
    ("buruh tani", "Buruh tani"), ("petani tembakau di ambulu", "Petani tembakau"),
    ("jualan sayur di pasar", "Pedagang"), ("guru ngaji", None),
    ("petani dan pedagang", None),
])
def test_listed_occupation_named_in_free_text(text: str, job: str | None) -> None:
    assert typed_answers.occupation_in(text) == job


def test_typed_occupation_keeps_its_text_when_no_listed_one_is_named() -> None:
    assert typed_answers.listed_occupation("sy ojek mas") == "Ojek / ojol"
    assert typed_answers.listed_occupation("Guru ngaji") == "Guru ngaji"
    assert typed_answers.listed_occupation("Petani") == "Petani"


def test_questions_are_not_read_as_choices() -> None:
    assert typed_answers.is_question("jht itu apa")
    assert typed_answers.is_question("brp iurannya?")
    assert not typed_answers.is_question("gak apa-apa")
    with pytest.raises(UnclearChoice):
        read_answer(Step.PROGRAMMES, "jht itu apa", RegistrationForm())


def test_read_answer_turns_typed_text_into_codes() -> None:
    form = RegistrationForm()
    assert read_answer(Step.BROADCAST, "mboten", form) == ("no", form)
    assert read_answer(Step.REGION_CHECK, "iya", form) == ("yes", form)
    assert read_answer(Step.INCOME, "2,5 jt an", form) == ("2-3", form)
    assert read_answer(Step.REFERRAL, "gak ada mas", form) == ("skip", form)
    assert read_answer(Step.REFERRAL, "SPSI-7KQ4X", form) == ("SPSI-7KQ4X", form)
    assert read_answer(Step.NAME, "tidak", form) == ("tidak", form)  # free text passes
    code, noted = read_answer(Step.SEGMENT, "sy ojek mas, narik sendiri", form)
    assert (code, noted.occupation) == ("BPU", "Ojek / ojol")


def test_unclear_answer_keeps_what_was_understood() -> None:
    with pytest.raises(UnclearChoice) as raised:
        read_answer(Step.INCOME, "100rb", RegistrationForm())
    assert raised.value.reading is not None and raised.value.reading.amount == 100_000
    with pytest.raises(UnclearChoice) as raised:
        read_answer(Step.SEGMENT, "saya petani", RegistrationForm())
    assert raised.value.reading is not None and raised.value.reading.occupation == "Petani"


def test_occupation_named_early_is_not_asked_again() -> None:
    form = RegistrationForm(segment="BPU", full_name="Rudi", nik="3509214508900001",
                            phone="+6281234567899", occupation="Ojek / ojol")
    assert next_step(Kind.SELF, form, Step.PHONE) is Step.KABUPATEN
    asked_before = RegistrationForm(occupation="Petani", history=(Step.OCCUPATION,))
    assert applies(Step.OCCUPATION, Kind.SELF, asked_before)  # "kembali" to it still works


def test_referral_step_is_skipped_after_a_valid_link() -> None:
    linked = RegistrationForm(referral_name="Pak Darto (SPSI)", referral_from_link=True)
    assert not applies(Step.REFERRAL, Kind.SELF, linked)
    assert applies(Step.REFERRAL, Kind.SELF, RegistrationForm())
    assert RegistrationForm.from_dict(linked.to_dict()) == linked


def test_cancelling_an_update_keeps_stored_data() -> None:
    assert keeps_stored_data(RegistrationForm(lead_id=3, editing=True))
    assert not keeps_stored_data(RegistrationForm(full_name="Siti"))
