"""Tests of the Slack fakes themselves (every other Slack test leans on them)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import FixedValueRetryIntervalCalculator
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.webhook import WebhookClient

from testkit.slackfake import (
    FakeSlack,
    FakeSocketModeServer,
    event_body,
    event_callback,
    forbid_real_network,
    interaction_body,
    post_signed,
    serve_wsgi,
    sign,
    signed_headers,
    slash_command_body,
    slash_command_fields,
    stale_timestamp,
)

SECRET = "test-signing-secret"
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Key provisions*"}}

_PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture(autouse=True)
def _no_real_slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test here runs with proxies unset and non-loopback name resolution refused."""
    for var in _PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    with forbid_real_network() as refused:
        yield
    assert not refused, f"tried to reach the network: {refused}"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        yield f


@pytest.fixture
def socket_server(fake: FakeSlack) -> Iterator[FakeSocketModeServer]:
    with FakeSocketModeServer() as server:
        fake.attach_socket_mode(server)
        yield server


def _bolt_app(fake: FakeSlack) -> App:
    # Bolt takes the token from the client (passing token= too only logs a warning). It calls
    # auth.test at construction (token_verification_enabled) - the fake serves it.
    return App(name="fake-slack-test", signing_secret=SECRET, client=fake.web_client("xoxb-test"))


# ---------------------------------------------------------------- Web API


def test_post_message_records_call_token_and_assigns_increasing_ts(fake: FakeSlack) -> None:
    client = WebClient(base_url=fake.base_url, token="xoxb-test")
    first = client.chat_postMessage(channel="C1", text="hello", blocks=[SECTION])
    second = client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])

    assert first["ts"] == "1700000000.000100"
    assert second["ts"] == "1700000000.000200"
    assert first["channel"] == "C1" and first["message"]["text"] == "hello"
    call = fake.calls_to("chat.postMessage")[0]
    assert call.token == "xoxb-test"
    assert call.params["blocks"] == [SECTION]
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert [m["text"] for m in fake.posted_messages()] == ["hello", "again"]
    assert fake.base_url.startswith("http://127.0.0.1:") and fake.base_url.endswith("/api/")
    fake.assert_clean()


def test_form_encoded_params_and_json_strings_are_decoded(fake: FakeSlack) -> None:
    blocks = json.dumps([SECTION])
    r = httpx.post(
        fake.base_url + "chat.postMessage",
        data={"channel": "C1", "text": "form", "blocks": blocks, "token": "xoxb-form"},
        trust_env=False,
    )
    assert r.json()["ok"] is True
    call = fake.calls[-1]
    assert call.token == "xoxb-form"
    assert call.params == {"channel": "C1", "text": "form", "blocks": [SECTION]}


def test_missing_token_is_not_authed(fake: FakeSlack) -> None:
    r = httpx.post(fake.base_url + "auth.test", trust_env=False)
    assert r.json() == {"ok": False, "error": "not_authed"}


def test_auth_test_identity(fake: FakeSlack) -> None:
    r = fake.web_client().auth_test()
    assert (r["team_id"], r["user_id"], r["bot_id"]) == ("T0FAKE", "U0BOT", "B0BOT")


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([SECTION] * 51, "51 blocks (limit 50)"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "150"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "s" * 3001}}], "3000"),
        ([{"type": "no_such_block"}], "unknown block type"),
    ],
    ids=["51-blocks", "long-header", "long-section", "unknown-type"],
)
def test_block_validation(fake: FakeSlack, blocks: list[dict[str, Any]], expected: str) -> None:
    client = fake.web_client()
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    assert err.value.response["error"] == "invalid_blocks"
    assert fake.violations and expected in "\n".join(fake.violations)
    assert fake.posted_messages() == []
    with pytest.raises(AssertionError, match="violations"):
        fake.assert_clean()


