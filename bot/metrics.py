"""What an operator watches: Prometheus metrics, defined once, in this process's own registry.

The registry is ours, not prometheus_client's global default: nothing a library registers
there ends up on our `/metrics`, and tests compare scrapes before and after (counters only
go up) instead of resetting anything.

Instrumentation is one line where the event is already recorded, mostly decorators that look
at what the function returns (an `IngestReport`, a `BriefResult`, a `DigestOutcome`) or at the
record it is handed (an `LLMCallRecord`): the instrumented code stays as it was, and a metric
that cannot be updated is logged and never breaks the call it observes.

Labels are closed sets (outcomes, statuses, prompt names, request kinds): never a topic,
channel or team, so the number of series stays bounded whatever the workspaces do.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

log = logging.getLogger(__name__)

try:
    from prometheus_client import (
        CollectorRegistry,
        Counter,
        Gauge,
        GCCollector,
        Histogram,
        PlatformCollector,
        ProcessCollector,
    )

    AVAILABLE = True
except ImportError:  # an environment installed before the dependency was added: no metrics
    from bot._metrics_stub import (  # type: ignore[assignment]
        CollectorRegistry,
        Counter,
        Gauge,
        GCCollector,
        Histogram,
        PlatformCollector,
        ProcessCollector,
    )

    AVAILABLE = False

P = ParamSpec("P")
R = TypeVar("R")

# One registry per process: the HTTP app's `/metrics` and the worker's port both serve it.
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # CPU, memory, open files (Linux)
PlatformCollector(registry=REGISTRY)  # Python version
GCCollector(registry=REGISTRY)

# A digest posted this long after its scheduled time counts as late (a scheduler that was
# down, a stale claim retaken, a round paced behind many channels).
DIGEST_LATE_SECONDS = 300.0

SOURCES_FETCHED = Counter(
    "briefbot_sources_fetched",
    "Sources read by ingest rounds, by result (ok, not_modified, failed).",
    ["result"],
    registry=REGISTRY,
)
ARTICLES_STORED = Counter(
    "briefbot_articles_stored", "New articles stored by ingest.", registry=REGISTRY
)
ARTICLES_DUPLICATE = Counter(
    "briefbot_articles_duplicate",
    "Articles ingest found already stored (same URL or near-duplicate text).",
    registry=REGISTRY,
)
INGEST_ROUNDS = Counter(
    "briefbot_ingest_rounds",
    "Scheduled ingest rounds run, by result.",
    ["result"],
    registry=REGISTRY,
)
INGEST_ROUND_SECONDS = Histogram(
    "briefbot_ingest_round_seconds",
    "Duration of a scheduled ingest round (every source, then subscribed topics).",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
    registry=REGISTRY,
)
INGEST_LAST_ROUND = Gauge(
    "briefbot_ingest_last_round_timestamp_seconds",
    "Unix time the last scheduled ingest round ended (alert when it stops moving).",
    registry=REGISTRY,
)
BRIEFS = Counter(
    "briefbot_briefs",
    "Briefs asked for: computed (summarized now) or cached (same articles, stored brief), "
    "by the summarizer that made them.",
    ["result", "summarizer"],
    registry=REGISTRY,
)
LLM_CALLS = Counter(
    "briefbot_llm_calls",
    "LLM call attempts, by prompt and outcome (ok, invalid_output, error).",
    ["prompt", "outcome"],
    registry=REGISTRY,
)
LLM_TOKENS = Counter(
    "briefbot_llm_tokens",
    "Tokens the LLM server reported, by prompt and direction (in: prompt, out: completion).",
    ["prompt", "direction"],
    registry=REGISTRY,
)
LLM_CALL_SECONDS = Histogram(
    "briefbot_llm_call_seconds",
    "Duration of one LLM call attempt, by prompt.",
    ["prompt"],
    buckets=(0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120),
    registry=REGISTRY,
)
LLM_FALLBACKS = Counter(
    "briefbot_llm_fallbacks",
    "Times the offline summarizer stood in for a failed LLM, by prompt.",
    ["prompt"],
    registry=REGISTRY,
)
DIGESTS = Counter(
    "briefbot_digests",
    "Digest runs by outcome: sent, nothing_new, skipped_empty (delivered); failed "
    "(permanently); retry (a sweep runs it again); skipped (another run has it); inactive.",
    ["status"],
    registry=REGISTRY,
)
DIGESTS_LATE = Counter(
    "briefbot_digests_late",
    f"Digests delivered more than {DIGEST_LATE_SECONDS:.0f} s after their scheduled time.",
    registry=REGISTRY,
)
DIGEST_DELAY_SECONDS = Histogram(
    "briefbot_digest_delay_seconds",
    "From a digest's scheduled time to its delivery.",
    buckets=(1, 5, 15, 30, 60, 120, 300, 900, 3600, 6 * 3600, 24 * 3600),
    registry=REGISTRY,
)
SLACK_ACK_SECONDS = Histogram(
    "briefbot_slack_ack_seconds",
    "From a signed Slack request read whole to its response (Slack wants it within 3 s), "
    "by kind: command (/brief), interactive (buttons, shortcuts), event, other.",
    ["kind"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10),
    registry=REGISTRY,
)
SLACK_REFUSED = Counter(
    "briefbot_slack_requests_refused",
    "Requests the HTTP front door refused or ignored, by reason.",
    ["reason"],
    registry=REGISTRY,
)
LEADER = Gauge(
    "briefbot_leader",
    "1 while this process is the elected scheduler leader (runs digests and ingest), else 0.",
    registry=REGISTRY,
)

_DELIVERED = frozenset({"sent", "nothing_new", "skipped_empty"})


def _safely(observe: Callable[..., None], *args: Any) -> None:
    """Metrics never break what they observe."""
    try:
        observe(*args)
    except Exception:
        log.warning("could not update a metric (%s)", observe.__name__, exc_info=True)


# -- observers: take what the code already produced ---------------------------------------------


def observe_ingest(report: Any) -> None:
    """An `IngestReport`: each source's result, the articles stored and found again."""
    for source in report.sources:
        result = "failed" if not source.ok else "not_modified" if source.not_modified else "ok"
        SOURCES_FETCHED.labels(result).inc()
        ARTICLES_STORED.inc(max(0, source.new_articles))
        ARTICLES_DUPLICATE.inc(max(0, source.duplicates))


