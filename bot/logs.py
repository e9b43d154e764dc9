"""Logging that never carries personal data.

Our modules log events and internal ids only. Libraries are kept at INFO or above:
python-telegram-bot logs request parameters (message texts) at DEBUG and httpx logs URLs
with the token at INFO. A filter masks anything shaped like a NIK or a phone number, in
any spelling (bot/services/masking.py), in the message and in a traceback, as a last line of
defence.
"""

from __future__ import annotations

import logging

from bot.services.masking import mask_personal_numbers

NOISY = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "telegram": logging.INFO,
         "apscheduler": logging.WARNING, "aiosqlite": logging.INFO, "sqlalchemy": logging.WARNING,
         "alembic": logging.WARNING, "aiohttp.access": logging.WARNING}
MASK = "[disamarkan]"
_FORMATTER = logging.Formatter()


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = mask_personal_numbers(message, MASK)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # The formatter uses exc_text when set: an exception's message can carry input.
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_numbers(record.exc_text, MASK)
        if record.stack_info:
            record.stack_info = mask_personal_numbers(record.stack_info, MASK)
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
