"""Scale-out on the task queue (issue 18): 1 worker process vs 2, on PostgreSQL.

    .venv/bin/python bench/scale_out.py --database-url postgresql+psycopg://…/bench_db
        [--quick] [--json] [--feeds N] [--pages-per-feed N] [--subscriptions N] [--topics N]
        [--concurrency N] [--repeats N] [--skip-ingest] [--skip-digest]

The database is reset first (its name must contain "bench" or "test"). Real worker processes
(`python -m bot worker`, TASK_QUEUE=postgres) consume the queue. This process holds the
leader lock for the whole run, so no worker's scheduler starts: it plays the leader itself and
defers what the leader's jobs defer (`bot.jobs.tasks.defer_ingest_round`'s refresh tasks;
every due subscription's digest, `defer_due_digests`), so the figures are the workers' alone.

- Ingest: `--feeds` RSS feeds (default 200) of `--pages-per-feed` teaser entries (default 10),
  served by `python -m http.server` in a child process on 127.0.0.1: every entry's page is
  fetched, extracted (trafilatura, in the worker: INGEST_PROCESSES=0, so one worker is one
  process) and analysed (spaCy). One `refresh_source` task per feed. Timed from deferring the
  tasks (workers already registered) until the queue is empty; 1 worker and 2 workers take
  turns (`--repeats`, order alternating), each on a freshly reset database. Figure: pages
  stored per second; goal: 2 workers >= 1.7 x 1 worker. Also the workers' CPU seconds (start-up
  included), so pages per worker-CPU-second, which a loaded machine distorts less than wall time.
- Digest round: `--subscriptions` (default 5,000) over `--topics` (default 200, 3 articles
  each) in channels of 5 subscriptions each, all due at one time, delivered by 2 workers to
  the fake Slack (testkit) enforcing 1 message per second per channel (a faster post gets
  429), briefs by the fake LLM (testkit; one reply per call). Checked: every delivery sent
  and posted once (0 lost, 0 duplicated, by delivery id in the message metadata), 0 pacing
  429s, LLM calls == topic-windows (one per topic).
- Sizes: PostgreSQL rows and bytes (heap, indexes, total) of articles, article_sentences and
  deliveries after the runs, per row.
"""

from __future__ import annotations

import html
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    Bench,
    SyntheticText,
    fake_slack,
    parser,
    quiet_logging,
    reset_database,
    settings_for,
)
from bench.ingest_speed import StaticServer, synthetic_pages  # noqa: E402

GOAL_RATIO = 1.7
SUBS_PER_CHANNEL = 5
TEAM = "T0SCALE"


# -- the site --------------------------------------------------------------------------------


def write_feeds(folder: Path, pages: list[bytes], feeds: int, root_url: str) -> list[str]:
    """`feeds` RSS feeds of teaser entries over `pages` (each page in exactly one feed)."""
    text = SyntheticText(seed=11)
    (folder / "pages").mkdir(parents=True, exist_ok=True)
    (folder / "feeds").mkdir(exist_ok=True)
    now = datetime.now(UTC)
    urls = []
    for i, body in enumerate(pages):
        (folder / "pages" / f"{i:05d}.html").write_bytes(body)
        urls.append(f"{root_url}/pages/{i:05d}.html")
    feed_urls = []
    for k in range(feeds):
        items = []
        for n, link in enumerate(urls[k::feeds]):
            items.append(
                f"<item><title>{html.escape(text.title())}</title>"
                f"<link>{link}</link><guid>{link}</guid>"
                f"<pubDate>{format_datetime(now - timedelta(minutes=5 * n + k))}</pubDate>"
                f"<description>{html.escape(text.sentence())}</description></item>"
            )
        (folder / "feeds" / f"f{k:04d}.xml").write_text(
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Scale feed {k}</title><link>{root_url}/</link>"
            f"<description>bench</description>{''.join(items)}</channel></rss>",
            encoding="utf-8",
        )
        feed_urls.append(f"{root_url}/feeds/f{k:04d}.xml")
    return feed_urls


# -- workers and the leader lock ----------------------------------------------------------------


