"""`python -m bot sandbox`: chat with the real bot in the terminal, no Telegram needed.

The console shows everything the bot does through the fake Bot API: messages to every chat,
edits of a message's text or buttons, deletions, pop-up alerts and toasts under a pressed
button, and every file it sends (saved under data/sandbox-files/). Every bot message has a
number ("msg 12") by which an earlier message can be replied to, shown again, or have its
buttons pressed.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.app import build_application
from bot.logs import setup_logging
from bot.sandbox.config import (
    SANDBOX_ADMIN,
    SANDBOX_DATABASE,
    SANDBOX_FILES,
    SANDBOX_STAFF_CHAT,
    sandbox_settings,
)
from bot.sandbox.fake_telegram import BOT_USER, FakeTelegram, Sent, Upload

__all__ = ["SANDBOX_ADMIN", "SANDBOX_DATABASE", "SANDBOX_STAFF_CHAT", "Console",
           "run_sandbox", "settle"]

TAG = re.compile(r"<[^>]+>")
LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)
# What Telegram accepts after /start from a link: 1-64 of A-Z a-z 0-9 _ -
PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
TICKET = "🎫 #"  # how a worker's question handed to staff starts (handlers.handoff_staff)
SHOWN_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup",
                           "deleteMessage", "sendPhoto", "sendDocument", "answerCallbackQuery",
                           "sendChatAction"})

INSTRUCTIONS = """\
Sinergi sandbox: you are chatting with the real bot through a local fake Telegram.
  Type a message or a command (/start, /bantuan, /daftar ...) and press Enter.
  :1, :2 ...       press button 1, 2 ... of the latest message with buttons (or keyboard)
  :press M N       press button N of an earlier message: msg M
  :reply M text    reply to msg M (in the staff group, answers a 🎫 ticket)
  :show M          show msg M as it is now, with its buttons
  :open LINK       open a t.me/SinergiBot?start=... link, or a bare code: sends /start <code>
                   (typing /start <code> does the same)
  :user N [name]   become user N (you start as user 1001 "Sandbox", a staff administrator)
  :staff           write in the staff group chat       :private  back to your private chat
  :contact         share your phone number (for the registration's "share my number")
  :help            show this text                      :quit     leave (or Ctrl-D)
Every bot message has a number (msg 12). Pop-up alerts and toasts, edits and deletions
are shown as they happen; files the bot sends are saved under data/sandbox-files/.
"""


class Console:
    """Turns the calls the bot makes into text, and typed lines into updates."""

    def __init__(self, tg: FakeTelegram, *, write: Callable[[str], None] = print,
                 files_dir: Path = SANDBOX_FILES) -> None:
        self.tg = tg
        self.write = write
        self.files_dir = files_dir
        self.user_id = SANDBOX_ADMIN
        self.names: dict[int, str] = {SANDBOX_ADMIN: "Sandbox"}
        self.chat_id: int | None = None
        self.shown = 0
        self.refused_shown = 0
        self.saved: list[Path] = []
        # Per chat: the message whose inline buttons :1, :2 ... press, and the reply keyboard
        # Telegram keeps under the chat until the bot removes it.
        self.latest_inline: dict[int, int | None] = {}
        self.keyboards: dict[int, list[dict[str, Any]]] = {}
        self.one_time: set[int] = set()  # chats whose keyboard hides once the user answers
        self.presser: dict[str, int] = {}  # callback query id -> the user who pressed

    # -- who and where ------------------------------------------------------------------
    @property
    def chat(self) -> int:
        return self.chat_id if self.chat_id is not None else self.user_id

    @property
    def name(self) -> str:
        return self.names.get(self.user_id, f"User{self.user_id}")

    @property
    def prompt(self) -> str:
        where = "staff group" if self.chat_id is not None else "private chat"
        return f"\n{self.name} (user {self.user_id}, {where})> "

    def _where(self, chat: int) -> str:
        if self.tg.chats.get(chat, {}).get("type", "private") != "private":
            return "staff group" if chat == SANDBOX_STAFF_CHAT else f"group {chat}"
        if chat == self.user_id:
            return "you"
        return f"user {chat} ({self.names.get(chat, f'User{chat}')})"

    # -- what the bot did ---------------------------------------------------------------
    def show_new(self) -> None:
        for call in self.tg.sent[self.shown:]:
            self._show(call)
        self.shown = len(self.tg.sent)
        for refused in self.tg.rejected[self.refused_shown:]:
            self.write(f"\n[Telegram refused the bot's {refused.method}: {refused.result}]")
        self.refused_shown = len(self.tg.rejected)

    def _show(self, call: Sent) -> None:
        if call.method not in SHOWN_METHODS:
            return
        if call.method == "answerCallbackQuery":
            self._show_answer(call.params)
            return
        chat = _int(call.params.get("chat_id"))
        where = self._where(chat)
        if call.method == "sendChatAction":  # "typing…" under the chat's name
            action = str(call.params.get("action", "")).replace("_", " ")
            self.write(f"\n[bot is busy in {where}: {action}…]")
            return
        if call.method == "deleteMessage":
            self.write(f"\n[bot deleted msg {call.params.get('message_id')} ({where})]")
            return
        message = call.result if isinstance(call.result, dict) else {}
        number = message.get("message_id", call.params.get("message_id"))
        if call.method == "editMessageReplyMarkup":
            self.write(f"\n[bot changed the buttons of msg {number} ({where})]")
            if not _inline(call.params.get("reply_markup")):
                self.write("  (buttons removed)")
            self._show_buttons(chat, message)
            return
        text = _plain(call.params.get("text") or call.params.get("caption") or "")
        if call.method == "editMessageText":
            header = f"[bot edited msg {number} ({where}); it now reads]"
        else:
            header = f"[msg {number} · bot → {where}]"
        self.write(f"\n{header}\n{text}" if text else f"\n{header}")
        if call.method in ("sendPhoto", "sendDocument"):
            self._save_file(call, number)
        if text.startswith(TICKET) and call.method == "sendMessage":
            self.write(f"  (staff answer it with :reply {number} <answer>)")
        self._remember_keyboard(chat, call.params.get("reply_markup"), message)
        self._show_buttons(chat, message)

    def _show_answer(self, params: dict[str, Any]) -> None:
        text = params.get("text")
        if not text:
            return
        user = self.presser.get(str(params.get("callback_query_id")))
        whom = "you" if user in (None, self.user_id) else f"user {user}"
        if str(params.get("show_alert")).lower() == "true":
            self.write(f"\n[pop-up alert, only {whom} see(s) it; OK closes it]\n{text}")
        else:
            self.write(f"\n[toast at the top of the chat, for {whom}] {text}")

    def _remember_keyboard(self, chat: int, markup: Any, message: dict[str, Any]) -> None:
        if not isinstance(markup, dict):
            return
        if markup.get("remove_keyboard"):
            self.keyboards.pop(chat, None)
        if "keyboard" in markup:
            self.keyboards[chat] = [b if isinstance(b, dict) else {"text": b}
                                    for row in markup["keyboard"] for b in row]
            if markup.get("one_time_keyboard"):
                self.one_time.add(chat)
            else:
                self.one_time.discard(chat)
            self.latest_inline[chat] = None  # :1, :2 ... now mean the keyboard
        if _inline(markup) and message.get("message_id"):
            self.latest_inline[chat] = message["message_id"]

    def _show_buttons(self, chat: int, message: dict[str, Any]) -> None:
        number = message.get("message_id")
        current = chat == self.chat and number is not None and (
            self.latest_inline.get(chat) == number
            or (self.latest_inline.get(chat) is None and chat in self.keyboards))
        if current:
            for index, (label, kind, _) in enumerate(self.buttons(), 1):
                self.write(f"  :{index}  [{label}] ({kind})")
            return
        inline = _inline(message.get("reply_markup"))
        if inline:
            listed = "  ".join(f"{i}[{b['text']}]" for i, b in enumerate(inline, 1))
            self.write(f"  buttons {listed}   (:press {number} N)")

    def buttons(self) -> list[tuple[str, str, dict[str, Any]]]:
        """What :1, :2 ... press in the current chat: (label, kind, button)."""
        found: list[tuple[str, str, dict[str, Any]]] = []
        latest = self.latest_inline.get(self.chat)
        message = self._message(latest) if latest is not None else None
        if message is not None:
            found += [(b["text"], "button", b) for b in _inline(message.get("reply_markup"))]
        found += [(b["text"], "keyboard", b) for b in self.keyboards.get(self.chat, [])]
        return found

    def _save_file(self, call: Sent, number: Any) -> None:
        upload = call.params.get("photo") or call.params.get("document")
        if not isinstance(upload, Upload):
            return
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(upload.filename or "file").name)
        if name == "application.octet-stream":  # python-telegram-bot's name for bare bytes
            name = "picture" if call.method == "sendPhoto" else "file"
        if not Path(name).suffix:
            name += _suffix(upload)
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / f"msg{number}-{name}"
        path.write_bytes(upload.data)
        self.saved.append(path)
        kind = "picture" if call.method == "sendPhoto" else "file"
        self.write(f"  ({kind} saved: {path}, {len(upload.data):,} bytes)")

    def _message(self, number: int) -> dict[str, Any] | None:
        for (_, message_id), message in self.tg.messages.items():
            if message_id == number:
                return message
        return None

    # -- what the user types -------------------------------------------------------------
    async def handle(self, line: str) -> bool:
        """Acts on one typed line; False when the user leaves."""
        command, _, rest = line.partition(" ")
        rest = rest.strip()
        if line in (":quit", ":exit"):
            return False
        if line == ":help":
            self.write(INSTRUCTIONS)
        elif command == ":user":
            await self._become(rest)
        elif line == ":staff":
            self.chat_id = SANDBOX_STAFF_CHAT
            self.write("(you are writing in the staff group)")
        elif line == ":private":
            self.chat_id = None
            self.write("(you are writing in your private chat with the bot)")
        elif line == ":contact":
            contact = {"phone_number": "6281234567890", "first_name": self.name,
                       "user_id": self.user_id}
            self._answered()
            await self.tg.send_message(self.user_id, None, chat_id=self.chat_id,
                                       first_name=self.name, contact=contact)
        elif re.fullmatch(r":\d+", line):
            await self._press_current(int(line[1:]))
        elif command == ":press":
            await self._press_earlier(rest)
        elif command == ":reply":
            await self._reply(rest)
        elif command == ":show":
            self._show_again(rest)
        elif command == ":open":
            await self._open(rest)
        elif line.startswith(":"):
            self.write(f"(unknown command {command}; :help lists them)")
        elif line:
            await self.say(line)
        return True

    async def say(self, text: str, reply_to: dict[str, Any] | None = None) -> None:
        self._answered()
        await self.tg.send_message(self.user_id, text, chat_id=self.chat_id,
                                   first_name=self.name, reply_to=reply_to)

    def _answered(self) -> None:
        """Telegram hides a one-time keyboard once the user has answered."""
        if self.chat in self.one_time:
            self.keyboards.pop(self.chat, None)
            self.one_time.discard(self.chat)

    async def _become(self, rest: str) -> None:
        number, _, name = rest.partition(" ")
        if not number.isdigit():
            self.write("(usage: :user N [name], e.g. :user 2 Siti)")
            return
        self.user_id, self.chat_id = int(number), None
        if name.strip():
            self.names[self.user_id] = name.strip()
        self.write(f"(you are now user {self.user_id}, {self.name}, in your private chat)")

    async def _press_current(self, index: int) -> None:
        found = self.buttons()
        if not 1 <= index <= len(found):
            self.write("(no such button)")
            return
        _, kind, button = found[index - 1]
        if kind == "keyboard":  # a reply-keyboard button sends its text, or the contact
            await self.handle(":contact" if button.get("request_contact") else button["text"])
            return
        latest = self.latest_inline.get(self.chat)
        message = self._message(latest) if latest is not None else None
        assert message is not None
        await self._press(message, button)

    async def _press_earlier(self, rest: str) -> None:
        parts = rest.split()
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            self.write("(usage: :press M N, button N of msg M)")
            return
        message = self._visible(int(parts[0]))
        if message is None:
            return
        inline = _inline(message.get("reply_markup"))
        if not 1 <= int(parts[1]) <= len(inline):
            self.write(f"(msg {parts[0]} has no button {parts[1]}; :show {parts[0]} lists them)")
            return
        await self._press(message, inline[int(parts[1]) - 1])

    async def _press(self, message: dict[str, Any], button: dict[str, Any]) -> None:
        if "callback_data" not in button:
            url = button.get("url", "")
            if _payload(url) is not None:
                await self._open(url)
            else:
                self.write(f"(this button opens {url or 'something'} outside the bot)")
            return
        update = await self.tg.press(self.user_id, message, button["callback_data"],
                                     first_name=self.name)
        self.presser[update["callback_query"]["id"]] = self.user_id

    async def _reply(self, rest: str) -> None:
        number, _, text = rest.partition(" ")
        if not number.isdigit() or not text.strip():
            self.write("(usage: :reply M text, e.g. :reply 12 Silakan datang hari Senin)")
            return
        message = self._visible(int(number))
        if message is not None:
            await self.say(text.strip(), reply_to=message)

    def _show_again(self, rest: str) -> None:
        message = self._message(int(rest)) if rest.isdigit() else None
        if message is None:
            self.write("(usage: :show M, a message that still exists)")
            return
        author = message["from"]
        sender = "bot" if author["id"] == BOT_USER["id"] else author["first_name"]
        text = _plain(message.get("text") or message.get("caption") or "")
        self.write(f"\n[msg {rest} · {sender} → {self._where(message['chat']['id'])}]\n{text}")
        self._show_buttons(message["chat"]["id"], message)

    def _visible(self, number: int) -> dict[str, Any] | None:
        """Message `number`, if it is in the chat the user is writing in."""
        message = self._message(number)
        if message is None:
            self.write(f"(there is no msg {number}: deleted, or never sent)")
            return None
        if message["chat"]["id"] != self.chat:
            self.write(f"(msg {number} is in another chat ({self._where(message['chat']['id'])});"
                       " switch with :staff or :private first)")
            return None
        return message

    async def _open(self, link: str) -> None:
        payload = _payload(link)
        if payload is None:
            self.write("(usage: :open https://t.me/SinergiBot?start=CODE, or :open CODE; a code "
                       "has 1-64 letters, digits, _ or -)")
            return
        self.chat_id = None  # a t.me link opens the private chat with the bot
        text = f"/start {payload}" if payload else "/start"
        self.write(f"(you open the link: Telegram sends {text} in your private chat)")
        await self.say(text)


async def run_sandbox(database_url: str = SANDBOX_DATABASE,
                      files_dir: Path = SANDBOX_FILES) -> int:
    tg = FakeTelegram()
    await tg.start()
    tg.group_chat(SANDBOX_STAFF_CHAT)
    settings = sandbox_settings(database_url, tg)
    setup_logging("WARNING")
    app = build_application(settings)
    async with app:
        assert app.post_init is not None and app.updater is not None
        await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        console = Console(tg, files_dir=files_dir)
        console.shown = len(tg.sent)
        console.write(INSTRUCTIONS)
        await console.say("/start")
        reading = asyncio.Event()
        follower = asyncio.create_task(_follow(console, reading))
        try:
            while True:
                await settle(tg)
                console.show_new()
                reading.set()
                line = await asyncio.to_thread(_read_line, console.prompt)
                reading.clear()
                if line is None or not await console.handle(line.strip()):
                    break
        finally:
            follower.cancel()
            await tg.release_polls()
            await app.updater.stop()
            await app.stop()
            assert app.post_shutdown is not None
            await app.post_shutdown(app)
            await tg.stop()
    return 0


async def _follow(console: Console, reading: asyncio.Event) -> None:
    """While the user types, shows what the bot does late (background posts, timers)."""
    while True:
        await console.tg.changed()
        await asyncio.sleep(0.2)  # let a burst of calls arrive, then show it at once
        if reading.is_set() and (len(console.tg.sent) > console.shown
                                 or len(console.tg.rejected) > console.refused_shown):
            before = console.shown
            console.show_new()
            if any(call.method in SHOWN_METHODS for call in console.tg.sent[before:]):
                print(console.prompt, end="", flush=True)


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


def _read_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None
    finally:
        sys.stdout.flush()


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _inline(markup: Any) -> list[dict[str, Any]]:
    if not isinstance(markup, dict):
        return []
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def _plain(text: str) -> str:
    """What the user reads of an HTML text: tags gone, a link's address after its words."""
    text = LINK.sub(lambda m: m[2] if unescape(m[1]) == unescape(TAG.sub("", m[2]))
                    else f"{m[2]} ({m[1]})", text)
    return unescape(TAG.sub("", text))


def _payload(link: str) -> str | None:
    """The /start payload a link carries: "" for a link to the bot without one, None when
    `link` is neither a link to the bot nor a payload."""
    link = link.strip()
    if PAYLOAD.fullmatch(link):
        return link
    if link.startswith("t.me/"):
        link = "https://" + link
    parts = urlsplit(link)
    to_bot = (parts.scheme in ("http", "https") and parts.netloc in ("t.me", "telegram.me")) \
        or (parts.scheme == "tg" and parts.netloc == "resolve")
    if not to_bot:
        return None
    start = parse_qs(parts.query).get("start", [""])[0]
    return start if start == "" or PAYLOAD.fullmatch(start) else None


def _suffix(upload: Upload) -> str:
    """The file's kind from its first bytes, when the bot gave no name with an extension."""
    data, kind = upload.data, (upload.content_type or "").lower()
    if data.startswith(b"\x89PNG"):
        return ".png"
    if data.startswith(b"%PDF"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        return ".zip" if "zip" in kind and "sheet" not in kind else ".xlsx"
    if "csv" in kind:
        return ".csv"
    return ".bin"
