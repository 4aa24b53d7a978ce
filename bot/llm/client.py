"""One client for any OpenAI-compatible chat server (OpenAI, Ollama, llama.cpp, vLLM, ...).

What it adds to the SDK (whose own retries are switched off, so every attempt is visible):

- retries of 408/409/429/5xx, timeouts and connection errors, with exponential backoff that
  honours Retry-After, up to `max_attempts`;
- JSON mode, dropped once (and remembered) when the server rejects it with a 400/422;
- output cleaning: <think>…</think> reasoning and ``` fences removed before JSON parsing;
- one `LLMCallRecord` per attempt handed to the injected `recorder` (model, prompt, tokens,
  duration, outcome, redacted error) — this module never imports storage;
- errors raised as `LLMError` with a readable message that never carries a secret.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import time
import urllib.request
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import openai

from bot.errors import LLMError
from bot.llm import deadline
from bot.llm.circuit import Circuit
from bot.llm.deadline import DeadlineTransport
from bot.llm.model_output import strip_fences, strip_reasoning
from bot.redact import redact
from prompts.loader import PromptTemplate, RenderedPrompt

logger = logging.getLogger(__name__)

Outcome = Literal["ok", "invalid_output", "error", "fallback"]
DEFAULT_BASE_URL = "https://api.openai.com/v1"
NO_KEY = "not-needed"  # Ollama and llama.cpp accept any key; the SDK insists on one.
_HTTPError = deadline.http.HTTPError  # the SDK's httpx: a failure while reading the body
_RETRYABLE_STATUS = frozenset({408, 409, 429})
_JSON_MODE_REJECTED = frozenset({400, 422})
# A chat completion's body is a few KB; anything past this is refused unread.
MAX_RESPONSE_BYTES = 2_000_000
# Model output past this many characters is not parsed (a brief or answer is a few KB).
MAX_CONTENT_CHARS = 200_000
# Calls per prompt when the model's output is invalid: the first and one retry.
INVALID_OUTPUT_TRIES = 2


@dataclass(frozen=True)
class LLMCallRecord:
    """One attempt at one LLM call.

    Fields match `storage.llm_calls.record`: `record(session, **dataclasses.asdict(rec))`.
    """

    model: str
    prompt_name: str
    prompt_version: str
    duration_ms: int
    outcome: Outcome
    tokens_in: int | None = None
    tokens_out: int | None = None
    error: str | None = None


Recorder = Callable[[LLMCallRecord], None]


# What one attempt can ask of `complete_json` besides an answer (see `LLMClient._send`).
_RETRY = object()
_WITHOUT_JSON_MODE = object()


class LLMUnavailable(LLMError):
    """The server did not answer usefully: timed out, unreachable, overloaded (429, 5xx)."""


class LLMOutputError(LLMError):
    """The server answered, but not with what was asked for (not JSON, wrong shape)."""


class _OversizedError(Exception):
    """The response body passed MAX_RESPONSE_BYTES (or came in an encoding we cannot bound)."""


class LLMClient:
    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        model: str,
        timeout: float,
        max_attempts: int = 3,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        http_client: httpx.Client | None = None,
        recorder: Recorder | None = None,
        secrets: Sequence[str] = (),
        temperature: float | None = 0.0,
        max_tokens: int | None = None,
        circuit: Circuit | None = None,
    ) -> None:
        """`backoff` is the first retry delay in seconds (doubling each retry, capped at
        `max_backoff`, which also caps a server's Retry-After). `sleep` is injectable for tests.
        `temperature`/`max_tokens` of None are not sent (some reasoning models refuse them).
        When the server refuses the request with a 400/422, one bare request (no
        response_format, no temperature) is tried, and kept for later calls if it works.
        `circuit`: after a call that found the server down, later calls are refused at once for
        a while (`bot.llm.circuit`; default a 30 s pause doubling up to 5 minutes)."""
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.model = model
        self.max_attempts = max_attempts
        self.recorder = recorder
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._sleep = sleep
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._secrets = tuple(s for s in (*secrets, api_key) if s)
        self._json_mode = True  # set to False once the server has refused response_format
        self._timeout = timeout
        self._circuit = circuit if circuit is not None else Circuit()
        if http_client is None and not urllib.request.getproxies():
            # The SDK's defaults, over a transport that enforces the total deadline per socket
            # operation. A passed-in client, or the SDK's own behind an HTTP(S)_PROXY (an
            # explicit transport would bypass it), is used as is: the deadline is then checked
            # between body chunks and attempts only.
            http_client = openai.DefaultHttpxClient(transport=DeadlineTransport())
        self._openai = openai.OpenAI(
            api_key=api_key or NO_KEY,
            # Explicit, so the SDK never falls back to reading OPENAI_BASE_URL itself.
            base_url=base_url or DEFAULT_BASE_URL,
            timeout=timeout,
            max_retries=0,
            http_client=http_client,
        )

    # -- public -------------------------------------------------------------------------------

    def complete_json(
        self,
        prompt: RenderedPrompt,
        *,
        prompt_name: str,
        prompt_version: str,
        validate: Callable[[dict[str, Any]], object] | None = None,
    ) -> dict[str, Any]:
        """Send `prompt`, return the JSON object the model answered with.

        Transient failures are retried (each attempt recorded). `validate`, if given, is called on
        the parsed object and may raise ValueError: that attempt is then recorded as
        "invalid_output" and LLMOutputError is raised. Raises LLMOutputError when the output is
        not a JSON object, LLMError when the server keeps failing.
        """
        wait = self._circuit.admit()
        if wait:
            raise LLMUnavailable(
                f"the LLM server ({self.model}) failed moments ago; not asking it again for "
                f"{wait:.0f} s"
            )
        try:
            data = self._complete_json(prompt, prompt_name, prompt_version, validate)
        except LLMOutputError:
            self._circuit.answered()  # it answered, badly: the server itself is up
            raise
        except LLMUnavailable:
            self._circuit.failed()
            raise
        except LLMError:
            self._circuit.answered()  # a refused key or model: the server is up
            raise
        except BaseException:
            self._circuit.release()  # not the server's doing: judge it by the next call
            raise
        self._circuit.answered()
        return data

    def _complete_json(
        self,
        prompt: RenderedPrompt,
        prompt_name: str,
        prompt_version: str,
        validate: Callable[[dict[str, Any]], object] | None,
    ) -> dict[str, Any]:
        messages = [
            {"role": "system", "content": prompt.system},
            {"role": "user", "content": prompt.user},
        ]
        call = (prompt_name, prompt_version)
        attempt = 0
        json_mode = self._json_mode
        # One deadline for the whole call, every attempt and backoff included (an enclosing
        # deadline, e.g. complete_valid_json's, wins when it is earlier).
        with deadline.within(self._timeout):
            while True:
                attempt += 1
                started = time.monotonic()
                sent = self._send(messages, call, started, attempt, json_mode=json_mode)
                if sent is _WITHOUT_JSON_MODE:
                    # Many local servers refuse response_format: try once with the bare
                    # request. Not a transient failure, so it does not use up an attempt.
                    json_mode, attempt = False, attempt - 1
                    continue
                if sent is _RETRY:
                    continue
                assert isinstance(sent, bytes)
                if not json_mode:
                    self._json_mode = False  # remembered: later calls skip response_format
                return self._answer(sent, call, started, validate)

    def _send(
        self,
        messages: list[dict[str, str]],
        call: tuple[str, str],
        started: float,
        attempt: int,
        *,
        json_mode: bool,
    ) -> bytes | object:
        """One attempt: the response body, or _RETRY (after the backoff) or
        _WITHOUT_JSON_MODE (the server refused JSON mode). LLMError when it is time to give
        up; every failed attempt is recorded."""
        left = deadline.remaining()
        if left is not None and left <= 0:
            self._record(*call, started, "error", "timed out")
            raise self._timed_out(attempt)
        try:
            return self._post(messages, json_mode=json_mode, timeout=left)
        except openai.APIStatusError as err:
            self._record(*call, started, "error", self._describe(err))
            if json_mode and err.status_code in _JSON_MODE_REJECTED:
                logger.info(
                    "LLM server refused JSON mode (HTTP %s); retrying without it", err.status_code
                )
                return _WITHOUT_JSON_MODE
            if self._retryable(err) and self._may_retry(attempt, err.response):
                return _RETRY
            raise self._give_up(err, attempt) from None
        except (openai.APITimeoutError, openai.APIConnectionError, _HTTPError) as err:
            self._record(*call, started, "error", self._describe(err))
            if self._may_retry(attempt, None):
                return _RETRY
            raise self._give_up(err, attempt) from None
        except (openai.OpenAIError, _OversizedError) as err:  # malformed, too big
            message = self._clean(f"the LLM server sent an unreadable response: {err}")
            self._record(*call, started, "invalid_output", message)
            raise LLMOutputError(message) from None

    def _answer(
        self,
        body: bytes,
        call: tuple[str, str],
        started: float,
        validate: Callable[[dict[str, Any]], object] | None,
    ) -> dict[str, Any]:
        """The JSON object in a response body, validated; the attempt recorded either way."""
        tokens_in = tokens_out = None
        try:
            content, finish_reason, tokens_in, tokens_out = _completion(body)
            data = parse_json_object(_content(content, finish_reason))
            if validate is not None:
                validate(data)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as err:
            # Whatever shape the answer has, a bad one is "invalid output", never a crash.
            reason = str(err) if isinstance(err, ValueError) else type(err).__name__
            message = self._clean(f"the LLM answer was not usable: {reason}"[:500])
            tokens = {"tokens_in": tokens_in, "tokens_out": tokens_out}
            self._record(*call, started, "invalid_output", message, **tokens)
            raise LLMOutputError(message) from None
        self._record(*call, started, "ok", None, tokens_in=tokens_in, tokens_out=tokens_out)
        return data

    def _post(
        self, messages: list[dict[str, str]], *, json_mode: bool, timeout: float | None
    ) -> bytes:
        """One request; the raw response body, read in chunks up to MAX_RESPONSE_BYTES."""
        request = self._request(messages, json_mode=json_mode)
        per_call = self._timeout if timeout is None else min(self._timeout, max(timeout, 0.01))
        # Uncompressed, please: a small compressed body can inflate to gigabytes in one
        # decoded chunk. A server that compresses anyway is inflated here, bounded.
        with self._openai.chat.completions.with_streaming_response.create(
            **request, timeout=per_call, extra_headers={"Accept-Encoding": "identity"}
        ) as response:
            raw = response.http_response
            encoding = raw.headers.get("content-encoding", "").strip().lower()
            chunks: list[bytes] = []
            for chunk in _bounded_body(raw.iter_raw(), encoding, MAX_RESPONSE_BYTES):
                chunks.append(chunk)
                left = deadline.remaining()
                if left is not None and left <= 0:
                    raise deadline.http.ReadTimeout("the LLM request's total deadline passed")
        return b"".join(chunks)

    def _may_retry(self, attempt: int, response: httpx.Response | Any | None) -> bool:
        """Sleep before the next attempt and say True, unless attempts or time are used up."""
        if attempt >= self.max_attempts:
            return False
        delay = self._delay(attempt, response)
        left = deadline.remaining()
        if left is not None and delay >= left:
            return False  # the wait alone would pass the deadline
        self._sleep(delay)
        return True

    def _timed_out(self, attempts: int) -> LLMError:
        done = attempts - 1
        tries = f" after {done} attempt{'s' if done != 1 else ''}" if done > 1 else ""
        return LLMUnavailable(
            f"the LLM server ({self.model}) did not answer within {self._timeout:g} s{tries} — "
            "OPENAI_TIMEOUT sets how long to wait"
        )

    def close(self) -> None:
        """Close the connection pool (a passed-in `http_client` is closed too)."""
        self._openai.close()

    def complete_valid_json(
        self,
        prompt: RenderedPrompt,
        *,
        prompt_name: str,
        prompt_version: str,
        validate: Callable[[dict[str, Any]], object],
        tries: int = 2,
    ) -> dict[str, Any]:
        """`complete_json`, asking again (up to `tries` calls) when the output is not valid:
        a model's malformed answer is often fine the second time."""
        with deadline.within(self._timeout):  # the asking again fits in the same deadline
            for attempt in range(1, tries + 1):
                try:
                    return self.complete_json(
                        prompt,
                        prompt_name=prompt_name,
                        prompt_version=prompt_version,
                        validate=validate,
                    )
                except LLMOutputError as err:
                    left = deadline.remaining()
                    if attempt == tries or (left is not None and left <= 0):
                        raise
                    logger.info("%s: invalid LLM output, asking again: %s", prompt_name, err)
        raise AssertionError("unreachable")

    def complete_prompt(
        self,
        template: PromptTemplate,
        prompt: RenderedPrompt,
        *,
        validate: Callable[[dict[str, Any]], object],
        tries: int = INVALID_OUTPUT_TRIES,
    ) -> dict[str, Any]:
        """`complete_valid_json` for a prompt rendered from `template` (its name and version
        go into the call records)."""
        return self.complete_valid_json(
            prompt,
            prompt_name=template.name,
            prompt_version=template.version,
            validate=validate,
            tries=tries,
        )

    def record(self, record: LLMCallRecord) -> None:
        """Pass a record to the recorder (error redacted). A failing recorder is only logged."""
        if self.recorder is None:
            return
        if record.error:
            record = LLMCallRecord(**{**record.__dict__, "error": self._clean(record.error)})
        try:
            self.recorder(record)
        except Exception:
            logger.warning("could not record an LLM call", exc_info=True)

    # -- internals ----------------------------------------------------------------------------

    def _request(self, messages: list[dict[str, str]], *, json_mode: bool) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.model, "messages": messages}
        if json_mode:
            request["response_format"] = {"type": "json_object"}
            if self._temperature is not None:
                request["temperature"] = self._temperature
        if self._max_tokens is not None:
            request["max_tokens"] = self._max_tokens
        return request

    def _record(
        self,
        prompt_name: str,
        prompt_version: str,
        started: float,
        outcome: Outcome,
        error: str | None,
        *,
        tokens_in: int | None = None,
        tokens_out: int | None = None,
    ) -> None:
        self.record(
            LLMCallRecord(
                model=self.model,
                prompt_name=prompt_name,
                prompt_version=prompt_version,
                duration_ms=round((time.monotonic() - started) * 1000),
                outcome=outcome,
                tokens_in=tokens_in,
                tokens_out=tokens_out,
                error=error,
            )
        )

    @staticmethod
    def _retryable(err: openai.APIStatusError) -> bool:
        return err.status_code in _RETRYABLE_STATUS or err.status_code >= 500

    def _delay(self, attempt: int, response: httpx.Response | Any | None) -> float:
        delay = self._backoff * 2 ** (attempt - 1)
        retry_after = _retry_after(response) if response is not None else None
        if retry_after is not None:
            delay = retry_after
        return max(0.0, min(delay, self._max_backoff))

    def _clean(self, text: str) -> str:
        return redact(text, self._secrets)

    def _describe(self, err: Exception) -> str:
        """A one-line, secret-free description of an SDK error, for records and messages."""
        if isinstance(err, openai.APITimeoutError | deadline.http.TimeoutException):
            return "timed out"
        if isinstance(err, deadline.http.HTTPError):  # while reading the body
            return f"the connection failed while reading the answer ({type(err).__name__})"
        if isinstance(err, openai.APIConnectionError):
            cause = err.__cause__ or err.__context__
            return f"could not connect ({type(cause).__name__ if cause else 'connection error'})"
        if isinstance(err, openai.APIStatusError):
            detail = _status_detail(err)
            return self._clean(f"HTTP {err.status_code}" + (f": {detail}" if detail else ""))
        return self._clean(f"{type(err).__name__}: {err}")

    def _give_up(self, err: Exception, attempts: int) -> LLMError:
        what = self._describe(err)
        if isinstance(err, openai.AuthenticationError | openai.PermissionDeniedError):
            hint = "check OPENAI_API_KEY"
        elif isinstance(err, openai.NotFoundError):
            hint = f"check OPENAI_MODEL ({self.model}) and OPENAI_BASE_URL"
        elif isinstance(err, openai.APITimeoutError | deadline.http.TimeoutException):
            hint = "the server may be overloaded; OPENAI_TIMEOUT sets how long to wait"
        elif isinstance(err, openai.APIConnectionError):
            hint = "check OPENAI_BASE_URL and that the server is running"
        else:
            hint = ""
        tries = f" after {attempts} attempt{'s' if attempts != 1 else ''}" if attempts > 1 else ""
        message = f"the LLM server ({self.model}) failed{tries}: {what}"
        # Down or overloaded (not a refused key or model): later calls pause (`Circuit`).
        down = isinstance(err, openai.APITimeoutError | openai.APIConnectionError | _HTTPError) or (
            isinstance(err, openai.APIStatusError) and self._retryable(err)
        )
        kind = LLMUnavailable if down else LLMError
        return kind(self._clean(message + (f" — {hint}" if hint else "")))