def observe_brief(result: Any) -> None:
    """A `BriefResult`."""
    BRIEFS.labels(
        "cached" if result.cached else "computed", str(result.brief.summarizer or "unknown")
    ).inc()


def observe_llm_call(record: Any) -> None:
    """An `LLMCallRecord` (one attempt, or the "fallback" record of a summarizer)."""
    prompt = str(record.prompt_name or "unknown")
    if record.outcome == "fallback":
        LLM_FALLBACKS.labels(prompt).inc()
        return
    LLM_CALLS.labels(prompt, str(record.outcome)).inc()
    LLM_CALL_SECONDS.labels(prompt).observe(max(0, record.duration_ms or 0) / 1000)
    if record.tokens_in:
        LLM_TOKENS.labels(prompt, "in").inc(max(0, record.tokens_in))
    if record.tokens_out:
        LLM_TOKENS.labels(prompt, "out").inc(max(0, record.tokens_out))


def observe_digest(outcome: Any, now: datetime) -> None:
    """A `DigestOutcome`; `now` is when it was delivered."""
    DIGESTS.labels(str(outcome.status)).inc()
    if outcome.status in _DELIVERED and outcome.scheduled_for is not None:
        delay = max(0.0, (now - outcome.scheduled_for).total_seconds())
        DIGEST_DELAY_SECONDS.observe(delay)
        if delay > DIGEST_LATE_SECONDS:
            DIGESTS_LATE.inc()


def observe_ack(kind: str, seconds: float) -> None:
    SLACK_ACK_SECONDS.labels(kind).observe(max(0.0, seconds))


def set_leader(leading: bool) -> None:
    LEADER.set(1 if leading else 0)


# -- decorators: one line on the function that already returns the record ----------------------


def _observing(observe: Callable[[Any], None]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A decorator that hands what the function returns to `observe` (never failing the call)."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            result = fn(*args, **kwargs)
            _safely(observe, result)
            return result

        return wrapper

    return decorate


def counts_ingest(fn: Callable[P, R]) -> Callable[P, R]:
    """On a function returning an `IngestReport`."""
    return _observing(observe_ingest)(fn)


def counts_briefs(fn: Callable[P, R]) -> Callable[P, R]:
    """On a function returning a `BriefResult`."""
    return _observing(observe_brief)(fn)


def counts_llm_calls(fn: Callable[P, R]) -> Callable[P, R]:
    """On an LLM call recorder (a method taking the `LLMCallRecord` last): counted before it is
    stored, so calls still count while the database is down."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if args:
            _safely(observe_llm_call, args[-1])
        return fn(*args, **kwargs)

    return wrapper


def counts_digests(fn: Callable[P, R]) -> Callable[P, R]:
    """On a function taking the core first and returning a `DigestOutcome`."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        outcome = fn(*args, **kwargs)
        clock = getattr(args[0], "clock", None) if args else None
        if callable(clock):
            _safely(observe_digest, outcome, clock())
        return outcome

    return wrapper


def times_ingest_round(fn: Callable[P, R]) -> Callable[P, R]:
    """On the scheduled ingest round: its duration, and when the last one ended."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.monotonic()
        result = "error"
        try:
            value = fn(*args, **kwargs)
            result = "done"
            return value
        finally:
            INGEST_ROUND_SECONDS.observe(time.monotonic() - started)
            INGEST_ROUNDS.labels(result).inc()
            INGEST_LAST_ROUND.set_to_current_time()

    return wrapper
