"""Personal data stays in the private chat: in groups, the private flows answer with a link.

Everyone in a group reads the bot's replies there. So a command of a private flow typed in
a group (/daftar, /datasaya, /hapusdata, /iuran, /rujuk, /petugas) gets a button that opens
the private chat with the bot (t.me/<bot>?start=go_<flow>), and a button of such a flow
pressed in a group (an old menu, a forged press) opens that link at once. In private,
/start go_<flow> then opens the flow. Registered before the features, so these handlers
see group updates first; in private chats they never match.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import App, BotContext
from bot.services import codes
from handlers import calculator, handoff, my_data, registration
from handlers.common import in_group, private_link, send_private_link
from handlers.start import send_welcome

Entry = Callable[[Update, BotContext], Awaitable[None]]

# The private flows by their command name, and what /start go_<flow> opens.
ENTRIES: dict[str, Entry] = {
    "daftar": registration.start_registration,
    "rujuk": registration.start_assisted,
    "datasaya": my_data.show_my_data,
    "hapusdata": my_data.ask_erase,
    "iuran": calculator.ask_income,
    "petugas": handoff.ask_for_question,
}
# The buttons of those flows (callback data), and the flow each one belongs to.
BUTTONS = (
    (re.compile(r"^(menu:daftar|reg:.*)$"), "daftar"),
    (re.compile(r"^(menu:iuran|calc:.*)$"), "iuran"),
    (re.compile(r"^erase:.*$"), "hapusdata"),
)


class _GroupButton(CallbackQueryHandler[BotContext, None]):
    """A button of a private flow pressed anywhere but in a private chat."""

    def check_update(self, update: object) -> bool | object | None:
        if not isinstance(update, Update) or not in_group(update):
            return None
        return super().check_update(update)


async def link_from_command(update: Update, context: BotContext) -> None:
    """A private flow's command typed in a group: a button to the private chat, nothing else."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split(maxsplit=1)[0].lstrip("/").split("@", 1)[0].lower()
    if command in ENTRIES:  # always: the handler is registered for these commands only
        await send_private_link(update, context, command)


async def link_from_button(update: Update, context: BotContext) -> None:
    """A private flow's button pressed in a group: Telegram opens the private chat."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    flow = next(flow for pattern, flow in BUTTONS if pattern.match(query.data))
    await query.answer(url=private_link(context, flow))


async def open_from_link(update: Update, context: BotContext, payload: str) -> bool:
    """/start go_<flow> in private: opens the flow (an unknown one: the welcome)."""
    flow = codes.flow_of_payload(payload)
    if flow is None:
        return False
    entry = ENTRIES.get(flow)
    if entry is None:
        await send_welcome(update, context)
        return True
    await entry(update, context)
    return True


def register(app: App) -> None:
    # open_from_link is offered /start payloads before the referral handler (bot/app.py's
    # FEATURES): a "go_" payload is never a referral code to count as a wrong guess.
    app.add_handler(CommandHandler(list(ENTRIES), link_from_command,
                                   filters=~filters.ChatType.PRIVATE))
    for pattern, _flow in BUTTONS:
        app.add_handler(_GroupButton(link_from_button, pattern=pattern))
