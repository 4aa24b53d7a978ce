"""Send requests into a Bolt HTTP app exactly as Slack does: bodies, v0 signatures, retry headers.

with serve_wsgi(SlackRequestHandler(app)) as root:
    r = post_signed(f"{root}/slack/events", slash_command_body(text="ai act"), SECRET)
    assert r.status_code == 200
    r = post_signed(url, body, SECRET, timestamp=stale_timestamp())   # 401
    r = post_signed(url, body, SECRET, tamper=True)                   # 401
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MAX_SKEW_SECONDS = 300  # Bolt/SignatureVerifier reject timestamps further off than this

DEFAULT_TEAM_ID = "T0FAKE"
DEFAULT_CHANNEL_ID = "C0FAKE"
DEFAULT_USER_ID = "U0HUMAN"
DEFAULT_APP_ID = "A0FAKEAPP"

_event_ids = itertools.count(1)


# ------------------------------------------------------------------ signatures


def sign(secret: str, body: str | bytes, timestamp: int | str) -> str:
    """``v0=`` + HMAC-SHA256(secret, ``v0:{timestamp}:{body}``), as Slack signs requests."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    base = f"v0:{timestamp}:{text}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def now_timestamp() -> int:
    return int(time.time())


def stale_timestamp(seconds: int = MAX_SKEW_SECONDS + 60) -> int:
    """A timestamp ``seconds`` in the past (default 360 s: beyond the 300 s window)."""
    return int(time.time()) - seconds


def guess_content_type(body: str | bytes) -> str:
    head = (body.decode("utf-8", "replace") if isinstance(body, bytes) else body).lstrip()[:1]
    return JSON if head in ("{", "[") else FORM


def signed_headers(
    secret: str,
    body: str | bytes,
    timestamp: int | str | None = None,
    content_type: str | None = None,
) -> dict[str, str]:
    """Content-Type, X-Slack-Request-Timestamp and X-Slack-Signature for ``body``."""
    ts = now_timestamp() if timestamp is None else timestamp
    return {
        "Content-Type": content_type or guess_content_type(body),
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(secret, body, ts),
    }


def tamper_body(body: str, content_type: str | None = None) -> str:
    """The same request with a change the signature does not cover (still parseable)."""
    if (content_type or guess_content_type(body)).startswith(JSON):
        return body + " "
    return body + "&tampered=1"


