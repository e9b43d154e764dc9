"""``decide`` says what the bot does with a message: small talk, the calculator (only when an
income's contribution is asked), an answer with a second question's entry, "Maksud Anda?",
or not understood."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bot.knowledge.loader import load_knowledge
from bot.services.decision import decide
from bot.services.matching import Matcher


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.build(load_knowledge())


@pytest.mark.parametrize("text", [
    "assalamualaikum", "halo min", "pagi", "sugeng enjing", "Selamat siang pak",
    "slmt sore kak", "p", "permisi", "nyuwun sewu", "apa kabar min",
])
def test_greetings_are_small_talk(matcher: Matcher, text: str) -> None:
    assert (decide(matcher, text).action, decide(matcher, text).small_talk) == (
        "small_talk", "greeting")


@pytest.mark.parametrize("text", [
    "ok makasih mas", "siap", "matur nuwun", "sakalangkong", "mantap", "terima kasih banyak",
    "oke thx", "nggih matur nuwun sanget", "🙏", "👍👍", "ok paham",
])
def test_thanks_and_acknowledgements_are_small_talk(matcher: Matcher, text: str) -> None:
    decision = decide(matcher, text)
    assert (decision.action, decision.small_talk) == ("small_talk", "thanks")


@pytest.mark.parametrize("text", [
    "halo min, jht bisa cair kapan?", "makasih, terus iuran bpu berapa",
    "pagi, cara daftar bpjs tk gimana",
])
def test_a_greeting_with_a_question_is_a_question(matcher: Matcher, text: str) -> None:
    assert decide(matcher, text).action in {"answer", "suggest"}


@pytest.mark.parametrize(("text", "amount"), [
    ("penghasilan 2 juta iurannya berapa", 2_000_000),
    ("gaji sebulan 1,5 jt iuran brp", 1_500_000),
    ("kalau 2,5jt brp", 2_500_000),
    ("sehari narik 80rb, iuranku piro", 80_000),
    ("hitung iuran penghasilan 3 juta", 3_000_000),
])
def test_income_with_what_to_pay_opens_the_calculator(matcher: Matcher, text: str,
                                                      amount: int) -> None:
    decision = decide(matcher, text)
    assert (decision.action, decision.amount) == ("calculator", Decimal(amount))


@pytest.mark.parametrize("text", [
    # seen in December 2026 (matching-notes.md): the amount is context, not an income
    "santunan kematian 42 juta masih dibayar kalau iurannya nunggak 3 bulan?",
    "pembantu rumah tangga gaji 1,5 juta, siapa yang wajib mendaftarkan dia?",
    "saldo jht 5 juta bisa klaim di jmo?",
    "bayar 16.800 dapat apa",
    "jatuh dari proyek, mandor cuma kasih 500rb, biaya rs ditanggung gak",
    "gaji 2 juta dipotong berapa buat bpjs, pabrik bayar berapa",
])
def test_an_amount_alone_does_not_open_the_calculator(matcher: Matcher, text: str) -> None:
    assert decide(matcher, text).action != "calculator"


def test_contribution_asked_without_a_readable_amount_gets_its_entry(matcher: Matcher) -> None:
    decision = decide(matcher, "sehari bersih 120an, iuran saya brp jadinya")
    assert (decision.action, decision.entry_id) == ("answer", "hitung_iuran")


def test_health_guard_holds_through_the_decision(matcher: Matcher) -> None:
    for text in ("bpjs kesehatan kelas 3 mandiri sebulan brp", "kis saya tidak aktif"):
        decision = decide(matcher, text)
        assert (decision.action, decision.entry_id) == ("answer", "beda_kesehatan")
    accident = decide(matcher, "kecelakaan kerja, biaya rumah sakit ditanggung jkk?")
    assert accident.entry_id != "beda_kesehatan"


def test_everyday_illness_gets_the_illness_redirect(matcher: Matcher) -> None:
    decision = decide(matcher, "anak saya demam, berobat ke puskesmas bisa pakai kartu bpjs tk?")
    assert (decision.action, decision.entry_id) == ("answer", "berobat_sakit")


@pytest.mark.parametrize(("text", "both"), [
    ("bpjs tk iku sakjane lembaga opo? aku wis nduwe kartu kis, opo podo wae",
     {"apa_bpjstk", "beda_kesehatan"}),
    ("jht bisa cair kapan? terus iuran bpu sebulan berapa", {"jht_cair", "iuran_bpu"}),
])
def test_a_second_question_is_offered_not_dropped(matcher: Matcher, text: str,
                                                  both: set[str]) -> None:
    decision = decide(matcher, text)
    assert decision.action == "answer"
    assert {decision.entry_id, decision.extra} == both
    assert decision.shown == (decision.entry_id, decision.extra)


@pytest.mark.parametrize("size", [2, 3])
def test_a_tiny_knowledge_base_still_decides(size: int) -> None:
    kb = load_knowledge()
    small = replace(kb, entries=tuple(e for e in kb.entries
                                      if e.id in ("jht_cair", "iuran_bpu", "kontak"))[:size])
    tiny = Matcher.build(small)
    assert decide(tiny, "jht bisa cair kapan").entry_id == "jht_cair"
    assert decide(tiny, "makasih").action == "small_talk"
