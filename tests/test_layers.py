"""Imports point down (shared STYLE.md, "Layers"): services and the knowledge base never import
telegram, handlers never touch the database but through a service, db/ never imports bot.

The check reads the source with ``ast`` and imports nothing, so it sees imports inside
functions and under ``if TYPE_CHECKING:`` too (a type-only import is still a dependency).
Imports by name at run time (``importlib.import_module``) are not seen.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Package (dotted, as imported) -> top-level packages its modules must not import.
RULES: dict[str, frozenset[str]] = {
    "bot.services": frozenset({"telegram", "handlers"}),
    "bot.knowledge": frozenset({"telegram", "handlers"}),
    "handlers": frozenset({"sqlalchemy", "db"}),
    "db": frozenset({"bot", "handlers", "telegram"}),
}


def module_name(path: Path, root: Path = ROOT) -> str:
    """``bot/services/faq.py`` -> ``bot.services.faq``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """Every module named by an import statement anywhere in the source, relative ones resolved."""
    found: list[str] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:  # relative imports stay inside their top-level package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, target] if target else base)
            # "from db import users" names db.users as much as "import db.users" does
            found.extend(f"{target}.{alias.name}" for alias in node.names)
    return found


def violations(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """The imports of ``module`` its layer forbids, as "module imports name"."""
    forbidden: set[str] = set()
    for package, banned in RULES.items():
        if module == package or module.startswith(package + "."):
            forbidden |= banned
    return [
        f"{module} imports {name}"
        for name in imported_modules(module, source, is_package=is_package)
        if name.split(".")[0] in forbidden
    ]


def tree_violations(root: Path = ROOT) -> list[str]:
    found: list[str] = []
    for top in ("bot", "handlers", "db"):
        for path in sorted((root / top).rglob("*.py")):
            found += violations(module_name(path, root), path.read_text(encoding="utf-8"),
                                is_package=path.name == "__init__.py")
    return found


def test_the_tree_keeps_its_layers() -> None:
    assert tree_violations() == []


def test_the_check_reads_every_layer() -> None:
    # A path typo in tree_violations would make the test above pass on nothing at all.
    modules = {module_name(path) for top in ("bot", "handlers", "db")
               for path in (ROOT / top).rglob("*.py")}
    for package in RULES:
        assert any(m.startswith(package + ".") for m in modules), package


@pytest.mark.parametrize(("module", "source", "found"), [
    ("bot.services.leads", "from telegram import Update\n",
     ["bot.services.leads imports telegram.Update"]),
    ("bot.services.leads", "import telegram.ext\n", ["bot.services.leads imports telegram.ext"]),
    ("bot.knowledge.faq", "def f():\n    from telegram.constants import ParseMode\n",
     ["bot.knowledge.faq imports telegram.constants.ParseMode"]),
    ("bot.services.leads",
     "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from telegram import User\n",
     ["bot.services.leads imports telegram.User"]),
    ("handlers.stats", "from sqlalchemy import select\n",
     ["handlers.stats imports sqlalchemy.select"]),
    ("handlers.stats", "from db import stats as queries\n", ["handlers.stats imports db.stats"]),
    ("handlers.stats", "import db.models\n", ["handlers.stats imports db.models"]),
    ("db.leads", "from bot.services.enums import LeadStatus\n",
     ["db.leads imports bot.services.enums.LeadStatus"]),
])
def test_a_planted_violation_is_found(module: str, source: str, found: list[str]) -> None:
    assert violations(module, source) == found


@pytest.mark.parametrize(("module", "source"), [
    ("bot.services.leads", '"""Not telegram: plain values."""\nTELEGRAM = "telegram"\n'),
    ("bot.services.leads", "from db import leads as queries\nfrom sqlalchemy import select\n"),
    ("bot.services.leads", "from bot.services.enums import LeadStatus\nimport telegramish\n"),
    ("handlers.stats", "from telegram import Update\nfrom bot.services import stats\n"),
    ("handlers.stats", "from .common import reply\n"),
    ("db.leads", "from sqlalchemy import select\nfrom .models import Lead\n"),
    ("bot.app", "from telegram.ext import Application\nfrom db.session import Sessions\n"),
])
def test_allowed_imports_pass(module: str, source: str) -> None:
    assert violations(module, source) == []


def test_relative_imports_are_resolved() -> None:
    assert imported_modules("bot.services.leads", "from ..context import App\n") == [
        "bot.context.App"]
    assert imported_modules("bot.services", "from . import leads\n", is_package=True) == [
        "bot.services.leads"]
    assert imported_modules("db.migrations.env", "from ..models import Base\n") == [
        "db.models.Base"]
