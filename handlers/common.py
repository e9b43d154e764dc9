"""Small pieces every handler module uses: the user's language, menus, escaping."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from html import escape
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import TypeHandler
from telegram.helpers import create_deep_linked_url

from bot.context import App, BotContext, CommandSpec, Group, LeadListener
from bot.i18n import Gettext
from bot.services import codes, users
from handlers.callback_data import MenuButton, MenuItem

__all__ = ["answer_stale", "blocked_the_bot", "escape", "in_group", "main_menu", "private_link",
           "register", "remember_user", "send_private_link", "staff_gettext"]


# With long polling the visit (users.last_seen) is written at most this often per user, and
# the language read with it is kept in user_data in between: it was a write on every update,
# the busiest one of the bot (docs/BENCHMARKS.md). Every update comes to this one process,
# so a language chosen meanwhile is set in user_data at once (handlers/start.py). Behind a
# webhook (AppState.visit_every is 0) every update writes the visit.
VISIT_EVERY = timedelta(minutes=1)
_SEEN_AT = "seen_at"


async def remember_user(update: Update, context: BotContext) -> None:
    """Before any handler: record the visit and load the language the user chose."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    now, data = context.now(), context.user_data
    if data is not None and _visited_lately(data, now, context.bot_data.visit_every):
        return
    language = await users.seen(context.sessions, telegram_user_id=user.id, now=now)
    if data is not None:
        data["locale"] = language or context.settings.default_language
        data[_SEEN_AT] = now


def _visited_lately(data: dict[str, Any], now: datetime, every: timedelta) -> bool:
    last = data.get(_SEEN_AT)
    return isinstance(last, datetime) and "locale" in data and (
        timedelta(0) <= now - last < every)


async def blocked_the_bot(context: BotContext, telegram_user_id: int) -> None:
    """Records that the user blocked the bot; their next message writes the visit again,
    which clears the mark."""
    await users.blocked_the_bot(context.sessions, telegram_user_id=telegram_user_id,
                                now=context.now())
    stored = context.application.user_data.get(telegram_user_id)
    if stored is not None:
        stored.pop(_SEEN_AT, None)


def tell_in_background(context: BotContext, listeners: list[LeadListener], lead_id: int) -> None:
    """Runs the lead listeners after the update instead of within it, one after another.

    They post into the staff groups, where Telegram takes about 20 messages a minute per group:
    when a union meeting registers at once the posts queue for minutes, and the worker who
    caused one must not wait for it. One at a time, so that a backlog waits here, in order,
    and not at Telegram's limiter, where a worker's question to staff would queue behind it.
    python-telegram-bot awaits the running task when the bot stops (the queue is emptied).
    """
    state = context.bot_data
    state.lead_jobs.extend((listener, lead_id) for listener in listeners)
    if not state.lead_jobs_running:
        state.lead_jobs_running = True
        context.application.create_task(_run_lead_jobs(context), name="lead-listeners")


async def _run_lead_jobs(context: BotContext) -> None:
    state = context.bot_data
    try:
        while state.lead_jobs:
            listener, lead_id = state.lead_jobs.popleft()
            batch = state.lead_batches.get(listener)
            waiting = [job for job in state.lead_jobs if job[0] is listener]
            try:
                if batch is not None and waiting:
                    # Cards waited (a union meeting registering at once): this listener
                    # takes every waiting lead of its own now, the other listeners keep
                    # their turn.
                    state.lead_jobs = deque(job for job in state.lead_jobs
                                            if job[0] is not listener)
                    await batch(context, [lead_id, *(job[1] for job in waiting)])
                else:
                    await listener(context, lead_id)
            except Exception as error:  # the error handler logs it; the next card goes on
                await context.application.process_error(None, error)
    finally:
        state.lead_jobs_running = False


def staff_gettext(context: BotContext) -> Gettext:
    """Staff groups read the default language, whoever caused the message."""
    catalogs = context.bot_data.catalogs
    return catalogs.gettext(context.settings.default_language) if catalogs else str


async def answer_stale(query: CallbackQuery, context: BotContext) -> None:
    """The one reply to a button that is old, from a closed form, or forged."""
    await query.answer(
        context.gettext("This button is no longer valid. Please use the latest message."),
        show_alert=True,
    )


def in_group(update: Update) -> bool:
    """Whether the update comes from a group (where everyone reads the bot's replies)."""
    chat = update.effective_chat
    return chat is not None and chat.type != ChatType.PRIVATE


def private_link(context: BotContext, flow: str) -> str:
    """t.me/<bot>?start=go_<flow>: opens the private chat with the bot at the flow `flow`."""
    username = context.settings.bot_username or context.bot.username
    return create_deep_linked_url(username, codes.flow_payload(flow))


async def send_private_link(update: Update, context: BotContext, flow: str) -> None:
    """In a group: the flow `flow` deals with personal data, so it goes on in private."""
    chat = update.effective_chat
    if chat is None:
        return
    _ = context.gettext
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        _("💬 Continue in a private chat"), url=private_link(context, flow))]])
    await context.bot.send_message(chat.id, _(
        "🔒 To keep your data private, I do this only in a private chat with you, not in a "
        "group. Press the button to continue there."), reply_markup=keyboard)


def main_menu(context: BotContext, *, group: bool = False) -> InlineKeyboardMarkup:
    """The main menu; in a group (`group`) the private flows are links to the private chat."""
    _ = context.gettext

    def private(label: str, flow: str) -> InlineKeyboardButton:
        if group:
            return InlineKeyboardButton(label, url=private_link(context, flow))
        return InlineKeyboardButton(label, callback_data=MenuButton(MenuItem(flow)).pack())

    return InlineKeyboardMarkup([
        [InlineKeyboardButton(_("❓ Ask about the programmes"),
                              callback_data=MenuButton(MenuItem.TOPICS).pack())],
        [private(_("💰 Count my contribution"), "iuran")],
        [private(_("📝 Register my interest"), "daftar")],
        [
            InlineKeyboardButton(_("☎️ Contact"),
                                 callback_data=MenuButton(MenuItem.KONTAK).pack()),
            InlineKeyboardButton(_("🌐 Language"),
                                 callback_data=MenuButton(MenuItem.BAHASA).pack()),
        ],
    ])


def add_commands(app: App, *specs: CommandSpec) -> None:
    app.bot_data.commands.extend(specs)


def register(app: App) -> None:
    app.add_handler(TypeHandler(Update, remember_user), group=Group.OBSERVE)
