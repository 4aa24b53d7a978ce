"""The pure decisions of topic lifecycle: which topics an ingest round polls, how many topics
a workspace has against its cap, and the retention cutoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.service.lifecycle import (
    TopicUse,
    cap_message,
    is_polled,
    polled_topics,
    retention_cutoff,
    workspace_topic_count,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_a_subscribed_topic_is_always_polled() -> None:
    assert is_polled(TopicUse(1, True, _ago(400)), now=NOW, idle_days=7)
    assert is_polled(TopicUse(1, True, None), now=NOW, idle_days=7)


def test_an_unsubscribed_topic_is_polled_until_it_has_been_idle_that_long() -> None:
    assert is_polled(TopicUse(1, False, _ago(6.9)), now=NOW, idle_days=7)
    assert not is_polled(TopicUse(1, False, _ago(7)), now=NOW, idle_days=7)
    assert not is_polled(TopicUse(1, False, None), now=NOW, idle_days=7)


def test_idle_days_zero_polls_everything() -> None:
    assert is_polled(TopicUse(1, False, None), now=NOW, idle_days=0)


def test_polled_topics_and_the_workspace_count() -> None:
    uses = [
        TopicUse(1, True, _ago(30), "T1"),
        TopicUse(2, False, _ago(1), "T1"),
        TopicUse(3, False, _ago(30), "T1"),  # idle: costs the workspace nothing
        TopicUse(4, False, _ago(1), "T2"),
        TopicUse(5, False, _ago(1), None),  # made with the CLI
    ]
    assert polled_topics(uses, now=NOW, idle_days=7) == {1, 2, 4, 5}
    assert workspace_topic_count(uses, "T1", now=NOW, idle_days=7) == 2
    assert workspace_topic_count(uses, "T2", now=NOW, idle_days=7) == 1


def test_retention_cutoff() -> None:
    assert retention_cutoff(NOW, 0) is None
    assert retention_cutoff(NOW, 90) == NOW - timedelta(days=90)


def test_cap_message_says_what_to_do() -> None:
    text = cap_message(3, 7)
    assert "3 topics" in text and "/brief unsubscribe" in text and "7 days" in text
    assert "idle" not in cap_message(3, 0)


def test_cost_line() -> None:
    from bot.render.cost import cost_line

    assert cost_line(0, 0, price_in=0.01, price_out=0.03) == ""
    assert cost_line(900, 150, price_in=None, price_out=None) == (
        "LLM: 1,050 tokens (900 in, 150 out)."
    )
    assert "$0.0135" in cost_line(900, 150, price_in=0.01, price_out=0.03)
    assert "offline" in cost_line(0, 0, price_in=None, price_out=None, over_budget=True)
