"""A fake Slack Socket Mode endpoint: a local websocket server pushing envelopes, recording acks.

    with FakeSlack() as fake, FakeSocketModeServer() as sm:
        fake.attach_socket_mode(sm)                 # apps.connections.open now answers sm's URL
        handler = SocketModeHandler(app, "xapp-test")   # app.client points at fake.base_url
        handler.connect()
        sm.wait_for_connection()
        eid = sm.push_slash_command(slash_command_fields(text="ai act"))
        payload, latency = sm.wait_for_ack(eid)
        handler.close()

Envelopes match what slack_sdk.socket_mode.request.SocketModeRequest.from_dict reads:
``{"envelope_id", "type", "payload", "accepts_response_payload", "retry_attempt", "retry_reason"}``.
Close the client (handler.close()) before stopping the server, or the client's auto-reconnect
will log connection errors.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from .signing import event_callback as _wrap_event

_INTERACTIVE_WITH_RESPONSE = {"view_submission", "block_suggestion"}


@dataclass
class AckRecord:
    envelope_id: str
    message: dict[str, Any]  # the whole ack frame: {"envelope_id": ..., "payload"?: ...}
    received_at: float  # time.monotonic()
    latency: float | None  # seconds since the envelope was sent (None: unknown envelope)


class FakeSocketModeServer:
    """Local ``ws://127.0.0.1:PORT`` server speaking Slack's Socket Mode envelope protocol."""

    def __init__(
        self,
        *,
        app_id: str = "A0FAKEAPP",
        send_hello: bool = True,
        ping_interval: float | None = 0.1,
    ) -> None:
        """``ping_interval``: seconds between server pings (None: never). Frequent pings keep
        slack_sdk's builtin client from sitting in a 3 s blocking recv, so its close() is fast."""
        self.app_id = app_id
        self.send_hello = send_hello
        self.ping_interval = ping_interval
        self.lock = threading.RLock()
        self.acks: dict[str, dict[str, Any]] = {}  # envelope_id -> ack payload ({} if none)
        self.ack_records: list[AckRecord] = []  # every ack frame, in arrival order
        self.duplicate_acks: list[AckRecord] = []  # a second ack for the same envelope
        self.unknown_acks: list[AckRecord] = []  # acks for envelopes never sent
        self.received: list[Any] = []  # every text frame from clients (decoded JSON where possible)
        self.sent: list[dict[str, Any]] = []  # every envelope / control message sent
        self.connection_count = 0  # connections ever accepted
        self.urls_issued = 0
        self._sent_at: dict[str, float] = {}
        self._connections: list[ServerConnection] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop_event: asyncio.Event | None = None
        self._ready = threading.Event()
        self._port: int | None = None
        self._error: BaseException | None = None
        self._ticket = itertools.count(1)
        self._envelope = itertools.count(1)
        self._changed = threading.Condition(self.lock)

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> FakeSocketModeServer:
        if self._thread is not None:
            return self
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, daemon=True, name="FakeSocketMode")
        self._thread.start()
        if not self._ready.wait(timeout=5):
            raise RuntimeError("FakeSocketModeServer did not start in 5 s")
        if self._error is not None:
            raise RuntimeError("FakeSocketModeServer failed to start") from self._error
        return self

    def stop(self) -> None:
        loop, thread, stop_event = self._loop, self._thread, self._stop_event
        if thread is None:
            return
        if loop is not None and stop_event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop_event.set)
        thread.join(timeout=5)
        self._thread = None
        self._loop = None

    def __enter__(self) -> FakeSocketModeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        server: Server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            ping_interval=self.ping_interval,
            ping_timeout=None,
        )
        self._port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        try:
            await self._stop_event.wait()
        finally:
            server.close(close_connections=True)
            await server.wait_closed()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSocketModeServer is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/"

    def issue_url(self) -> str:
        """A fresh connection URL, like apps.connections.open returns (FakeSlack calls this)."""
        with self.lock:
            self.urls_issued += 1
            ticket = next(self._ticket)
        return f"{self.url}?ticket=fake-ticket-{ticket}&app_id={self.app_id}"

    # ---------------------------------------------------------------- connections

    async def _handle(self, ws: ServerConnection) -> None:
        with self._changed:
            self._connections.append(ws)
            self.connection_count += 1
            self._changed.notify_all()
        try:
            if self.send_hello:
                hello = {
                    "type": "hello",
                    "num_connections": len(self._connections),
                    "debug_info": {
                        "host": "fake-socket-mode",
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": self.app_id},
                }
                await ws.send(json.dumps(hello))
                with self.lock:
                    self.sent.append(hello)
            async for raw in ws:
                self._on_frame(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                if ws in self._connections:
                    self._connections.remove(ws)
                self._changed.notify_all()

    def _on_frame(self, raw: str | bytes) -> None:
        now = time.monotonic()
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        try:
            message: Any = json.loads(text)
        except ValueError:
            message = text
        with self._changed:
            self.received.append(message)
            if isinstance(message, dict) and "envelope_id" in message:
                eid = str(message["envelope_id"])
                sent_at = self._sent_at.get(eid)
                record = AckRecord(eid, message, now, None if sent_at is None else now - sent_at)
                self.ack_records.append(record)
                if sent_at is None:
                    self.unknown_acks.append(record)
                elif eid in self.acks:
                    self.duplicate_acks.append(record)
                else:
                    self.acks[eid] = message.get("payload") or {}
            self._changed.notify_all()

    @property
    def connections(self) -> int:
        """Currently open client connections."""
        with self.lock:
            return len(self._connections)

    def wait_for_connection(self, count: int = 1, timeout: float = 5.0) -> None:
        """Block until at least ``count`` client connections are open."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._connections) >= count, timeout):
                raise AssertionError(
                    f"no Socket Mode client connected within {timeout}s "
                    f"(open: {len(self._connections)}, urls issued: {self.urls_issued})"
                )

    # ---------------------------------------------------------------- sending

    def _send(self, message: dict[str, Any], timeout: float) -> None:
        self.wait_for_connection(timeout=timeout)
        with self.lock:
            ws = self._connections[-1]  # Slack delivers each envelope to one connection
            self.sent.append(message)
            if "envelope_id" in message:
                self._sent_at[message["envelope_id"]] = time.monotonic()
        loop = self._loop
        assert loop is not None
        asyncio.run_coroutine_threadsafe(ws.send(json.dumps(message)), loop).result(timeout)

    def push(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
        envelope_id: str | None = None,
        timeout: float = 5.0,
    ) -> str:
        """Send one envelope to the newest connection (waiting for one); return its envelope_id."""
        eid = envelope_id or f"{uuid.UUID(int=next(self._envelope))}"
        envelope = {
            "envelope_id": eid,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        self._send(envelope, timeout)
        return eid

    def push_slash_command(self, payload: dict[str, Any], **kwargs: Any) -> str:
        """``payload``: the slash command fields (see signing.slash_command_fields)."""
        kwargs.setdefault("accepts_response_payload", True)
        return self.push("slash_commands", payload, **kwargs)

    def push_event(self, event_callback: dict[str, Any], **kwargs: Any) -> str:
        """``event_callback``: a full event_callback (see signing.event_callback); a bare event
        (no "event" key) is wrapped in one."""
        if "event" not in event_callback:
            event_callback = _wrap_event(event_callback)
        kwargs.setdefault("accepts_response_payload", False)
        return self.push("events_api", event_callback, **kwargs)

    def push_interactive(self, payload: dict[str, Any], **kwargs: Any) -> str:
        kwargs.setdefault(
            "accepts_response_payload", payload.get("type") in _INTERACTIVE_WITH_RESPONSE
        )
        return self.push("interactive", payload, **kwargs)

    def send_disconnect(self, reason: str = "refresh_requested", timeout: float = 5.0) -> None:
        """Ask the client to reconnect, as Slack does every few hours (it calls
        apps.connections.open again)."""
        self._send(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-socket-mode"}},
            timeout,
        )

    # ---------------------------------------------------------------- acks

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> tuple[dict[str, Any], float]:
        """Block until the client acks ``envelope_id``; return (ack payload or {}, latency s)."""
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(
                    f"no ack for envelope {envelope_id} within {timeout}s; "
                    f"acked: {sorted(self.acks)}; received: {self.received[-5:]}"
                )
            record = next(r for r in self.ack_records if r.envelope_id == envelope_id)
            return self.acks[envelope_id], float(record.latency or 0.0)