class Workers:
    """`n` real `python -m bot worker` processes on the queue."""

    def __init__(self, n: int, env: dict[str, str], tmp: Path) -> None:
        self.logs = [tmp / f"worker-{time.monotonic_ns()}-{i}.log" for i in range(n)]
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-m", "bot", "worker"],
                cwd=tmp,
                env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                stdout=subprocess.DEVNULL,
                stderr=log.open("wb"),
            )
            for log in self.logs
        ]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()

    def tail(self) -> str:
        return "\n".join(log.read_text(errors="replace")[-2000:] for log in self.logs)


def hold_leader_lock(url: str) -> Any:
    """A connection holding the leader lock: no worker's scheduler starts while it is open."""
    import psycopg

    from bot.service.leader import LEADER_LOCK
    from bot.tasks.postgres import libpq_url

    connection = psycopg.connect(libpq_url(url), autocommit=True)
    connection.execute("SELECT pg_advisory_lock(%s)", (LEADER_LOCK,))
    return connection


_connections: dict[str, Any] = {}


def _connection(url: str) -> Any:
    """One connection per database for this process's queries: polling the queue four times
    a second with a new connection each time cost PostgreSQL a backend start each, CPU the
    workers being measured share."""
    import psycopg

    from bot.tasks.postgres import libpq_url

    connection = _connections.get(url)
    if connection is None or connection.closed or connection.broken:
        connection = _connections[url] = psycopg.connect(libpq_url(url), autocommit=True)
    return connection


def sql_one(url: str, query: str) -> Any:
    row = _connection(url).execute(query).fetchone()
    return row[0] if row else None


def wait_until(check: Any, timeout: float, what: str, workers: Workers) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}\n{workers.tail()}")
        if any(p.poll() is not None for p in workers.procs):
            raise SystemExit(f"a worker exited while waiting for {what}\n{workers.tail()}")
        time.sleep(0.25)


def sql_all(url: str, query: str) -> list[tuple[Any, ...]]:
    return list(_connection(url).execute(query).fetchall())


def queue_empty(url: str) -> bool:
    return not sql_one(
        url, "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
    )


def registered_workers(url: str) -> int:
    return int(sql_one(url, "SELECT count(*) FROM procrastinate_workers") or 0)


def prepare_database(url: str, nlp_model: str) -> Any:
    """A reset, migrated database with the queue's tables; its core (this process)."""
    from bot.core import Briefbot
    from bot.runtime import task_queue

    reset_database(url)
    settings = settings_for(
        url, TASK_QUEUE="postgres", FETCH_ALLOW_PRIVATE="true", NLP_MODEL=nlp_model
    )
    core = Briefbot(settings)
    queue = task_queue(settings)  # creates procrastinate's tables
    return core, queue


# -- ingest -----------------------------------------------------------------------------------


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a live process on this machine, 0 if unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def database_cpu(url: str) -> float:
    """CPU seconds of the PostgreSQL backends serving the bench database right now (local
    server only): read before the workers stop, their connections' backends still live."""
    pids = sql_all(
        url,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()",
    )
    return sum(_proc_cpu(int(pid)) for (pid,) in pids)


