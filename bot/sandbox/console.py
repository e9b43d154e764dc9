"""`python -m bot sandbox`: chat with the real bot in the terminal, no Telegram needed."""

from __future__ import annotations

import asyncio
import re
import sys
from html import unescape
from typing import Any

from bot.app import build_application
from bot.logs import setup_logging
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.settings import load_settings

SANDBOX_STAFF_CHAT = -100777
SANDBOX_ADMIN = 1001
TAG = re.compile(r"<[^>]+>")

INSTRUCTIONS = """\
Sinergi sandbox: you are chatting with the real bot through a local fake Telegram.
  Type a message or a command (/start, /bantuan, /daftar ...) and press Enter.
  :1, :2 ...     press button number 1, 2 ... of the last message (inline or keyboard)
  :user N        become user N (you start as user 1001, also a staff administrator)
  :staff         write in the staff group chat      :private  back to your private chat
  :contact       share your phone number (for the registration's "share my number")
  :help          show this text                     :quit     leave (or Ctrl-D)
"""


class Console:
    def __init__(self, tg: FakeTelegram) -> None:
        self.tg = tg
        self.user_id = SANDBOX_ADMIN
        self.chat_id: int | None = None
        self.shown = 0
        # (label, callback data, the message; None for a reply-keyboard button)
        self.last_buttons: list[tuple[str, str, dict[str, Any] | None]] = []

    @property
    def chat(self) -> int:
        return self.chat_id if self.chat_id is not None else self.user_id

    def show_new(self) -> None:
        for call in self.tg.sent[self.shown:]:
            self._show(call)
        self.shown = len(self.tg.sent)

    def _show(self, call: Sent) -> None:
        chat = call.params.get("chat_id")
        where = "staff group" if str(chat) == str(SANDBOX_STAFF_CHAT) else f"user {chat}"
        text = call.params.get("text") or call.params.get("caption") or ""
        if call.method in ("sendMessage", "editMessageText"):
            label = "bot (edited)" if call.method == "editMessageText" else "bot"
            print(f"\n[{label} → {where}]\n{unescape(TAG.sub('', text))}")
        elif call.method in ("sendPhoto", "sendDocument"):
            kind = "picture" if call.method == "sendPhoto" else "file"
            name = getattr(call.params.get("document"), "filename", "")
            print(f"\n[bot → {where}] sends a {kind} {name}\n{unescape(TAG.sub('', text))}")
        else:
            return
        markup = call.params.get("reply_markup") or {}
        if str(chat) != str(self.chat):
            return
        inline = [b for row in markup.get("inline_keyboard", []) for b in row]
        keyboard = [b if isinstance(b, dict) else {"text": b}
                    for row in markup.get("keyboard", []) for b in row]
        if inline or keyboard:
            self.last_buttons = [(b["text"], b.get("callback_data", ""), call.result)
                                 for b in inline]
            self.last_buttons += [(b["text"], "contact" if b.get("request_contact") else "",
                                   None) for b in keyboard]
            for number, (label, _, message) in enumerate(self.last_buttons, 1):
                kind = "button" if message is not None else "keyboard"
                print(f"  :{number}  [{label}] ({kind})")

    async def handle(self, line: str) -> bool:
        if line in (":quit", ":exit"):
            return False
        if line == ":help":
            print(INSTRUCTIONS)
        elif line.startswith(":user"):
            self.user_id, self.chat_id = int(line.split()[1]), None
            print(f"(you are now user {self.user_id})")
        elif line == ":staff":
            self.chat_id = SANDBOX_STAFF_CHAT
            print("(you are writing in the staff group)")
        elif line == ":private":
            self.chat_id = None
        elif line == ":contact":
            contact = {"phone_number": "6281234567890", "first_name": "Sandbox",
                       "user_id": self.user_id}
            await self.tg.send_message(self.user_id, None, chat_id=self.chat_id, contact=contact)
        elif re.fullmatch(r":\d+", line):
            index = int(line[1:]) - 1
            if not 0 <= index < len(self.last_buttons):
                print("(no such button)")
                return True
            label, data, message = self.last_buttons[index]
            if message is None:  # a reply-keyboard button sends its text, or the contact
                await self.handle(":contact" if data == "contact" else label)
                return True
            stored = self.tg.messages.get((message["chat"]["id"], message["message_id"]), message)
            await self.tg.press(self.user_id, stored, data)
        elif line:
            await self.tg.send_message(self.user_id, line, chat_id=self.chat_id,
                                       first_name=f"User{self.user_id}")
        return True


async def run_sandbox(database_url: str) -> int:
    tg = FakeTelegram()
    await tg.start()
    tg.group_chat(SANDBOX_STAFF_CHAT)
    settings = load_settings(
        _env_file=None, telegram_bot_token=tg.token, telegram_api_base_url=tg.base_url,
        telegram_api_file_url=tg.file_url, database_url=database_url,
        staff_chat_ids=frozenset({SANDBOX_STAFF_CHAT}),
        admin_user_ids=frozenset({SANDBOX_ADMIN}), log_level="WARNING",
    )
    setup_logging("WARNING")
    app = build_application(settings)
    async with app:
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        console = Console(tg)
        console.shown = len(tg.sent)
        print(INSTRUCTIONS)
        await tg.send_message(console.user_id, "/start", first_name="Sandbox")
        try:
            while True:
                await settle(tg)
                console.show_new()
                line = await asyncio.to_thread(_read_line)
                if line is None or not await console.handle(line.strip()):
                    break
        finally:
            await tg.release_polls()
            await app.updater.stop()
            await app.stop()
            assert app.post_shutdown is not None
            await app.post_shutdown(app)
            await tg.stop()
    return 0


async def settle(tg: FakeTelegram, quiet: float = 0.3, limit: float = 3.0) -> None:
    """Waits until the bot has answered and gone quiet (or `limit` seconds passed)."""
    loop = asyncio.get_running_loop()
    start, deadline = len(tg.sent), loop.time() + limit
    seen, changed = start, loop.time()
    while loop.time() < deadline:
        await asyncio.sleep(0.05)
        if len(tg.sent) != seen:
            seen, changed = len(tg.sent), loop.time()
        elif seen > start and loop.time() - changed >= quiet:
            return


def _read_line() -> str | None:
    try:
        return input("\nyou> ")
    except EOFError:
        return None
    finally:
        sys.stdout.flush()
