"""Turns a worker's message into the tokens the FAQ matcher compares.

Steps: Unicode and case folding, money amounts -> "nominal", punctuation, stretched letters
("bangettt"), reduplication ("anak2"), the slang/Javanese/Madurese lexicon
(locales/knowledge/lexicon.yaml), stopwords, and a small rule-based Indonesian affix stripper
of our own (no third-party root-word dictionary: see LICENSES-DATA.md). All functions are pure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import yaml

from bot.services.amounts import iter_amounts

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # C parser when available
DEFAULT_LEXICON_PATH = (
    Path(__file__).resolve().parents[2] / "locales" / "knowledge" / "lexicon.yaml"
)
AMOUNT_TOKEN = "nominal"
_WORD = re.compile(r"[^\W_]+|_", re.UNICODE)
_STRETCHED = re.compile(r"([^\W\d])\1{2,}", re.UNICODE)
_REDUPLICATED = re.compile(r"\b([^\W\d_]{3,})2\b", re.UNICODE)
_MIN_STEM = 4
_VOWELS = frozenset("aiueo")


@dataclass(frozen=True)
class Lexicon:
    """Word maps and word lists that steer normalisation and the matcher's guards."""

    terms: Mapping[str, tuple[str, ...]]
    phrases: Mapping[tuple[str, ...], tuple[str, ...]]
    stopwords: frozenset[str]
    no_stem: frozenset[str]
    health: frozenset[str]
    work_injury: frozenset[str]
    other_services: frozenset[str]
    domain: frozenset[str]
    small_talk: frozenset[str]  # fillers that may go with a greeting or thanks
    greetings: frozenset[str] = frozenset()  # a message of these (+ fillers) is a greeting
    thanks: frozenset[str] = frozenset()  # ... thanks or an acknowledgement ("ok", "siap")


