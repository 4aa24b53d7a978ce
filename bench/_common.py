"""Shared pieces of the performance benchmarks (bench/<name>.py): arguments, percentiles,
printing, the JSON result, goal lines, peak memory, synthetic text and database set-up.

Every benchmark prints its figure, a baseline measured in the same run, and one goal line:

    goal: p99 <= 50 ms: MET (p99 12.3 ms)

With `--json` the same figures are printed as one JSON object on stdout (progress goes to
stderr), so scripts and the smoke tests can read them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import random
import re
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:  # run as a script: make `bench`, `bot`, `storage` importable
    sys.path.insert(0, str(PROJECT))

DEMO_ARTICLES = PROJECT / "bot" / "demo" / "articles"

__all__ = [
    "PROJECT",
    "Bench",
    "SyntheticText",
    "corpus_dir",
    "database_url_for",
    "interleaved",
    "median",
    "peak_rss_mb",
    "percentile",
    "stats_ms",
]


# -- numbers ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), linear interpolation between closest ranks (numpy's
    default). NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    rank = (len(ordered) - 1) * p / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


def stats_ms(seconds: Sequence[float]) -> dict[str, float]:
    """n, min, p50, p95, p99, max and mean of durations given in seconds, in milliseconds."""
    ms = [s * 1000.0 for s in seconds]
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        "min": round(min(ms), 3),
        "p50": round(percentile(ms, 50), 3),
        "p95": round(percentile(ms, 95), 3),
        "p99": round(percentile(ms, 99), 3),
        "max": round(max(ms), 3),
        "mean": round(sum(ms) / len(ms), 3),
    }


def interleaved(
    systems: dict[str, Any], inputs: Sequence[Any], *, warmup: int = 0
) -> dict[str, list[float]]:
    """Durations in seconds of every system on every input, the systems taking turns: on each
    input they run in a rotated order, so that a change in the machine's load (other work
    starting or stopping) falls on all of them alike instead of on whichever ran last. The
    first `warmup` inputs run untimed (caches, prepared statements)."""
    names = list(systems)
    out: dict[str, list[float]] = {name: [] for name in names}
    for n, item in enumerate(inputs):
        shift = n % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            systems[name](item)
            elapsed = time.perf_counter() - started
            if n >= warmup:
                out[name].append(elapsed)
    return out


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM, else getrusage's ru_maxrss), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024.0, 1)
    except OSError:
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # kilobytes on Linux, bytes on macOS
    return round(maxrss / (1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0), 1)


# -- the report ---------------------------------------------------------------------------------


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the options every benchmark has: --quick and --json."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--quick", action="store_true", help="small sizes, a few seconds (the smoke test)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    return p


class Bench:
    """Collects a benchmark's figures, prints them as it goes and the goal line at the end.

    Text mode prints to stdout; JSON mode prints progress to stderr and, in `finish`, the
    JSON object to stdout.
    """

    def __init__(self, name: str, args: argparse.Namespace) -> None:
        self.name = name
        self.quick = bool(getattr(args, "quick", False))
        self.as_json = bool(getattr(args, "json", False))
        self.started = time.perf_counter()
        self.result: dict[str, Any] = {
            "benchmark": name,
            "quick": self.quick,
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
            "machine": machine(),
            "load_average_at_start": _load_average(),
            "params": {},
            "ours": {},
            "baseline": {},
            "goals": [],
        }
        load = self.result["load_average_at_start"]
        if load and load[0] > (os.cpu_count() or 1) * 0.5:
            self.say(
                f"note: load average {load[0]:.1f} on {os.cpu_count()} CPUs before starting: "
                "other work is using the machine, timings will be pessimistic"
            )

    def say(self, text: str = "") -> None:
        print(text, file=sys.stderr if self.as_json else sys.stdout, flush=True)

    def params(self, **values: Any) -> None:
        self.result["params"].update(values)
        self.say("params: " + ", ".join(f"{k}={v}" for k, v in values.items()))

    def ours(self, **values: Any) -> None:
        self.result["ours"].update(values)

    def baseline(self, **values: Any) -> None:
        self.result["baseline"].update(values)

    def note(self, key: str, value: Any) -> None:
        self.result.setdefault("notes", {})[key] = value

    def goal(self, text: str, met: bool, measured: str) -> bool:
        self.result["goals"].append({"goal": text, "met": bool(met), "measured": measured})
        self.say(f"goal: {text}: {'MET' if met else 'MISSED'} ({measured})")
        return bool(met)

    def finish(self) -> dict[str, Any]:
        self.result["all_goals_met"] = all(g["met"] for g in self.result["goals"])
        self.result["wall_s"] = round(time.perf_counter() - self.started, 2)
        self.result["load_average_at_end"] = _load_average()
        if self.as_json:
            print(json.dumps(self.result, indent=2, default=str), flush=True)
        else:
            self.say(f"({self.result['wall_s']} s)")
        return self.result


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine() -> str:
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python " + (
        platform.python_version()
    )


def fmt_stats(stats: dict[str, float], keys: Iterable[str] = ("p50", "p95", "p99")) -> str:
    if not stats.get("n"):
        return "no samples"
    return ", ".join(f"{k} {stats[k]:.1f} ms" for k in keys) + f" (n={stats['n']})"


# -- inputs -----------------------------------------------------------------------------------


def corpus_dir(given: str | None = None) -> Path | None:
    """The shared corpus (`--corpus DIR`, else ../shared/corpus next to the project), or None
    when it is absent (a user's clone has none)."""
    path = Path(given) if given else PROJECT.parent / "shared" / "corpus"
    return path if path.is_dir() else None


_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_TOKEN = re.compile(r"[\w'’-]+|[,;:]")


class SyntheticText:
    """Deterministic made-up news text: a word-bigram chain learnt at run time from the demo
    articles (`bot/demo/articles`, written for this project). Nothing is copied: sentences
    are random walks over the demo vocabulary, so they read like news but say nothing real.

    Section cues ("will", "remains unclear", "agreed") occur because the demo text has them,
    which is what the extractive summarizer and the answer ranking look for.
    """

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.next: dict[str, list[str]] = defaultdict(list)
        self.starts: list[str] = []
        self.words: list[str] = []
        for path in sorted(DEMO_ARTICLES.glob("*.md")):
            body = _FRONT_MATTER.sub("", path.read_text(encoding="utf-8"))
            for paragraph in body.split("\n\n"):
                for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
                    tokens = _TOKEN.findall(sentence)
                    if len(tokens) < 6:
                        continue
                    self.starts.append(tokens[0])
                    chain = [*tokens, "."]
                    for a, b in itertools.pairwise(chain):
                        self.next[a].append(b)
                    self.words.extend(t for t in tokens if t.isalpha() and len(t) > 3)
        if not self.starts:
            raise RuntimeError(f"no demo articles found in {DEMO_ARTICLES}")

    def sentence(self, min_words: int = 8, max_words: int = 32) -> str:
        for _ in range(20):
            word = self.rng.choice(self.starts)
            out = [word]
            while len(out) < max_words:
                word = self.rng.choice(self.next.get(word) or ["."])
                if word == ".":
                    break
                out.append(word)
            words = sum(1 for w in out if w not in ",;:")
            if words >= min_words:
                text = " ".join(out)
                text = re.sub(r" ([,;:])", r"\1", text).rstrip(",;: ")
                return text[0].upper() + text[1:] + "."
        return "Officials said talks would continue next week in the capital."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def article(self, paragraphs: int = 4, sentences_per_paragraph: int = 3) -> str:
        return "\n\n".join(self.paragraph(sentences_per_paragraph) for _ in range(paragraphs))

    def title(self) -> str:
        return self.sentence(5, 12).rstrip(".")

    def word(self) -> str:
        return self.rng.choice(self.words)


# -- databases --------------------------------------------------------------------------------


def database_url_for(given: str | None, sqlite_path: Path) -> str:
    """`--database-url` when given (PostgreSQL: its public schema is reset, see below), else a
    SQLite file at `sqlite_path`."""
    if not given:
        return f"sqlite:///{sqlite_path}"
    return given


def reset_database(url: str) -> None:
    """Empty the database behind `url`: delete a SQLite file, or drop and recreate the public
    schema of a PostgreSQL database. Refuses a PostgreSQL database whose name does not contain
    "bench" or "test", so that a production URL pasted by mistake is never wiped."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    name = (parsed.database or "").lower()
    if "bench" not in name and "test" not in name:
        raise SystemExit(
            f"refusing to reset database {parsed.database!r}: a benchmark drops its schema; "
            "use a scratch database whose name contains 'bench' or 'test' (e.g. bench_db)"
        )
    from sqlalchemy import text

    from storage.db import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def dialect_of(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).get_backend_name()


def settings_for(database_url: str, **extra: str) -> Any:
    """briefbot Settings from an explicit environment (no .env file, no os.environ)."""
    from bot.settings import Settings

    environ = {"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", **extra}
    return Settings.from_env(environ=environ, dotenv_path=None)


def quiet_logging() -> None:
    """Benchmarks print figures, not the product's INFO logs (warnings still show)."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in (
        "apscheduler",
        "slack_bolt",
        "slack_sdk",
        "briefbot.slack",
        "trafilatura",
        "waitress.queue",
    ):
        logging.getLogger(name).setLevel(logging.ERROR)