def parse_json_object(content: str | None) -> dict[str, Any]:
    """The JSON object in a model's answer, reasoning and fences removed; ValueError if none."""
    if content is None or not content.strip():
        raise ValueError("the answer was empty")
    text = strip_fences(strip_reasoning(content)).strip()
    if not text:
        raise ValueError("the answer held only reasoning, no JSON")
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError("the answer is nested too deeply") from None
    except json.JSONDecodeError:
        # Prose around the object ("Here is the JSON: {...}"): try the outermost braces.
        start, end = text.find("{"), text.rfind("}")
        if start == -1 or end <= start:
            raise ValueError(f"the answer is not JSON (starts {text[:60]!r})") from None
        try:
            data = json.loads(text[start : end + 1])
        except RecursionError:
            raise ValueError("the answer is nested too deeply") from None
        except json.JSONDecodeError as err:
            reason = f"{err.msg} at char {err.pos}"
            raise ValueError(f"the answer is not valid JSON ({reason})") from None
    if not isinstance(data, dict):
        raise ValueError(f"the answer is JSON but not an object ({type(data).__name__})")
    return data


def _bounded_body(raw: Iterator[bytes], encoding: str, limit: int) -> Iterator[bytes]:
    """The body's bytes, its gzip/deflate encoding undone, never more than `limit` in all
    (_OversizedError past it); any other encoding is refused."""
    if encoding in ("", "identity"):
        size = 0
        for chunk in raw:
            size += len(chunk)
            if size > limit:
                raise _OversizedError(f"over {limit} bytes")
            yield chunk
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise _OversizedError(f"an answer in an encoding we did not ask for ({encoding[:20]})")
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib, by the header
    size = 0
    try:
        for chunk in raw:
            pending = chunk
            while pending:
                out = inflate.decompress(pending, limit + 1 - size)
                size += len(out)
                if size > limit:
                    raise _OversizedError(f"over {limit} bytes once inflated")
                if out:
                    yield out
                pending = inflate.unconsumed_tail
    except zlib.error as err:
        raise _OversizedError(f"a corrupt {encoding} body ({err})") from None


