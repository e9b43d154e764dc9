"""Gettext catalogs and Indonesian formatting of numbers, money and dates.

The `.po` files in `locales/` are the source; they are compiled in memory when the
bot starts, so nobody has to run a compile step before running the bot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("id", "en")
BABEL_LOCALES = {"id": "id_ID", "en": "en_ID"}  # English as used in Indonesia: Rp16.800

Gettext = Callable[[str], str]


class CatalogError(Exception):
    """A catalog is missing or incomplete."""


@dataclass(frozen=True)
class Catalogs:
    translations: dict[str, Translations]
    default: str = "id"

    def get(self, language: str | None) -> Translations:
        return self.translations.get(language or self.default, self.translations[self.default])

    def gettext(self, language: str | None) -> Gettext:
        return self.get(language).gettext


def read_catalog(path: Path) -> Translations:
    """Compiles one `.po` file in memory; fuzzy entries are left out, as pybabel does."""
    with path.open("rb") as po_file:
        catalog = read_po(po_file)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


def load_catalogs(locales_dir: Path = LOCALES_DIR, default: str = "id") -> Catalogs:
    translations: dict[str, Translations] = {}
    for language in LANGUAGES:
        path = locales_dir / language / "LC_MESSAGES" / "messages.po"
        if not path.is_file():
            raise CatalogError(f"catalog {path} is missing")
        translations[language] = read_catalog(path)
    if not translations[default]._catalog:  # noqa: SLF001 - babel keeps entries here
        raise CatalogError(f"catalog for {default!r} has no translations")
    return Catalogs(translations=translations, default=default)


def babel_locale(language: str | None) -> str:
    return BABEL_LOCALES.get(language or "id", "id_ID")


def rupiah(amount: Decimal | int, language: str | None = "id") -> str:
    """Whole rupiah: Rp16.800."""
    return format_currency(
        amount, "IDR", format="¤#,##0", currency_digits=False, locale=babel_locale(language)
    ).replace("\xa0", "")


def number(value: int | float | Decimal, language: str | None = "id") -> str:
    """29.000 (both languages use the Indonesian grouping)."""
    return format_decimal(value, locale=babel_locale(language))


def percent(ratio: float, language: str | None = "id") -> str:
    """A ratio as a percentage with one decimal: 0.1234 -> 12,3%."""
    return format_percent(ratio, format="#,##0.0%", locale=babel_locale(language))


def rate(value: Decimal, language: str | None = "id") -> str:
    """A contribution rate as a percentage, decimals only where it has them: 1%, 0,5%."""
    return format_percent(value, format="#,##0.##%", locale=babel_locale(language))


def tanggal(day: date, language: str | None = "id") -> str:
    """23 November 2026."""
    return babel_dates.format_date(day, "d MMMM y", locale=babel_locale(language))


def tanggal_jam(moment: datetime, tz: ZoneInfo, language: str | None = "id") -> str:
    """23 November 2026, 16.30: Indonesian puts a dot between hours and minutes."""
    pattern = "d MMMM y, HH.mm" if (language or "id") == "id" else "d MMMM y, HH:mm"
    return babel_dates.format_datetime(moment, pattern, tzinfo=tz, locale=babel_locale(language))


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Marks a msgid for extraction where the translation happens later."""
    return message
