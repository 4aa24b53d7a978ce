"""Talking to any OpenAI-compatible LLM server: one client, every call recorded."""

from bot.llm.client import LLMCallRecord, LLMClient, LLMOutputError, Recorder

__all__ = ["LLMCallRecord", "LLMClient", "LLMOutputError", "Recorder"]
