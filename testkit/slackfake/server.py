"""A fake Slack Web API: a real local HTTP server that records, validates and misbehaves on demand.

Point the product at it with ``WebClient(base_url=fake.base_url, token="xoxb-test")``; nothing
here ever talks to slack.com.

    with FakeSlack() as fake:
        client = fake.web_client()
        client.chat_postMessage(channel="C1", text="hi", blocks=[...])
        assert fake.posted_messages()[0]["text"] == "hi"
        fake.assert_clean()          # no unknown methods, no invalid messages, no pacing 429s
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from .socket_mode import FakeSocketModeServer

DEFAULT_TZ = "Europe/Berlin"
MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MODAL_TITLE = 24  # views.open/update: title, submit and close are plain text of <= 24
MAX_MEMBERS_PAGE = 1000  # conversations.members answers at most this many per page
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_MESSAGE_TEXT = 40000
TS_BASE_SECONDS = 1_700_000_000

RESPONSE_URL = "response_url"  # the pseudo-method under which response_url posts are recorded

# Methods that need no bearer token (Basic auth or none).
_NO_TOKEN_METHODS = {"oauth.v2.access", "oauth.access", RESPONSE_URL}
_MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update", RESPONSE_URL}


@dataclass
class Call:
    """One request the fake received.

    ``params`` merges query string and body (form, multipart or JSON); string values holding JSON
    (``blocks='[...]'`` in a form post) are decoded. ``headers`` keys are lower-case. ``at`` is
    ``time.monotonic()`` at arrival. ``status``/``response`` are what the fake answered.
    """

    method: str
    params: dict[str, Any]
    token: str | None
    headers: dict[str, str]
    at: float
    path: str = ""
    status: int = 200
    response: Any = None

    @property
    def ok(self) -> bool:
        return (
            self.status == 200 and isinstance(self.response, dict) and bool(self.response.get("ok"))
        )

    def brief(self) -> str:
        shown = {k: v for k, v in self.params.items() if k not in ("blocks", "view")}
        text = json.dumps(shown, default=str)
        if len(text) > 200:
            text = text[:200] + "..."
        result = self.response.get("error") if isinstance(self.response, dict) else None
        outcome = f"{self.status} ok" if self.ok else f"{self.status} {result or 'error'}"
        return f"{self.method} [{outcome}] token={self.token} {text}"


@dataclass
class _Fault:
    status: int = 429
    retry_after: int | None = 1
    error: str | None = None


@dataclass
class _RateFault:
    fraction: float
    fault: _Fault
    rng: random.Random


@dataclass
class _Identity:
    team_id: str
    team: str
    user_id: str
    bot_id: str
    user: str = "briefbot"
    url: str = "https://fake-team.slack.test/"
    app_id: str = "A0FAKEAPP"
    enterprise_id: str | None = None


@dataclass
class _Installation:
    code: str
    response: dict[str, Any]
    single_use: bool = True
    used: bool = False


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype == "application/json":
        data = json.loads(body.decode("utf-8"))
        return data if isinstance(data, dict) else {"_json": data}
    if ctype == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        out: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            out[str(name)] = payload.decode("utf-8", "replace")
        return out
    # Default (and application/x-www-form-urlencoded): form fields.
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text") or "")
    return str(obj or "")


def validate_blocks(blocks: Any, *, limit: int = MAX_BLOCKS) -> list[str]:
    """Problems Slack would reject in a ``blocks`` list (empty list: fine)."""
    from slack_sdk.models.blocks import Block

    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return [f"blocks must be a list, got {type(blocks).__name__}"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks (limit {limit})")
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            problems.append(f"block {i}: not an object")
            continue
        try:
            parsed = Block.parse(block)
            if parsed is None:
                problems.append(f"block {i}: unknown block type {block.get('type')!r}")
                continue
            parsed.to_dict()
        except Exception as exc:  # SlackObjectFormationError, TypeError, ...
            problems.append(f"block {i} ({block.get('type')}): {exc}")
            continue
        kind = block.get("type")
        if kind == "section":
            text = _text_of(block.get("text"))
            if len(text) > MAX_SECTION_TEXT:
                problems.append(f"block {i}: section text {len(text)} chars (limit 3000)")
            for j, f in enumerate(block.get("fields") or []):
                if len(_text_of(f)) > MAX_SECTION_FIELD_TEXT:
                    problems.append(f"block {i}: section field {j} over 2000 chars")
        elif kind == "header":
            text = _text_of(block.get("text"))
            if len(text) > MAX_HEADER_TEXT:
                problems.append(f"block {i}: header text {len(text)} chars (limit 150)")
    return problems


def _message_problems(method: str, params: dict[str, Any]) -> tuple[list[str], str]:
    """(problems, error code) for a message-carrying request."""
    problems: list[str] = []
    error = "invalid_blocks"
    if method != RESPONSE_URL and not params.get("channel"):
        problems.append("channel missing")
        error = "channel_not_found"
    if method == "chat.postEphemeral" and not params.get("user"):
        problems.append("user missing")
        error = "user_not_found"
    if method == "chat.update" and not params.get("ts"):
        problems.append("ts missing")
        error = "message_not_found"
    deleting = method == RESPONSE_URL and str(params.get("delete_original", "")).lower() in (
        "true",
        "1",
    )
    text = params.get("text")
    if not deleting:
        if not isinstance(text, str) or not text.strip():
            problems.append("text missing or empty (notification/accessibility fallback)")
            error = "no_text"
        elif len(text) > MAX_MESSAGE_TEXT:
            problems.append(f"text {len(text)} chars (limit {MAX_MESSAGE_TEXT})")
            error = "msg_too_long"
    block_problems = validate_blocks(params.get("blocks"))
    if block_problems:
        problems.extend(block_problems)
        error = "invalid_blocks"
    return problems, error


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeSlack


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: stop() leaves nothing behind

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr access log
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, payload, headers = self.server.fake._handle(
            self.path, {k.lower(): v for k, v in self.headers.items()}, body
        )
        raw = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)


class FakeSlack:
    """A local Slack Web API. Use as a context manager or call ``start()``/``stop()``."""

    def __init__(
        self,
        *,
        team_id: str = "T0FAKE",
        team: str = "Fake Team",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        app_id: str = "A0FAKEAPP",
        require_token: bool = True,
    ) -> None:
        self.lock = threading.RLock()
        self.identity = _Identity(
            team_id=team_id, team=team, user_id=bot_user_id, bot_id=bot_id, app_id=app_id
        )
        self.require_token = require_token
        self.calls: list[Call] = []
        self.unexpected: list[Call] = []
        self.violations: list[str] = []
        self.rate_limited = 0  # 429s from enforce_channel_rate pacing (the product posted too fast)
        self.faults_injected = 0  # answers altered by fail_next / fail_rate
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._ts_counter = 0
        self._view_counter = 0
        self._messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._ephemeral: list[dict[str, Any]] = []
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._members: dict[str, list[str]] = {}
        self.opened_views: dict[str, dict[str, Any]] = {}  # views.open/update, by view id
        self._not_in: set[str] = set()
        self._rejected_tokens: dict[str, str] = {}
        self._token_identity: dict[str, _Identity] = {}
        self._installations: dict[str, _Installation] = {}
        self._fail_next: dict[str, deque[_Fault]] = defaultdict(deque)
        self._fail_rate: dict[str, _RateFault] = {}
        self._delays: dict[str, float] = {}
        self._waiting: Counter[str] = Counter()  # calls held by a delay, not yet answered
        self._refreshes: dict[str, dict[str, Any]] = {}
        self._pacing: tuple[float, frozenset[str]] | None = None
        self._last_post_at: dict[str, float] = {}
        self._socket_mode: FakeSocketModeServer | None = None

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"FakeSlack:{server.server_address[1]}",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``WebClient(base_url=...)``: ``http://127.0.0.1:PORT/api/``."""
        return f"{self.root_url}/api/"

    def response_url(self, response_id: str = "1") -> str:
        """A ``response_url`` served by this fake; posts to it are recorded (see response_posts)."""
        return f"{self.root_url}/response/{response_id}"

    def web_client(self, token: str = "xoxb-test", **kwargs: Any) -> WebClient:
        from slack_sdk import WebClient

        return WebClient(token=token, base_url=self.base_url, **kwargs)

    # ---------------------------------------------------------------- configuration

    def set_user(self, user_id: str, *, tz: str | None = None, **fields: Any) -> None:
        """Override users.info for one user (``tz`` default Europe/Berlin; any other fields)."""
        with self.lock:
            entry = self._users.setdefault(user_id, {})
            if tz is not None:
                entry["tz"] = tz
            entry.update(fields)

    def set_user_tz(self, user_id: str, tz: str) -> None:
        self.set_user(user_id, tz=tz)

    def set_channel(self, channel_id: str, **fields: Any) -> None:
        """Override conversations.info fields for a channel (name, is_private, ...)."""
        with self.lock:
            self._channels.setdefault(channel_id, {}).update(fields)

    def set_members(self, channel_id: str, users: list[str]) -> None:
        """Who conversations.members lists for a channel (default: only the bot)."""
        with self.lock:
            self._members[channel_id] = list(users)

    def bot_not_in(self, channel: str) -> None:
        """chat.postMessage to ``channel`` answers not_in_channel; conversations.info says
        is_member=False."""
        with self.lock:
            self._not_in.add(channel)

    def bot_joins(self, channel: str) -> None:
        with self.lock:
            self._not_in.discard(channel)

    def reject_token(self, token: str, error: str = "invalid_auth") -> None:
        """Every call with this token answers ``{"ok": false, "error": error}``."""
        with self.lock:
            self._rejected_tokens[token] = error

    def add_installation(
        self,
        code: str,
        *,
        team_id: str = "T0INSTALL",
        team_name: str = "Installed Team",
        bot_token: str = "xoxb-installed",
        bot_user_id: str = "U0INSTBOT",
        bot_id: str = "B0INSTBOT",
        installer_user_id: str = "U0INSTALLER",
        scope: str = "chat:write,commands,users:read,channels:history",
        enterprise_id: str | None = None,
        single_use: bool = True,
        **extra: Any,
    ) -> dict[str, Any]:
        """Make oauth.v2.access accept ``code``; the bot token then works in auth.test as that team.

        Returns the response oauth.v2.access will give. Codes are single-use like Slack's
        (a second exchange answers invalid_code) unless ``single_use=False``.
        """
        response: dict[str, Any] = {
            "ok": True,
            "app_id": self.identity.app_id,
            "authed_user": {"id": installer_user_id},
            "scope": scope,
            "token_type": "bot",
            "access_token": bot_token,
            "bot_user_id": bot_user_id,
            "team": {"id": team_id, "name": team_name},
            "enterprise": {"id": enterprise_id, "name": "Enterprise"} if enterprise_id else None,
            "is_enterprise_install": False,
            **extra,
        }
        with self.lock:
            self._installations[code] = _Installation(code, response, single_use)
            self._token_identity[bot_token] = _Identity(
                team_id=team_id,
                team=team_name,
                user_id=bot_user_id,
                bot_id=bot_id,
                app_id=self.identity.app_id,
                enterprise_id=enterprise_id,
            )
        return response

    def add_refresh(
        self,
        refresh_token: str,
        *,
        team_id: str,
        access_token: str,
        new_refresh_token: str,
        expires_in: int = 43200,
    ) -> None:
        """Token rotation: oauth.v2.access with grant_type=refresh_token and ``refresh_token``
        answers with a new bot token (once: refresh tokens are single-use)."""
        ident = self._token_identity.get(self._bot_token_of(team_id) or "", self.identity)
        with self.lock:
            self._refreshes[refresh_token] = {
                "ok": True,
                "app_id": self.identity.app_id,
                "token_type": "bot",
                "access_token": access_token,
                "refresh_token": new_refresh_token,
                "expires_in": expires_in,
                "bot_user_id": ident.user_id,
                "team": {"id": team_id, "name": ident.team},
                "enterprise": None,
                "is_enterprise_install": False,
            }
            self._token_identity[access_token] = ident

    def _bot_token_of(self, team_id: str) -> str | None:
        for token, ident in self._token_identity.items():
            if ident.team_id == team_id:
                return token
        return None

    def attach_socket_mode(self, server: FakeSocketModeServer) -> None:
        """apps.connections.open (with an xapp- token) now answers ``server``'s ws:// URL."""
        with self.lock:
            self._socket_mode = server

    # ---------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str,
        n: int = 1,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        error: str | None = None,
    ) -> None:
        """The next ``n`` calls to ``method`` ("*" for any) fail.

        ``status=429`` answers ratelimited with ``Retry-After``; ``500``/``503`` a server error;
        ``error="channel_not_found"`` (any code) answers HTTP 200 ``{"ok": false, "error": ...}``.
        """
        fault = _Fault(status=200 if error else status, retry_after=retry_after, error=error)
        with self.lock:
            self._fail_next[method].extend(_Fault(**vars(fault)) for _ in range(n))

    def fail_rate(
        self,
        method: str,
        fraction: float,
        status: int = 500,
        seed: int = 0,
        *,
        retry_after: int | None = 1,
        error: str | None = None,
    ) -> None:
        """Each call to ``method`` ("*" for any) fails with probability ``fraction``
        (seeded RNG, so the pattern repeats run to run)."""
        fault = _Fault(status=200 if error else status, retry_after=retry_after, error=error)
        with self.lock:
            if fraction <= 0:
                self._fail_rate.pop(method, None)
            else:
                self._fail_rate[method] = _RateFault(fraction, fault, random.Random(seed))

    def enforce_channel_rate(
        self, per_second: float = 1.0, methods: tuple[str, ...] = ("chat.postMessage",)
    ) -> None:
        """A post to the same channel sooner than ``1/per_second`` after the last accepted one
        answers 429 (Retry-After: 1) and counts in ``rate_limited``."""
        with self.lock:
            self._pacing = (per_second, frozenset(methods))

    def slow(self, method: str, seconds: float) -> None:
        """Answer ``method`` only after ``seconds`` (0 clears it)."""
        with self.lock:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def in_flight(self, method: str) -> int:
        """Calls to ``method`` received and held by ``slow``, not answered yet."""
        with self.lock:
            return self._waiting[method]

    def clear_faults(self) -> None:
        with self.lock:
            self._fail_next.clear()
            self._fail_rate.clear()
            self._pacing = None

    # ---------------------------------------------------------------- messages

    def _next_ts(self) -> str:
        self._ts_counter += 1
        micros = self._ts_counter * 100
        return f"{TS_BASE_SECONDS + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def add_message(
        self,
        channel: str,
        ts: str | None = None,
        text: str = "",
        user: str = "U0HUMAN",
        thread_ts: str | None = None,
        **extra: Any,
    ) -> str:
        """Inject a message as if a person had posted it (shows in conversations.replies).

        Returns its ts (a fresh one when ``ts`` is None).
        """
        with self.lock:
            ts = ts or self._next_ts()
            message = {"type": "message", "user": user, "text": text, "ts": ts, **extra}
            if thread_ts and thread_ts != ts:
                message["thread_ts"] = thread_ts
            self._messages[channel].append(message)
            return ts

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """All stored messages of a channel (bot posts and injected), oldest first."""
        with self.lock:
            return sorted(
                (dict(m) for m in self._messages.get(channel, [])), key=lambda m: float(m["ts"])
            )

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """The parent and replies of a thread, as conversations.replies returns them."""
        with self.lock:
            return self._thread_messages(channel, thread_ts)

    def _thread_messages(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        stored = self._messages.get(channel, [])
        replies = [m for m in stored if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts]
        parent = next((m for m in stored if m["ts"] == thread_ts), None)
        out: list[dict[str, Any]] = []
        if parent is not None:
            p = dict(parent)
            if replies:
                p["thread_ts"] = thread_ts
                p["reply_count"] = len(replies)
            out.append(p)
        out.extend(sorted((dict(m) for m in replies), key=lambda m: float(m["ts"])))
        return out

    # ---------------------------------------------------------------- inspection

    def calls_to(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def posted_messages(
        self, channel: str | None = None, *, include_failed: bool = False
    ) -> list[dict[str, Any]]:
        """Params of chat.postMessage calls the fake accepted (all attempts if include_failed)."""
        with self.lock:
            return [
                c.params
                for c in self.calls
                if c.method == "chat.postMessage"
                and (include_failed or c.ok)
                and (channel is None or c.params.get("channel") == channel)
            ]

    def response_posts(self, response_id: str | None = None) -> list[dict[str, Any]]:
        """Bodies posted to response_url(s) (all, or those of one id)."""
        with self.lock:
            return [
                c.params
                for c in self.calls
                if c.method == RESPONSE_URL
                and (response_id is None or c.path == f"/response/{response_id}")
            ]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0, *, ok: bool | None = None
    ) -> list[Call]:
        """Poll until ``count`` calls to ``method`` are recorded (only successful ones when
        ``ok=True``, only failed when ``ok=False``); return them. AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                found = [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"waited {timeout}s for {count} call(s) to {method} (ok={ok}), "
                    f"got {len(found)}. Recorded calls:\n{self.describe_calls()}"
                )
            time.sleep(0.01)

    def describe_calls(self) -> str:
        with self.lock:
            return "\n".join(f"  {i}: {c.brief()}" for i, c in enumerate(self.calls)) or "  (none)"

    def assert_clean(self) -> None:
        """No unknown methods, no invalid messages, no pacing violations."""
        with self.lock:
            problems = []
            if self.unexpected:
                problems.append("unexpected calls: " + ", ".join(c.method for c in self.unexpected))
            if self.violations:
                problems.append("violations:\n    " + "\n    ".join(self.violations))
            if self.rate_limited:
                problems.append(f"rate_limited: {self.rate_limited}")
        assert not problems, "; ".join(problems)

    def reset(self) -> None:
        """Forget recorded calls, violations and counters (configuration and messages stay)."""
        with self.lock:
            self.calls.clear()
            self.unexpected.clear()
            self.violations.clear()
            self.rate_limited = 0
            self.faults_injected = 0

    # ---------------------------------------------------------------- request handling

    def _handle(
        self, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(raw_path)
        params: dict[str, Any] = dict(parse_qsl(parts.query, keep_blank_values=True))
        try:
            params.update(_parse_body(headers.get("content-type", ""), body))
        except (ValueError, UnicodeDecodeError) as exc:
            params["_unparsed_body"] = body.decode("utf-8", "replace")
            params["_parse_error"] = str(exc)
        params = {k: _maybe_json(v) for k, v in params.items()}

        token: str | None = None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        elif auth.lower().startswith("basic "):
            import base64

            try:
                user, _, pw = base64.b64decode(auth[6:].strip()).decode().partition(":")
                params.setdefault("client_id", user)
                params.setdefault("client_secret", pw)
            except ValueError:
                pass
        if token is None and isinstance(params.get("token"), str):
            token = params.pop("token")

        path = parts.path
        if path.startswith("/api/"):
            method = path[len("/api/") :].strip("/")
        elif path.startswith("/response/"):
            method = RESPONSE_URL
        else:
            method = path

        delay = self._delays.get(method, 0.0)
        if delay:  # a slow Slack: the call is handled (and a post recorded) after the delay,
            with self.lock:  # even if the caller gave up or died meanwhile
                self._waiting[method] += 1
            try:
                time.sleep(delay)
            finally:
                with self.lock:
                    self._waiting[method] -= 1
        call = Call(method, params, token, headers, time.monotonic(), path=path)
        with self.lock:
            self.calls.append(call)
            status, payload, extra_headers = self._respond(call)
            call.status, call.response = status, payload
        return status, payload, extra_headers

    def _respond(self, call: Call) -> tuple[int, Any, dict[str, str]]:
        method = call.method
        handler = self._HANDLERS.get(method)
        if handler is None:
            self.unexpected.append(call)
            return 200, {"ok": False, "error": "unknown_method"}, {}

        if method not in _NO_TOKEN_METHODS:
            if call.token is None and self.require_token:
                return 200, {"ok": False, "error": "not_authed"}, {}
            if call.token in self._rejected_tokens:
                return 200, {"ok": False, "error": self._rejected_tokens[call.token]}, {}

        fault = self._take_fault(method)
        if fault is not None:
            self.faults_injected += 1
            return self._fault_response(fault)

        if self._pacing is not None and method in self._pacing[1]:
            channel = str(call.params.get("channel") or "")
            per_second = self._pacing[0]
            last = self._last_post_at.get(channel)
            if last is not None and call.at - last < 1.0 / per_second:
                self.rate_limited += 1
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}

        if method in _MESSAGE_METHODS:
            problems, error = _message_problems(method, call.params)
            if problems:
                where = call.params.get("channel") or call.path
                self.violations.extend(f"{method} to {where}: {p}" for p in problems)
                return 200, {"ok": False, "error": error}, {}

        status, payload = handler(self, call)
        if (
            self._pacing is not None
            and method in self._pacing[1]
            and isinstance(payload, dict)
            and payload.get("ok")
        ):
            self._last_post_at[str(call.params.get("channel") or "")] = call.at
        return status, payload, {}

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method, "*"):
            queue = self._fail_next.get(key)
            if queue:
                return queue.popleft()
        for key in (method, "*"):
            rate = self._fail_rate.get(key)
            if rate is not None and rate.rng.random() < rate.fraction:
                return rate.fault
        return None

    @staticmethod
    def _fault_response(fault: _Fault) -> tuple[int, Any, dict[str, str]]:
        if fault.error:
            return 200, {"ok": False, "error": fault.error}, {}
        headers: dict[str, str] = {}
        if fault.status == 429:
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            return 429, {"ok": False, "error": "ratelimited"}, headers
        return fault.status, {"ok": False, "error": "internal_error"}, headers

    # ---------------------------------------------------------------- methods

    def _identity_for(self, token: str | None) -> _Identity:
        return self._token_identity.get(token or "", self.identity)

    def _auth_test(self, call: Call) -> tuple[int, Any]:
        ident = self._identity_for(call.token)
        if call.token and call.token.startswith("xapp-"):
            return 200, {"ok": False, "error": "not_allowed_token_type"}
        return 200, {
            "ok": True,
            "url": ident.url,
            "team": ident.team,
            "user": ident.user,
            "team_id": ident.team_id,
            "user_id": ident.user_id,
            "bot_id": ident.bot_id,
            "app_id": ident.app_id,
            "enterprise_id": ident.enterprise_id,
            "is_enterprise_install": False,
        }

    def _bot_message(self, call: Call, ts: str) -> dict[str, Any]:
        ident = self._identity_for(call.token)
        p = call.params
        message: dict[str, Any] = {
            "type": "message",
            "user": ident.user_id,
            "bot_id": ident.bot_id,
            "app_id": ident.app_id,
            "team": ident.team_id,
            "text": p.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "metadata"):
            if key in p:
                message[key] = p[key]
        if p.get("thread_ts"):
            message["thread_ts"] = str(p["thread_ts"])
        return message

    def _post_message(self, call: Call) -> tuple[int, Any]:
        channel = str(call.params["channel"])
        if channel in self._not_in:
            return 200, {"ok": False, "error": "not_in_channel"}
        ts = self._next_ts()
        message = self._bot_message(call, ts)
        self._messages[channel].append(message)
        return 200, {"ok": True, "channel": channel, "ts": ts, "message": dict(message)}

    def _post_ephemeral(self, call: Call) -> tuple[int, Any]:
        ts = self._next_ts()
        message = self._bot_message(call, ts)
        message["ephemeral_user"] = call.params.get("user")
        self._ephemeral.append({"channel": call.params.get("channel"), **message})
        return 200, {"ok": True, "message_ts": ts}

    def _update(self, call: Call) -> tuple[int, Any]:
        channel = str(call.params["channel"])
        ts = str(call.params["ts"])
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                message["text"] = call.params.get("text", "")
                for key in ("blocks", "attachments", "metadata"):
                    if key in call.params:
                        message[key] = call.params[key]
                message["edited"] = {"user": self._identity_for(call.token).user_id, "ts": ts}
                return 200, {
                    "ok": True,
                    "channel": channel,
                    "ts": ts,
                    "text": message["text"],
                    "message": dict(message),
                }
        return 200, {"ok": False, "error": "message_not_found"}

    def _users_info(self, call: Call) -> tuple[int, Any]:
        user_id = str(call.params.get("user") or "")
        if not user_id:
            return 200, {"ok": False, "error": "user_not_found"}
        overrides = dict(self._users.get(user_id, {}))
        tz = overrides.pop("tz", DEFAULT_TZ)
        offset = ZoneInfo(tz).utcoffset(datetime.now()) if tz else None
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.identity.team_id,
            "name": user_id.lower(),
            "real_name": f"User {user_id}",
            "deleted": False,
            "is_bot": False,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": {"display_name": user_id.lower(), "real_name": f"User {user_id}"},
        }
        if call.params.get("include_locale") in (True, "true", "1", 1):
            user["locale"] = "en-US"
        user.update(overrides)
        return 200, {"ok": True, "user": user}

    def _replies(self, call: Call) -> tuple[int, Any]:
        channel = str(call.params.get("channel") or "")
        ts = str(call.params.get("ts") or "")
        if not channel:
            return 200, {"ok": False, "error": "channel_not_found"}
        messages = self._thread_messages(channel, ts)
        if not messages:
            return 200, {"ok": False, "error": "thread_not_found"}
        return 200, {
            "ok": True,
            "messages": messages,
            "has_more": False,
            "response_metadata": {"next_cursor": ""},
        }

    def _history(self, call: Call) -> tuple[int, Any]:
        channel = str(call.params.get("channel") or "")
        if not channel or channel in self._not_in:
            return 200, {"ok": False, "error": "not_in_channel" if channel else "channel_not_found"}
        oldest = float(call.params.get("oldest") or 0)
        limit = int(call.params.get("limit") or 100)
        with_metadata = str(call.params.get("include_all_metadata")).lower() in ("true", "1")
        messages = [
            {k: v for k, v in m.items() if with_metadata or k != "metadata"}
            for m in reversed(self._messages.get(channel, []))
            if float(m["ts"]) > oldest and "thread_ts" not in m
        ][:limit]
        return 200, {
            "ok": True,
            "messages": messages,
            "has_more": False,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_info(self, call: Call) -> tuple[int, Any]:
        channel = str(call.params.get("channel") or "")
        if not channel:
            return 200, {"ok": False, "error": "channel_not_found"}
        info: dict[str, Any] = {
            "id": channel,
            "name": f"channel-{channel.lower()}",
            "is_channel": channel.startswith("C"),
            "is_group": channel.startswith("G"),
            "is_im": channel.startswith("D"),
            "is_private": channel.startswith("G"),
            "is_archived": False,
            "is_member": channel not in self._not_in,
            "context_team_id": self.identity.team_id,
        }
        info.update(self._channels.get(channel, {}))
        return 200, {"ok": True, "channel": info}

    def _conversations_members(self, call: Call) -> tuple[int, Any]:
        channel = str(call.params.get("channel") or "")
        if not channel:
            return 200, {"ok": False, "error": "channel_not_found"}
        members = self._members.get(channel, [self.identity.user_id])
        limit = min(int(call.params.get("limit") or 100), MAX_MEMBERS_PAGE)
        start = int(call.params.get("cursor") or 0)
        page = members[start : start + limit]
        more = start + limit < len(members)
        return 200, {
            "ok": True,
            "members": page,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _modal_problems(self, view: Any) -> list[str]:
        if not isinstance(view, dict):
            return ["needs a view object"]
        problems = validate_blocks(view.get("blocks"), limit=MAX_VIEW_BLOCKS)
        if view.get("type") != "modal":
            problems.append(f"view type {view.get('type')!r} (needs 'modal')")
        for key in ("title", "submit", "close"):
            text = _text_of(view.get(key))
            if key == "title" and not text:
                problems.append("a modal needs a title")
            if len(text) > MAX_MODAL_TITLE:
                problems.append(f"{key} text {len(text)} chars (limit {MAX_MODAL_TITLE})")
        if len(str(view.get("private_metadata") or "")) > 3000:
            problems.append("private_metadata over 3000 chars")
        return problems

    def _views_open(self, call: Call) -> tuple[int, Any]:
        """views.open: a modal, with the trigger_id of the interaction that opens it."""
        view = call.params.get("view")
        problems = self._modal_problems(view)
        if not call.params.get("trigger_id"):
            problems.append("needs trigger_id")
        if problems:
            self.violations.extend(f"{call.method}: {p}" for p in problems)
            return 200, {"ok": False, "error": "invalid_arguments"}
        self._view_counter += 1
        view_id = f"V{self._view_counter:08d}"
        opened = {**view, "id": view_id, "team_id": self.identity.team_id, "hash": view_id}
        self.opened_views[view_id] = opened
        return 200, {"ok": True, "view": opened}

    def _views_update(self, call: Call) -> tuple[int, Any]:
        view = call.params.get("view")
        problems = self._modal_problems(view)
        view_id = str(call.params.get("view_id") or "")
        if view_id not in self.opened_views:
            return 200, {"ok": False, "error": "not_found"}
        if problems:
            self.violations.extend(f"{call.method}: {p}" for p in problems)
            return 200, {"ok": False, "error": "invalid_arguments"}
        updated = {**view, "id": view_id, "team_id": self.identity.team_id, "hash": view_id}
        self.opened_views[view_id] = updated
        return 200, {"ok": True, "view": updated}

    def _views_publish(self, call: Call) -> tuple[int, Any]:
        view = call.params.get("view")
        if not call.params.get("user_id") or not isinstance(view, dict):
            problem = "views.publish needs user_id and a view object"
            self.violations.append(problem)
            return 200, {"ok": False, "error": "invalid_arguments"}
        problems = validate_blocks(view.get("blocks"), limit=MAX_VIEW_BLOCKS)
        if view.get("type") != "home":
            problems.append(f"view type {view.get('type')!r} (views.publish needs 'home')")
        if problems:
            self.violations.extend(f"views.publish: {p}" for p in problems)
            return 200, {"ok": False, "error": "invalid_arguments"}
        self._view_counter += 1
        view_id = f"V{self._view_counter:08d}"
        return 200, {
            "ok": True,
            "view": {**view, "id": view_id, "team_id": self.identity.team_id, "hash": view_id},
        }

    def _connections_open(self, call: Call) -> tuple[int, Any]:
        if not (call.token or "").startswith("xapp-"):
            return 200, {"ok": False, "error": "not_allowed_token_type"}
        if self._socket_mode is None:
            self.unexpected.append(call)
            return 200, {"ok": False, "error": "socket_mode_not_attached"}
        return 200, {"ok": True, "url": self._socket_mode.issue_url()}

    def _oauth_v2_access(self, call: Call) -> tuple[int, Any]:
        if call.params.get("grant_type") == "refresh_token":
            refresh = self._refreshes.pop(str(call.params.get("refresh_token") or ""), None)
            if refresh is None:
                return 200, {"ok": False, "error": "invalid_refresh_token"}
            return 200, dict(refresh)
        code = str(call.params.get("code") or "")
        inst = self._installations.get(code)
        if inst is None:
            return 200, {"ok": False, "error": "invalid_code"}
        if inst.single_use and inst.used:
            return 200, {"ok": False, "error": "invalid_code"}
        inst.used = True
        return 200, json.loads(json.dumps(inst.response))

    def _response_url(self, call: Call) -> tuple[int, Any]:
        return 200, {"ok": True}

    # -- the assistant panel (assistant.threads.*) and workflow steps (functions.*)

    def _assistant_call(self, call: Call, required: tuple[str, ...]) -> tuple[int, Any] | None:
        """An error answer when a required argument is missing, else None."""
        missing = [k for k in required if call.params.get(k) in (None, "") and k != "status"]
        if "status" in required and not isinstance(call.params.get("status"), str):
            missing.append("status")
        if missing:
            self.violations.append(f"{call.method}: missing {', '.join(missing)}")
            return 200, {"ok": False, "error": "invalid_arguments"}
        return None

    def _assistant_set_status(self, call: Call) -> tuple[int, Any]:
        # An empty status clears it (as the posting of a reply does in Slack).
        return self._assistant_call(call, ("channel_id", "thread_ts", "status")) or (
            200,
            {"ok": True},
        )

    def _assistant_set_prompts(self, call: Call) -> tuple[int, Any]:
        bad = self._assistant_call(call, ("channel_id", "thread_ts", "prompts"))
        if bad is not None:
            return bad
        prompts = call.params.get("prompts")
        problems: list[str] = []
        if not isinstance(prompts, list) or not 1 <= len(prompts) <= 4:
            problems.append("prompts must be a list of 1 to 4")
        else:
            for n, prompt in enumerate(prompts):
                if not isinstance(prompt, dict) or not all(
                    isinstance(prompt.get(k), str) and prompt.get(k) for k in ("title", "message")
                ):
                    problems.append(f"prompt {n} needs a title and a message")
        if problems:
            self.violations.extend(f"{call.method}: {p}" for p in problems)
            return 200, {"ok": False, "error": "invalid_arguments"}
        return 200, {"ok": True}

    def _assistant_set_title(self, call: Call) -> tuple[int, Any]:
        return self._assistant_call(call, ("channel_id", "thread_ts", "title")) or (
            200,
            {"ok": True},
        )

    def _functions_complete(self, call: Call) -> tuple[int, Any]:
        execution = call.params.get("function_execution_id")
        success = call.method == "functions.completeSuccess"
        value = call.params.get("outputs") if success else call.params.get("error")
        valid = isinstance(value, dict) if success else isinstance(value, str) and value.strip()
        if not execution or not valid:
            what = "outputs (an object)" if success else "error (a message)"
            self.violations.append(f"{call.method}: needs function_execution_id and {what}")
            return 200, {"ok": False, "error": "invalid_arguments"}
        completions = ("functions.completeSuccess", "functions.completeError")
        if any(
            c.ok and c.params.get("function_execution_id") == execution
            for c in self.calls
            if c.method in completions and c is not call
        ):
            return 200, {"ok": False, "error": "function_execution_already_completed"}
        return 200, {"ok": True}

    _HANDLERS: ClassVar[dict[str, Any]] = {
        "auth.test": _auth_test,
        "chat.postMessage": _post_message,
        "chat.postEphemeral": _post_ephemeral,
        "chat.update": _update,
        "users.info": _users_info,
        "conversations.replies": _replies,
        "conversations.history": _history,
        "conversations.info": _conversations_info,
        "views.publish": _views_publish,
        "views.open": _views_open,
        "views.update": _views_update,
        "conversations.members": _conversations_members,
        "apps.connections.open": _connections_open,
        "oauth.v2.access": _oauth_v2_access,
        RESPONSE_URL: _response_url,
        "assistant.threads.setStatus": _assistant_set_status,
        "assistant.threads.setSuggestedPrompts": _assistant_set_prompts,
        "assistant.threads.setTitle": _assistant_set_title,
        "functions.completeSuccess": _functions_complete,
        "functions.completeError": _functions_complete,
    }


_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0", ""}


@contextlib.contextmanager
def forbid_real_network() -> Iterator[list[str]]:
    """Refuse name resolution of anything but loopback for the duration (process-wide).

    Yields the list of refused hosts, so a test can also assert nobody tried. Catches urllib
    (WebClient), the socket-mode builtin client, httpx and asyncio, all of which resolve via
    ``socket.getaddrinfo``.
    """
    refused: list[str] = []
    original = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if name not in _LOCAL_HOSTS:
            refused.append(name)
            raise OSError(f"slackfake: network access to {name!r} refused in tests")
        return original(host, *args, **kwargs)

    socket.getaddrinfo = guarded  # type: ignore[assignment]
    try:
        yield refused
    finally:
        socket.getaddrinfo = original  # type: ignore[assignment]
