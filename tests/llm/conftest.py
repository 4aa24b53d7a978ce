"""Fixtures for the LLM tests: a local OpenAI-compatible server and a client wired to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.llm.circuit import Circuit
from bot.llm.client import LLMCallRecord, LLMClient
from testkit.fake_llm import FakeLLMServer

# Not shaped like an OpenAI key on purpose: only the client's own redaction can catch it.
API_KEY = "local-test-key-7f3a9c2e1b"
MODEL = "test-model"


@pytest.fixture
def llm_server() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    yield server
    server.stop()


@pytest.fixture
def records() -> list[LLMCallRecord]:
    return []


@pytest.fixture
def sleeps() -> list[float]:
    """Every backoff delay the client asked for (nothing actually sleeps)."""
    return []


@pytest.fixture
def make_client(
    llm_server: FakeLLMServer, records: list[LLMCallRecord], sleeps: list[float]
) -> Iterator[Callable[..., LLMClient]]:
    clients: list[LLMClient] = []

    def make(**overrides: Any) -> LLMClient:
        options: dict[str, Any] = {
            "api_key": API_KEY,
            "base_url": llm_server.base_url,
            "model": MODEL,
            # The whole call's deadline: generous, so a loaded machine cannot time a healthy
            # call out; the tests of timeouts pass their own (a fraction of the server's delay).
            "timeout": 10.0,
            "max_attempts": 3,
            "backoff": 0.01,
            "sleep": sleeps.append,
            "recorder": records.append,
            # Each test here judges one call at a time; the circuit has its own tests.
            "circuit": Circuit(pause=0),
        }
        options.update(overrides)
        client = LLMClient(**options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