def test_fifty_blocks_are_fine(fake: FakeSlack) -> None:
    fake.web_client().chat_postMessage(channel="C1", text="ok", blocks=[SECTION] * 50)
    fake.assert_clean()


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_missing_text_is_a_violation(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        fake.web_client().chat_postMessage(channel="C1", blocks=[SECTION])
    assert err.value.response["error"] == "no_text"
    assert any("text missing" in v for v in fake.violations)


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_update_and_ephemeral_are_validated_and_applied(fake: FakeSlack) -> None:
    client = fake.web_client()
    ts = client.chat_postMessage(channel="C1", text="v1")["ts"]
    updated = client.chat_update(channel="C1", ts=ts, text="v2", blocks=[SECTION])
    assert updated["message"]["text"] == "v2"
    assert fake.messages("C1")[0]["text"] == "v2"
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["ok"]
    with pytest.raises(SlackApiError):
        client.chat_update(channel="C1", ts=ts, text="")
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C1", ts="1.0", text="nope")
    assert err.value.response["error"] == "message_not_found"
    assert len(fake.violations) == 1


def test_rate_limit_is_retried_by_sdk_handler(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", 1, status=429, retry_after=0)
    client = fake.web_client()
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))

    response = client.chat_postMessage(channel="C1", text="after retry")

    assert response["ok"] is True
    calls = fake.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert fake.faults_injected == 1 and fake.rate_limited == 0
    assert len(fake.posted_messages()) == 1
    assert len(fake.posted_messages(include_failed=True)) == 2


def test_retry_after_header_is_sent(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        fake.web_client().chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert err.value.response["error"] == "ratelimited"


def test_server_errors_and_error_codes(fake: FakeSlack) -> None:
    client = fake.web_client()
    fake.fail_next("chat.postMessage", 1, status=503)
    fake.fail_next("users.info", 1, error="user_not_found")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 503
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U1")
    assert err.value.response.status_code == 200
    assert err.value.response["error"] == "user_not_found"
    # Faults are consumed: next calls succeed.
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert client.users_info(user="U1")["ok"]


def test_server_error_retried_by_sdk_handler(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", 1, status=500)
    client = fake.web_client()
    client.retry_handlers.append(
        ServerErrorRetryHandler(
            max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
        )
    )
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [500, 200]


def test_fail_rate_is_deterministic_per_seed() -> None:
    def pattern(seed: int) -> list[int]:
        with FakeSlack() as f:
            f.fail_rate("auth.test", 0.5, status=500, seed=seed)
            client = f.web_client()
            for _ in range(20):
                with contextlib.suppress(SlackApiError):
                    client.auth_test()
            return [c.status for c in f.calls]

    first, again = pattern(7), pattern(7)
    assert first == again
    assert 500 in first and 200 in first


def test_channel_pacing(fake: FakeSlack) -> None:
    fake.enforce_channel_rate(per_second=1)
    client = fake.web_client()
    client.chat_postMessage(channel="C1", text="one")
    client.chat_postMessage(channel="C2", text="other channel is fine")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="too soon")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "1"
    assert fake.rate_limited == 1
    with pytest.raises(AssertionError, match="rate_limited"):
        fake.assert_clean()


def test_unknown_method_is_recorded(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        fake.web_client().api_call("reactions.add", params={"name": "eyes"})
    assert err.value.response["error"] == "unknown_method"
    assert [c.method for c in fake.unexpected] == ["reactions.add"]
    with pytest.raises(AssertionError, match=r"reactions\.add"):
        fake.assert_clean()


def test_users_info_timezone(fake: FakeSlack) -> None:
    fake.set_user_tz("U2", "America/New_York")
    client = fake.web_client()
    assert client.users_info(user="U1")["user"]["tz"] == "Europe/Berlin"
    user = client.users_info(user="U2")["user"]
    assert user["tz"] == "America/New_York" and user["tz_offset"] in (-18000, -14400)


def test_replies_include_bot_and_injected_messages(fake: FakeSlack) -> None:
    client = fake.web_client()
    parent = fake.add_message("C1", text="/brief ai act", user="U1")
    client.chat_postMessage(channel="C1", text="Briefing", thread_ts=parent)
    fake.add_message("C1", text="what about fines?", user="U1", thread_ts=parent)
    fake.add_message("C1", text="unrelated", user="U3")

    replies = client.conversations_replies(channel="C1", ts=parent)["messages"]

    assert [m["text"] for m in replies] == ["/brief ai act", "Briefing", "what about fines?"]
    assert replies[0]["reply_count"] == 2
    assert replies[1]["user"] == "U0BOT" and replies[1]["bot_id"] == "B0BOT"
    assert replies[2]["user"] == "U1"
    with pytest.raises(SlackApiError):
        client.conversations_replies(channel="C1", ts="1.000000")


def test_bot_not_in_channel(fake: FakeSlack) -> None:
    fake.bot_not_in("C9")
    client = fake.web_client()
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C9", text="hi")
    assert err.value.response["error"] == "not_in_channel"
    assert client.conversations_info(channel="C9")["channel"]["is_member"] is False
    assert client.conversations_info(channel="C1")["channel"]["is_member"] is True


def test_views_publish(fake: FakeSlack) -> None:
    client = fake.web_client()
    r = client.views_publish(user_id="U1", view={"type": "home", "blocks": [SECTION]})
    assert r["view"]["id"].startswith("V")
    with pytest.raises(SlackApiError):
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [SECTION] * 101})
    assert fake.violations


