"""Questions handed to staff: tickets, their threads in the staff groups, and the way back.

A worker's question becomes a ticket; the bot posts its own copy in every staff group and
records each copy's (chat, message) so a staff reply to any copy finds the ticket, even
after a restart. While the ticket is open the worker's next messages join its thread: the
handoff flow (a conversation row) stays open for WINDOW after the last message.

A message is recorded before its copies are posted (one row per staff group, the copy's
message id filled in once it is known): a message that reached the staff always counts
toward FOLLOW_UP_LIMIT, whatever fails afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.errors import DomainError
from bot.services import answering
from bot.services.answering import Answer, FaqIndex
from bot.services.conversations import IDLE_MINUTES
from bot.services.decision import decide
from db import handoff as queries
from db.models import Ticket
from db.session import Sessions

logger = logging.getLogger(__name__)

FLOW = queries.HANDOFF_FLOW
WINDOW = timedelta(hours=24)
MAX_TEXT = 3000  # leaves room for the header within Telegram's 4096 characters
MAX_NAME = 64
# A worker's messages passed on without a staff answer in between, per FOLLOW_UP_WINDOW:
# enough for a conversation, not for a flood (a staff group takes about 20 messages a
# minute, and the lead cards queue behind them).
FOLLOW_UP_LIMIT = 10
FOLLOW_UP_WINDOW = timedelta(minutes=10)


class HandoffError(DomainError):
    """A handoff problem the user can fix."""


class EmptyQuestion(HandoffError):
    """There is no text to pass on."""


class NotYourQuestion(HandoffError):
    """The button names a question of another user, or none at all."""


class TooManyFollowUps(HandoffError):
    """The worker wrote FOLLOW_UP_LIMIT messages without an answer: wait for staff."""


class UnknownTicket(HandoffError):
    """No ticket with this number (or not in this user's hands)."""


class NotAnswered(HandoffError):
    """The ticket is open and no staff answer has reached the worker yet: closing it needs
    a confirmation."""

    def __init__(self, ticket: TicketView) -> None:
        super().__init__(ticket.id)
        self.ticket = ticket


@dataclass(frozen=True)
class TicketView:
    id: int
    telegram_user_id: int
    first_name: str
    open: bool


@dataclass(frozen=True)
class Posted:
    """What the worker's message became: a new ticket or a message in an open one."""

    ticket: TicketView
    new: bool
    duplicate: bool  # the same text as the thread's last message (a double press)
    anchors: dict[int, int]  # staff chat -> the ticket's first copy there
    rows: dict[int, int] = field(default_factory=dict)  # staff chat -> the message's row


@dataclass(frozen=True)
class Submitted:
    """A worker's message after it was offered to the staff groups."""

    posted: Posted
    copies: list[tuple[int, int]]  # (staff chat, message id) of each copy posted

    @property
    def reached_staff(self) -> bool:
        """The staff have it: posted now, or already (a duplicate is not posted again)."""
        return self.posted.duplicate or bool(self.copies)


# Posts the copies of a recorded message in the staff groups; (chat, message id) of each.
PostCopies = Callable[[Posted], Awaitable[list[tuple[int, int]]]]


def _view(row: Ticket) -> TicketView:
    return TicketView(row.id, row.telegram_user_id, row.first_name or "?", row.status == "open")


def flow_data(ticket_id: int) -> dict[str, int]:
    return {"ticket": ticket_id, IDLE_MINUTES: int(WINDOW.total_seconds() // 60)}


def clean(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise EmptyQuestion()
    return cleaned[:MAX_TEXT]


async def post(sessions: Sessions, *, telegram_user_id: int, first_name: str, text: str,
               now: datetime, staff_chats: Collection[int] = ()) -> Posted:
    """Opens a ticket, or adds to the worker's open one; opens the handoff flow with it.

    The message is recorded for each of `staff_chats` (Posted.rows), its copy there still
    to be posted (record_copies, or abandon when none could be).
    Raises EmptyQuestion, or TooManyFollowUps when the open ticket has FOLLOW_UP_LIMIT
    messages of the worker's without an answer within FOLLOW_UP_WINDOW."""
    text = clean(text)
    async with sessions.begin() as session:
        row = await queries.open_ticket_of(session, telegram_user_id, now - WINDOW)
        new = row is None
        if row is None:
            row = await queries.add_ticket(session, telegram_user_id,
                                           (first_name or "?")[:MAX_NAME], now)
            duplicate, anchors = False, {}
        else:
            duplicate = await queries.last_worker_text(session, row.id) == text
            if not duplicate and await queries.worker_messages_since(
                    session, row.id, now - FOLLOW_UP_WINDOW) >= FOLLOW_UP_LIMIT:
                raise TooManyFollowUps()
            anchors = await queries.first_copies(session, row.id)
            await queries.touch_ticket(session, row.id, now)
        await queries.keep_flow(session, telegram_user_id, flow_data(row.id), now,
                                replace_other=True)
        rows = {} if duplicate else {
            chat_id: await queries.add_worker_message(session, row.id, text, now, chat_id)
            for chat_id in sorted(staff_chats)}
        return Posted(_view(row), new, duplicate, anchors, rows)


async def submit(sessions: Sessions, *, telegram_user_id: int, first_name: str, text: str,
                 now: datetime, staff_chats: Collection[int],
                 post_copies: PostCopies) -> Submitted:
    """A worker's message for the staff: recorded first (post), then posted by `post_copies`
    (the handler, which talks to Telegram), then the copies recorded; when no staff group
    could be reached the message is dropped again (abandon), and a new ticket closed.

    Recorded before it is posted, so every copy in a staff group counts toward the limit of
    follow-ups, whatever fails after it was posted. Raises EmptyQuestion, TooManyFollowUps."""
    posted = await post(sessions, telegram_user_id=telegram_user_id, first_name=first_name,
                        text=text, now=now, staff_chats=staff_chats)
    if posted.duplicate:
        return Submitted(posted, [])
    copies = await publish(sessions, posted=posted, post_copies=post_copies)
    if not copies:
        await abandon(sessions, ticket_id=posted.ticket.id, telegram_user_id=telegram_user_id,
                      now=now, rows=posted.rows.values(), close=posted.new)
    return Submitted(posted, copies)


async def publish(sessions: Sessions, *, posted: Posted,
                  post_copies: PostCopies) -> list[tuple[int, int]]:
    """Posts the copies of a message recorded by `post` and records them; [] when no staff
    group could be reached (the rows stay: retry, or `abandon`).

    A follow-up's thread anchors are read now, not when it was recorded: its copy may be
    posted after the worker was answered, once the copies before it are in the groups."""
    if not posted.new:
        async with sessions.begin() as session:
            posted = replace(posted, anchors=await queries.first_copies(session,
                                                                        posted.ticket.id))
    copies = await post_copies(posted)
    if copies:
        await record_copies(sessions, rows=posted.rows, copies=copies)
        logger.info("ticket %s %s copies=%s", posted.ticket.id,
                    "opened" if posted.new else "follow-up", len(copies))
    return copies


async def unposted(sessions: Sessions, *, now: datetime,
                   before: datetime) -> list[tuple[Posted, str]]:
    """Messages stored for the staff before `before` (this process's start) whose copies
    were never noted as posted: the process stopped between the worker's confirmation and
    the posting. Oldest first, to post again; a copy that was posted but whose id was not
    stored is posted twice, which is better than lost."""
    async with sessions.begin() as session:
        rows = await queries.unposted_messages(session, now - WINDOW, before)
        messages: dict[tuple[int, datetime, str], dict[int, int]] = {}
        for row in rows:
            assert row.staff_chat_id is not None  # the query's condition
            key = (row.ticket_id, row.created_at, row.text)
            messages.setdefault(key, {})[row.staff_chat_id] = row.id
        found = []
        for (ticket_id, _at, text), rows_by_chat in messages.items():
            ticket = await queries.ticket(session, ticket_id)
            if ticket is None:
                continue
            new = await queries.first_worker_message(session, ticket_id) in rows_by_chat.values()
            found.append((Posted(_view(ticket), new, False, {}, rows_by_chat), text))
        return found


async def record_copies(sessions: Sessions, *, rows: dict[int, int],
                        copies: list[tuple[int, int]]) -> None:
    """Stores the message id of each copy posted (staff chat, message id) in the message's
    row for that chat; the rows of chats no copy reached are dropped."""
    posted = dict(copies)
    async with sessions.begin() as session:
        for chat_id, row_id in rows.items():
            if chat_id in posted:
                await queries.set_copy(session, row_id, posted[chat_id])
        await queries.delete_messages(
            session, [row_id for chat_id, row_id in rows.items() if chat_id not in posted])


async def abandon(sessions: Sessions, *, ticket_id: int, telegram_user_id: int,
                  now: datetime, rows: Iterable[int] = (), close: bool = True) -> None:
    """No staff group could be reached: the message (`rows`) is dropped; with `close`
    (a new ticket) the ticket and the flow are closed."""
    async with sessions.begin() as session:
        await queries.delete_messages(session, list(rows))
        if close:
            await queries.close_ticket(session, ticket_id, now)
            await queries.end_flow(session, telegram_user_id, ticket_id)


async def question_of(sessions: Sessions, *, question_id: int, telegram_user_id: int) -> str:
    """The text of a logged question, if it is the user's own."""
    async with sessions.begin() as session:
        row = await queries.question(session, question_id)
        if row is None or row.telegram_user_id != telegram_user_id:
            raise NotYourQuestion()
        return row.text


async def by_copy(sessions: Sessions, *, chat_id: int, message_id: int,
                  number_shown: int | None = None) -> TicketView | None:
    """The ticket of the bot's copy `message_id` in the staff chat `chat_id`.

    `number_shown`: the ticket number the copy shows, for a copy whose message id was never
    stored (the bot stopped, or the database failed, right after posting it)."""
    async with sessions.begin() as session:
        row = await queries.ticket_by_copy(session, chat_id, message_id)
        if row is None and number_shown is not None:
            row = await queries.ticket(session, number_shown)
        return _view(row) if row is not None else None


async def get(sessions: Sessions, *, ticket_id: int) -> TicketView:
    async with sessions.begin() as session:
        row = await queries.ticket(session, ticket_id)
        if row is None:
            raise UnknownTicket()
        return _view(row)


async def record_staff_reply(sessions: Sessions, *, ticket_id: int, text: str, chat_id: int,
                             message_id: int, author_id: int, now: datetime) -> None:
    """Stores a staff answer that reached the worker; an open thread stays open for WINDOW."""
    async with sessions.begin() as session:
        row = await queries.ticket(session, ticket_id)
        if row is None:
            raise UnknownTicket()
        await queries.add_message(session, ticket_id, "staff", text, now, staff_chat_id=chat_id,
                                  staff_message_id=message_id, author_id=author_id)
        if row.status == "open":
            await queries.touch_ticket(session, ticket_id, now)
            # The worker can answer back, unless they are filling in a form right now.
            await queries.keep_flow(session, row.telegram_user_id, flow_data(ticket_id), now,
                                    replace_other=False)


async def close(sessions: Sessions, *, ticket_id: int, now: datetime,
                telegram_user_id: int | None = None,
                only_if_answered: bool = False) -> tuple[TicketView, bool]:
    """Closes a ticket (staff, or the worker when `telegram_user_id` is given).

    Returns the ticket and whether this call closed it (False: it was closed already).
    With `only_if_answered`, an open ticket no staff answer has reached raises NotAnswered
    (the caller asks to confirm, then closes without it).
    """
    async with sessions.begin() as session:
        row = await queries.ticket(session, ticket_id)
        if row is None or telegram_user_id not in (None, row.telegram_user_id):
            raise UnknownTicket()
        if (only_if_answered and row.status == "open"
                and not await queries.staff_answers(session, ticket_id)):
            raise NotAnswered(_view(row))
        changed = await queries.close_ticket(session, ticket_id, now)
        await queries.end_flow(session, row.telegram_user_id, ticket_id)
        await session.refresh(row)
        return _view(row), changed


async def answer_known(sessions: Sessions, index: FaqIndex, *, telegram_user_id: int,
                       text: str, now: datetime) -> Answer | None:
    """A message written while a ticket is open: the knowledge base's answer when the bot
    knows it confidently ("jht itu apa"), logged like any question; None when the message
    is for the staff (a follow-up, thanks, anything the bot is unsure of)."""
    decision = decide(index.matcher, text)
    if decision.action != "answer" or decision.entry_id not in index.kb:
        return None
    question_id = await answering.log(sessions, telegram_user_id=telegram_user_id, text=text,
                                      result=decision.as_match(), now=now)
    logger.info("question=%s answered in a ticket's thread entry=%s", question_id,
                decision.entry_id)
    return Answer(decision, question_id)
