"""FAQ knowledge base: load locales/knowledge/faq.yaml, validate it, return an immutable value.

``load_knowledge`` is pure (file in, new ``KnowledgeBase`` out), so an administrator's reload
builds a new object and swaps it in; a broken file raises ``KnowledgeError`` listing every
problem with the file and the entry id, and the running bot keeps its old knowledge base.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # C parser when available
DEFAULT_FAQ_PATH = Path(__file__).resolve().parents[2] / "locales" / "knowledge" / "faq.yaml"
LANGUAGES = ("id", "en")
TOPICS = frozenset({
    "umum", "program", "iuran", "manfaat", "jht", "jp", "jkp", "daftar", "bayar", "cek",
    "klaim", "kontak", "data", "kesehatan", "perisai", "serikat",
})
ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "a", "code"})
MIN_QUESTIONS = 6
MAX_RELATED = 3
MAX_ANSWER_CHARS = 3500  # leaves room for the title, the source line and buttons under 4096
MAX_TITLE_CHARS = 40
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_FIGURE = re.compile(r"Rp\s?\d|\d\s?%")
# An answer with figures names its regulation in `source` (shown under the answer), not in
# the body: workers read the answer first, the regulation is there to check it.
_REGULATION = re.compile(r"\b(?:PP|UU|Perpres|Permenaker|Perdir)\b[^;]*?\d+/")
# A regulation number in an answer body: "PP 82/2019", "UU No. 24/2011", "Permenaker 4/2022",
# "Perdir BPJS Ketenagakerjaan 22/PERDIR.02/072022". Said in words instead ("aturan lama
# (2022) yang sudah diganti"); the number belongs in `source`.
_REGULATION_IN_BODY = re.compile(
    r"\b(?:PP|UU|Perpres|Permenaker|Perdir)\b[^\n;:()]{0,40}?\d+\s*/\s*(?:\d{2,4}\b|[A-Z])")
_BAD_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);)")


class KnowledgeError(Exception):
    """The knowledge base file is unusable; the message names the file and every bad entry."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        if len(problems) == 1:
            message = f"{path}: {problems[0]}"
        else:
            message = f"{path}: {len(problems)} problems:\n" + "\n".join(problems)
        super().__init__(message)


@dataclass(frozen=True)
class FaqEntry:
    """One question the bot can answer, in Indonesian and English, with its source."""

    id: str
    topic: str
    title: Mapping[str, str]  # language -> short button label
    questions: tuple[str, ...]
    answer: Mapping[str, str]  # language -> Telegram HTML
    source: str
    reviewed: dt.date
    related: tuple[str, ...]
    has_figures: bool = False


@dataclass(frozen=True)
class KnowledgeBase:
    """All FAQ entries, in file order, and a lookup by id."""

    version: int
    reviewed: dt.date
    entries: tuple[FaqEntry, ...]
    path: Path
    by_id: Mapping[str, FaqEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup = MappingProxyType({entry.id: entry for entry in self.entries})
        object.__setattr__(self, "by_id", lookup)  # frozen: set once, here

    def get(self, entry_id: str) -> FaqEntry:
        return self.by_id[entry_id]

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.by_id


class _TagChecker(HTMLParser):
    """Collects problems with Telegram HTML: unknown tags, bad links, unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed (use {sorted(ALLOWED_TAGS)})")
            return
        names = [name for name, _ in attrs]
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if names != ["href"] or not href.startswith(("https://", "http://", "tg://")):
                self.problems.append('<a> needs exactly one href="https://..."')
        elif names:
            self.problems.append(f"<{tag}> must not have attributes")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"closing </{tag}> does not match an open tag")
        else:
            self.open.pop()


def html_problems(text: str) -> list[str]:
    """Problems that would make Telegram reject ``text`` in HTML parse mode."""
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    problems = checker.problems + [f"<{tag}> is never closed" for tag in checker.open]
    if _BAD_ENTITY.search(text):
        problems.append("a bare '&' must be written &amp;")
    return problems


def _entry_problems(raw: Any, index: int) -> tuple[str, list[str]]:
    """Returns the entry's name for messages and the problems found in it alone."""
    if not isinstance(raw, dict):
        return f"entry #{index + 1}", ["is not a mapping"]
    name = f"entry '{raw.get('id')}'" if raw.get("id") else f"entry #{index + 1}"
    problems: list[str] = []
    if not isinstance(raw.get("id"), str) or not _ID.match(raw["id"]):
        problems.append("id must be snake_case (a-z, 0-9, _)")
    if raw.get("topic") not in TOPICS:
        problems.append(f"topic {raw.get('topic')!r} is not one of {sorted(TOPICS)}")
    if not isinstance(raw.get("source"), str) or not raw["source"].strip():
        problems.append("missing source")
    if not isinstance(raw.get("reviewed"), dt.date):
        problems.append("missing reviewed date (YYYY-MM-DD)")
    questions = raw.get("questions")
    if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip()
                                                  for q in questions):
        problems.append("questions must be a list of texts")
    elif len(questions) < MIN_QUESTIONS:
        problems.append(f"needs at least {MIN_QUESTIONS} questions, has {len(questions)}")
    for part, limit in (("title", MAX_TITLE_CHARS), ("answer", MAX_ANSWER_CHARS)):
        value = raw.get(part)
        texts = value if isinstance(value, dict) else {}
        for lang in LANGUAGES:
            text = texts.get(lang)
            if not isinstance(text, str) or not text.strip():
                problems.append(f"missing {part} in language '{lang}'")
                continue
            if len(text) > limit:
                problems.append(f"{part} '{lang}' is too long ({len(text)} > {limit} chars)")
            problems += [f"{part} '{lang}': {p}" for p in html_problems(text)]
            if part == "answer":
                problems += _figure_problems(
                    text, lang, bool(raw.get("has_figures")), str(raw.get("source") or "")
                )
                problems += _style_problems(text, lang)
    related = raw.get("related", [])
    if not isinstance(related, list) or len(related) > MAX_RELATED:
        problems.append(f"related must be a list of at most {MAX_RELATED} ids")
    return name, problems


