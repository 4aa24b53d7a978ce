"""LLMClient over a real local HTTP server: retries, JSON mode, cleaning, one record per attempt."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import httpx
import pytest

from bot.errors import LLMError
from bot.llm.circuit import Circuit
from bot.llm.client import LLMCallRecord, LLMClient, LLMOutputError, parse_json_object
from prompts.loader import RenderedPrompt
from testkit.fake_llm import FakeLLMServer, error, ok, ok_json
from tests.llm.conftest import API_KEY, MODEL

PROMPT = RenderedPrompt(system="Reply with JSON.", user="Say hi.")
MakeClient = Callable[..., LLMClient]


def call(client: LLMClient, **kwargs: object) -> dict:
    return client.complete_json(PROMPT, prompt_name="brief", prompt_version="1", **kwargs)


def outcomes(records: list[LLMCallRecord]) -> list[str]:
    return [r.outcome for r in records]


def assert_no_key(records: list[LLMCallRecord], *texts: str) -> None:
    for record in records:
        assert API_KEY not in (record.error or "")
    for text in texts:
        assert API_KEY not in text


def test_success_sends_json_mode_and_records_tokens(
    llm_server: FakeLLMServer, make_client: MakeClient, records: list[LLMCallRecord]
) -> None:
    llm_server.reply(ok_json({"hello": "world"}, tokens=(321, 54)))
    assert call(make_client()) == {"hello": "world"}

    [request] = llm_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.body["model"] == MODEL
    assert request.body["response_format"] == {"type": "json_object"}
    assert request.system == PROMPT.system and request.user == PROMPT.user
    [record] = records
    assert record == LLMCallRecord(
        model=MODEL,
        prompt_name="brief",
        prompt_version="1",
        duration_ms=record.duration_ms,
        outcome="ok",
        tokens_in=321,
        tokens_out=54,
        error=None,
    )
    assert record.duration_ms >= 0


def test_reasoning_and_fences_are_stripped(
    llm_server: FakeLLMServer, make_client: MakeClient
) -> None:
    content = '<think>The user wants {"wrong": true}. Let me think.</think>\n```json\n{"a": 1}\n```'
    llm_server.reply(ok(content), ok('Here is the JSON you asked for: {"b": [2]} Hope it helps!'))
    client = make_client()
    assert call(client) == {"a": 1}
    assert call(client) == {"b": [2]}


def test_429_honours_retry_after(
    llm_server: FakeLLMServer,
    make_client: MakeClient,
    records: list[LLMCallRecord],
    sleeps: list[float],
) -> None:
    llm_server.reply(error(429, "slow down", headers={"Retry-After": "2"}), ok_json({"ok": True}))
    # (a wait must fit in the call's total deadline, OPENAI_TIMEOUT: see test_llm_hostile)
    assert call(make_client(timeout=5)) == {"ok": True}
    assert sleeps == [2.0]
    assert outcomes(records) == ["error", "ok"]
    assert "HTTP 429" in (records[0].error or "") and "slow down" in (records[0].error or "")
    assert records[0].tokens_in is None and records[1].tokens_in == 120


def test_retry_after_is_capped(
    llm_server: FakeLLMServer, make_client: MakeClient, sleeps: list[float]
) -> None:
    llm_server.reply(error(503, headers={"Retry-After": "3600"}), ok_json({}))
    call(make_client(max_backoff=5, timeout=10))
    assert sleeps == [5]


def test_500_then_success_backs_off(
    llm_server: FakeLLMServer,
    make_client: MakeClient,
    records: list[LLMCallRecord],
    sleeps: list[float],
) -> None:
    llm_server.reply(error(500, "boom"), ok_json({"ok": 1}))
    assert call(make_client()) == {"ok": 1}
    assert sleeps == [0.01]
    assert outcomes(records) == ["error", "ok"]
    assert len(llm_server.requests) == 2


def test_gives_up_after_max_attempts(
    llm_server: FakeLLMServer,
    make_client: MakeClient,
    records: list[LLMCallRecord],
    sleeps: list[float],
) -> None:
    llm_server.reply(error(502), error(503), error(500, "still down"))
    with pytest.raises(LLMError) as caught:
        call(make_client())
    assert not isinstance(caught.value, LLMOutputError)
    assert "after 3 attempts" in str(caught.value) and "HTTP 500: still down" in str(caught.value)
    assert sleeps == [0.01, 0.02]
    assert outcomes(records) == ["error", "error", "error"]


def test_timeout_is_for_the_whole_call_not_retried_past_it(
    llm_server: FakeLLMServer, make_client: MakeClient, records: list[LLMCallRecord]
) -> None:
    # OPENAI_TIMEOUT bounds the whole call (every attempt and wait): a timed-out attempt has
    # used it up, so the caller falls back instead of waiting again.
    llm_server.reply(ok_json({"late": True}, delay=1.0), ok_json({"on_time": True}))
    with pytest.raises(LLMError, match=r"timed out.*OPENAI_TIMEOUT"):
        call(make_client(timeout=0.3))
    assert outcomes(records) == ["error"]
    assert records[0].error == "timed out"
    assert len(llm_server.requests) == 1


def test_timeouts_exhaust_attempts(
    llm_server: FakeLLMServer, make_client: MakeClient, records: list[LLMCallRecord]
) -> None:
    llm_server.reply(ok_json({}, delay=1.0), ok_json({}, delay=1.0))
    with pytest.raises(LLMError, match=r"timed out.*OPENAI_TIMEOUT"):
        call(make_client(timeout=0.25, max_attempts=2))
    assert outcomes(records) == ["error"]


def test_json_mode_rejected_is_retried_once_without_it_and_remembered(
    llm_server: FakeLLMServer,
    make_client: MakeClient,
    records: list[LLMCallRecord],
    sleeps: list[float],
) -> None:
    llm_server.reply(
        error(400, "response_format is not supported"), ok_json({"n": 1}), ok_json({"n": 2})
    )
    client = make_client()
    assert call(client) == {"n": 1}
    assert call(client) == {"n": 2}
    first, second, third = llm_server.requests
    assert first.body["response_format"] == {"type": "json_object"}
    assert "response_format" not in second.body and "response_format" not in third.body
    assert outcomes(records) == ["error", "ok", "ok"]
    assert sleeps == []  # not a transient failure: no backoff


def test_other_400_is_not_retried_forever(
    llm_server: FakeLLMServer, make_client: MakeClient, records: list[LLMCallRecord]
) -> None:
    llm_server.reply(error(400, "bad model"), error(400, "bad model"))
    with pytest.raises(LLMError, match="HTTP 400: bad model"):
        call(make_client())
    assert outcomes(records) == ["error", "error"]


def test_non_json_output_is_invalid_output(
    llm_server: FakeLLMServer, make_client: MakeClient, records: list[LLMCallRecord]
) -> None:
    llm_server.reply(ok("Sorry, I cannot help with that.", tokens=(10, 8)))
    with pytest.raises(LLMOutputError, match="not JSON"):
        call(make_client())
    [record] = records
    assert (record.outcome, record.tokens_in, record.tokens_out) == ("invalid_output", 10, 8)


def test_validate_failure_is_invalid_output(
    llm_server: FakeLLMServer, make_client: MakeClient, records: list[LLMCallRecord]
) -> None:
    def validate(data: dict) -> None:
        raise ValueError("section 'next_steps' is missing")

    llm_server.reply(ok_json({"key_provisions": []}))
    with pytest.raises(LLMOutputError, match="next_steps"):
        call(make_client(), validate=validate)
    assert outcomes(records) == ["invalid_output"]


def test_api_key_never_recorded_or_raised(
    llm_server: FakeLLMServer, make_client: MakeClient, records: list[LLMCallRecord]
) -> None:
    llm_server.reply(
        error(500, f"upstream rejected Authorization: Bearer {API_KEY}"),
        error(401, f"Incorrect API key provided: {API_KEY}. You can find your key at ..."),
    )
    with pytest.raises(LLMError) as caught:
        call(make_client())
    assert llm_server.requests[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert outcomes(records) == ["error", "error"]  # 401 is not retried
    assert "[redacted]" in (records[1].error or "")
    assert "OPENAI_API_KEY" in str(caught.value)
    assert_no_key(records, str(caught.value), repr(caught.value))


def test_other_secrets_are_redacted_too(
    llm_server: FakeLLMServer, make_client: MakeClient, records: list[LLMCallRecord]
) -> None:
    llm_server.reply(error(404, "model xoxb-123456-abcdef or hunter2-secret not found"))
    with pytest.raises(LLMError, match="OPENAI_MODEL") as caught:
        call(make_client(secrets=["hunter2-secret"]))
    for text in (records[0].error or "", str(caught.value)):
        assert "hunter2-secret" not in text and "xoxb-123456" not in text


def test_no_api_key_sends_placeholder(llm_server: FakeLLMServer, make_client: MakeClient) -> None:
    llm_server.reply(ok_json({}))
    call(make_client(api_key=None))
    assert llm_server.requests[0].headers["authorization"] == "Bearer not-needed"


def test_connection_refused_is_retried_then_explained(
    make_client: MakeClient, records: list[LLMCallRecord], sleeps: list[float]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(LLMError, match="OPENAI_BASE_URL"):
        call(make_client(base_url=f"http://127.0.0.1:{port}/v1", max_attempts=2))
    assert outcomes(records) == ["error", "error"]
    assert sleeps == [0.01]


def test_http_client_is_passed_through(llm_server: FakeLLMServer, make_client: MakeClient) -> None:
    llm_server.reply(ok_json({}))
    call(make_client(http_client=httpx.Client(headers={"X-Briefbot-Test": "yes"})))
    assert llm_server.requests[0].headers["x-briefbot-test"] == "yes"


def test_failing_recorder_does_not_break_the_call(
    llm_server: FakeLLMServer, make_client: MakeClient
) -> None:
    def broken(record: LLMCallRecord) -> None:
        raise RuntimeError("database down")

    llm_server.reply(ok_json({"fine": True}))
    assert call(make_client(recorder=broken)) == {"fine": True}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('<think>\nhmm\n</think>\n{"a": 1}', {"a": 1}),
        ('<THINKING>x</THINKING>```json\n{"a": 1}\n```', {"a": 1}),
        ('reasoning without an opening tag</think>{"a": 1}', {"a": 1}),
        ('```\n{"a": {"b": [1, 2]}}\n```', {"a": {"b": [1, 2]}}),
    ],
)
def test_parse_json_object(content: str, expected: dict) -> None:
    assert parse_json_object(content) == expected


@pytest.mark.parametrize(
    "content", ["", "   ", "<think>cut off mid-thought {", "[1, 2]", "{not json}", None]
)
def test_parse_json_object_rejects(content: str | None) -> None:
    with pytest.raises(ValueError):
        parse_json_object(content)


def test_record_fields_match_storage_signature() -> None:
    import dataclasses
    import inspect

    from storage.llm_calls import record

    params = set(inspect.signature(record).parameters) - {"session"}
    assert {f.name for f in dataclasses.fields(LLMCallRecord)} == params
    assert json.dumps(dataclasses.asdict(LLMCallRecord("m", "p", "1", 5, "ok")))


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_server_that_just_failed_is_not_asked_again_until_a_pause_has_passed(
    llm_server: FakeLLMServer, make_client: MakeClient
) -> None:
    """The first call finds the server down; the next ones fall back at once (no request, no
    wait); after the pause one call tries it again, and calls flow once it answers."""
    clock = _Clock()
    client = make_client(max_attempts=1, circuit=Circuit(pause=30, clock=clock))
    llm_server.reply(error(503, "overloaded"))
    with pytest.raises(LLMError):
        call(client)
    assert len(llm_server.requests) == 1

    for _ in range(3):
        with pytest.raises(LLMError, match="not asking it again for 30 s"):
            call(client)
    assert len(llm_server.requests) == 1  # refused here, the server saw nothing

    clock.now += 31  # the pause is over: one call tries the server, and it works
    llm_server.reply(ok_json({"a": 1}), ok_json({"b": 2}))
    assert call(client) == {"a": 1}
    assert call(client) == {"b": 2}
    assert len(llm_server.requests) == 3


def test_the_pause_doubles_while_the_server_stays_down_and_bad_output_does_not_count(
    llm_server: FakeLLMServer, make_client: MakeClient
) -> None:
    clock = _Clock()
    client = make_client(max_attempts=1, circuit=Circuit(pause=30, max_pause=300, clock=clock))
    llm_server.reply(error(500), error(500))
    with pytest.raises(LLMError):
        call(client)
    clock.now += 31
    with pytest.raises(LLMError):
        call(client)  # the trial fails: the next pause is 60 s
    clock.now += 31
    with pytest.raises(LLMError, match="for 29 s"):
        call(client)
    assert len(llm_server.requests) == 2

    clock.now += 30
    llm_server.reply(ok("not json at all"), ok_json({"c": 3}))
    with pytest.raises(LLMOutputError):
        call(client)  # the server answered, badly: that is not the server being down
    assert call(client) == {"c": 3}


def test_a_refused_key_is_not_a_server_down(
    llm_server: FakeLLMServer, make_client: MakeClient
) -> None:
    client = make_client(max_attempts=1, circuit=Circuit(pause=30, clock=_Clock()))
    llm_server.reply(error(401, "bad key"), ok_json({"d": 4}))
    with pytest.raises(LLMError, match="OPENAI_API_KEY"):
        call(client)
    assert call(client) == {"d": 4}  # asked again at once
