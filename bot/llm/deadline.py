"""A total deadline for an LLM call, enforced on every socket operation.

httpx's timeouts are per operation: a server that sends one byte every two seconds never
trips a 5-second read timeout, while the status line, the headers and the body crawl in for
minutes. Here a deadline is set for a scope (`within(seconds)`, nesting keeps the earliest)
and the network backend under the LLM client's transport clamps each connect, TLS handshake,
read and write to the time left, so the whole exchange — status line, headers, body, every
retry — ends by the deadline (overshooting by at most the one socket call in flight, itself
clamped).
"""

from __future__ import annotations

import contextvars
import importlib
import ssl
import time
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

import openai


def _sdk_http_modules() -> tuple[ModuleType, ModuleType]:
    """The httpx and httpcore the openai SDK is built on: `httpx`/`httpcore` in 1.x, their
    forks `httpx2`/`httpcore2` in later releases. The transport must be one of theirs."""
    client = next(c for c in openai.DefaultHttpxClient.__mro__ if c.__name__ == "Client")
    name = client.__module__.split(".")[0]
    return importlib.import_module(name), importlib.import_module(name.replace("httpx", "httpcore"))


http, httpcore = _sdk_http_modules()
httpx = http

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "llm_deadline", default=None
)


@contextmanager
def within(seconds: float) -> Iterator[float]:
    """Run the block with a deadline `seconds` from now (or the enclosing one, if earlier).
    Yields the deadline (a `time.monotonic()` value)."""
    outer = _deadline.get()  # bounded: a context variable read, not a wait
    deadline = time.monotonic() + seconds
    if outer is not None:
        deadline = min(deadline, outer)
    token = _deadline.set(deadline)
    try:
        yield deadline
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the current deadline (None when there is none; may be <= 0)."""
    deadline = _deadline.get()  # bounded: a context variable read, not a wait
    return None if deadline is None else deadline - time.monotonic()


def _clamp(timeout: float | None, error: type[Exception]) -> float | None:
    left = remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise error("the LLM request's total deadline passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):  # type: ignore[name-defined,misc]
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout)
        )
        return DeadlineStream(stream)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):  # type: ignore[name-defined,misc]
    def __init__(self, backend: httpcore.NetworkBackend | None = None) -> None:
        self._backend = backend or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host,
            port,
            _clamp(timeout, httpcore.ConnectTimeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, _clamp(timeout, httpcore.ConnectTimeout), socket_options=socket_options
        )
        return DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):  # type: ignore[name-defined,misc]
    """httpx's own transport (no proxy), its connections opened through `DeadlineBackend`."""

    def __init__(self, *, verify: bool = True, limits: httpx.Limits | None = None) -> None:
        super().__init__(verify=verify)
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        # httpx builds its pool without a way to pass a network backend; this is that pool,
        # built again with the same public httpcore arguments plus ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=DeadlineBackend(),
        )