def post_signed(
    url: str,
    body: str | bytes,
    secret: str,
    *,
    timestamp: int | str | None = None,
    tamper: bool = False,
    retry_num: int | None = None,
    retry_reason: str | None = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> httpx.Response:
    """POST ``body`` to ``url`` signed with ``secret``, as Slack would.

    ``timestamp``: signing time (default now; use stale_timestamp() for a replay).
    ``tamper``: sign the body, then send it altered (expect 401).
    ``retry_num``/``retry_reason``: X-Slack-Retry-Num / X-Slack-Retry-Reason (Events API retries).
    Proxies from the environment are ignored (trust_env=False): this only ever talks to localhost.
    """
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    ctype = content_type or guess_content_type(text)
    all_headers = signed_headers(secret, text, timestamp, ctype)
    if retry_num is not None:
        all_headers["X-Slack-Retry-Num"] = str(retry_num)
    if retry_reason is not None:
        all_headers["X-Slack-Retry-Reason"] = retry_reason
    all_headers.update(headers or {})
    sent = tamper_body(text, ctype) if tamper else text
    with httpx.Client(trust_env=False, timeout=timeout) as client:
        return client.post(url, content=sent.encode("utf-8"), headers=all_headers)


# ------------------------------------------------------------------ bodies


def slash_command_fields(
    command: str = "/brief",
    text: str = "",
    team_id: str = DEFAULT_TEAM_ID,
    channel_id: str = DEFAULT_CHANNEL_ID,
    user_id: str = DEFAULT_USER_ID,
    response_url: str = "http://127.0.0.1:9/response/unset",
    trigger_id: str = "1337.42.fake-trigger",
    **extra: str,
) -> dict[str, str]:
    """The fields Slack sends for a slash command (HTTP form body / Socket Mode payload).

    Pass ``response_url=fake.response_url("r1")`` so responses land in the fake.
    """
    fields = {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "team_domain": "fake-team",
        "channel_id": channel_id,
        "channel_name": f"channel-{channel_id.lower()}",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": DEFAULT_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    fields.update(extra)
    return fields


def slash_command_body(
    command: str = "/brief",
    text: str = "",
    team_id: str = DEFAULT_TEAM_ID,
    channel_id: str = DEFAULT_CHANNEL_ID,
    user_id: str = DEFAULT_USER_ID,
    response_url: str = "http://127.0.0.1:9/response/unset",
    trigger_id: str = "1337.42.fake-trigger",
    **extra: str,
) -> str:
    """Form-encoded slash command body."""
    return urlencode(
        slash_command_fields(
            command, text, team_id, channel_id, user_id, response_url, trigger_id, **extra
        )
    )


def event_callback(
    event: dict[str, Any],
    team_id: str = DEFAULT_TEAM_ID,
    event_id: str | None = None,
    event_time: int | None = None,
    *,
    api_app_id: str = DEFAULT_APP_ID,
    authorizations: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An Events API ``event_callback`` envelope around ``event`` (dict)."""
    when = int(time.time()) if event_time is None else event_time
    return {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": when,
        "authorizations": authorizations
        or [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": "U0BOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-fake-{team_id}",
    }


def event_body(
    event: dict[str, Any],
    team_id: str = DEFAULT_TEAM_ID,
    event_id: str | None = None,
    event_time: int | None = None,
    **kwargs: Any,
) -> str:
    """JSON body of an Events API event_callback."""
    return json.dumps(event_callback(event, team_id, event_id, event_time, **kwargs))


def url_verification_body(challenge: str = "fake-challenge") -> str:
    return json.dumps(
        {
            "token": "deprecated-verification-token",
            "challenge": challenge,
            "type": "url_verification",
        }
    )


def block_actions(
    action: dict[str, Any],
    *,
    user_id: str = DEFAULT_USER_ID,
    team_id: str = DEFAULT_TEAM_ID,
    channel_id: str | None = None,
    message: dict[str, Any] | None = None,
    ephemeral: bool = False,
    view: dict[str, Any] | None = None,
    response_url: str | None = None,
    trigger_id: str = "111.222.valid",
) -> dict[str, Any]:
    """A ``block_actions`` payload as Slack posts it when someone uses one element: in a
    message (``channel_id``, and ``message`` unless ``ephemeral``: Slack sends no copy of an
    ephemeral message) or in a view (``view``, e.g. the Home tab). ``action`` is the element
    as rendered (a button, or an overflow with ``selected_option``) plus its ``block_id``."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": "reader", "name": "reader", "team_id": team_id},
        "api_app_id": "A0001",
        "token": "verification_token",
        "trigger_id": trigger_id,
        "team": {"id": team_id, "domain": "workspace-domain"},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [{**action, "action_ts": "1700000002.000200"}],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V0VIEW")}
        payload["view"] = {**view, "team_id": team_id, "state": {"values": {}}}
        return payload
    ts = str((message or {}).get("ts") or "1700000001.000100")
    payload["container"] = {
        "type": "message",
        "message_ts": ts,
        "channel_id": channel_id,
        "is_ephemeral": ephemeral,
    }
    payload["channel"] = {"id": channel_id, "name": "news"}
    if message is not None:
        payload["message"] = {"type": "message", "ts": ts, **message}
    payload["state"] = {"values": {}}
    if response_url is not None:
        payload["response_url"] = response_url
    return payload


def interaction_body(payload: dict[str, Any]) -> str:
    """``payload=<urlencoded json>`` as Slack posts block_actions / view_submission."""
    return urlencode({"payload": json.dumps(payload)})


# ------------------------------------------------------------------ serving a WSGI app


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_wsgi(wsgi_app: Any) -> Iterator[str]:
    """Serve a WSGI app (e.g. ``slack_bolt.adapter.wsgi.SlackRequestHandler(app)``) on
    127.0.0.1:0 in a daemon thread; yields the root URL ``http://127.0.0.1:PORT``."""
    server = make_server(
        "127.0.0.1", 0, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        daemon=True,
        name="slackfake-wsgi",
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
