"""Reads an answer typed at a step that offers buttons: "tidak", "nggih", "2,5 jt an",
"sy ojek mas, narik sendiri", "gak ada mas".

Plain text in, a `Reading` out; no Telegram, no words for the user. A reading that is not
sure says so (`code` None) and keeps what it did understand (an amount, an occupation), so
the form can say what it understood and show the buttons again without losing anything.
Text that looks like a question ("jht itu apa?") is never read as a choice: the form hands
it to the question answerer instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bot.services import amounts, contribution, enums, validators
from bot.services.amounts import Period

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

YES = frozenset({
    "ya", "iya", "iyo", "iye", "y", "yes", "yup", "yoi", "ok", "oke", "okay", "okey", "boleh",
    "mau", "betul", "benar", "bener", "leres", "siap", "sip", "setuju", "nggih", "enggih",
    "inggih", "ngih", "injih", "gelem", "purun", "sudi", "gpp",
})
NO = frozenset({
    "tidak", "tdk", "gak", "ga", "gk", "g", "nggak", "ngga", "enggak", "engga", "ndak", "nda",
    "endak", "no", "nope", "jangan", "jgn", "mboten", "boten", "ora", "orak", "emoh", "kagak",
    "gausah", "ogah", "tak", "bukan", "bkn",
})
# Words that carry no answer: forms of address, particles, thanks.
FILLER = frozenset({
    "mas", "mbak", "mba", "pak", "bu", "bapak", "ibu", "kak", "dik", "dek", "bang", "cak",
    "ning", "sih", "dong", "deh", "aja", "saja", "kok", "lah", "nah", "min", "admin",
    "terima", "kasih", "makasih", "trims", "thanks", "suwun", "matur", "nuwun", "sampun",
    "usah", "perlu", "saya", "sy", "aku", "kulo", "kula", "gan", "nggeh",
})
# "gak tau", "belum yakin": not an answer, whatever the negation says.
UNSURE = frozenset({"tau", "tahu", "ngerti", "paham", "yakin", "bingung", "reti"})
QUESTION_WORDS = frozenset({
    "apa", "apakah", "berapa", "brp", "gimana", "bagaimana", "bgmn", "gmn", "kenapa",
    "mengapa", "knp", "kapan", "dimana", "mana", "siapa", "opo", "piye", "pripun", "endi",
    "pundi", "bisakah",
})
# At the referral step: "tidak ada", "gak ada mas", "belum", "ndak punya", "lupa".
_NO_CODE = NO | frozenset({"belum", "blm", "durung", "dereng", "skip", "lewati", "lewat",
                           "kosong", "lupa", "none"})
# A wage from an employer (PU) or work on one's own account (BPU); negated PU words are BPU.
_WAGE = frozenset({
    "digaji", "gaji", "gajian", "upah", "diupah", "karyawan", "pegawai", "majikan", "juragan",
    "perusahaan", "pabrik", "kantor", "honorer", "pt", "cv", "atasan",
})
_OWN = frozenset({
    "sendiri", "mandiri", "wiraswasta", "wirausaha", "serabutan", "freelance", "lepas",
    "usaha", "dagang", "jualan", "berdagang",
})
# Listed occupations named in free text. A phrase inside a longer one counts as the longer
# one ("buruh tani" is not "Petani"); two different occupations named is no reading.
_OCCUPATION_PHRASES: dict[str, str] = {
    "petani": "Petani", "tani": "Petani", "bertani": "Petani", "buruh tani": "Buruh tani",
    "petani tembakau": "Petani tembakau", "tembakau": "Petani tembakau",
    "peternak": "Peternak", "ternak": "Peternak", "beternak": "Peternak",
    "nelayan": "Nelayan", "melaut": "Nelayan", "pedagang": "Pedagang", "dagang": "Pedagang",
    "berdagang": "Pedagang", "jualan": "Pedagang", "ojek": "Ojek / ojol",
    "ojol": "Ojek / ojol", "ngojek": "Ojek / ojol", "gojek": "Ojek / ojol",
    "grab": "Ojek / ojol", "maxim": "Ojek / ojol", "sopir": "Sopir", "supir": "Sopir",
    "buruh pabrik": "Buruh pabrik", "pabrik": "Buruh pabrik",
    "buruh bangunan": "Buruh bangunan", "kuli bangunan": "Buruh bangunan",
    "tukang bangunan": "Buruh bangunan", "tukang batu": "Buruh bangunan",
    "pekerja rumah tangga": "Pekerja rumah tangga", "prt": "Pekerja rumah tangga",
    "asisten rumah tangga": "Pekerja rumah tangga", "pembantu": "Pekerja rumah tangga",
    "umkm": "UMKM", "warung": "UMKM",
}
_WITH_JHT = frozenset({"jht", "tabungan", "lengkap", "semua", "semuanya"})
_WITHOUT = frozenset({"tanpa"}) | NO
_BASIC = frozenset({"dasar", "murah", "termurah", "minimal", "jkk", "jkm"})
_RANGE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(jt|juta|rb|ribu|k)?\s*(?:-|–|sampai|sampe|s/d|sd|hingga|ke)\s*"
    r"(\d+(?:[.,]\d+)?)\s*(jt|juta|rb|ribu|k)?\b")
_BELOW = re.compile(r"(di\s*bawah|kurang\s+dari|kurang|<|(?:gak|tidak|tdk|ga|ndak|belum)"
                    r"\s+(?:sampai|sampe|nyampe))\s*")
_UNIT = {"jt": Decimal(10**6), "juta": Decimal(10**6), "rb": Decimal(1000),
         "ribu": Decimal(1000), "k": Decimal(1000)}


@dataclass(frozen=True)
class Reading:
    """What a typed answer says. `code` None: no choice could be read with confidence."""

    code: str | None
    occupation: str | None = None  # a listed occupation the text names, kept either way
    amount: Decimal | None = None  # an income read from the text (as typed)
    period: Period | None = None  # the period of `amount`, when the text says one


def words(text: str) -> list[str]:
    """The words of `text`, casefolded; "apa-apa", "apa2" and "papa" become "gpp"."""
    folded = re.sub(r"\b(?:apa[\s-]*(?:apa|2)|papa)\b", " gpp ", text.casefold())
    return _WORD.findall(folded)


def is_question(text: str) -> bool:
    """A "?" or a question word: the text is for the question answerer, not a choice."""
    return "?" in text or bool(QUESTION_WORDS & set(words(text)))


def yes_no(text: str) -> str | None:
    """"yes" or "no" when the text says only that (with forms of address and thanks)."""
    said = {word for word in words(text) if word not in FILLER}
    if "gpp" in said:  # "gak apa-apa": no objection
        said = (said - NO) | {"gpp"}
    if said and said <= YES:
        return "yes"
    if said and said <= NO | {"ada"} and said & NO:
        return "no"
    return None


def no_code(text: str) -> bool:
    """At the referral step: the worker says they have no code ("gak ada mas", "belum")."""
    if any(ch.isdigit() for ch in text) or "-" in text:
        return False  # looks like a code: check it
    return bool(set(words(text)) & _NO_CODE)


def occupation_in(text: str) -> str | None:
    """The one listed occupation the text names ("sy ojek mas, narik sendiri"), or None."""
    said = words(text)
    found: list[tuple[int, int, str]] = []  # (start, end, occupation)
    for phrase, job in _OCCUPATION_PHRASES.items():
        parts = phrase.split()
        for start in range(len(said) - len(parts) + 1):
            if said[start:start + len(parts)] == parts:
                found.append((start, start + len(parts), job))
    kept = {job for start, end, job in found
            if not any(s <= start and end <= e and (e - s) > (end - start)
                       for s, e, _job in found)}
    return kept.pop() if len(kept) == 1 else None


def segment(text: str) -> Reading:
    """PU when an employer pays a wage ("ya", "digaji pabrik"), BPU when not ("tidak",
    "kerja sendiri", "gak digaji"); an occupation named on the way is kept either way."""
    job = occupation_in(text)
    said = words(text)
    plain = yes_no(text)
    if plain is not None:  # the question is "are you paid a wage by an employer?"
        return Reading("PU" if plain == "yes" else "BPU", job)
    if UNSURE & set(said):
        return Reading(None, job)
    wage = own = False
    for index, word in enumerate(said):
        negated = any(w in NO or w == "tanpa" for w in said[max(0, index - 2):index])
        if word in _WAGE:
            own, wage = own or negated, wage or not negated
        elif word in _OWN or word in NO and not (
                index + 1 < len(said) and said[index + 1] in _WAGE):
            own = True
        elif word in YES:
            wage = True
    if wage != own:
        return Reading("PU" if wage else "BPU", job)
    return Reading(None, job)


def programmes(text: str) -> Reading:
    """With JHT ("pakai jht", "yang lengkap") or the basic package ("tanpa jht", "dasar")."""
    said = words(text)
    for index, word in enumerate(said):
        if word in _WITH_JHT:
            negated = any(w in _WITHOUT for w in said[max(0, index - 2):index])
            return Reading(enums.Programmes.JKK_JKM.value if negated
                           else enums.Programmes.JKK_JKM_JHT.value)
    if set(said) & _BASIC:
        return Reading(enums.Programmes.JKK_JKM.value)
    return Reading(None)


def _number(raw: str, unit: str | None) -> Decimal | None:
    value = amounts.parse_number(raw)
    if value is None:
        return None
    if unit is not None:
        return value * _UNIT[unit]
    if value < 100:  # "1-2" at the income step: juta
        return value * 10**6
    return value if value >= 10_000 else None


def income(text: str) -> Reading:
    """The income band of a typed amount or range: "2,5 jt an", "1-2 juta", "dibawah 1 jt",
    "lebih dari 5 juta", "100rb sehari" (counted as a month: bot.services.contribution).

    An amount below Rp1.000.000 with no period ("100rb") is not read: it may be a day's pay
    (`contribution.period_unclear`); the reading keeps it so the form can say so.
    """
    folded = text.casefold()
    ranged = _RANGE.search(folded)
    if ranged is not None:
        unit = ranged.group(2) or ranged.group(4)
        low, high = _number(ranged.group(1), unit), _number(ranged.group(3), ranged.group(4))
        if low is not None and high is not None and low < high:
            band = enums.income_band_for(low)
            if high <= (band.upper or high):
                return Reading(band.code, amount=low)
            return Reading(None, amount=low)
    found = amounts.find_income(text)
    if found is None:
        return Reading(None)
    if found.period is None and contribution.period_unclear(found.amount, found.period):
        return Reading(None, amount=found.amount)
    monthly = contribution.monthly_income(found.amount, found.period or Period.MONTH)
    if _BELOW.search(folded):  # "kurang dari 2 juta": the band just below
        monthly = max(monthly - 1, Decimal(0))
    return Reading(enums.income_band_for(monthly).code, amount=found.amount,
                   period=found.period)


def listed_occupation(text: str) -> str:
    """The occupation to store for a typed answer: a listed one when the text names exactly
    one ("sy ojek mas" -> "Ojek / ojol"), else the cleaned text (validators)."""
    cleaned = validators.clean_occupation(text)
    if cleaned in validators.OCCUPATIONS:
        return cleaned
    return occupation_in(text) or cleaned