# -- briefbot fixtures: articles, subscriptions, digest rounds --------------------------------

# APScheduler's default executor runs at most this many jobs at once (ThreadPoolExecutor(10));
# a digest round in `briefbot serve`/`worker` is that many `run_digest` calls in parallel.
SCHEDULER_THREADS = 10


def write_articles(
    folder: Path,
    topic: str,
    count: int,
    *,
    now: datetime,
    seed: int = 3,
    newest_hours: float = 1.0,
    oldest_hours: float = 12.0,
) -> Path:
    """`count` synthetic Markdown articles (front matter: title, outlet, published, url) about
    `topic`, published between `oldest_hours` and `newest_hours` before `now`."""
    from datetime import timedelta

    text = SyntheticText(seed)
    folder.mkdir(parents=True, exist_ok=True)
    outlets = ["Meridian Wire", "Harbour Post", "Valley Times", "Northern Ledger", "Civic Daily"]
    slug = re.sub(r"\W+", "-", topic.lower()).strip("-") or "topic"
    span = oldest_hours - newest_hours
    for i in range(count):
        published = now - timedelta(hours=oldest_hours - span * i / max(count - 1, 1))
        body = f"{topic.title()}: {text.paragraph(3)}\n\n{text.article(3, 3)}"
        (folder / f"{slug}-{i:04d}.md").write_text(
            "---\n"
            f"title: {topic.title()}: {text.title()}\n"
            f"outlet: {outlets[i % len(outlets)]}\n"
            f"published: {published.isoformat()}\n"
            f"url: https://news{i % 5}.example.com/{slug}/{i}\n"
            f"---\n{body}\n",
            encoding="utf-8",
        )
    return folder


