"""The copies of workers' messages in the staff groups, posted after the worker is answered.

A staff group takes about 20 messages a minute: at a union meeting, with many workers asking
at once, each copy would wait seconds at Telegram's limiter inside its worker's update, the
workers in turn, and past the limit of concurrent updates everyone else too. So the handler
records the message (bot/services/handoff.post, which also catches a double press and a
flood), answers the worker, and queues the posting here: one task posts the copies one
after another, in the order the workers wrote, so a follow-up finds its ticket's first copy
to reply to. A copy that cannot be posted is tried again; when no staff group can be reached
at all, the message is dropped from the thread and the worker is told, so nothing is lost
without a word.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import ReplyParameters
from telegram.error import Forbidden, TelegramError

from bot.context import App, BotContext
from bot.i18n import Gettext
from bot.services import handoff
from handlers import handoff_staff
from handlers.common import blocked_the_bot, escape, staff_gettext

logger = logging.getLogger(__name__)

TICKET_MARK = handoff_staff.TICKET_MARK
# Seconds before each new try when no staff group took a copy (Telegram's retry_after is
# waited out by the rate limiter already; these are for network and server errors).
RETRY_DELAYS: tuple[float, ...] = (3.0, 15.0)


def post_in_background(context: BotContext, posted: handoff.Posted, text: str,
                       worker_: Gettext) -> None:
    """Queues the copies of a recorded message; returns at once."""

    async def job() -> None:
        await _post_or_tell(context, posted, text, worker_)

    _enqueue(context, job)


async def post_unposted(context: BotContext) -> None:
    """At start: the copies a stopped process had confirmed to workers but not posted
    (the job's data: when this process was built, so nothing of its own is taken)."""
    assert context.job is not None and isinstance(context.job.data, datetime)
    for posted, text in await handoff.unposted(context.sessions, now=context.now(),
                                               before=context.job.data):
        worker_ = await handoff_staff.worker_gettext(context, posted.ticket.telegram_user_id)
        logger.info("ticket %s: posting a copy left by the last run", posted.ticket.id)
        post_in_background(context, posted, text, worker_)


def _enqueue(context: BotContext, job: Callable[[], Awaitable[None]]) -> None:
    state = context.bot_data
    state.handoff_jobs.append(job)
    if not state.handoff_jobs_running:
        state.handoff_jobs_running = True
        # python-telegram-bot awaits this task when the bot stops: the queue is emptied.
        context.application.create_task(_run(context), name="handoff-copies")


async def _run(context: BotContext) -> None:
    state = context.bot_data
    try:
        while state.handoff_jobs:
            job = state.handoff_jobs.popleft()
            try:
                await job()
            except Exception as error:  # the error handler logs it; the next copy goes on
                await context.application.process_error(None, error)
    finally:
        state.handoff_jobs_running = False


async def _post_or_tell(context: BotContext, posted: handoff.Posted, text: str,
                        worker_: Gettext) -> None:
    async def post(current: handoff.Posted) -> list[tuple[int, int]]:
        return await post_copies(context, current, text)

    ticket = posted.ticket
    for delay in (*RETRY_DELAYS, None):
        if await handoff.publish(context.sessions, posted=posted, post_copies=post):
            return
        if delay is None:
            break
        logger.info("ticket %s: no staff group reached, trying again in %ss", ticket.id, delay)
        await asyncio.sleep(delay)
    logger.warning("ticket %s: message dropped, no staff group reached", ticket.id)
    await handoff.abandon(context.sessions, ticket_id=ticket.id,
                          telegram_user_id=ticket.telegram_user_id, now=context.now(),
                          rows=posted.rows.values(), close=posted.new)
    quoted = text if len(text) <= 200 else text[:200] + "…"
    _ = worker_
    try:
        await context.bot.send_message(ticket.telegram_user_id, "\n".join([_(
            "😔 Sorry, your message for our staff (ticket #{number}) could not reach them: "
            "it was not passed on. Please send it again later, or call 175.").format(
            number=ticket.id), f"<i>{escape(quoted)}</i>"]))
    except Forbidden:
        await blocked_the_bot(context, ticket.telegram_user_id)


async def post_copies(context: BotContext, posted: handoff.Posted,
                      text: str) -> list[tuple[int, int]]:
    """The bot's own copy in every staff group: (chat_id, message_id) of each one sent."""
    _ = staff_gettext(context)
    ticket = posted.ticket
    name = escape(ticket.first_name)
    text = handoff.clean(text)  # as stored: cut to leave room for the header within 4096
    if posted.new:
        body = "\n".join([
            f"{TICKET_MARK}{ticket.id} · " + _("{name} asks:").format(name=name),
            escape(text), "",
            "<i>" + _("Reply to this message to answer; /tutup {number} closes the ticket.")
            .format(number=ticket.id) + "</i>"])
    else:
        body = f"{TICKET_MARK}{ticket.id} · {name}:\n{escape(text)}"
    copies = []
    for chat_id in sorted(posted.rows or context.settings.staff_chat_ids):
        anchor = posted.anchors.get(chat_id)
        thread = (ReplyParameters(anchor, allow_sending_without_reply=True)
                  if anchor is not None else None)
        try:
            sent = await context.bot.send_message(chat_id, body, reply_parameters=thread)
        except TelegramError as error:
            logger.warning("ticket %s: no copy in chat %s: %s", ticket.id, chat_id,
                           type(error).__name__)
            continue
        copies.append((chat_id, sent.message_id))
    return copies


def schedule_recovery(app: App) -> None:
    """Under long polling (this process alone), posts at start what the last run left
    (called by handlers.handoff.register: this module is part of that feature)."""
    if app.job_queue is not None and app.bot_data.sole_receiver:
        app.job_queue.run_once(post_unposted, when=0, data=app.bot_data.clock(),
                               name="handoff_unposted")
