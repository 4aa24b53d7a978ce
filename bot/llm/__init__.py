"""Talking to any OpenAI-compatible LLM server: one client, every call recorded."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.llm.client import LLMCallRecord, LLMClient, LLMOutputError, Recorder

__all__ = ["LLMCallRecord", "LLMClient", "LLMOutputError", "Recorder"]


def __getattr__(name: str) -> object:
    # Loaded on first use (PEP 562): bot.llm.budget and bot.llm.model_output must not pull in the
    # openai SDK (about a second of CPU to import), which only a configured LLM needs.
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from bot.llm import client

    value = getattr(client, name)
    globals()[name] = value
    return value