def ingest_run(
    url: str,
    n_workers: int,
    feeds: list[str],
    env: dict[str, str],
    tmp: Path,
    server_pid: int | None = None,
) -> dict[str, Any]:
    from bot.jobs.tasks import defer_ingest_round
    from storage import sources as source_store
    from storage import topics as topic_store
    from storage.db import transaction

    core, queue = prepare_database(url, env["NLP_MODEL"])
    with transaction(core.factory) as session:
        topic = topic_store.get_or_create(session, "scale")
        topic.last_wanted_at = datetime.now(UTC)  # polled: the leader's round includes it
        for feed in feeds:
            row = source_store.get_or_create(session, "feed", feed)
            topic_store.attach_source(session, topic, row)
    leader = hold_leader_lock(url)
    cpu_before, sys_before = _children_cpu(), _children_cpu(system=True)
    workers = Workers(n_workers, env, tmp)
    try:
        wait_until(lambda: registered_workers(url) >= n_workers, 120, "workers", workers)
        server_before = _proc_cpu(server_pid) if server_pid else 0.0
        db_before = database_cpu(url)
        started = time.perf_counter()
        queued = defer_ingest_round(core, queue)
        wait_until(lambda: queue_empty(url), 1800, "the ingest tasks", workers)
        seconds = time.perf_counter() - started
        # The database's and the page server's share: CPU the workers' wall time also needs.
        db_cpu = database_cpu(url) - db_before
        server_cpu = (_proc_cpu(server_pid) - server_before) if server_pid else 0.0
    finally:
        workers.stop()
        leader.close()
        queue.close()
    # The workers' own CPU seconds (start-up included): what one worker costs per page,
    # whatever else the machine is running.
    cpu = _children_cpu() - cpu_before
    system_cpu = _children_cpu(system=True) - sys_before
    pages = int(sql_one(url, "SELECT count(*) FROM articles") or 0)
    failed = int(sql_one(url, "SELECT count(*) FROM procrastinate_jobs WHERE status='failed'"))
    core.close()
    return {
        "workers": n_workers,
        "tasks": queued,
        "seconds": round(seconds, 2),
        "pages": pages,
        "pages_per_s": round(pages / seconds, 2),
        "sources_per_s": round(len(feeds) / seconds, 2),
        "failed_tasks": failed,
        "worker_cpu_s": round(cpu, 1),
        "worker_system_cpu_s": round(system_cpu, 1),
        "pages_per_worker_cpu_s": round(pages / cpu, 2) if cpu else None,
        "database_cpu_s": round(db_cpu, 1),
        "page_server_cpu_s": round(server_cpu, 1),
    }