def test_oauth_installation(fake: FakeSlack) -> None:
    fake.add_installation("code-1", team_id="T42", bot_token="xoxb-t42", bot_user_id="U42")
    client = WebClient(base_url=fake.base_url)
    r = client.oauth_v2_access(client_id="cid", client_secret="sec", code="code-1")
    assert r["access_token"] == "xoxb-t42" and r["team"]["id"] == "T42"
    assert fake.calls_to("oauth.v2.access")[0].params["client_id"] == "cid"
    with pytest.raises(SlackApiError) as err:  # codes are single-use
        client.oauth_v2_access(client_id="cid", client_secret="sec", code="code-1")
    assert err.value.response["error"] == "invalid_code"
    assert fake.web_client("xoxb-t42").auth_test()["team_id"] == "T42"


def test_response_url_posts_are_recorded_and_validated(fake: FakeSlack) -> None:
    url = fake.response_url("r1")
    assert WebhookClient(url).send(text="done", response_type="ephemeral").status_code == 200
    assert WebhookClient(fake.response_url("r2")).send(text="").status_code == 200
    WebhookClient(url).send_dict({"delete_original": True})
    assert [p.get("text") for p in fake.response_posts("r1")] == ["done", None]
    assert fake.response_posts("r2")[0]["text"] == ""
    assert fake.violations == [
        "response_url to /response/r2: text missing or empty (notification/accessibility fallback)"
    ]


def test_wait_for_times_out_with_calls_listed(fake: FakeSlack) -> None:
    fake.web_client().auth_test()
    with pytest.raises(AssertionError, match=r"auth\.test"):
        fake.wait_for("chat.postMessage", timeout=0.1)


def test_wait_for_sees_calls_from_other_threads(fake: FakeSlack) -> None:
    client = fake.web_client()
    t = threading.Thread(target=lambda: client.chat_postMessage(channel="C1", text="bg"))
    t.start()
    calls = fake.wait_for("chat.postMessage", timeout=5)
    t.join()
    assert calls[0].params["text"] == "bg"


def test_network_guard_refuses_real_slack() -> None:
    with forbid_real_network() as refused:
        with pytest.raises(Exception):  # noqa: B017 - urllib wraps the OSError
            WebClient(token="xoxb-test", timeout=2, retry_handlers=[]).auth_test()
        assert refused == ["slack.com"]


def test_servers_stop_cleanly() -> None:
    before = {t.name for t in threading.enumerate()}
    with FakeSlack() as f, FakeSocketModeServer() as sm:
        f.attach_socket_mode(sm)
        f.web_client().auth_test()
    time.sleep(0.05)
    leftovers = {t.name for t in threading.enumerate() if t.is_alive()} - before
    assert not [n for n in leftovers if "Fake" in n]


