"""A local stand-in for the Telegram Bot API, for the sandbox and the tests.

It speaks the Bot API over HTTP on 127.0.0.1 (`POST /bot<token>/<method>`), so the real
python-telegram-bot request and polling code runs. It answers the way Telegram does,
errors included: unknown methods, texts that are too long or badly formatted, unknown
chats, users who blocked the bot, and faults injected by a test (500, 429, dropped
connections, slow answers, calls held until the test releases them).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.sandbox.telegram_html import TelegramHtmlError, visible_length

BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Sinergi", "username": "SinergiBot"}
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
# A bot may delete a message for 48 hours after it was sent (it may edit its own for ever).
DELETE_WITHIN = 48 * 3600

Params = dict[str, Any]


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class Fault:
    """One injected failure for the next call of `method` ("*" for any method), to any chat
    or, with `chat_id`, to that chat only."""

    method: str
    kind: str  # "status", "retry_after", "drop", "delay", "hold" (until release_held())
    status: int = 500
    retry_after: int = 1
    delay: float = 0.0
    chat_id: int | None = None


@dataclass
class Sent:
    method: str
    params: Params
    result: Any


@dataclass
class FakeTelegram:
    token: str = "123456:TEST-token-for-the-local-fake-api-000"
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    # Calls answered with an error by the API itself (not injected faults): 400, 403, 404.
    rejected: list[Sent] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    commands: dict[str, Any] = field(default_factory=dict)
    webhook: Params = field(default_factory=dict)
    port: int = 0

    def __post_init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._released = False
        self._answered: set[str] = set()  # a callback query can be answered once
        self._held = asyncio.Event()

    # -- server ------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self, port: int = 0) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]  # (host, port) of the socket just bound

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        params = await _read_params(request)
        fault = self._take_fault(method, params)
        if fault is not None:
            if fault.kind == "delay":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "hold":
                await self._held.wait()
            elif fault.kind == "drop":
                if request.transport is not None:
                    request.transport.close()
                raise ConnectionResetError("fault injected: connection dropped")
            elif fault.kind == "retry_after":
                return _error(429, f"Too Many Requests: retry after {fault.retry_after}",
                              fault.retry_after)
            else:
                return _error(fault.status, "Internal Server Error")
        handler = getattr(self, "api_" + method.lower(), None)
        if handler is None:
            self.rejected.append(Sent(method, params, "404 Not Found"))
            await self._notify()
            return _error(404, "Not Found")
        try:
            result = await handler(params)
        except ApiError as error:
            self.rejected.append(Sent(method, params, f"{error.code} {error.description}"))
            await self._notify()
            return _error(error.code, error.description, error.retry_after)
        if method.lower() != "getupdates":
            self.sent.append(Sent(method, params, result))
            await self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _download(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["path"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data)

    def _take_fault(self, method: str, params: Params) -> Fault | None:
        if method == "getUpdates":
            return None
        for index, fault in enumerate(self.faults):
            if fault.method in (method, "*") and fault.chat_id in (None, _chat_of(params)):
                return self.faults.pop(index)
        return None

    # -- what tests and the sandbox do ---------------------------------------------------
    async def release_polls(self, released: bool = True) -> None:
        """Ends pending long polls and held calls at once (so a stopping bot need not wait
        for them)."""
        self._released = released
        if released:
            self.release_held()
        async with self._changed:
            self._changed.notify_all()

    async def changed(self) -> None:
        """Returns at the next call the bot makes (answered or refused) or update pushed."""
        async with self._changed:
            await self._changed.wait()

    def release_held(self) -> None:
        """Lets the calls held by "hold" faults go on."""
        self._held.set()

    def inject(self, kind: str, **fault: Any) -> None:
        """Makes the next matching call fail: inject("status", method="sendMessage"), or
        wait: inject("hold", method="sendMessage", chat_id=-100123) until release_held()."""
        if kind == "hold":
            self._held.clear()
        self.faults.append(Fault(kind=kind, **fault))

    async def push_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **payload}
        self.updates.append(update)
        async with self._changed:
            self._changed.notify_all()
        return update

    def user_chat(self, user_id: int, first_name: str = "Pekerja", **extra: Any) -> dict[str, Any]:
        chat = {"id": user_id, "type": "private", "first_name": first_name, **extra}
        self.chats.setdefault(user_id, chat)
        return chat

    def group_chat(self, chat_id: int, title: str = "Staf BPJSTK Jember") -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        self.chats.setdefault(chat_id, chat)
        return chat

    def _user(self, user_id: int, first_name: str, language_code: str | None) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    async def send_message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        first_name: str = "Pekerja",
        language_code: str | None = "id",
        reply_to: dict[str, Any] | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A user writes to the bot (in private, or in the group `chat_id`)."""
        chat = self.chats.get(chat_id) if chat_id else self.user_chat(user_id, first_name)
        if chat is None:
            chat = self.group_chat(chat_id) if chat_id else self.user_chat(user_id, first_name)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(user_id, first_name, language_code),
            **content,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.messages[(chat["id"], message["message_id"])] = message
        await self.push_update({"message": message})
        return message

    async def press(
        self, user_id: int, message: dict[str, Any], data: str, first_name: str = "Pekerja"
    ) -> dict[str, Any]:
        """A user presses an inline button under `message` (a message the bot sent)."""
        query = {
            "id": str(next(self._update_ids) + 10_000),
            "from": self._user(user_id, first_name, "id"),
            "message": message,
            "chat_instance": str(message["chat"]["id"]),
            "data": data,
        }
        return await self.push_update({"callback_query": query})

    async def wait_for(
        self, predicate: Callable[[Sent], bool], timeout: float = 5.0, start: int = 0
    ) -> Sent:
        """The first call from index `start` on that satisfies `predicate`."""
        deadline = asyncio.get_running_loop().time() + timeout
        checked = start
        async with self._changed:
            while True:
                for call in self.sent[checked:]:
                    if predicate(call):
                        return call
                checked = max(checked, len(self.sent))
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    seen = [(c.method, c.params.get("chat_id")) for c in self.sent[start:]]
                    raise TimeoutError(f"no matching call within {timeout}s; saw {seen}")
                await asyncio.wait_for(self._changed.wait(), remaining)

    # -- Bot API methods -------------------------------------------------------------
    async def api_getme(self, params: Params) -> Any:
        return BOT_USER | {"can_join_groups": True, "can_read_all_group_messages": False,
                           "supports_inline_queries": False}

    async def api_getupdates(self, params: Params) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and timeout > 0:
            async with self._changed:
                with suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self.updates) or self._released),
                        timeout,
                    )
        return self.updates[:limit]

    async def api_deletewebhook(self, params: Params) -> Any:
        self.webhook = {}
        return True

    async def api_setwebhook(self, params: Params) -> Any:
        self.webhook = dict(params)
        return True

    async def api_getwebhookinfo(self, params: Params) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self.updates)}

    async def api_setmycommands(self, params: Params) -> Any:
        commands = params.get("commands") or []
        for command in commands:
            if not 1 <= len(command["command"]) <= 32 or not command["command"].islower():
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        key = json.dumps([params.get("scope"), params.get("language_code")], sort_keys=True)
        self.commands[key] = commands
        return True

    async def api_deletemycommands(self, params: Params) -> Any:
        return True

    async def api_getmycommands(self, params: Params) -> Any:
        key = json.dumps([params.get("scope"), params.get("language_code")], sort_keys=True)
        return self.commands.get(key, [])

    async def api_setchatmenubutton(self, params: Params) -> Any:
        return True

    async def api_sendchataction(self, params: Params) -> Any:
        self._chat(params)
        return True

    async def api_answercallbackquery(self, params: Params) -> Any:
        if len(params.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query_id = str(params.get("callback_query_id"))
        if query_id in self._answered:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired "
                                "or query ID is invalid")
        self._answered.add(query_id)
        return True

    async def api_sendmessage(self, params: Params) -> Any:
        chat = self._chat(params)
        _check_text(params.get("text"), params.get("parse_mode"), MAX_TEXT)
        _check_markup(params.get("reply_markup"))
        return self._store(chat, {"text": params["text"]}, params)

    async def api_editmessagetext(self, params: Params) -> Any:
        chat = self._chat(params)
        message = self._existing(chat["id"], params)
        if message["from"]["id"] != BOT_USER["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        _check_text(params.get("text"), params.get("parse_mode"), MAX_TEXT)
        _check_markup(params.get("reply_markup"))
        if message.get("text") == params["text"] and \
                message.get("reply_markup") == params.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        message["text"] = params["text"]
        message["reply_markup"] = params.get("reply_markup")
        return message

    async def api_editmessagereplymarkup(self, params: Params) -> Any:
        chat = self._chat(params)
        message = self._existing(chat["id"], params)
        _check_markup(params.get("reply_markup"))
        message["reply_markup"] = params.get("reply_markup")
        return message

    async def api_deletemessage(self, params: Params) -> Any:
        chat = self._chat(params)
        message = self.messages.get((chat["id"], int(params.get("message_id") or 0)))
        if message is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        if time.time() - message["date"] >= DELETE_WITHIN:
            raise ApiError(400, "Bad Request: message can't be deleted")
        del self.messages[(chat["id"], message["message_id"])]
        return True

    async def api_sendphoto(self, params: Params) -> Any:
        return self._send_file(params, "photo")

    async def api_senddocument(self, params: Params) -> Any:
        return self._send_file(params, "document")

    async def api_getfile(self, params: Params) -> Any:
        file_id = params.get("file_id", "")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {"file_id": file_id, "file_unique_id": file_id, "file_path": file_id,
                "file_size": len(self.files[file_id])}

    async def api_close(self, params: Params) -> Any:
        return True

    async def api_logout(self, params: Params) -> Any:
        return True

    # -- helpers -------------------------------------------------------------------
    def _chat(self, params: Params) -> dict[str, Any]:
        raw = params.get("chat_id")
        try:
            chat_id = int(raw)  # type: ignore[arg-type]  # a missing id: TypeError, below
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return self.chats[chat_id]

    def _existing(self, chat_id: int, params: Params) -> dict[str, Any]:
        message = self.messages.get((chat_id, int(params.get("message_id") or 0)))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _store(
        self, chat: dict[str, Any], content: dict[str, Any], params: Params
    ) -> dict[str, Any]:
        message = {"message_id": next(self._message_ids), "date": int(time.time()),
                   "chat": chat, "from": BOT_USER, **content}
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            # Telegram returns only inline keyboards with a message; reply keyboards stay
            # on the user's screen, not on the message.
            message["reply_markup"] = markup
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _send_file(self, params: Params, kind: str) -> dict[str, Any]:
        chat = self._chat(params)
        upload = params.get(kind)
        if not isinstance(upload, Upload):
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        caption = params.get("caption")
        if caption is not None:
            _check_text(caption, params.get("parse_mode"), MAX_CAPTION)
        file_id = f"file{next(self._file_ids)}"
        self.files[file_id] = upload.data
        described = {"file_id": file_id, "file_unique_id": file_id, "file_size": len(upload.data)}
        if kind == "photo":
            content: dict[str, Any] = {"photo": [described | {"width": 1, "height": 1}]}
        else:
            content = {"document": described | {"file_name": upload.filename,
                                                "mime_type": upload.content_type}}
        if caption is not None:
            content["caption"] = caption
        return self._store(chat, content, params)


@dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


def _chat_of(params: Params) -> int | None:
    try:
        return int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


def _error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)


async def _read_params(request: web.Request) -> Params:
    """Form fields as python-telegram-bot sends them: non-strings JSON-encoded."""
    if request.content_type == "application/json":
        return dict(await request.json())
    params: Params = {}
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = Upload(value.filename, value.content_type, value.file.read())
            continue
        params[key] = _decode(key, str(value))
    # A file sent as attach://name is referenced from the field that names it.
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.get(value.removeprefix("attach://"))
    return params


JSON_FIELDS = frozenset({
    "reply_markup", "commands", "scope", "entities", "caption_entities", "link_preview_options",
    "reply_parameters", "allowed_updates", "media",
})


def _decode(key: str, value: str) -> Any:
    if key in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
    return value


def _check_text(text: Any, parse_mode: Any, limit: int) -> None:
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    try:
        length = visible_length(text) if parse_mode == "HTML" else len(text)
    except TelegramHtmlError as error:
        raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
    if length > limit:
        raise ApiError(400, "Bad Request: message is too long")


def _check_markup(markup: Any) -> None:
    if not isinstance(markup, dict):
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
