"""A failing source is named once, in the digest whose span it crossed the threshold in, and
once more when it recovers; a short hiccup is never named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.service.source_health import SourceState, health_notes

T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)
DAY = timedelta(days=1)


def notes(source: SourceState, since: datetime, now: datetime) -> list[str]:
    return health_notes([source], since=since, now=now, alert_after=DAY, tz_name="UTC")


def failing(since: datetime, error: str = "HTTP 503") -> SourceState:
    return SourceState("https://www.example.com/feed.xml", None, since, error, None, None)


def test_a_failing_source_is_named_once_over_daily_digests() -> None:
    source = failing(T0 + timedelta(hours=3))
    named = [notes(source, T0 + n * DAY, T0 + (n + 1) * DAY) for n in range(5)]
    assert [len(n) for n in named] == [0, 1, 0, 0, 0]
    assert named[1] == [
        "Source example.com has failed since Tue 1 Dec, 11:00: last error: HTTP 503"
    ]


def test_recovery_is_named_once_and_a_short_hiccup_never() -> None:
    recovered = SourceState(
        "https://feed.example.org/rss", "Valley Times", None, None, T0, T0 + 3 * DAY
    )
    named = [notes(recovered, T0 + n * DAY, T0 + (n + 1) * DAY) for n in range(4)]
    assert [len(n) for n in named] == [0, 0, 1, 0]
    assert named[2] == [
        "Source Valley Times works again since Fri 4 Dec, 08:00 "
        "(it had failed since Tue 1 Dec, 08:00)."
    ]
    hiccup = SourceState("https://x.example/rss", None, None, None, T0, T0 + timedelta(hours=2))
    assert notes(hiccup, T0 - DAY, T0 + DAY) == []
    assert notes(failing(T0), T0, T0 + timedelta(hours=23)) == []


def test_many_failing_sources_are_summed_up_and_errors_bounded() -> None:
    sources = [failing(T0, "x" * 1000) for _ in range(6)]
    lines = health_notes(sources, since=T0, now=T0 + 2 * DAY, alert_after=DAY, tz_name="UTC")
    assert len(lines) == 3
    assert lines[-1] == "…and 4 more sources: see `/brief sources`."
    assert max(len(line) for line in lines) < 300