# ---------------------------------------------------------------- signing + Bolt over HTTP


def test_signature_matches_sdk_verifier() -> None:
    body = slash_command_body(text="ai act")
    headers = signed_headers(SECRET, body)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, headers)
    assert headers["X-Slack-Signature"] == sign(SECRET, body, headers["X-Slack-Request-Timestamp"])
    stale = signed_headers(SECRET, body, timestamp=stale_timestamp())
    assert not verifier.is_valid_request(body, stale)
    assert hashlib.sha256  # the algorithm is HMAC-SHA256 (see sign)


def test_bodies_have_slack_shapes() -> None:
    assert "command=%2Fbrief" in slash_command_body()
    event = json.loads(event_body({"type": "app_mention", "text": "hi"}, event_id="Ev1"))
    assert event["type"] == "event_callback" and event["event_id"] == "Ev1"
    assert interaction_body({"type": "block_actions"}).startswith("payload=%7B")


def test_bolt_http_app_slash_command_signed_tampered_stale(fake: FakeSlack) -> None:
    app = _bolt_app(fake)
    handled = threading.Event()

    @app.command("/brief")
    def brief(ack: Any, command: dict[str, Any], respond: Any) -> None:
        ack(f"Working on {command['text']}")
        respond(text=f"Brief on {command['text']}")
        handled.set()

    with serve_wsgi(SlackRequestHandler(app)) as root:
        url = f"{root}/slack/events"
        body = slash_command_body(text="ai act", response_url=fake.response_url("cmd1"))

        ok = post_signed(url, body, SECRET)
        tampered = post_signed(url, body, SECRET, tamper=True)
        stale = post_signed(url, body, SECRET, timestamp=stale_timestamp())
        wrong_secret = post_signed(url, body, "not-the-secret")

        assert ok.status_code == 200
        assert ok.text == "Working on ai act"
        assert tampered.status_code == 401
        assert stale.status_code == 401
        assert wrong_secret.status_code == 401
        assert handled.wait(5)
        fake.wait_for("response_url")

    assert fake.response_posts("cmd1")[0]["text"] == "Brief on ai act"
    assert [c.method for c in fake.calls] == ["auth.test", "response_url"]
    fake.assert_clean()


def test_bolt_http_event_with_retry_headers(fake: FakeSlack) -> None:
    app = _bolt_app(fake)
    seen: list[str] = []

    @app.event("app_mention")
    def mention(event: dict[str, Any], say: Any) -> None:
        seen.append(event["text"])
        say(text="on it", thread_ts=event["ts"])

    with serve_wsgi(SlackRequestHandler(app)) as root:
        body = event_body(
            {
                "type": "app_mention",
                "text": "<@U0BOT> brief",
                "user": "U1",
                "channel": "C1",
                "ts": "1700000001.000100",
            }
        )
        r = post_signed(
            f"{root}/slack/events", body, SECRET, retry_num=1, retry_reason="http_timeout"
        )
        assert r.status_code == 200
        fake.wait_for("chat.postMessage")
    assert seen == ["<@U0BOT> brief"]
    assert fake.posted_messages()[0]["thread_ts"] == "1700000001.000100"


# ---------------------------------------------------------------- Socket Mode


