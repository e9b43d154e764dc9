"""A database that cannot be written right now, as the error handler treats it: which fault
(db/faults.py reads the driver's error) and whether the operator was told of it lately.

One ERROR per outage: the same cause again within QUIET_SECONDS is logged as a WARNING.
Nothing but the time of the last ERROR per cause is remembered (AppState.db_faults_logged),
so the first message after the disk is writable again simply works.
"""

from __future__ import annotations

from db.faults import DatabaseFault, classify

__all__ = ["QUIET_SECONDS", "DatabaseFault", "classify", "first_in_a_while"]

QUIET_SECONDS = 300.0


def first_in_a_while(logged: dict[str, float], fault: DatabaseFault, now: float) -> bool:
    """Whether `fault` deserves an ERROR at `now` (monotonic seconds); records it if so."""
    if now - logged.get(fault.cause, -QUIET_SECONDS) >= QUIET_SECONDS:
        logged[fault.cause] = now
        return True
    return False
