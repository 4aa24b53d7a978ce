"""Slack Web API clients: base URL from settings, retries for rate limits and server errors.

Every WebClient the product builds comes from here, so all of them honour `SLACK_API_URL`
(a test server or an enterprise proxy) and retry the same way: 429 after its Retry-After,
5xx and connection errors with backoff.
"""

from __future__ import annotations

from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.errors import SettingsError
from bot.settings import Settings
from bot.slack.pools import ACKS


class YieldingWebClient(WebClient):
    """A WebClient whose calls made by slow work (digests, briefs after the ack) let the
    Slack requests this process is acking go first (`AckGate.pause`: a no-op when none is
    in flight, and on the thread acking one)."""

    def api_call(self, *args: Any, **kwargs: Any) -> Any:
        ACKS.pause()
        return super().api_call(*args, **kwargs)


def make_web_client(settings: Settings, token: str | None, *, max_retries: int = 4) -> WebClient:
    client = YieldingWebClient(token=token, base_url=settings.slack_api_url, timeout=15)
    client.retry_handlers.extend(
        [
            RateLimitErrorRetryHandler(max_retry_count=max_retries),
            ServerErrorRetryHandler(max_retry_count=max_retries),
            ConnectionErrorRetryHandler(max_retry_count=max_retries),
        ]
    )
    return client


class ClientForTeam(Protocol):
    """The bot's WebClient for a workspace (one token now; one per installation with OAuth)."""

    def __call__(self, team_id: str) -> WebClient: ...


class SingleWorkspaceClients:
    """Single-workspace mode: every team uses SLACK_BOT_TOKEN."""

    def __init__(self, settings: Settings, client: WebClient | None = None) -> None:
        if client is None:
            if not settings.slack_bot_token:
                raise SettingsError("SLACK_BOT_TOKEN is required to talk to Slack")
            client = make_web_client(settings, settings.slack_bot_token)
        self._client = client

    def __call__(self, team_id: str) -> WebClient:
        del team_id
        return self._client