def test_sdk_socket_mode_client_receives_envelopes_and_acks(
    fake: FakeSlack, socket_server: FakeSocketModeServer
) -> None:
    received: list[SocketModeRequest] = []
    raw: list[dict[str, Any]] = []
    client = SocketModeClient(app_token="xapp-test", web_client=fake.web_client())

    def on_request(c: SocketModeClient, req: SocketModeRequest) -> None:
        received.append(req)
        c.send_socket_mode_response(
            SocketModeResponse(envelope_id=req.envelope_id, payload={"text": "ack!"})
        )

    client.message_listeners.append(lambda _c, message, _raw: raw.append(message))
    client.socket_mode_request_listeners.append(on_request)
    try:
        client.connect()
        socket_server.wait_for_connection()
        eid = socket_server.push_slash_command(slash_command_fields(text="ai act"))
        payload, latency = socket_server.wait_for_ack(eid)
        eid2 = socket_server.push_event({"type": "app_mention", "text": "hi"})
        socket_server.wait_for_ack(eid2)
    finally:
        client.close()

    assert payload == {"text": "ack!"} and 0 <= latency < 5
    assert raw[0]["type"] == "hello"
    assert received[0].type == "slash_commands"
    assert received[0].accepts_response_payload is True
    assert received[0].payload["text"] == "ai act"
    assert received[1].type == "events_api" and received[1].retry_attempt == 0
    assert received[1].payload["event"]["type"] == "app_mention"
    assert fake.calls_to("apps.connections.open")[0].token == "xapp-test"
    assert not socket_server.duplicate_acks and not socket_server.unknown_acks
    fake.assert_clean()


def test_bolt_socket_mode_handler_acks_slash_command_and_handles_event(
    fake: FakeSlack, socket_server: FakeSocketModeServer
) -> None:
    app = _bolt_app(fake)

    @app.command("/brief")
    def brief(ack: Any, command: dict[str, Any]) -> None:
        ack(text=f"Working on {command['text']}")

    @app.event("app_mention")
    def mention(event: dict[str, Any], say: Any) -> None:
        say(text="hello", thread_ts=event["ts"])

    @app.action("refresh")
    def refresh(ack: Any) -> None:
        ack()

    handler = SocketModeHandler(app, "xapp-test")
    try:
        handler.connect()
        socket_server.wait_for_connection()
        eid = socket_server.push_slash_command(slash_command_fields(text="ai act"))
        payload, latency = socket_server.wait_for_ack(eid)
        assert payload["text"] == "Working on ai act"
        assert latency < 3

        ev = event_callback(
            {
                "type": "app_mention",
                "text": "<@U0BOT>",
                "user": "U1",
                "channel": "C1",
                "ts": "1700000009.000100",
            }
        )
        eid2 = socket_server.push_event(ev)
        assert socket_server.wait_for_ack(eid2)[0] == {}
        fake.wait_for("chat.postMessage")

        action = {
            "type": "block_actions",
            "team": {"id": "T0FAKE"},
            "user": {"id": "U1"},
            "api_app_id": "A0FAKEAPP",
            "actions": [
                {
                    "action_id": "refresh",
                    "block_id": "b",
                    "type": "button",
                    "value": "x",
                    "action_ts": "1.2",
                }
            ],
            "container": {"type": "message"},
            "trigger_id": "t",
        }
        socket_server.wait_for_ack(socket_server.push_interactive(action))
    finally:
        handler.close()

    assert fake.posted_messages()[0]["thread_ts"] == "1700000009.000100"
    assert [c.method for c in fake.calls] == [
        "auth.test",
        "apps.connections.open",
        "chat.postMessage",
    ]
    fake.assert_clean()


def test_socket_mode_disconnect_triggers_reconnect(
    fake: FakeSlack, socket_server: FakeSocketModeServer
) -> None:
    client = SocketModeClient(app_token="xapp-test", web_client=fake.web_client())
    client.socket_mode_request_listeners.append(
        lambda c, req: c.send_socket_mode_response({"envelope_id": req.envelope_id})
    )
    try:
        client.connect()
        socket_server.wait_for_connection()
        socket_server.send_disconnect()
        fake.wait_for("apps.connections.open", count=2)
        deadline = time.monotonic() + 5
        while socket_server.connection_count < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        eid = socket_server.push_slash_command(slash_command_fields())
        socket_server.wait_for_ack(eid)
    finally:
        client.close()
    assert socket_server.connection_count == 2


def test_connections_open_without_server_is_unexpected(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError):
        fake.web_client().apps_connections_open(app_token="xapp-test")
    assert [c.method for c in fake.unexpected] == ["apps.connections.open"]