def load_lexicon(path: Path = DEFAULT_LEXICON_PATH) -> Lexicon:
    """Reads the lexicon file; raises ValueError naming the file when it is malformed."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    try:
        terms = {str(k): tuple(str(v).split()) for k, v in data["terms"].items()}
        phrases = {tuple(str(k).split()): tuple(str(v).split())
                   for k, v in data["phrases"].items()}
        lists = {name: frozenset(str(w) for w in data[name]) for name in (
            "stopwords", "no_stem", "health", "work_injury", "other_services", "domain",
            "small_talk", "greetings", "thanks")}
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: malformed lexicon ({exc!r})") from exc
    clashes = sorted(w for v in terms.values() for w in v if terms.get(w, (w,)) != (w,))
    if clashes:  # a mapped word must not map again, or normalising twice would differ
        raise ValueError(f"{path}: mapped words are themselves mapped: {clashes}")
    return Lexicon(terms=MappingProxyType(terms), phrases=MappingProxyType(phrases), **lists)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()


def stem(word: str, protected: frozenset[str] = frozenset()) -> str:
    """Strips common Indonesian affixes: "pendaftaran" -> "daftar", "kecelakaan" -> "celaka".

    Deliberately small and dictionary-free: it only has to map a question and the knowledge
    base onto the same forms, not to find true roots. Applied until nothing changes.
    """
    for _ in range(3):
        stemmed = _stem_once(word, protected)
        if stemmed == word:
            return word
        word = stemmed
    return word


def _stem_once(word: str, protected: frozenset[str]) -> str:
    if len(word) <= _MIN_STEM or word in protected or not word.isalpha():
        return word
    # Javanese krama -(n)ipun is a possessive like -nya: "caranipun", "mbayaripun"
    for particle in ("nipun", "ipun", "lah", "kah", "pun", "nya", "ku", "mu"):
        if word.endswith(particle) and len(word) - len(particle) >= _MIN_STEM:
            word = word[: -len(particle)]
            break
    if word in protected:
        return word
    best = _strip_prefixes(word)
    # -in: Jakarta slang for -kan; -aken/-ake/-no: Javanese, -aghi: Madurese ("daftaraghi")
    for suffix in ("aken", "ake", "aghi", "kan", "in", "an", "no", "i"):
        if not word.endswith(suffix) or len(word) - len(suffix) < _MIN_STEM:
            continue
        core = word[: -len(suffix)]
        stripped = _strip_prefixes(core)
        if suffix == "i" and stripped == core:
            continue  # a bare final -i is usually part of the word: "petani", "kuli"
        if len(stripped) >= _MIN_STEM:
            return stripped
    return best


def _strip_prefixes(word: str) -> str:
    for _ in range(2):
        stripped = _strip_prefix(word)
        if stripped == word or len(stripped) < _MIN_STEM:
            return word
        word = stripped
    return word


def _strip_prefix(word: str) -> str:
    if word.startswith(("di", "ke")):
        return word[2:]
    if word.startswith("nge") and word[3:4] not in _VOWELS:  # slang: ngecek -> cek
        return word[3:]
    if word.startswith("ng") and word[2:3] in _VOWELS:  # slang: ngurus -> urus
        return word[2:]
    if word.startswith(("mb", "nd")) and word[2:3] in _VOWELS | {"h"}:  # Jv: mbayar, ndaftar
        return word[1:]
    if word.startswith(("ter", "ber")):
        return word[3:]
    if word == "bekerja":
        return "kerja"
    for nasal, tail in (("meng", ""), ("peng", ""), ("meny", "s"), ("peny", "s")):
        if word.startswith(nasal) and word[len(nasal):][:1] in _VOWELS | {"g", "h", "k"}:
            return tail + word[len(nasal):]
    for nasal in ("men", "pen"):  # men+t dropped the t: menerima -> terima
        rest = word[3:]
        if word.startswith(nasal) and rest[:1] in {"c", "d", "j", "z"}:
            return rest
        if word.startswith(nasal) and rest[:1] in _VOWELS:
            return "t" + rest
    for nasal in ("mem", "pem"):  # mem+p dropped the p: memakai -> pakai
        rest = word[3:]
        if word.startswith(nasal) and rest[:1] in {"b", "f", "v"}:
            return rest
        if word.startswith(nasal) and rest[:1] in _VOWELS:
            return "p" + rest
    if word.startswith("per") and word[3:4] in _VOWELS:
        return word[3:]
    if word.startswith(("me", "pe")) and word[2:3] in set("lmnrwykdt"):
        return word[2:]
    return word


def _fold(text: str) -> str:
    """NFKC, accents off (Madurese è -> e), apostrophes out (enje' -> enje)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"['’`´]", "", text)


def _replace_amounts(text: str) -> str:
    pieces, last = [], 0
    for match in iter_amounts(text):
        pieces += [text[last:match.start], f" {AMOUNT_TOKEN} "]
        last = match.end
    return "".join(pieces) + text[last:]


def _apply_phrases(words: list[str], lexicon: Lexicon) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in (3, 2):
            key = tuple(words[i:i + size])
            if len(key) == size and key in lexicon.phrases:
                out += lexicon.phrases[key]
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


def raw_tokens(text: str, lexicon: Lexicon | None = None) -> tuple[str, ...]:
    """Words after folding, amounts, spelling and lexicon mapping; stopwords kept, no stems."""
    lexicon = lexicon or default_lexicon()
    text = _replace_amounts(_fold(text)).lower().replace("%", " persen ")
    text = _REDUPLICATED.sub(r"\1", _STRETCHED.sub(r"\1", text))
    words = _apply_phrases([w for w in _WORD.findall(text) if w != "_"], lexicon)
    mapped = [part for w in words for part in lexicon.terms.get(w, (w,))]
    return tuple(_apply_phrases(mapped, lexicon))


def content_tokens(words: Iterable[str], lexicon: Lexicon | None = None) -> tuple[str, ...]:
    """Drops stopwords and stems what is left."""
    lexicon = lexicon or default_lexicon()
    return tuple(stem(w, lexicon.no_stem) for w in words if w not in lexicon.stopwords)


def tokens(text: str, lexicon: Lexicon | None = None) -> tuple[str, ...]:
    """The content words of ``text`` as the matcher sees them."""
    return content_tokens(raw_tokens(text, lexicon), lexicon)


def normalize(text: str, lexicon: Lexicon | None = None) -> str:
    """``tokens`` joined by single spaces: "Brp iuranne sebulan?" -> "berapa iuran bulan"."""
    return " ".join(tokens(text, lexicon))
