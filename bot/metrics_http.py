"""Serving the metrics: `GET /metrics` as a WSGI app (the HTTP front door mounts it) and, for
processes with no HTTP server of their own (`briefbot worker`, `serve --socket`), a small
server on METRICS_PORT that stops within a deadline on shutdown.

A scrape is cheap and bounded: it reads no request body, renders counters held in memory
(a few KB) and touches no database, so it can stay unauthenticated on a private network.
With METRICS_TOKEN set it wants `Authorization: Bearer <token>` (compared in constant time).
"""

from __future__ import annotations

import hmac
import logging
import socketserver
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot import metrics
from bot.metrics import REGISTRY

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
# A scraper sends its request at once; a connection that trickles it is dropped after this.
REQUEST_SECONDS = 10.0
# How long stopping the server may take (its loop notices within half a second).
STOP_SECONDS = 5.0

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _respond(
    start_response: Callable[..., Any], status: str, body: bytes, content_type: str, *extra: Any
) -> list[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra]
    start_response(status, headers)
    return [body]


def authorized(environ: dict[str, Any], token: str | None) -> bool:
    if not token:
        return True
    header = str(environ.get("HTTP_AUTHORIZATION", ""))
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode("utf-8", "replace"), token.encode()
    )


def metrics_app(token: str | None = None) -> WSGIApp:
    """`GET /metrics` (HEAD too) in the Prometheus text format; 404 elsewhere, 405 for other
    methods, 401 without the token when one is set."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") != METRICS_PATH:
            return _respond(start_response, "404 Not Found", b"not found\n", "text/plain")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _respond(
                start_response,
                "405 Method Not Allowed",
                b"GET only\n",
                "text/plain",
                ("Allow", "GET, HEAD"),
            )
        if not authorized(environ, token):
            return _respond(
                start_response,
                "401 Unauthorized",
                b"metrics need a bearer token\n",
                "text/plain",
                ("WWW-Authenticate", "Bearer"),
            )
        if not metrics.AVAILABLE:
            return _respond(
                start_response,
                "503 Service Unavailable",
                b"prometheus-client is not installed: pip install -e .\n",
                "text/plain",
            )
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        body = generate_latest(REGISTRY)
        if environ.get("REQUEST_METHOD") == "HEAD":
            start_response(
                "200 OK",
                [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))],
            )
            return [b""]
        return _respond(start_response, "200 OK", body, CONTENT_TYPE_LATEST)

    return application


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a scrape in progress never holds the process open
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    timeout = REQUEST_SECONDS  # a socket read past this ends the connection

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per scrape on stderr is noise (and not in LOG_FORMAT)


class MetricsServer:
    """`GET /metrics` on its own port, served by a background thread until `stop()`."""

    def __init__(self, host: str, port: int, token: str | None = None) -> None:
        self._server = make_server(
            host, port, metrics_app(token), server_class=_Server, handler_class=_QuietHandler
        )
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.5},
            name="metrics-http",
            daemon=True,
        )

    def start(self) -> MetricsServer:
        self._thread.start()
        return self

    def stop(self, timeout: float = STOP_SECONDS) -> bool:
        """Stop serving and close the port; True when the loop ended within `timeout`."""
        # shutdown() waits for serve_forever without a deadline: it runs on its own thread.
        stopper = threading.Thread(target=self._server.shutdown, name="metrics-stop", daemon=True)
        stopper.start()
        stopper.join(timeout)
        self._thread.join(0.1)
        self._server.server_close()
        stopped = not self._thread.is_alive()
        if not stopped:
            log.warning("metrics server did not stop within %.0f s; leaving it", timeout)
        return stopped


def serve_metrics(port: int | None, token: str | None = None, host: str = "0.0.0.0") -> Any:
    """A started `MetricsServer` on `port`, or a stand-in whose `stop()` does nothing when
    METRICS_PORT is unset. A port that cannot be bound is logged, not fatal: the bot runs on."""
    if port is None:
        return _NoServer()
    try:
        server = MetricsServer(host, port, token).start()
    except OSError as err:
        log.error("metrics: could not listen on port %s (%s); serving no metrics", port, err)
        return _NoServer()
    log.info(
        "metrics on http://%s:%s%s", host, server.port, METRICS_PATH, extra={"port": server.port}
    )
    return server


class _NoServer:
    port: int | None = None

    def stop(self, timeout: float = STOP_SECONDS) -> bool:
        return True