def _figure_problems(text: str, lang: str, has_figures: bool, source: str) -> list[str]:
    if has_figures and not _REGULATION.search(source):
        return ["has_figures but the source names no regulation (e.g. PP 82/2019)"]
    if not has_figures and _FIGURE.search(text):
        return [f"answer '{lang}' carries Rp or % figures: set has_figures: true "
                "and name the regulation in source"]
    return []


def _style_problems(text: str, lang: str) -> list[str]:
    """The answer comes first, in one bold line; regulation numbers go to `source`."""
    problems = []
    first_line = text.strip().split("\n", 1)[0]
    if not first_line.startswith("<b>") or "</b>" not in first_line:
        problems.append(f"answer '{lang}' must start with the answer in one bold line "
                        "(<b>Ya.</b> ..., <b>Rp16.800 per bulan.</b>)")
    found = _REGULATION_IN_BODY.search(text)
    if found:
        problems.append(f"answer '{lang}' names a regulation number ({found.group(0)!r}): "
                        "put it in source, say it in words in the answer")
    return problems


def _build_entry(raw: dict[str, Any]) -> FaqEntry:
    return FaqEntry(
        id=raw["id"],
        topic=raw["topic"],
        title=MappingProxyType({lang: raw["title"][lang].strip() for lang in LANGUAGES}),
        questions=tuple(q.strip() for q in raw["questions"]),
        answer=MappingProxyType({lang: raw["answer"][lang].strip() for lang in LANGUAGES}),
        source=raw["source"].strip(),
        reviewed=raw["reviewed"],
        related=tuple(raw.get("related", [])),
        has_figures=bool(raw.get("has_figures", False)),
    )


def load_knowledge(path: Path = DEFAULT_FAQ_PATH) -> KnowledgeBase:
    """Reads and validates the FAQ file; raises ``KnowledgeError`` naming every problem."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KnowledgeError(path, [f"cannot read the file: {exc}"]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise KnowledgeError(path, ["top level must be a mapping with a list under 'entries'"])
    problems = [f"top level: missing {key}" for key in ("version", "reviewed") if key not in data]
    seen: set[str] = set()
    for index, raw in enumerate(data["entries"]):
        name, entry_problems = _entry_problems(raw, index)
        if isinstance(raw, dict) and raw.get("id") in seen:
            entry_problems.append("duplicate id")
        seen.add(str(raw.get("id")) if isinstance(raw, dict) else "")
        problems += [f"{name}: {problem}" for problem in entry_problems]
    for raw in data["entries"]:
        if isinstance(raw, dict) and isinstance(raw.get("related"), list):
            problems += [f"entry '{raw.get('id')}': related id '{other}' does not exist"
                         for other in raw["related"] if other not in seen]
            if raw.get("id") in raw["related"]:
                problems.append(f"entry '{raw.get('id')}': related lists the entry itself")
    if problems:
        raise KnowledgeError(path, problems)
    return KnowledgeBase(
        version=int(data["version"]),
        reviewed=data["reviewed"],
        entries=tuple(_build_entry(raw) for raw in data["entries"]),
        path=path,
    )


def check_knowledge(path: Path = DEFAULT_FAQ_PATH) -> str:
    """For ``python -m bot kb check``: a one-line summary, or ``KnowledgeError``."""
    kb = load_knowledge(path)
    questions = sum(len(entry.questions) for entry in kb.entries)
    return f"{path}: OK, {len(kb.entries)} entries, {questions} questions, version {kb.version}"
