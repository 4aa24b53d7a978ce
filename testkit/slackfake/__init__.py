"""Test doubles for Slack: a local Web API (FakeSlack), a Socket Mode websocket server and
helpers that sign requests into a Bolt HTTP app. Nothing here talks to slack.com."""

from .server import (
    DEFAULT_TZ,
    RESPONSE_URL,
    Call,
    FakeSlack,
    forbid_real_network,
    validate_blocks,
)
from .signing import (
    event_body,
    event_callback,
    interaction_body,
    post_signed,
    serve_wsgi,
    sign,
    signed_headers,
    slash_command_body,
    slash_command_fields,
    stale_timestamp,
    tamper_body,
    url_verification_body,
)
from .socket_mode import AckRecord, FakeSocketModeServer

__all__ = [
    "DEFAULT_TZ",
    "RESPONSE_URL",
    "AckRecord",
    "Call",
    "FakeSlack",
    "FakeSocketModeServer",
    "event_body",
    "event_callback",
    "forbid_real_network",
    "interaction_body",
    "post_signed",
    "serve_wsgi",
    "sign",
    "signed_headers",
    "slash_command_body",
    "slash_command_fields",
    "stale_timestamp",
    "tamper_body",
    "url_verification_body",
    "validate_blocks",
]
