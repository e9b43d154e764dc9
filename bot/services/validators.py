"""Checks and clean-ups for what a worker types into the registration form.

Plain values in, plain values or a DomainError out; no Telegram, no database, no clock (the
date comes in as `today`). Every normaliser is idempotent (tests/properties).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from bot.errors import InvalidNik, InvalidPersonName, InvalidPhone, InvalidText
from bot.services import regions
from bot.services.enums import INCOME_BANDS, IncomeBand

__all__ = [
    "INCOME_BANDS", "OCCUPATIONS", "OTHER_OCCUPATION", "IncomeBand", "NikInfo", "clean_name",
    "clean_occupation", "clean_text", "normalize_contact_phone", "normalize_phone", "parse_nik",
]

NAME_MIN, NAME_MAX = 2, 80
OCCUPATION_MIN, OCCUPATION_MAX = 2, 60

# Work of the informal (BPU) workers the branch reaches in Jember; "Lainnya" lets them type.
OCCUPATIONS: tuple[str, ...] = (
    "Petani", "Buruh tani", "Petani tembakau", "Peternak", "Nelayan", "Pedagang",
    "Ojek / ojol", "Sopir", "Buruh pabrik", "Buruh bangunan", "Pekerja rumah tangga", "UMKM",
    "Lainnya",
)
OTHER_OCCUPATION = "Lainnya"
_OCCUPATION_ALIASES = {
    "tani": "Petani", "ojek": "Ojek / ojol", "ojol": "Ojek / ojol", "ojek online": "Ojek / ojol",
    "supir": "Sopir", "prt": "Pekerja rumah tangga", "asisten rumah tangga":
    "Pekerja rumah tangga", "kuli bangunan": "Buruh bangunan", "nelayan tangkap": "Nelayan",
}
_OCCUPATION_KEYS = {job.casefold(): job for job in OCCUPATIONS} | _OCCUPATION_ALIASES


def _tidy_once(text: str) -> str:
    kept = []
    for char in unicodedata.normalize("NFKC", text):
        if char.isspace():
            kept.append(" ")
        elif not unicodedata.category(char).startswith("C"):
            # C*: controls, zero-width and bidi formatting (U+200B, U+202E), private use
            kept.append(char)
    return " ".join(unicodedata.normalize("NFKC", "".join(kept)).split())


def _tidy(text: str) -> str:
    """NFKC; controls and invisible characters gone; whitespace trimmed and collapsed."""
    for _round in range(4):  # NFKC after a removal can compose anew; stop at a fixed point
        tidier = _tidy_once(text)
        if tidier == text:
            break
        text = tidier
    return text


def clean_text(text: str, max_len: int) -> str:
    """Free text made safe to store and show, cut to `max_len` characters (may be empty)."""
    return _tidy(_tidy(text[: max_len * 4])[:max_len])


# ---------------------------------------------------------------- names and occupations

_APOSTROPHES = str.maketrans({"‘": "'", "’": "'", "ʼ": "'", "`": "'", "‐": "-"})
_NAME_PUNCTUATION = frozenset(" .'-,")  # "Moh. Sa'id", "Siti Nur-Aini", "Budi, S.Pd."


def clean_name(text: str) -> str:
    """A person's name, tidied; raises InvalidPersonName (an InvalidName) with a reason."""
    if len(text) > NAME_MAX * 8:
        raise InvalidPersonName("too_long")
    name = _tidy(text).translate(_APOSTROPHES)
    if len(name) < NAME_MIN:
        raise InvalidPersonName("too_short")
    if not all(c in _NAME_PUNCTUATION or unicodedata.category(c)[0] in "LM" for c in name):
        raise InvalidPersonName("characters")
    if not any(c.isalpha() for c in name):
        raise InvalidPersonName("no_letter")
    if len(name) > NAME_MAX:
        raise InvalidPersonName("too_long")
    return name


def clean_occupation(text: str) -> str:
    """A listed occupation in its listed spelling, or free text; raises InvalidText."""
    if len(text) > OCCUPATION_MAX * 8:
        raise InvalidText("too_long")
    job = _tidy(text)
    listed = _OCCUPATION_KEYS.get(job.casefold())
    if listed is not None:
        return listed
    if len(job) < OCCUPATION_MIN:
        raise InvalidText("too_short")
    if not any(c.isalpha() for c in job):
        raise InvalidText("no_letter")
    if len(job) > OCCUPATION_MAX:
        raise InvalidText("too_long")
    return job


# ---------------------------------------------------------------- NIK


@dataclass(frozen=True)
class NikInfo:
    """What a NIK says: where it was first issued, the birth date and the sex."""

    nik: str  # 16 digits
    province_code: str  # "35"
    regency_code: str  # "3509"
    district_code: str  # "350921"
    birth_date: date
    female: bool

    @property
    def serial(self) -> str:
        return self.nik[12:]


_NIK_SEPARATORS = re.compile(r"[\s.\-]+")  # "3509 2145 0890 0001", "35.09.21-450890-0001"


def parse_nik(text: str, *, today: date) -> NikInfo:
    """Checks a NIK's structure; raises InvalidNik with a reason.

    A NIK has no check digit, so this proves only that the number is possible: a known
    province, region digits that are not 00, a real birth date (day + 40 for women) not
    after `today`, and a serial other than 0000.
    """
    if len(text) > 64:
        raise InvalidNik("length")
    nik = _NIK_SEPARATORS.sub("", _tidy(text))
    if not (nik.isascii() and nik.isdigit()):
        raise InvalidNik("characters")
    if len(nik) != 16:
        raise InvalidNik("length")
    if not regions.is_province_code(nik[:2]):
        raise InvalidNik("province")
    if nik[2:4] == "00" or nik[4:6] == "00":
        raise InvalidNik("region")
    day, month, short_year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    year = 2000 + short_year if 2000 + short_year <= today.year else 1900 + short_year
    try:
        born = date(year, month, day - 40 if female else day)
    except ValueError:
        raise InvalidNik("birth_date") from None
    if born > today:
        raise InvalidNik("future")
    if nik[12:] == "0000":
        raise InvalidNik("serial")
    return NikInfo(nik, nik[:2], nik[:4], nik[:6], born, female)


# ---------------------------------------------------------------- phone numbers

_PHONE_CHARS = re.compile(r"[\d\s+\-.()/]+")  # digits and the usual separators, no letters
_MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _without_invisibles(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def normalize_phone(text: str) -> str:
    """An Indonesian mobile number in E.164 ("+6281234567890"); raises InvalidPhone.

    Takes "0812-3456-7890", "+62 812 3456 7890", "6281234567890" and "81234567890".
    """
    raw = _without_invisibles(text).strip()
    if not raw or len(raw) > 40 or not _PHONE_CHARS.fullmatch(raw):
        raise InvalidPhone("format")
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        raise InvalidPhone("format") from None
    if number.extension:
        raise InvalidPhone("format")
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("invalid")
    if phonenumbers.region_code_for_number(number) != "ID":
        raise InvalidPhone("country")
    if phonenumbers.number_type(number) not in _MOBILE:
        raise InvalidPhone("not_mobile")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def normalize_contact_phone(phone_number: str) -> str:
    """The number of a shared Telegram contact, which is international but may lack "+"."""
    raw = _without_invisibles(phone_number).strip()
    if raw[:1].isdigit() and raw[:1] != "0":
        raw = "+" + raw
    return normalize_phone(raw)