def _completion(body: bytes) -> tuple[object, object, int | None, int | None]:
    """(content, finish_reason, tokens in, tokens out) of a chat completion body.

    Read by hand rather than through the SDK's models, so that every shape a hostile or buggy
    server sends (nesting thousands deep, a truncated body, `content` a list or a number)
    becomes a ValueError here instead of an exception somewhere else."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise ValueError("the response is nested too deeply") from None
    except ValueError as err:  # JSONDecodeError, UnicodeDecodeError
        raise ValueError(f"the response is not JSON ({type(err).__name__})") from None
    if not isinstance(data, dict):
        raise ValueError("the response is not a JSON object")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ValueError("the answer had no choices")
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    tokens_in, tokens_out = usage.get("prompt_tokens"), usage.get("completion_tokens")
    return (
        content,
        choices[0].get("finish_reason"),
        tokens_in if isinstance(tokens_in, int) and not isinstance(tokens_in, bool) else None,
        tokens_out if isinstance(tokens_out, int) and not isinstance(tokens_out, bool) else None,
    )


def _content(content: object, finish_reason: object) -> str | None:
    if content is not None and not isinstance(content, str):
        raise ValueError(f"the answer's content is a {type(content).__name__}, not text")
    if content is not None and len(content) > MAX_CONTENT_CHARS:
        raise ValueError(f"the answer is over {MAX_CONTENT_CHARS} characters")
    if finish_reason == "length" and content:
        # Truncated: still try to parse (a short object may be complete), the error says why if not.
        try:
            return json.dumps(parse_json_object(content))
        except ValueError:
            raise ValueError("the answer was cut off (finish_reason=length)") from None
    return content


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            value = float(raw_ms) / 1000
            if math.isfinite(value) and value >= 0:
                return value
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        value = float(raw)
        return value if math.isfinite(value) and value >= 0 else None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _status_detail(err: openai.APIStatusError) -> str:
    """The server's own error message, short (the SDK's str() repeats the whole body)."""
    body = err.body
    message: object = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
    if not message:
        message = getattr(err, "message", "") or ""
    text = " ".join(str(message).split())
    return text[:300]
