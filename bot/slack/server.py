"""Running the app: HTTP (waitress, `/slack/events`, `/healthz`, `/metrics`) or Socket Mode.

The HTTP front door refuses cheaply, before anything is parsed or trusted:

- waitress reads and buffers each request before our code sees it, so its limits are the
  first line: a body over `MAX_BODY_BYTES` is answered 413 as soon as the Content-Length
  header says so (a chunked body is cut off at the same size), headers are capped, idle
  connections are closed, and `GuardedServer` adds what waitress lacks — a deadline for a
  whole request to arrive (a client sending a header line every few seconds is cut off), and
  at the connection limit it drops the oldest connections that have no request being served
  rather than stop accepting, so `/healthz` and real Slack requests still get in;
- `front_door` then checks the Slack signature on the raw bytes before Bolt parses anything:
  any unsigned, stale or unparseable body is a 401 (never a 500 with a traceback), and
  a replay of a request already handled is answered 200 with no action (see `ReplayGuard`);
- nothing here logs a request body or a `response_url` (and the logging filter in
  `bot.redact` masks them should a library try).
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from waitress.adjustments import Adjustments
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from bot import metrics
from bot.metrics_http import METRICS_PATH, metrics_app
from bot.slack.pools import ACKS, start_after_answer

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

# Slack's payloads are a few KB (a slash command, an event, a block action); 1 MB is plenty.
MAX_BODY_BYTES = 1_000_000
MAX_HEADER_BYTES = 32 * 1024
# A request must arrive whole (status line, headers, body) within this long; Slack sends
# each request in one go, so only a deliberately slow client hits it.
REQUEST_READ_SECONDS = 10.0
# A keep-alive connection with no request in flight is closed after this long.
IDLE_SECONDS = 30.0
# Open connections at most; past it the oldest connections with nothing being served go.
CONNECTION_LIMIT = 500
# Slack refuses requests signed more than 5 minutes ago; a replay is remembered as long.
REPLAY_WINDOW_SECONDS = 300.0
REPLAY_MEMORY = 20_000
# How long `close()` waits for the server's loop to close the listening socket itself.
CLOSE_HANDOFF_SECONDS = 2.0

# How long a thread may hold the GIL while another waits for it (Python's default: 5 ms).
# An ack is dozens of short steps between blocking calls (socket reads, locks, waitress's
# task queue), and after each it waits for the GIL again; while a digest round or briefs run
# in the same process, every such wait lasted up to the whole interval. 1 ms makes those
# waits 5x shorter; the CPU-bound threads lose a little to the extra switches.
SWITCH_INTERVAL_SECONDS = 0.001

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ReplayGuard:
    """Remembers the signatures (and event ids) of requests already handled, for the window.

    Bounded (the oldest are forgotten first once `capacity` are held), expiring and
    thread-safe. A key is claimed before the request is handled and released when handling
    fails, so a retry of a request we answered with an error is still processed.
    """

    def __init__(
        self,
        window: float = REPLAY_WINDOW_SECONDS,
        capacity: int = REPLAY_MEMORY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._window = window
        self._capacity = capacity
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # key -> expiry, oldest first
        self._lock = threading.Lock()

    def claim(self, keys: Iterable[str]) -> bool:
        """True when none of `keys` was seen within the window (all are then remembered)."""
        keys = [k for k in keys if k]
        now = self._clock()
        with self._lock:
            while self._seen:
                oldest, expiry = next(iter(self._seen.items()))
                if expiry > now and len(self._seen) < self._capacity:
                    break
                del self._seen[oldest]
            if any(self._seen.get(k, 0.0) > now for k in keys):
                return False
            for key in keys:
                self._seen[key] = now + self._window
                self._seen.move_to_end(key)
            return True

    def release(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._seen.pop(key, None)


def _respond(
    start_response: Callable[..., Any], status: str, body: bytes, content_type: str
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _refuse(start_response: Callable[..., Any], status: str, error: str) -> list[bytes]:
    return _respond(
        start_response, status, json.dumps({"error": error}).encode(), "application/json"
    )


def _kind(body: bytes, content_type: str) -> str:
    """What a signed request is, for the ack-latency histogram (a cheap look, no parsing)."""
    if content_type.startswith("application/json"):
        return "event"
    if body.startswith(b"payload=") or b"&payload=" in body:
        return "interactive"
    if body.startswith(b"command=") or b"&command=" in body:
        return "command"
    return "other"


def _event_id(body: bytes, content_type: str) -> str | None:
    """The Events API `event_id` of a signed JSON body (the same across Slack's retries)."""
    if not content_type.startswith("application/json"):
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    event_id = data.get("event_id") if isinstance(data, dict) else None
    return event_id if isinstance(event_id, str) and event_id else None


class _ThenStart:
    """A response body that starts the request's queued work when the server closes it: a
    WSGI server calls `close()` once the body is written (waitress: sent, or handed to its
    loop), so the pool threads that work wakes compete with no ack for the GIL."""

    def __init__(self, body: Iterable[bytes], pending: list[Callable[[], Any]]) -> None:
        self._body = body
        self._pending = pending

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            pending, self._pending = self._pending, []
            start_after_answer(pending)


def front_door(
    bolt: WSGIApp, signing_secret: str | None, replays: ReplayGuard | None = None
) -> WSGIApp:
    """`bolt` behind the checks a request must pass before anything parses it."""
    verifier = SignatureVerifier(signing_secret) if signing_secret else None
    replays = replays or ReplayGuard()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        raw_length = str(environ.get("CONTENT_LENGTH") or "0").strip()
        length = int(raw_length) if raw_length.isdigit() else -1
        if length < 0:
            return _refuse(start_response, "400 Bad Request", "invalid content length")
        if length > MAX_BODY_BYTES:  # waitress refuses these first; kept for other servers
            return _refuse(start_response, "413 Payload Too Large", "request too large")
        body = environ["wsgi.input"].read(length) if length else b""
        if verifier is not None:
            stamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")).strip()
            signature = str(environ.get("HTTP_X_SLACK_SIGNATURE", "")).strip()
            try:
                valid = stamp.isdigit() and verifier.is_valid(body, stamp, signature)
            except (UnicodeDecodeError, ValueError, OverflowError):
                valid = False  # the verifier decodes the body as UTF-8 first
            if not valid:
                metrics.SLACK_REFUSED.labels("invalid_signature").inc()
                log.info("refused an unsigned, stale or invalid request (%d bytes)", len(body))
                return _refuse(start_response, "401 Unauthorized", "invalid request")
            content_type = str(environ.get("CONTENT_TYPE", ""))
            keys = [f"sig:{signature}"]
            event_id = _event_id(body, content_type)
            if event_id:
                keys.append(f"event:{event_id}")
            if not replays.claim(keys):
                # Already handled. 200 (not an error): Slack retries an event it thinks we
                # missed (X-Slack-Retry-Num), and too many failures make it switch the app's
                # events off; a replayed slash command gets nothing to act on.
                retry = environ.get("HTTP_X_SLACK_RETRY_NUM")
                metrics.SLACK_REFUSED.labels("repeated").inc()
                log.info("ignored a repeated request%s", f" (Slack retry {retry})" if retry else "")
                return _respond(start_response, "200 OK", b"", "text/plain")
        else:
            keys = []
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        status_seen: list[str] = []

        def recording_start_response(status: str, *args: Any) -> Any:
            status_seen.append(status)
            return start_response(status, *args)

        started = time.perf_counter()
        try:
            with ACKS.answering():  # the listener pools' slow work waits for it (see AckGate)
                result = bolt(environ, recording_start_response)
        except (ValueError, RecursionError, UnicodeError) as err:
            # A signed body Bolt cannot parse; one line, no traceback (it could quote the body).
            start_after_answer(ACKS.take_after_answer())
            replays.release(keys)
            metrics.SLACK_REFUSED.labels("unreadable").inc()
            log.warning("could not parse a signed Slack request: %s", type(err).__name__)
            return _refuse(start_response, "400 Bad Request", "unreadable request")
        except Exception:
            start_after_answer(ACKS.take_after_answer())
            replays.release(keys)
            raise
        # The work the listeners queued starts once the ack is written (see `_ThenStart`).
        pending = ACKS.take_after_answer()
        if pending:
            result = _ThenStart(result, pending)
        if not status_seen or not status_seen[-1].startswith("2"):
            replays.release(keys)  # not handled: a retry must still be processed
        # Bolt's HTTP adapter returns once the listener has acked (the work goes on lazily).
        metrics.observe_ack(
            _kind(body, str(environ.get("CONTENT_TYPE", ""))), time.perf_counter() - started
        )
        return result

    return application


def wsgi_app(
    app: App,
    healthy: Callable[[], bool],
    signing_secret: str | None = None,
    metrics_token: str | None = None,
) -> WSGIApp:
    """Bolt's handler on /slack/events (and, in OAuth mode, /slack/install and
    /slack/oauth_redirect), a database health check on /healthz, Prometheus metrics on
    /metrics (a bearer token wanted when `metrics_token` is set), 404 elsewhere."""
    bolt = SlackRequestHandler(app)
    scrape = metrics_app(metrics_token)
    events = front_door(bolt, signing_secret)
    flow = app.oauth_flow
    oauth_paths = {flow.install_path, flow.redirect_uri_path} if flow is not None else set[str]()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ok = healthy()
            body = json.dumps({"ok": ok, "database": "ok" if ok else "unreachable"}).encode()
            status = "200 OK" if ok else "503 Service Unavailable"
            return _respond(start_response, status, body, "application/json")
        if path == METRICS_PATH:
            return scrape(environ, start_response)
        if path == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            return events(environ, start_response)
        if path in oauth_paths and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return bolt(environ, start_response)  # OAuth mode: install page and redirect
        return _respond(start_response, "404 Not Found", b"not found\n", "text/plain")

    return application


class GuardedServer(TcpWSGIServer):
    """waitress, plus a deadline for each request to arrive whole and eviction at the
    connection limit (waitress alone stops accepting there, which locks out /healthz)."""

    request_read_seconds = REQUEST_READ_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._reading_since: dict[int, float] = {}  # channel fileno -> first seen mid-request
        self._loop_thread: int | None = None  # the thread in `run()`, while it runs
        super().__init__(*args, **kwargs)

    def run(self) -> None:
        self._loop_thread = threading.get_ident()
        try:
            super().run()
        finally:
            self._loop_thread = None

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # idle keep-alive connections (channel_timeout)
        reading: dict[int, float] = {}
        for fd, channel in list(self.active_channels.items()):
            request = getattr(channel, "request", None)
            if request is None or request.completed:
                continue  # no request arriving on it (idle, or being served)
            since = self._reading_since.get(fd, now)
            reading[fd] = since
            if now - since > self.request_read_seconds:
                channel.will_close = True
        self._reading_since = reading

    def readable(self) -> bool:
        if self.accepting and len(self._map) >= self.adj.connection_limit:
            self._evict(max(1, self.adj.connection_limit // 10))
        return bool(super().readable())

    def close(self) -> None:
        """Stop listening and close every connection too: waitress's loop runs while any is
        open, so one idle keep-alive connection would otherwise hold SIGTERM off for good."""
        for channel in list(self.active_channels.values()):
            channel.will_close = True
        # Closed by the loop's own thread, woken through the trigger: closed from another
        # thread, the loop would sit out its poll() on the closed socket (waitress's
        # asyncore_loop_timeout, a second) before noticing. When no loop runs, or this is its
        # thread (a SIGTERM handler in `serve`), close here.
        if self._loop_thread in (None, threading.get_ident()):
            super().close()
            return
        closed = threading.Event()

        def close_in_loop() -> None:
            super(GuardedServer, self).close()
            closed.set()

        # OSError: the loop woke for another pull (a finished response) between our thunk
        # being queued and our own write, ran it and closed the trigger: nothing to write to.
        with contextlib.suppress(OSError):
            self.trigger.pull_trigger(close_in_loop)
        if not closed.wait(CLOSE_HANDOFF_SECONDS):
            super().close()

    def _evict(self, count: int) -> None:
        """Close the `count` oldest connections that have nothing being served."""
        idle = [
            ch
            for ch in self.active_channels.values()
            if not ch.requests and not ch.will_close and not ch.total_outbufs_len
        ]
        idle.sort(key=lambda ch: ch.creation_time)
        for channel in idle[:count]:
            channel.will_close = True
        if idle:
            log.warning("connection limit reached: closing %d idle connections", len(idle[:count]))


def favour_acks() -> None:
    """Called by the servers below, whose process answers Slack: shorter GIL turns (see
    SWITCH_INTERVAL_SECONDS), and the objects built so far kept out of the garbage collector.

    Everything alive at this point (libraries, the app, the database models) lives as long as
    the process, yet each full collection walked all of it again while holding the GIL: in
    `bench/ack_latency.py` the app stopped for 0.2-1.8 s per full collection, several times
    a minute during digest rounds. `gc.freeze()` moves them out of the collector's sight.
    """
    global _frozen
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_SECONDS))
    if not _frozen:  # once: a process building many servers (the tests) keeps no garbage
        _frozen = True
        gc.collect()
        gc.freeze()


_frozen = False


def http_server(  # type: ignore[no-untyped-def]
    app: App,
    healthy: Callable[[], bool],
    *,
    host: str,
    port: int,
    threads: int = 8,
    signing_secret: str | None = None,
    metrics_token: str | None = None,
    connection_limit: int = CONNECTION_LIMIT,
    request_read_seconds: float = REQUEST_READ_SECONDS,
):
    """A waitress server (not yet serving); `.effective_port` is the bound port (port 0 works).

    `signing_secret` defaults to the app's own (Bolt keeps it as `_signing_secret`)."""
    secret = signing_secret or getattr(app, "_signing_secret", None)
    favour_acks()
    adj = Adjustments(
        host=host,
        port=port,
        threads=threads,
        connection_limit=connection_limit,
        channel_timeout=IDLE_SECONDS,
        cleanup_interval=1,  # how often the deadlines above are checked
        max_request_body_size=MAX_BODY_BYTES + 1,  # waitress refuses at >=; ours is >
        max_request_header_size=MAX_HEADER_BYTES,
        inbuf_overflow=MAX_BODY_BYTES + 1,  # bodies stay in memory (none is bigger)
        # poll(), not select(): select() cannot watch file descriptors past 1024.
        asyncore_use_poll=True,
        ident="briefbot",
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    server = GuardedServer(
        wsgi_app(app, healthy, secret, metrics_token), map={}, dispatcher=dispatcher, adj=adj
    )
    server.request_read_seconds = request_read_seconds
    return server


# Socket Mode envelope types, named as the HTTP front door names requests.
_SOCKET_KINDS = {"slash_commands": "command", "interactive": "interactive", "events_api": "event"}


class TimedSocketModeHandler(SocketModeHandler):
    """Bolt's Socket Mode handler, with each ack timed as the HTTP front door times it (from
    the envelope received to the ack sent back)."""

    def handle(self, client: Any, req: Any) -> None:
        started = time.perf_counter()
        try:
            with ACKS.answering():  # the listener pools' slow work waits for it (see AckGate)
                super().handle(client, req)
        finally:  # the ack is sent: the work its listener queued starts now
            start_after_answer(ACKS.take_after_answer())
        kind = _SOCKET_KINDS.get(str(getattr(req, "type", "")), "other")
        metrics.observe_ack(kind, time.perf_counter() - started)


def socket_mode_handler(app: App, app_token: str) -> SocketModeHandler:
    """Socket Mode over slack_sdk's built-in client; apps.connections.open goes through the
    app's WebClient, so it honours SLACK_API_URL too."""
    favour_acks()
    return TimedSocketModeHandler(app, app_token=app_token, web_client=app.client)