def digest_time(now: datetime) -> dict[str, int]:
    """The subscriptions' daily time: six hours after `now`. A round scheduled in the next
    minutes then covers the day since that time yesterday, which holds every bench article
    (published 1-12 h ago) whatever the time of day. A fixed 08:00 made every run after 08:00
    UTC a round of "nothing new" lines, with no brief to post."""
    at = now + timedelta(hours=6)
    return {"hour": at.hour, "minute": at.minute}


def subscribe_channels(
    core: Any,
    topic: str,
    channels: Sequence[str],
    *,
    team_id: str = "T0BENCH",
    hour: int = 8,
    minute: int = 0,
    timezone: str = "UTC",
) -> list[int]:
    """One subscription of `topic` per channel, written straight to storage; their ids."""
    from storage import subscriptions as subscription_store
    from storage import topics as topic_store
    from storage.db import transaction

    ids = []
    with transaction(core.factory) as session:
        topic_row = topic_store.get_or_create(session, topic)
        for channel in channels:
            row, _ = subscription_store.upsert(
                session,
                team_id=team_id,
                channel_id=channel,
                topic=topic_row,
                hour=hour,
                minute=minute,
                timezone=timezone,
                created_by="U0BENCH",
            )
            ids.append(row.id)
    return ids


def digest_round(
    core: Any,
    clients: Any,
    subscription_ids: Sequence[int],
    scheduled_for: datetime,
    *,
    now: datetime | None = None,
    workers: int = SCHEDULER_THREADS,
) -> list[Any]:
    """Every subscription's digest for `scheduled_for`, `workers` at a time (like the
    scheduler's thread pool), through the process's channel pacer as the scheduler's jobs do
    (when the product has one); the `DigestOutcome`s in subscription order."""
    import inspect
    from concurrent.futures import ThreadPoolExecutor

    from bot.jobs.digest import deliver_digest

    extra: dict[str, Any] = {}
    parameters = inspect.signature(deliver_digest).parameters
    if "poster" in parameters:  # the posting path, injected (with the pacer inside)
        from bot.slack.posting import SlackPoster

        clients = SlackPoster(clients, process_pacer())
    elif "pacer" in parameters:
        extra["pacer"] = process_pacer()

    def one(subscription_id: int) -> Any:
        return deliver_digest(core, clients, subscription_id, scheduled_for, now=now, **extra)

    with ThreadPoolExecutor(workers, thread_name_prefix="digest") as pool:
        return list(pool.map(one, subscription_ids))


_pacer: Any = None


def process_pacer() -> Any:
    """One `bot.slack.pacing.ChannelPacer` per process, as the scheduler's job runtime has."""
    global _pacer
    if _pacer is None:
        from bot.slack.pacing import ChannelPacer

        _pacer = ChannelPacer()
    return _pacer


def count_statuses(outcomes: Iterable[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return dict(sorted(counts.items()))


def fake_slack(**kwargs: Any) -> Any:
    """A testkit.slackfake FakeSlack (not started) whose listen backlog holds 256 connections.

    The fake is a `ThreadingHTTPServer`, whose listen backlog is socketserver's default of 5:
    with 10+ threads posting at once, connections beyond it are refused or reset, which
    benchmarks would then measure as Slack trouble. Slack itself accepts far more."""
    from testkit.slackfake import server

    server._Server.request_queue_size = 256
    return server.FakeSlack(**kwargs)
