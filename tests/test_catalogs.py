"""Every message the code uses is translated in both catalogs, and the catalogs load."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.support import NullTranslations

from bot.i18n import LOCALES_DIR, load_catalogs

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "gettext": None}


def _msgids_in_code() -> set[str]:
    found = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _translated(language: str) -> dict[str, str]:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def test_every_msgid_in_the_code_is_translated_in_both_catalogs() -> None:
    used = _msgids_in_code()
    assert len(used) > 20
    for language in ("id", "en"):
        missing = sorted(used - _translated(language).keys())
        assert not missing, f"{language} catalog lacks: {missing}"


def test_placeholders_survive_translation() -> None:
    import re

    field = re.compile(r"\{(\w+)\}")
    for msgid, msgstr in _translated("id").items():
        assert set(field.findall(msgid)) == set(field.findall(msgstr)), msgid


def test_catalogs_load_as_real_translations_not_null() -> None:
    catalogs = load_catalogs()
    for language in ("id", "en"):
        translations = catalogs.get(language)
        assert type(translations) is not NullTranslations
    assert catalogs.gettext("id")("Choose your language:") == "Pilih bahasa Anda:"
