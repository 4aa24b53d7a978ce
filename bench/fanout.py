"""Digest fan-out to 1,000 channels against a fake Slack that paces each channel.

    .venv/bin/python bench/fanout.py [--quick] [--json] [--channels N] [--topics-per-channel N]

- The fake Slack (testkit/slackfake) enforces 1 message per second per channel: a second post to
  a channel within a second is answered 429 with Retry-After: 1 (`enforce_channel_rate`).
- 1,000 channels over 200 topics (20 synthetic articles each): every channel subscribed to 2
  topics for the same time of day, 10 channels per topic, so the round computes 200 briefs
  and every channel receives a burst of 2 digests: 2,000 digests. Subscriptions are created
  in a shuffled order (seeded), as they would be over time.
- Ours: the real `briefbot worker` (`python -m bot worker`, its own process, SQLite in a
  temporary folder or `--database-url`, reset first), with every subscription due at the next
  whole minute at least 40 s away: its scheduler runs the round (10 jobs at a time). Measured
  from the due time to the last digest posted; the worker's own peak resident memory (VmHWM
  of its process). `--quick` (8 channels, 4 topics) runs the round in a bench child process
  instead (`deliver_digest`, 10 at a time), not waiting for a minute boundary.
  Reported: wall time, digests delivered, 429s answered, duplicates (a channel given the same
  topic twice), peak RSS.
- Baseline, same run, a fresh fake Slack: the naive sequential loop posting the same digest
  messages channel by channel, with no pacing and no retry; it counts its 429s (each one a
  digest lost).
- Goal: every digest delivered within 2 minutes, 0 duplicates.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    SCHEDULER_THREADS,
    Bench,
    count_statuses,
    database_url_for,
    digest_round,
    fake_slack,
    parser,
    peak_rss_mb,
    quiet_logging,
    reset_database,
    settings_for,
    subscribe_channels,
    write_articles,
)

GOAL_SECONDS = 120.0
TOPIC_COUNT = 200
BOT_TOKEN = "xoxb-bench-fanout"


def topic_names(n: int) -> list[str]:
    return [f"topic{k:03d}" for k in range(n)]


def prepare(
    url: str,
    tmp: Path,
    channels: list[str],
    topics: list[str],
    per_channel: int,
    seed: int,
    articles: int,
    lead_seconds: float | None,
) -> Any:
    """Articles for every topic and `per_channel` topics per channel (channel i gets topics
    i, i+1, ... modulo the topic count), subscriptions created in a shuffled order, all due at
    one time: the next whole minute at least `lead_seconds` after setup, or (None) now."""
    from datetime import timedelta

    from bot.core import Briefbot

    reset_database(url)
    # Plain sentence analysis (no spaCy): 4,000 articles analysed with the model would take
    # longer than the round; the brief reads the same kind of stored analysis either way.
    core = Briefbot(settings_for(url, NLP_MODEL="none"))
    now = core.clock()
    for topic in topics:
        core.ingest([str(write_articles(tmp / topic, topic, articles, now=now))], topic=topic)
    pairs = [
        (c, topics[(i + k) % len(topics)])
        for i, c in enumerate(channels)
        for k in range(per_channel)
    ]
    random.Random(seed).shuffle(pairs)
    due = core.clock()
    if lead_seconds is not None:
        due = (due + timedelta(seconds=lead_seconds + 60)).replace(second=0, microsecond=0)
    else:
        due = due.replace(second=0, microsecond=0)
    for channel, topic in pairs:
        subscribe_channels(core, topic, [channel], hour=due.hour, minute=due.minute)
    core.close()
    return due, pairs


def run_worker(url: str, slack: Any, due: Any, expected: int, tmp: Path) -> dict[str, Any]:
    """The real `briefbot worker` until `expected` digests are posted (or 10 minutes)."""
    import os
    import signal
    from datetime import UTC, datetime

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": slack.base_url,
        "LOG_LEVEL": "WARNING",
        "INGEST_INTERVAL_MINUTES": "600",
        "NLP_MODEL": "none",  # as the articles were analysed (see prepare)
        "BRIEFBOT_DATA_DIR": str(tmp / "data"),
    }
    # An empty env file, so no .env of the developer's is read (`--env-file` must exist: a
    # missing one is refused with exit status 2, which is how this bench failed on 2 Dec).
    (tmp / "none.env").write_text("")
    log = (tmp / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "bot", "--env-file", str(tmp / "none.env"), "worker"],
        cwd=str(Path(__file__).resolve().parents[1]),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + (due - datetime.now(UTC)).total_seconds() + 600
        while len(slack.posted_messages()) < expected and time.monotonic() < deadline:
            if worker.poll() is not None:
                log.flush()
                tail = (tmp / "worker.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"briefbot worker exited ({worker.returncode}):\n{tail}")
            time.sleep(0.2)
        finished = datetime.now(UTC)
        status = Path(f"/proc/{worker.pid}/status").read_text()
        hwm = [line for line in status.splitlines() if line.startswith("VmHWM:")]
        rss = round(int(hwm[0].split()[1]) / 1024, 1) if hwm else float("nan")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
    return {
        "seconds": round((finished - due).total_seconds(), 2),
        "subscriptions": expected,
        "outcomes": {},
        "errors": [],
        "peak_rss_mb": rss,
        "peak_rss_mb_before_round": None,
        "process": "briefbot worker",
    }


def run_round(url: str, slack_url: str, scheduled_iso: str, max_retries: int) -> int:
    """Child: one digest round over every active subscription; prints figures as JSON."""
    from datetime import datetime

    from bot.core import Briefbot
    from bot.slack.client import SingleWorkspaceClients, make_web_client
    from storage import subscriptions as subscription_store

    quiet_logging()
    settings = settings_for(
        url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=slack_url, NLP_MODEL="none"
    )
    core = Briefbot(settings)
    clients = SingleWorkspaceClients(
        settings, make_web_client(settings, BOT_TOKEN, max_retries=max_retries)
    )
    with core.factory() as session:
        ids = [s.id for s in subscription_store.all_active(session)]
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    outcomes = digest_round(core, clients, ids, datetime.fromisoformat(scheduled_iso))
    seconds = time.perf_counter() - started
    core.close()
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "subscriptions": len(ids),
                "outcomes": count_statuses(outcomes),
                "errors": Counter(o.error for o in outcomes if o.error).most_common(5),
                "peak_rss_mb": peak_rss_mb(),
                "peak_rss_mb_before_round": rss_before,
                "process": "bench child process (deliver_digest, 10 threads)",
            }
        ),
        flush=True,
    )
    return 0


def run_child(url: str, slack_url: str, scheduled: Any, max_retries: int) -> dict[str, Any]:
    """The round in a bench child process (`run_round`), for --quick and --in-process."""
    child = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--role",
            "round",
            "--database-url",
            url,
            "--slack-url",
            slack_url,
            "--scheduled",
            scheduled.isoformat(),
            "--max-retries",
            str(max_retries),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if child.returncode != 0:
        sys.stderr.write(child.stderr)
        raise SystemExit(f"the digest round failed (exit {child.returncode})")
    return json.loads(child.stdout.strip().splitlines()[-1])


def _has_pacer() -> bool:
    import inspect

    from bot.jobs.digest import deliver_digest

    parameters = inspect.signature(deliver_digest).parameters
    return "pacer" in parameters or "poster" in parameters  # the poster carries the pacer


def topic_of(params: dict[str, Any]) -> str:
    """The topic a digest is about, from its first line ("Daily digest: Topic007 — brief for")
    ("?" for anything else, e.g. a "Nothing new on …" line)."""
    first = str(params.get("text", "")).split("\n", 1)[0].lower()
    prefix = "daily digest: "
    if not first.startswith(prefix):
        return "?"
    name = first[len(prefix) :].split(" ", 1)[0]
    return name if name.startswith("topic") else "?"


def naive_loop(messages: dict[str, Any], pairs: list[tuple[str, str]]) -> dict:
    """The baseline: post every channel's digests one after the other, no pacing, no retry."""
    from slack_sdk.errors import SlackApiError

    with fake_slack() as slack:
        slack.enforce_channel_rate(1.0)
        client = slack.web_client(BOT_TOKEN)  # no retry handlers
        delivered = lost = 0
        started = time.perf_counter()
        for channel, topic in sorted(pairs):
            try:
                client.chat_postMessage(channel=channel, **messages[topic])
                delivered += 1
            except SlackApiError:
                lost += 1
        seconds = time.perf_counter() - started
        return {
            "seconds": round(seconds, 2),
            "delivered": delivered,
            "lost": lost,
            "rate_limited_429": slack.rate_limited,
        }


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--channels", type=int, default=None, help="channels (1000)")
    p.add_argument("--topics", type=int, default=None, help="topics (200)")
    p.add_argument("--topics-per-channel", type=int, default=2, choices=[1, 2], help="(2)")
    p.add_argument(
        "--in-process", action="store_true", help="round in a bench child, not briefbot worker"
    )
    p.add_argument("--max-retries", type=int, default=4, help="429 retries per post (product: 4)")
    p.add_argument("--database-url", default=None, help="PostgreSQL URL (reset!); else SQLite")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--role", choices=["round"], help=argparse.SUPPRESS)
    p.add_argument("--slack-url", help=argparse.SUPPRESS)
    p.add_argument("--scheduled", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.role == "round":
        return run_round(args.database_url, args.slack_url, args.scheduled, args.max_retries)
    quiet_logging()
    bench = Bench("fanout", args)
    n_channels = args.channels or (8 if args.quick else 1000)
    n_articles = 5 if args.quick else 20
    topics = topic_names(args.topics or (4 if args.quick else TOPIC_COUNT))
    channels = [f"C{n:06d}" for n in range(n_channels)]
    per_channel = args.topics_per_channel
    expected = n_channels * per_channel
    use_worker = not args.quick and not args.in_process

    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp_name:
        tmp = Path(tmp_name)
        url = database_url_for(args.database_url, tmp / "bench.db")
        started = time.perf_counter()
        scheduled, pairs = prepare(
            url,
            tmp,
            channels,
            topics,
            per_channel,
            args.seed,
            n_articles,
            40.0 if use_worker else None,
        )
        bench.params(
            channels=n_channels,
            topics=len(topics),
            topics_per_channel=per_channel,
            round_in="briefbot worker" if use_worker else "bench child process",
            digests=expected,
            articles_per_topic=n_articles,
            digest_threads=SCHEDULER_THREADS,
            slack_pacing="1 message/s per channel, else 429 Retry-After: 1",
            max_retries=args.max_retries,
            channel_pacer=_has_pacer(),
            database=url.split(":", 1)[0].split("+", 1)[0],
            setup_s=round(time.perf_counter() - started, 1),
        )
        with fake_slack() as slack:
            slack.enforce_channel_rate(1.0)
            if use_worker:
                result = run_worker(url, slack, scheduled, expected, tmp)
            else:
                result = run_child(url, slack.base_url, scheduled, args.max_retries)
            posts = slack.posted_messages()
            attempts = len(slack.calls_to("chat.postMessage"))
            per_pair = Counter((m["channel"], topic_of(m)) for m in posts)
            messages = {
                topic_of(m): {"text": m["text"], "blocks": m.get("blocks")}
                for m in posts
                if topic_of(m) != "?"
            }
            rate_limited = slack.rate_limited
            violations = len(slack.violations)

    duplicates = sum(n - 1 for n in per_pair.values() if n > 1)
    delivered_pairs = len(per_pair)
    bench.ours(
        seconds=result["seconds"],
        delivered=delivered_pairs,
        expected=expected,
        posts_accepted=len(posts),
        post_attempts=attempts,
        rate_limited_429=rate_limited,
        duplicates=duplicates,
        outcomes=result["outcomes"],
        errors=result["errors"],
        peak_rss_mb=result["peak_rss_mb"],
        peak_rss_mb_before_round=result["peak_rss_mb_before_round"],
        invalid_messages=violations,
        process=result["process"],
    )
    bench.say(
        f"ours (digest round, {SCHEDULER_THREADS} threads"
        f"{', channel pacer' if _has_pacer() else ''}, slack_sdk retries): "
        f"{delivered_pairs}/{expected} delivered in {result['seconds']:.1f} s, "
        f"{rate_limited} answered 429 (retried), {duplicates} duplicates; outcomes "
        f"{result['outcomes'] or '(see the worker)'}; peak RSS {result['peak_rss_mb']:.0f} MiB "
        f"({result['process']})"
    )

    if len({t for _, t in pairs} - set(messages)) == 0:
        naive = naive_loop(messages, pairs)
        bench.baseline(**naive)
        bench.say(
            f"baseline (naive sequential loop, no pacing, no retry): {naive['delivered']}/"
            f"{expected} delivered in {naive['seconds']:.1f} s, {naive['rate_limited_429']} "
            f"answered 429 (lost)"
        )
    else:
        bench.say("baseline skipped: no digest of every topic was posted to copy")
    bench.goal(
        f"all {expected} digests delivered within {GOAL_SECONDS:.0f} s, 0 duplicates",
        delivered_pairs == expected and duplicates == 0 and result["seconds"] <= GOAL_SECONDS,
        f"{delivered_pairs}/{expected} in {result['seconds']:.1f} s, {duplicates} duplicates",
    )
    bench.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
