"""Properties of the registration parsers: NIK, phone, income, district, referral codes."""

from __future__ import annotations

import contextlib
import re
from datetime import date, timedelta
from decimal import Decimal

import phonenumbers
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.errors import DomainError
from bot.services import codes, enums, regions, validators
from bot.services.amounts import parse_rupiah

TODAY = date(2026, 11, 23)
JEMBER = [k.name for k in regions.kecamatan_list("Jember")]


@st.composite
def niks(draw: st.DrawFn) -> tuple[str, date, bool, str]:
    """A NIK built from valid parts: a Jember district, a birth date, a sex, a serial."""
    district = draw(st.integers(1, 31))
    born = draw(st.dates(date(1930, 1, 1), TODAY))
    female = draw(st.booleans())
    serial = draw(st.integers(1, 9999))
    day = born.day + (40 if female else 0)
    nik = f"3509{district:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    return nik, born, female, f"3509{district:02d}"


@given(niks())
def test_a_nik_built_from_valid_parts_parses_back_to_them(case: tuple) -> None:
    nik, born, female, district = case
    info = validators.parse_nik(nik, today=TODAY)
    assert (info.nik, info.female, info.district_code) == (nik, female, district)
    assert (info.birth_date.day, info.birth_date.month) == (born.day, born.month)
    assert info.birth_date.year % 100 == born.year % 100 and info.birth_date <= TODAY


@given(niks(), st.sampled_from([" ", ".", "-", "  "]))
def test_separators_do_not_change_a_nik(case: tuple, separator: str) -> None:
    nik = case[0]
    spaced = separator.join([nik[:4], nik[4:8], nik[8:12], nik[12:]])
    assert validators.parse_nik(spaced, today=TODAY).nik == nik


@given(st.text(max_size=40))
def test_nik_parser_raises_nothing_but_domain_errors(text: str) -> None:
    try:
        info = validators.parse_nik(text, today=TODAY)
    except DomainError:
        return
    assert re.fullmatch(r"\d{16}", info.nik) and info.birth_date <= TODAY


@given(niks(), st.integers(1, 400))
def test_a_birth_date_in_the_future_is_refused(case: tuple, days: int) -> None:
    future = TODAY + timedelta(days=days)
    assume(future.year % 100 == TODAY.year % 100)
    nik = case[0][:6] + f"{future.day:02d}{future.month:02d}{future.year % 100:02d}" + "0001"
    try:
        validators.parse_nik(nik, today=TODAY)
    except DomainError as error:
        assert getattr(error, "reason", "") in ("future", "birth_date")
    else:
        raise AssertionError("a future birth date was accepted")


@given(st.sampled_from(["812", "813", "821", "852", "857", "877", "895"]),
       st.integers(1_000_000, 99_999_999), st.sampled_from(["0{}", "+62{}", "62{}", "+62 {}"]))
def test_phone_normalisation_agrees_with_phonenumbers(prefix: str, rest: int, shape: str) -> None:
    national = f"{prefix}{rest}"
    try:
        stored = validators.normalize_phone(shape.format(national))
    except DomainError:
        parsed = phonenumbers.parse("0" + national, "ID")
        assert not (phonenumbers.is_valid_number(parsed)
                    and phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE)
        return
    expected = phonenumbers.format_number(phonenumbers.parse("0" + national, "ID"),
                                          phonenumbers.PhoneNumberFormat.E164)
    assert stored == expected
    assert validators.normalize_phone(stored) == stored  # idempotent


@given(st.text(max_size=60))
def test_phone_parser_raises_nothing_but_domain_errors(text: str) -> None:
    with contextlib.suppress(DomainError):
        assert validators.normalize_phone(text).startswith("+62")


@given(st.text(max_size=120))
def test_name_cleaning_is_idempotent_and_safe(text: str) -> None:
    try:
        name = validators.clean_name(text)
    except DomainError:
        return
    assert validators.clean_name(name) == name
    assert 2 <= len(name) <= 80 and name == name.strip()
    assert not any(ch in name for ch in "\u200b\u200e\u202e\x00\n\t")


@given(st.integers(1, 50_000), st.sampled_from(["{} ribu", "{}rb", "Rp {}.000", "{}000"]))
def test_income_in_thousands_is_read_in_every_shape(thousands: int, shape: str) -> None:
    # A bare number under 10.000 ("175", "2025", "56 tahun") is not taken for money.
    assume(shape != "{}000" or thousands >= 10)
    assert parse_rupiah(shape.format(thousands)) == Decimal(thousands * 1000)


@given(st.decimals(0, 100_000_000, places=0))
def test_every_income_falls_in_exactly_one_band(amount: Decimal) -> None:
    bands = [band for band in enums.INCOME_BANDS if band.contains(amount)]
    assert len(bands) == 1 and enums.income_band_for(amount) == bands[0]


@settings(max_examples=150)
@given(st.sampled_from(JEMBER), st.data())
def test_a_district_with_one_typo_is_still_offered(name: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(name) - 1))
    letter = data.draw(st.sampled_from("aiueokrstn"))
    typo = name[:index] + letter + name[index + 1:]
    match = regions.match_kecamatan("Jember", typo)
    assert match.exact == name or name in match.candidates


@given(st.text(max_size=70))
def test_accepted_referral_codes_are_deep_link_safe(text: str) -> None:
    try:
        code = codes.normalize_referral_code(text)
    except DomainError:
        return
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code)
    assert codes.normalize_referral_code(code) == code
