"""Typed occupations read as the listed ones, for counting: "ngojek online (grab)" is an ojol.

Workers may type their work instead of choosing a button; the lead keeps what they typed
(staff read it on the lead card and in exports). Only the counts in /stats group it: typed
work that clearly names one listed occupation counts as that one. Clearly: the words name
exactly one of them, after the more specific wins ("buruh tani" over "tani", "petani
tembakau" over "petani", an ojol driver over a driver). "petani dan ojek" names two and
stays as typed, as does anything the words below do not name ("guru ngaji").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.services.validators import OCCUPATIONS

# Words and phrases (lower case, one space between words) naming each listed occupation,
# in the ways workers in Jember write them: Indonesian, Javanese and chat spellings.
NAMES: dict[str, tuple[str, ...]] = {
    "Petani": ("petani", "tani", "bertani", "tandur", "sawah", "berkebun", "pekebun",
               "kebun"),
    "Buruh tani": ("buruh tani", "buruh sawah", "buruh kebun", "buruh tandur",
                   "buruh perkebunan", "kuli tani", "kuli sawah", "tani buruh"),
    "Petani tembakau": ("tembakau", "mbako", "bako"),
    "Peternak": ("peternak", "ternak", "beternak", "ngingu", "angon"),
    "Nelayan": ("nelayan", "melaut", "mayang", "nelayan tangkap"),
    "Pedagang": ("pedagang", "dagang", "berdagang", "dagangan", "jualan", "berjualan",
                 "penjual", "bakul", "pkl", "kaki lima", "pracangan"),
    "Ojek / ojol": ("ojek", "ojol", "ngojek", "ojeg", "ngojeg", "gojek", "grab", "maxim",
                    "shopeefood", "gofood", "grabfood", "driver online", "ojek online",
                    "ojek pangkalan", "opang"),
    "Sopir": ("sopir", "supir", "nyopir", "nyupir", "driver", "pengemudi"),
    "Buruh pabrik": ("pabrik", "buruh pabrik", "karyawan pabrik", "pekerja pabrik",
                     "operator produksi"),
    "Buruh bangunan": ("buruh bangunan", "kuli bangunan", "tukang bangunan", "tukang batu",
                       "kuli proyek", "buruh proyek", "laden"),
    "Pekerja rumah tangga": ("prt", "art", "pembantu", "pembantu rumah tangga",
                             "asisten rumah tangga", "pekerja rumah tangga", "babysitter",
                             "baby sitter", "pengasuh anak"),
    "UMKM": ("umkm", "ukm", "usaha kecil", "usaha mikro", "home industri",
             "home industry", "olshop", "online shop", "wirausaha"),
}
# The more specific occupation wins over the general one it also names.
WINS_OVER: dict[str, frozenset[str]] = {
    "Buruh tani": frozenset({"Petani", "Petani tembakau"}),
    "Petani tembakau": frozenset({"Petani"}),
    "Ojek / ojol": frozenset({"Sopir"}),
    "Buruh pabrik": frozenset({"Buruh bangunan"}),
}
_LISTED = {job.casefold(): job for job in OCCUPATIONS}
_LONGEST = max(name.count(" ") + 1 for names in NAMES.values() for name in names)
_PHRASES = {name: job for job, names in NAMES.items() for name in names}
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """Lower-case words of letters and digits: "Ngojek ONLINE (Grab)" -> ngojek online grab."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def named_occupations(text: str) -> set[str]:
    """Every listed occupation the text's words or phrases name, the general ones left out
    where a more specific one is named too."""
    tokens = words(text)
    found = {
        _PHRASES[phrase]
        for length in range(1, _LONGEST + 1)
        for start in range(len(tokens) - length + 1)
        if (phrase := " ".join(tokens[start:start + length])) in _PHRASES
    }
    beaten = set().union(*(WINS_OVER.get(job, frozenset()) for job in found))
    return found - beaten


def listed_occupation(text: str) -> str | None:
    """The listed occupation the text clearly is, else None (the text then stays as typed).

    A listed one as typed ("Lainnya" too) is itself; typed work is the one occupation its
    words name.
    """
    listed = _LISTED.get(" ".join(text.split()).casefold())
    if listed is not None:
        return listed
    named = named_occupations(text)
    return named.pop() if len(named) == 1 else None


def group_occupations(counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Counts of stored occupations as counts of listed ones where the text clearly is one.

    What stays typed is grouped with the same text in other letter case, under its most
    common spelling. Largest first, then by name.
    """
    totals: dict[str, int] = {}
    spellings: dict[str, dict[str, int]] = {}
    for occupation, count in counts:
        key = listed_occupation(occupation) or " ".join(occupation.split())
        folded = key.casefold()
        totals[folded] = totals.get(folded, 0) + count
        spelled = spellings.setdefault(folded, {})
        spelled[key] = spelled.get(key, 0) + count
    named = {folded: max(spelled, key=lambda s: (spelled[s], s))
             for folded, spelled in spellings.items()}
    return sorted(((named[folded], total) for folded, total in totals.items()),
                  key=lambda item: (-item[1], item[0]))
