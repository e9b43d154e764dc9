"""A staff answer on its way to the worker: in as many messages as it needs, every loss told.

A staff member's reply may be 4096 characters, Telegram's limit, and the worker's copy adds
a header: such an answer goes in parts cut at line or word boundaries
(bot/services/message_parts.py), each within the limit with its header. When a part fails,
the parts before it have reached the worker: they are what gets recorded, and the staff
are told which part failed and where the rest starts.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html import unescape

from telegram import InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError

from bot.context import BotContext
from bot.i18n import Gettext
from bot.services.message_parts import MAX_MESSAGE, split_text, utf16_length
from handlers.common import escape

logger = logging.getLogger(__name__)

TAG = re.compile(r"<[^>]+>")
PREVIEW = 40  # characters of the first part not delivered, shown to the staff


@dataclass(frozen=True)
class Delivery:
    parts: list[str]  # the answer's text, part by part, as cut
    delivered: int  # how many of them reached the worker, in order
    blocked: bool  # the worker has blocked the bot
    error: str | None  # Telegram's reason when a part failed otherwise

    @property
    def delivered_text(self) -> str:
        return "\n".join(self.parts[:self.delivered])


def header(_: Gettext, ticket_id: int, part: int = 1, parts: int = 1) -> str:
    if parts == 1:
        return _("💬 <b>Answer from BPJS Ketenagakerjaan staff</b> (#{number}):").format(
            number=ticket_id)
    return _("💬 <b>Answer from BPJS Ketenagakerjaan staff</b> (#{number}, part {part} of "
             "{parts}):").format(number=ticket_id, part=part, parts=parts)


def answer_parts(_: Gettext, ticket_id: int, text: str) -> list[str]:
    """The answer cut so that each part fits one message with its header (any header of
    up to 99 parts: the longest)."""
    longest = unescape(TAG.sub("", header(_, ticket_id, 99, 99)))
    return split_text(text, MAX_MESSAGE - utf16_length(longest) - 1)


async def deliver(context: BotContext, *, worker_id: int, ticket_id: int, text: str,
                  worker_: Gettext, keyboard: InlineKeyboardMarkup) -> Delivery:
    """Sends the answer to the worker part after part, `keyboard` under the last one;
    stops at the first part that fails."""
    parts = answer_parts(worker_, ticket_id, text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        try:
            await context.bot.send_message(
                worker_id, "\n".join([header(worker_, ticket_id, index + 1, len(parts)),
                                      escape(part)]),
                reply_markup=keyboard if last else None)
        except Forbidden:
            logger.info("ticket %s: worker blocked the bot", ticket_id)
            return Delivery(parts, index, True, None)
        except TelegramError as error:
            logger.warning("ticket %s: part %s of %s not delivered: %s", ticket_id, index + 1,
                           len(parts), type(error).__name__)
            return Delivery(parts, index, False, error.message)
    return Delivery(parts, len(parts), False, None)


def report(_: Gettext, name: str, ticket_id: int, delivery: Delivery) -> str:
    """What the staff member reads about their answer, exactly as it went."""
    values = {"name": escape(name), "number": ticket_id, "parts": len(delivery.parts),
              "delivered": delivery.delivered}
    total = len(delivery.parts)
    if delivery.delivered == total:
        return (_("✅ Sent to {name} (#{number}).") if total == 1
                else _("✅ Sent to {name} (#{number}) in {parts} messages.")).format(**values)
    if delivery.delivered == 0 and delivery.blocked:
        return _("⚠️ {name} has blocked the bot; the answer was not delivered.").format(
            **values)
    reason = (_("{name} has blocked the bot").format(name=escape(name)) if delivery.blocked
              else escape(delivery.error or "?"))
    if delivery.delivered == 0:
        return _("⚠️ Your answer did not reach {name} (#{number}): {reason}. Nothing was sent "
                 "or recorded; please try again.").format(reason=reason, **values)
    rest = delivery.parts[delivery.delivered]
    start = rest[:PREVIEW] + ("…" if len(rest) > PREVIEW else "")
    return _("⚠️ Only {delivered} of {parts} parts of your answer reached {name} (#{number}): "
             "{reason}. Not delivered, from: “{start}”. Those parts are recorded; reply to "
             "the ticket again with the rest.").format(
        reason=reason, start=escape(start), **values)