def _children_cpu(*, system: bool = False) -> float:
    """CPU seconds of this process's children that have ended (the workers, once reaped);
    `system`: the kernel's part only."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_stime if system else usage.ru_utime + usage.ru_stime


# -- digest round -----------------------------------------------------------------------------


# Every digest article states this, so the fake LLM's one canned bullet is supported by
# whichever article it cites (an unsupported bullet would make the brief fall back offline).
LEAD = "The harbour council approved the new budget of 12 million euros on Tuesday."


def write_topic_articles(folder: Path, topic: str, count: int, now: datetime, seed: int) -> None:
    text = SyntheticText(seed)
    folder.mkdir(parents=True, exist_ok=True)
    slug = topic.replace(" ", "-")
    for i in range(count):
        published = now - timedelta(hours=2 + i)
        (folder / f"{slug}-{i}.md").write_text(
            "---\n"
            f"title: {topic.title()}: {text.title()}\n"
            f"outlet: Outlet {i}\n"
            f"published: {published.isoformat()}\n"
            f"url: https://news{i}.example.com/{slug}/{i}\n"
            f"---\n{topic.title()}. {LEAD} {text.paragraph(3)}\n\n{text.article(2, 3)}\n",
            encoding="utf-8",
        )


def llm_reply(request: Any) -> Any:
    """The fake LLM's answer to one brief prompt: LEAD, citing the prompt's first article."""
    import re

    from testkit.fake_llm import ok_json

    found = re.search(r'<article id="([^"]+)">', request.user)
    return ok_json(
        {
            "key_provisions": [{"text": LEAD, "source_ids": [found.group(1) if found else "?"]}],
            "open_questions": [],
            "next_steps": [],
        }
    )


def digest_round(
    url: str, subscriptions: int, topics: int, env: dict[str, str], tmp: Path, bench: Bench
) -> dict[str, Any]:
    from bot.jobs.tasks import defer_due_digests
    from storage import subscriptions as subscription_store
    from storage import topics as topic_store
    from storage.db import transaction
    from testkit.fake_llm import FakeLLMServer

    core, queue = prepare_database(url, env["NLP_MODEL"])
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    due = now - timedelta(minutes=2)
    names = [f"scale topic {k:03d}" for k in range(topics)]
    folder = tmp / "articles"
    for k, name in enumerate(names):
        write_topic_articles(folder / str(k), name, 3, now, seed=k)
    bench.say(f"setup: ingesting {3 * topics} articles for {topics} topics")
    for k, name in enumerate(names):
        core.ingest([str(folder / str(k))], topic=name)
    channels = max(1, subscriptions // SUBS_PER_CHANNEL)
    ids = []
    with transaction(core.factory) as session:
        rows = {name: topic_store.get_or_create(session, name) for name in names}
        for i in range(subscriptions):
            channel, slot = i % channels, i // channels
            name = names[(channel * SUBS_PER_CHANNEL + slot) % topics]
            row, _ = subscription_store.upsert(
                session,
                team_id=TEAM,
                channel_id=f"C{channel:06d}",
                topic=rows[name],
                hour=due.hour,
                minute=due.minute,
                timezone="UTC",
                created_by="U0BENCH",
            )
            ids.append(row.id)
    slack = fake_slack()
    slack.start()
    slack.enforce_channel_rate(1.0)
    llm = FakeLLMServer().start()
    llm.responder = llm_reply
    worker_env = {
        **env,
        "SLACK_API_URL": slack.base_url,
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_API_KEY": "sk-bench",
        "SUMMARIZER": "llm",
    }
    leader = hold_leader_lock(url)
    bench.say(f"setup: deferring {len(ids)} digests")
    started_defer = time.perf_counter()
    deferred = defer_due_digests(core, queue)
    assert deferred == len(ids), (deferred, len(ids))
    defer_seconds = time.perf_counter() - started_defer
    workers = Workers(2, worker_env, tmp)
    try:
        started = time.perf_counter()
        wait_until(lambda: queue_empty(url), 3600, "the digest tasks", workers)
        seconds = time.perf_counter() - started
        time.sleep(1.0)
    finally:
        workers.stop()
        leader.close()
        queue.close()
    if len(llm.requests) != topics:
        bench.say("worker logs (tail):\n" + workers.tail())
    sent = int(sql_one(url, "SELECT count(*) FROM deliveries WHERE status = 'sent'"))
    rows = int(sql_one(url, "SELECT count(*) FROM deliveries"))
    posts = slack.posted_messages()
    by_delivery: dict[Any, int] = {}
    for post in posts:
        metadata = post.get("metadata") or {}
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        key = (metadata.get("event_payload") or {}).get("delivery_id")
        by_delivery[key] = by_delivery.get(key, 0) + 1
    duplicated = sum(c - 1 for c in by_delivery.values() if c > 1)
    lost = subscriptions - len(by_delivery)
    result = {
        "subscriptions": subscriptions,
        "topics": topics,
        "channels": channels,
        "workers": 2,
        "defer_seconds": round(defer_seconds, 2),
        "seconds": round(seconds, 2),
        "posts": len(posts),
        "posts_per_s": round(len(posts) / seconds, 2),
        "deliveries_sent": sent,
        "delivery_rows": rows,
        "lost": lost,
        "duplicated": duplicated,
        "pacing_429s": slack.rate_limited,
        "llm_calls": len(llm.requests),
        "topic_windows": topics,
        "briefs_per_s": round(topics / seconds, 2),
        "failed_tasks": int(
            sql_one(url, "SELECT count(*) FROM procrastinate_jobs WHERE status='failed'")
        ),
    }
    slack.stop()
    llm.stop()
    core.close()
    return result


def sizes(url: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for table in ("articles", "article_sentences", "article_analyses", "deliveries"):
        rows = int(sql_one(url, f"SELECT count(*) FROM {table}") or 0)
        heap = int(sql_one(url, f"SELECT pg_table_size('{table}')") or 0)
        index = int(sql_one(url, f"SELECT pg_indexes_size('{table}')") or 0)
        out[table] = {
            "rows": rows,
            "table_bytes": heap,
            "index_bytes": index,
            "bytes_per_row": round((heap + index) / rows) if rows else None,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--database-url", required=True, help="PostgreSQL; its schema is reset")
    p.add_argument("--feeds", type=int, default=200)
    p.add_argument("--pages-per-feed", type=int, default=10)
    p.add_argument("--subscriptions", type=int, default=5000)
    p.add_argument("--topics", type=int, default=200)
    p.add_argument("--concurrency", type=int, default=4, help="WORKER_CONCURRENCY, ingest")
    p.add_argument("--digest-concurrency", type=int, default=8, help="WORKER_CONCURRENCY, digests")
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--skip-ingest", action="store_true")
    p.add_argument("--skip-digest", action="store_true")
    p.add_argument("--nlp-model", default="auto")
    args = p.parse_args(argv)
    if args.quick:
        args.feeds, args.pages_per_feed, args.subscriptions, args.topics = 10, 4, 100, 10
    quiet_logging()
    bench = Bench("scale_out", args)
    url = args.database_url
    bench.params(
        feeds=args.feeds,
        pages=args.feeds * args.pages_per_feed,
        subscriptions=args.subscriptions,
        topics=args.topics,
        worker_concurrency=args.concurrency,
        digest_worker_concurrency=args.digest_concurrency,
        repeats=args.repeats,
        cpus=os.cpu_count(),
    )
    env = {
        "DATABASE_URL": url,
        "TASK_QUEUE": "postgres",
        "WORKER_CONCURRENCY": str(args.concurrency),
        "INGEST_PROCESSES": "0",
        "FETCH_ALLOW_PRIVATE": "true",
        "FETCH_TIMEOUT": "60",
        "SLACK_BOT_TOKEN": "xoxb-bench-scale",
        "LOG_LEVEL": "WARNING",
        "NLP_MODEL": args.nlp_model,
        "TASK_STALLED_SECONDS": "60",
    }
    with tempfile.TemporaryDirectory(prefix="scale-out-") as name:
        tmp = Path(name)
        env["BRIEFBOT_DATA_DIR"] = str(tmp)
        if not args.skip_ingest:
            site = tmp / "site"
            server = StaticServer(site)
            try:
                pages = synthetic_pages(args.feeds * args.pages_per_feed)
                feeds = write_feeds(site, pages, args.feeds, server.root_url)
                runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
                for r in range(args.repeats):
                    for n in (1, 2) if r % 2 == 0 else (2, 1):
                        load = os.getloadavg()[0]
                        run = ingest_run(url, n, feeds, env, tmp, server.proc.pid)
                        run["load_before"] = round(load, 2)
                        run["load_after"] = round(os.getloadavg()[0], 2)
                        runs[n].append(run)
                        bench.say(f"ingest, {n} worker(s): {run}")
                bench.result.setdefault("sizes", {}).update(sizes(url))
            finally:
                server.stop()
            one = sorted(r["pages_per_s"] for r in runs[1])[len(runs[1]) // 2]
            two = sorted(r["pages_per_s"] for r in runs[2])[len(runs[2]) // 2]
            bench.ours(ingest_runs=runs, pages_per_s_1=one, pages_per_s_2=two)
            pairs = zip(runs[1], runs[2], strict=True)
            ratios = [b["pages_per_s"] / a["pages_per_s"] for a, b in pairs]
            bench.note("ingest_ratios_per_repeat", [round(x, 2) for x in ratios])
            bench.goal(
                f"2 workers >= {GOAL_RATIO}x 1 worker (pages/s)",
                two / one >= GOAL_RATIO,
                f"{two:.1f} vs {one:.1f} pages/s = {two / one:.2f}x",
            )
        if not args.skip_digest:
            digest_env = {**env, "WORKER_CONCURRENCY": str(args.digest_concurrency)}
            result = digest_round(url, args.subscriptions, args.topics, digest_env, tmp, bench)
            bench.say(f"digest round: {result}")
            bench.ours(digest=result)
            sized = sizes(url)
            bench.result.setdefault("sizes", {})["deliveries"] = sized["deliveries"]
            bench.goal(
                "digest round: 0 lost, 0 duplicated, 0 pacing 429s, 1 LLM call per topic-window",
                result["lost"] == 0
                and result["duplicated"] == 0
                and result["pacing_429s"] == 0
                and result["llm_calls"] == result["topic_windows"],
                f"lost {result['lost']}, duplicated {result['duplicated']}, "
                f"429s {result['pacing_429s']}, LLM calls {result['llm_calls']} for "
                f"{result['topic_windows']} topic-windows, {result['posts']} posts in "
                f"{result['seconds']} s",
            )
        bench.say(f"sizes: {json.dumps(bench.result.get('sizes'))}")
    bench.finish()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
