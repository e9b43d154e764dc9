"""bot/app.py's FEATURES is the whole table: no feature module is left out or wired twice."""

from __future__ import annotations

import importlib
import pkgutil

import handlers
from bot.app import FEATURES, Row
from bot.context import Group


def name(row: Row) -> str:
    return str(getattr(row.feature, "__name__", ""))


def test_every_feature_module_has_one_row() -> None:
    features = [row.feature for row in FEATURES]
    modules = [importlib.import_module(f"handlers.{info.name}")
               for info in pkgutil.iter_modules(handlers.__path__)]
    with_register = {module for module in modules if hasattr(module, "register")}
    assert len(features) == len(set(features))
    assert set(features) == with_register


def test_the_router_comes_last_and_payloads_go_in_table_order() -> None:
    assert name(FEATURES[-1]) == "handlers.router"
    payloads = [name(row) for row in FEATURES if row.payload is not None]
    assert payloads == ["handlers.private_only", "handlers.organizers", "handlers.referral"]
    assert [name(row) for row in FEATURES if row.free_text is not None] == ["handlers.questions"]


def test_handler_groups_run_in_the_named_order() -> None:
    assert Group.IGNORE < Group.CANCEL_HANDOFF < Group.OBSERVE < Group.FEATURES == 0
