"""Follow-ups read against the last answer, and questions typed in the middle of a form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.services.amounts import Income, Period
from bot.services.dialogue import (
    FormQuestion,
    Previous,
    Reading,
    context_words,
    could_follow_up,
    question_in_form,
    read_follow_up,
)
from bot.services.matching import MatchResult

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)


def previous(entry_id: str, topic: str, text: str = "", minutes_ago: float = 1) -> Previous:
    return Previous(entry_id, topic, text, NOW - timedelta(minutes=minutes_ago))


def read(text: str, before: Previous | None) -> Reading:
    return read_follow_up(text, before, now=NOW, window=WINDOW)


CALCULATOR = previous("hitung_iuran", "iuran", "penghasilan 2 juta iurannya berapa")


def test_amount_after_a_contribution_answer_is_counted_again() -> None:
    assert read("kalau 2,5 juta?", CALCULATOR) == Reading(
        "kalau 2,5 juta?", income=Income(Decimal(2_500_000), None))
    assert read("2,5 juta aja?", CALCULATOR).income == Income(Decimal(2_500_000), None)
    assert read("kalo sehari 100rb?", CALCULATOR).income == Income(Decimal(100_000),
                                                                   Period.DAY)


def test_a_period_alone_takes_the_last_amount() -> None:
    daily = previous("hitung_iuran", "iuran", "[hitung_iuran] 100000 sehari")
    assert read("kalau seminggu?", daily).income == Income(Decimal(100_000), Period.WEEK)
    assert read("sehari", CALCULATOR).income == Income(Decimal(2_000_000), Period.DAY)


def test_follow_up_to_a_programme_gets_its_programme() -> None:
    jht = previous("jht_apa", "jht")
    reading = read("terus klaimnya gimana?", jht)
    assert reading.text == "terus klaimnya gimana? (jht)" and reading.added == ("jht",)
    assert read("kalo nelayan?", previous("iuran_bpu", "iuran")).text == (
        "kalo nelayan? (bpu iuran)")
    assert read("kalau buat istri?", previous("manfaat_jkm", "manfaat")).added == (
        "jkm", "manfaat")


def test_what_the_message_names_itself_is_not_overridden() -> None:
    claim = previous("klaim_jht", "klaim")
    assert read("kalau jkm?", claim).added == ("klaim",)  # the new programme, the old subject
    assert read("terus daftarnya?", previous("iuran_bpu", "iuran")).added == ("bpu",)


@pytest.mark.parametrize("text", [
    "makasih",  # small talk
    "klaimnya gimana?",  # no opener: stands alone
    "kalau kecelakaan pas berangkat kerja ditanggung gak sama bpjs?",  # long
    "berapa iuran bpjs kesehatan kelas 3?",
])
def test_messages_that_stand_alone_are_left_alone(text: str) -> None:
    assert read(text, previous("jht_apa", "jht")) == Reading(text)


def test_context_expires() -> None:
    old = previous("jht_apa", "jht", minutes_ago=5.5)
    assert read("terus klaimnya gimana?", old) == Reading("terus klaimnya gimana?")
    assert read("kalau 2,5 juta?", previous("hitung_iuran", "iuran", minutes_ago=6)).income \
        is None
    assert read_follow_up("terus klaimnya gimana?", previous("jht_apa", "jht"), now=NOW,
                          window=timedelta(0)) == Reading("terus klaimnya gimana?")
    assert read("terus klaimnya gimana?", None) == Reading("terus klaimnya gimana?")


def test_amount_after_an_answer_outside_the_calculator_is_not_counted() -> None:
    assert read("kalau 2,5 juta?", previous("jht_apa", "jht")).income is None


def test_cheap_pre_check() -> None:
    assert could_follow_up("kalau 2,5 juta?") and could_follow_up("trs klaimnya gmn")
    assert could_follow_up("2,5 juta") and could_follow_up("seminggu?")
    assert not could_follow_up("jht itu apa") and not could_follow_up("halo")
    assert not could_follow_up("kalau " + "x" * 200)


def test_context_words_come_from_id_and_topic() -> None:
    assert context_words("klaim_jht", "klaim") == {"programme": "jht", "subject": "klaim"}
    assert context_words("iuran_bpu", "iuran") == {"group": "bpu", "subject": "iuran"}
    assert context_words("kontak", "kontak") == {}


# ---------------------------------------------------------------- questions during a form

ANSWER = MatchResult("answer", "jht_apa", ("jht_apa",), 0.78)
WEAK_ANSWER = MatchResult("answer", "jht_apa", ("jht_apa",), 0.45)
SUGGEST = MatchResult("suggest", None, ("jp_bpu", "iuran_bpu"), 0.3, "low_score")
NONE = MatchResult("none", None, (), 0.1, "low_score")


def form(text: str, result: MatchResult, *, valid: bool = False, contribution: bool = False,
         segment: str | None = "BPU") -> FormQuestion | None:
    return question_in_form(text, result, valid=valid, contribution=contribution,
                            segment=segment)


def test_cost_question_gets_the_contribution_of_the_group() -> None:
    assert form("bentar, ini nanti bayarnya brp?", SUGGEST) == FormQuestion(
        entry_id="iuran_bpu")
    assert form("iurannya berapa?", NONE, segment="PU") == FormQuestion(entry_id="iuran_pu")
    assert form("bayar telat berapa bulan?", SUGGEST) == FormQuestion()  # not the cost


def test_income_question_goes_to_the_calculator() -> None:
    assert form("kalau 2 juta iurannya brp", ANSWER, contribution=True) == FormQuestion(
        calculator=True)


def test_invalid_answer_that_asks_is_a_question() -> None:
    assert form("jht itu apa", ANSWER) == FormQuestion()
    assert form("pensiun gimana?", SUGGEST) == FormQuestion()  # "Maksud Anda ...?"
    assert form("jht", ANSWER) == FormQuestion()  # a confident answer alone
    assert form("jht", WEAK_ANSWER) is None  # not sure enough without a question word


def test_valid_answer_is_a_question_only_when_it_clearly_asks() -> None:
    assert form("jht itu apa", ANSWER, valid=True) == FormQuestion()
    assert form("Siti Aminah", NONE, valid=True) is None
    assert form("petani", SUGGEST, valid=True) is None
    assert form("pensiun gimana?", SUGGEST, valid=True) is None


def test_plain_wrong_answers_are_not_questions() -> None:
    assert form("0812", NONE) is None
    assert form("bentar", NONE) is None


def test_long_texts_are_not_questions_between_two_answers() -> None:
    assert form("jht itu apa? " + "x" * 300, ANSWER) is None
