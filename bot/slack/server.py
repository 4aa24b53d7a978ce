"""Running the app: HTTP (waitress, `/slack/events` + `/healthz`) or Socket Mode."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App, healthy: Callable[[], bool]) -> WSGIApp:
    """Bolt's handler on /slack/events (and, in OAuth mode, /slack/install and
    /slack/oauth_redirect), a database health check on /healthz, 404 elsewhere."""
    bolt = SlackRequestHandler(app)
    flow = app.oauth_flow
    oauth_paths = {flow.install_path, flow.redirect_uri_path} if flow is not None else set[str]()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            ok = healthy()
            body = json.dumps({"ok": ok, "database": "ok" if ok else "unreachable"}).encode()
            status = "200 OK" if ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        if path == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
            if stamp is not None and not stamp.strip().isdigit():
                # Bolt's verifier calls int() on it: a forged "yesterday" would be a 500 with
                # a logged traceback. It is an unsigned request like any other: 401.
                start_response("401 Unauthorized", [("Content-Type", "application/json")])
                return [b'{"error": "invalid request"}']
            return bolt(environ, start_response)
        if path in oauth_paths and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return bolt(environ, start_response)  # OAuth mode: install page and redirect
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]

    return application


def http_server(app: App, healthy: Callable[[], bool], *, host: str, port: int, threads: int = 8):  # type: ignore[no-untyped-def]
    """A waitress server (not yet serving); `.effective_port` is the bound port (port 0 works)."""
    return create_server(wsgi_app(app, healthy), host=host, port=port, threads=threads)


def socket_mode_handler(app: App, app_token: str) -> SocketModeHandler:
    """Socket Mode over slack_sdk's built-in client; apps.connections.open goes through the
    app's WebClient, so it honours SLACK_API_URL too."""
    return SocketModeHandler(app, app_token=app_token, web_client=app.client)
