"""What an UPDATE or DELETE did: how many rows it matched."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Result


def affected(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched. ``session.execute`` is typed as returning a plain
    ``Result``; for these statements it is a ``CursorResult``, which has the count."""
    assert isinstance(result, CursorResult), type(result)
    return result.rowcount
