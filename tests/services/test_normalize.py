"""Normalisation maps slang, Javanese and Madurese spellings onto the knowledge base's words."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.services.normalize import default_lexicon, normalize, stem, tokens


def test_case_punctuation_and_stretched_letters() -> None:
    assert normalize("IURAN!!! mahalll bangettt???") == normalize("iuran mahal banget")


def test_slang_javanese_and_madurese_map_to_standard_words() -> None:
    assert normalize("brp iuran") == normalize("berapa iuran")
    assert normalize("piye carane daftar") == "bagaimana cara daftar"
    assert normalize("berempa iuranna") .startswith("berapa")
    assert normalize("jht bs cair gk") == normalize("jht bisa cair tidak")
    assert "jht" in tokens("jaminan hari tua")
    assert normalize("bpjstk") == normalize("bpjs tk") == normalize("bpjs ketenagakerjaan")


def test_money_becomes_one_token() -> None:
    for text in ("penghasilan 2 juta", "penghasilan Rp 2.000.000", "penghasilan dua juta"):
        assert normalize(text) == "penghasilan nominal"
    assert "nominal" not in normalize("NIK 3509123456789012")


def test_affix_stripper_unifies_derived_forms() -> None:
    assert {stem(w) for w in ("pendaftaran", "mendaftar", "didaftarkan", "daftarin")} == {"daftar"}
    assert stem("pembayaran") == stem("membayar") == "bayar"
    assert stem("kecelakaan") == "celaka"
    assert stem("menerima") == "terima"
    assert stem("petani") == "tani" and stem("iuran") == "iuran"


def test_lexicon_is_large_and_self_consistent() -> None:
    lexicon = default_lexicon()
    assert len(lexicon.terms) + len(lexicon.phrases) >= 150
    assert not {"berapa", "kapan", "bagaimana", "apa"} & lexicon.stopwords


@given(st.text(max_size=120))
def test_normalize_is_idempotent_and_total(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
