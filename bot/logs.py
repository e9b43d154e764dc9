"""Logging that never carries personal data.

Our modules log events and internal ids only. Libraries are kept at INFO or above:
python-telegram-bot logs request parameters (message texts) at DEBUG and httpx logs URLs
with the token at INFO. A filter masks anything shaped like a NIK or a phone number as a
last line of defence.
"""

from __future__ import annotations

import logging
import re

NOISY = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "telegram": logging.INFO,
         "apscheduler": logging.WARNING, "aiosqlite": logging.INFO, "sqlalchemy": logging.WARNING,
         "alembic": logging.WARNING, "aiohttp.access": logging.WARNING}
SENSITIVE = re.compile(r"(?<!\d)(?:\+?62|0)8\d{7,12}(?!\d)|(?<!\d)\d{16}(?!\d)")


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SENSITIVE.sub("[disamarkan]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    quiet_libraries()


def quiet_libraries() -> None:
    for name, floor in NOISY.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(floor, logging.getLogger().level))
