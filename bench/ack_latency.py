"""`/brief` ack latency over real HTTP while a digest round runs in the serving process.

    .venv/bin/python bench/ack_latency.py [--quick] [--json] [--clients 20] [--bursts 72]
        [--repeats 6] [--scenarios bolt,digest,...] [--profile DIR] [--tree DIR]

- Three processes, so that the load generator and the fake Slack do not share the measured
  server's interpreter (GIL): this one (the load generator), the fake Slack Web API
  (testkit/slackfake, behind SLACK_API_URL, also the commands' response_url), and the app:
  briefbot's WSGI server (`bot.slack.server.http_server`: waitress, 8 threads, as in
  `briefbot serve --http`) around the runtime `build_runtime` wires, on a fresh SQLite database.
- Load: bursts of `--clients` (20) simultaneous signed `/brief ukraine` slash commands, a new
  connection per request; after each burst, until the app has posted every brief asked for,
  then 0.2 s. Latency is from connecting to the last byte of the ack ("Working on a brief of
  ukraine…"). Every /brief also starts its real work (brief, chat.postMessage, record).
- Ours (`digest`): the same load while digest rounds run back to back in the app process: 50
  daily subscriptions (5 topics x 10 channels, 30 articles each), delivered 10 at a time (the
  scheduler's thread pool); before each round every topic gets one new article, so each round
  computes 5 new briefs (claims, brief, compare, render, post, record: everything
  `deliver_digest` does).
- Yardstick, same run, same load (`bolt`): a bare Bolt app whose /brief only acks (same
  waitress server). Others on demand (`--scenarios`): briefbot with no digest (`idle`), the
  code before past changes, and `tree` (the app of another checkout, `--tree DIR`).
- Interleaved: `--repeats` (6) times, every scenario runs its share of the bursts (72 in all:
  12 per scenario and repeat), in a rotated order. Judged by the **median over the repeats of
  each repeat's p99** (a repeat's p99 is its 2-3 slowest acks: one stall of the shared machine
  moves it 2x), beside bare Bolt's, and the median of the per-repeat ratios (repeat n of both
  ran a minute apart under the same load). About 4 minutes for `bolt,digest`.
- Inside the app, per request: `queued` (accepted to a server thread starting on it),
  `served` (the server thread's time), of which `to_ack` (to the listener's `ack()` call) and
  `after_ack`, and `served_cpu` (that thread's CPU: the rest of `served` is waiting for the
  GIL or a CPU); its GC pauses during the load. `--profile DIR`: cProfile (thread CPU) of the
  acks, the digest deliveries, the rounds' ingest and the /brief work, per scenario-repeat.
- Goals: p99 <= 50 ms during the digest round; no "database is locked" in the app's or the
  worker's logs (their stderr, kept per scenario); every /brief answered.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    SCHEDULER_THREADS,
    Bench,
    digest_time,
    fmt_stats,
    parser,
    quiet_logging,
    settings_for,
    stats_ms,
    subscribe_channels,
    write_articles,
)

GOAL_P99_MS = 50.0
_REQUEST_IDS = itertools.count()
SECRET = "bench-signing-secret-0123456789"
BOT_TOKEN = "xoxb-bench-ack"
BRIEF_TOPIC = "ukraine"
DIGEST_TOPICS = ("energy", "shipping", "minerals", "sanctions", "elections")
# name: (label, app mode, where the digest rounds run)
SCENARIOS: dict[str, tuple[str, str, str]] = {
    "bolt": ("baseline: bare Bolt, ack only", "bolt", "none"),
    "idle": ("baseline: briefbot, no digest", "briefbot", "none"),
    "digest": ("ours: briefbot, digest round in-process", "briefbot", "in-process"),
    "inthread": ("before: digest, briefs in serving threads", "briefbot", "in-process"),
    "worker": ("also: briefbot, digest round in a worker", "briefbot", "worker"),
    "pool": ("ours, BRIEF_PROCESSES=2: digest in-process", "briefbot", "in-process"),
    "before": ("before: digest in-process, no ack priority", "briefbot", "in-process"),
    "unpaused": ("before: digest in-process, no pauses/warm-up", "briefbot", "in-process"),
    "patient": ("try: digest, work waits for acks 1 s/quiet 0.3", "briefbot", "in-process"),
    "lazy": ("before: digest, /brief work via a Bolt lazy listener", "briefbot", "in-process"),
    "tree": ("before: digest, the app of --tree's code", "briefbot", "in-process"),
}
# Experiments: the app's environment per scenario (read in `serve_app`).
SCENARIO_ENV: dict[str, dict[str, str]] = {
    "patient": {"BENCH_ACK_YIELD": "1.0", "BENCH_ACK_QUIET": "0.3"},
    "lazy": {"BENCH_BRIEF_LAZY": "1"},
}
# Scenarios whose app runs without the serving process's ack priority (Python's default 5 ms
# GIL switch interval; listener pools not yielding to acks): the code before it, same run.
NO_ACK_PRIORITY = {"before"}
# BRIEF_PROCESSES per scenario; unset (the others): as `briefbot serve` has it, its default
# (`bot.runtime.default_serve_brief_processes`). The code before 2 Dec 06:30 made offline
# briefs in the serving process's threads unless told otherwise: `inthread`, and the older
# code of `before` and `unpaused`.
BRIEF_POOL = {"pool": "2", "inthread": "0", "before": "0", "unpaused": "0"}
# Scenarios whose app runs the ack priority as it was before 2 Dec 03:00 (the code before it,
# same run): listener work waits for acks only before it starts, running work never pauses
# (no `AckGate.pause` at transactions and Slack calls), no quiet time after a burst, and the
# NLP pipeline is loaded by the first request that needs it, not at start.
UNPAUSED = {"unpaused"}


# -- child processes -------------------------------------------------------------------------


def _emit(obj: dict[str, Any]) -> None:
    with contextlib.suppress(BrokenPipeError):  # the parent is gone: nobody to tell
        print(json.dumps(obj), flush=True)


def serve_fake_slack() -> int:
    """Child: the fake Slack until stdin closes; then how many messages it accepted."""
    from bench._common import fake_slack

    with fake_slack() as fake:
        _emit({"base_url": fake.base_url, "root_url": fake.root_url})
        sys.stdin.read()  # until the parent closes our stdin
        _emit(
            {
                "posted": len(fake.posted_messages()),
                "response_posts": len(fake.response_posts()),
                "violations": len(fake.violations),
            }
        )
    return 0


def prepare(db: str, subscriptions: int, articles: int = 30) -> int:
    """The database the app and the worker open: articles of every topic in the last 12 h and
    `subscriptions` digests (spread over DIGEST_TOPICS). Returns how many were created."""
    from bot.core import Briefbot

    core = Briefbot(app_settings("http://127.0.0.1:9/api/", db))
    now = core.clock()
    tmp = Path(db).parent
    for topic in (BRIEF_TOPIC, *DIGEST_TOPICS):
        core.ingest([str(write_articles(tmp / topic, topic, articles, now=now))], topic=topic)
    created = 0
    per_topic = subscriptions // len(DIGEST_TOPICS)
    for k, topic in enumerate(DIGEST_TOPICS):
        count = per_topic + (1 if k < subscriptions % len(DIGEST_TOPICS) else 0)
        channels = [f"C{topic[:3].upper()}{n:03d}" for n in range(count)]
        created += len(subscribe_channels(core, topic, channels, **digest_time(now)))
    with core.engine.begin() as connection:  # everything in the main file: it gets copied
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    core.close()
    return created


def app_settings(slack_url: str, db: str) -> Any:
    return settings_for(
        f"sqlite:///{db}",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack_url,
        NEWS_SEARCH_FEED_URL=slack_url + "nosuchfeed?q={query}",
        FETCH_ALLOW_PRIVATE="true",
        BRIEF_PROCESSES=os.environ.get("BENCH_BRIEF_PROCESSES", ""),  # "": the default
    )


class DigestLoop:
    """Digest rounds back to back until stopped: the prepared subscriptions, then as many new
    ones (new channels, same topics) per round, so that every round is a set of first digests
    over a full 24 h window, like a daily round. Before each round every topic gets one new
    article, so each round briefs anew."""

    def __init__(self, core: Any, client: Any, db: str) -> None:
        from bot.slack.client import SingleWorkspaceClients
        from storage import subscriptions as subscription_store

        self.core = core
        self.clients = SingleWorkspaceClients(core.settings, client)
        self.tmp = Path(db).parent / f"digest-{id(self)}"
        with core.factory() as session:
            active = subscription_store.all_active(session)
            self.subscriptions = [s.id for s in active]
            self.topics = sorted({s.topic.name for s in active})
        self.rounds: list[dict[str, Any]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        if not self.subscriptions:
            return
        self.thread.start()
        while not self.rounds and self.thread.is_alive():  # until the first round is under way
            time.sleep(0.01)

    def _run(self) -> None:
        from bench._common import count_statuses, digest_round

        core, n = self.core, 0
        per_topic = len(self.subscriptions) // max(len(self.topics), 1)
        subscriptions = self.subscriptions
        while not self.stop.is_set():
            n += 1
            self.rounds.append({"started": time.time(), "seconds": None, "outcomes": {}})
            if n > 1:  # a new set of channels: first digests, a full 24 h window each
                subscriptions = []
                for topic in self.topics:
                    channels = [f"C{topic[:3].upper()}R{n}X{k}" for k in range(per_topic)]
                    subscriptions += subscribe_channels(
                        core, topic, channels, **digest_time(core.clock())
                    )
            for topic in self.topics:  # something new in every topic
                folder = write_articles(
                    self.tmp / f"{n}-{topic}", topic, 1, now=core.clock(), seed=1000 + n
                )
                for path in folder.glob("*.md"):  # a URL of its own: a new article
                    path.write_text(path.read_text().replace("/0\n", f"/r{n}\n"))
                with profiled("digest_ingest"):
                    core.ingest([str(folder)], topic=topic)
            scheduled = core.clock().replace(second=0, microsecond=0) + timedelta(minutes=n)
            outcomes = digest_round(core, self.clients, subscriptions, scheduled)
            self.rounds[-1]["seconds"] = round(time.time() - self.rounds[-1]["started"], 3)
            self.rounds[-1]["outcomes"] = count_statuses(outcomes)

    def finish(self) -> dict[str, Any]:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=300)
        done = [r for r in self.rounds if r["seconds"] is not None]
        return {
            "rounds": len(done),
            "digests": sum(r["outcomes"].get("sent", 0) for r in done),
            "round_seconds": [r["seconds"] for r in done],
            "outcomes": [r["outcomes"] for r in done],
        }


_profiles: dict[str, list[Any]] = {}
_profiles_lock = threading.Lock()


@contextlib.contextmanager
def profiled(name: str) -> Any:
    """With BENCH_PROFILE set (`--profile`): cProfile of this thread's CPU (`time.thread_time`:
    not the time spent waiting for the GIL or a CPU) for the block, kept under `name`."""
    if not os.environ.get("BENCH_PROFILE"):
        yield
        return
    import cProfile

    profile = cProfile.Profile(time.thread_time)
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        with _profiles_lock:
            _profiles.setdefault(name, []).append(profile)


def save_profiles() -> dict[str, float]:
    """Each kind's profiles as one pstats file under BENCH_PROFILE; CPU seconds per kind."""
    import pstats

    folder = Path(os.environ.get("BENCH_PROFILE", ""))
    totals: dict[str, float] = {}
    if not os.environ.get("BENCH_PROFILE"):
        return totals
    folder.mkdir(parents=True, exist_ok=True)
    with _profiles_lock:
        for name, profiles in _profiles.items():
            stats = pstats.Stats(profiles[0])
            for more in profiles[1:]:
                stats.add(more)
            stats.dump_stats(str(folder / f"{name}.prof"))
            totals[name] = round(float(stats.total_tt), 3)  # type: ignore[attr-defined]
    return totals


def profile_app_work() -> None:
    """With BENCH_PROFILE: the digest round's deliveries and the /brief work profiled too."""
    if not os.environ.get("BENCH_PROFILE"):
        return
    import functools

    from bot.jobs import digest as digest_module
    from bot.slack.brief_command import BriefCommand

    deliver, run = digest_module.deliver_digest, BriefCommand.run

    @functools.wraps(deliver)
    def profiled_deliver(*args: Any, **kwargs: Any) -> Any:
        with profiled("digest_deliver"):
            return deliver(*args, **kwargs)

    @functools.wraps(run)
    def profiled_run(*args: Any, **kwargs: Any) -> Any:
        with profiled("brief_work"):
            return run(*args, **kwargs)

    digest_module.deliver_digest = profiled_deliver  # type: ignore[assignment]
    BriefCommand.run = profiled_run  # type: ignore[method-assign]


def trace_requests() -> dict[str, list[float]]:
    """Where each request's time went inside the app, from waitress's own steps: from the
    connection accepted to a worker thread starting on the request (`queued`: the server's
    loop reading it, then waiting for one of its 8 threads), the worker's time on it
    (`served`: our front door, Bolt, the ack written), and of that, the CPU the worker thread
    itself used (`served_cpu`; the rest is waiting for the GIL or for a CPU); of `served`,
    the part before the listener's `ack()` (`to_ack`: front door, Bolt's parsing, middleware,
    the listener) and after it (`after_ack`: Bolt handing the lazy work over, the response
    written)."""
    from slack_bolt.context.ack.ack import Ack
    from waitress.channel import HTTPChannel

    phases: dict[str, list[float]] = {
        "queued": [],
        "served": [],
        "served_cpu": [],
        "to_ack": [],
        "after_ack": [],
    }
    init, service, ack = HTTPChannel.__init__, HTTPChannel.service, Ack.__call__
    acked = threading.local()

    def traced_ack(self: Any, *args: Any, **kwargs: Any) -> Any:
        acked.at = time.perf_counter()
        return ack(self, *args, **kwargs)

    def traced_init(self: Any, *args: Any, **kwargs: Any) -> None:
        self.bench_created = time.perf_counter()
        init(self, *args, **kwargs)

    def traced_service(self: Any) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        acked.at = None
        try:
            with profiled("ack"):
                service(self)
        finally:
            ended = time.perf_counter()
            if len(phases["served"]) < 100_000:
                phases["queued"].append(started - self.bench_created)
                phases["served"].append(ended - started)
                phases["served_cpu"].append(time.thread_time() - cpu)
                if acked.at is not None:
                    phases["to_ack"].append(acked.at - started)
                    phases["after_ack"].append(ended - acked.at)

    HTTPChannel.__init__ = traced_init  # type: ignore[method-assign]
    HTTPChannel.service = traced_service  # type: ignore[method-assign]
    Ack.__call__ = traced_ack  # type: ignore[method-assign]
    return phases


def serve_app(mode: str, slack_url: str, db: str, digest: bool, http: bool) -> int:
    """Child: the app on 127.0.0.1:0 (prints {"port"}) and/or the digest loop ("start" starts
    it; "stop" stops it and prints the rounds' figures)."""
    import gc
    import logging

    quiet_logging()
    logging.getLogger("bot.core").setLevel(logging.ERROR)  # the FETCH_ALLOW_PRIVATE warning
    # Garbage-collector pauses stop every thread, acks too: timed, to tell them from the GIL.
    # Only those while the load runs (start-up's, before `gc.freeze()`, are no ack's wait);
    # the objects a full collection walked are counted after the run, not in the app's time.
    # The CPU a pause used tells a collection's own work from the process waiting for a CPU.
    pauses: list[tuple[int, float]] = []
    pause_cpu: list[float] = []
    gc_started = [0.0, 0.0]
    load_running = threading.Event()

    def time_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[:] = [time.perf_counter(), time.thread_time()]
        elif load_running.is_set():
            pauses.append((info["generation"], time.perf_counter() - gc_started[0]))
            pause_cpu.append(time.thread_time() - gc_started[1])

    gc.callbacks.append(time_gc)
    phases = trace_requests()
    from bot.core import Briefbot
    from bot.runtime import serving_settings
    from bot.slack.client import make_web_client
    from bot.slack.server import http_server

    settings = app_settings(slack_url, db)
    if http and mode == "briefbot":  # answering Slack: as `briefbot serve` sets it up
        settings = serving_settings(settings)
    client = make_web_client(settings, BOT_TOKEN)
    core = Briefbot(settings)
    server = None
    if http and mode == "bolt":
        from slack_bolt import App

        app = App(client=client, signing_secret=SECRET, token_verification_enabled=False)

        @app.command("/brief")
        def ack_only(ack: Any) -> None:
            ack(text="Working on it…")

        server = http_server(app, lambda: True, host="127.0.0.1", port=0)
    elif http:
        _brief_via_bolt_lazy_listener()
        server = _briefbot_server(settings, core, client)
    _ack_yield_experiment()
    profile_app_work()
    if server is not None:
        threading.Thread(target=server.run, daemon=True).start()
    loop = DigestLoop(core, client, db) if digest else None
    _emit({"port": server.effective_port if server is not None else None})
    for line in sys.stdin:
        command = line.strip()
        if command == "start":
            with _profiles_lock:  # the warm-up's requests (first calls: imports, auth.test) out
                _profiles.clear()
            if loop is not None:
                loop.start()
            load_running.set()
            _emit({"started": True})
        elif command == "stop":
            break
    load_running.clear()
    figures = loop.finish() if loop is not None else {"rounds": 0, "digests": 0}
    slow = sorted((seconds for _, seconds in pauses), reverse=True)
    figures["gc_during_load"] = {
        "collections": len(pauses),
        "full": sum(1 for generation, _ in pauses if generation == 2),
        "longest_ms": [round(x * 1000, 1) for x in slow[:5]],
        "longest_full_ms": round(max((x for g, x in pauses if g == 2), default=0) * 1000, 1),
        "objects_tracked_after": len(gc.get_objects()),
        "frozen": gc.get_freeze_count(),
        "over_20ms": sum(1 for x in slow if x > 0.02),
        "cpu_ms_longest": [round(x * 1000, 1) for x in sorted(pause_cpu, reverse=True)[:5]],
        "cpu_ms_total": round(sum(pause_cpu) * 1000, 1),
    }
    figures["phases"] = {name: stats_ms(values) for name, values in phases.items()}
    figures["brief_processes"] = settings.brief_processes
    figures["profiled_cpu_s"] = save_profiles()
    _emit(figures)
    if server is not None:
        server.close()
    return 0


def _briefbot_server(settings: Any, core: Any, client: Any) -> Any:
    """Our app as `briefbot serve` sets it up, or with the ack priority off (the "before" and
    "unpaused" scenarios)."""
    import gc

    from bot.runtime import build_runtime
    from bot.slack import pools
    from bot.slack.server import http_server
    from storage.db import ping

    runtime = build_runtime(
        settings, socket_mode=False, with_scheduler=False, core=core, client=client
    )
    # The "before" scenario (no ack priority at all) has none of the pauses either.
    before = os.environ.get("BENCH_ACK_PRIORITY") == "0"
    if os.environ.get("BENCH_UNPAUSED") == "1" or before:
        pools.ACK_QUIET_SECONDS = 0.0
        pools.AckGate.pause = lambda self: None  # type: ignore[method-assign]
    else:  # as `briefbot serve` does
        runtime.warm_up()
    server = http_server(runtime.app, lambda: ping(core.engine), host="127.0.0.1", port=0)
    if before:
        sys.setswitchinterval(0.005)
        pools.ACK_YIELD_SECONDS = 0.0
        gc.unfreeze()
    return server


def _brief_via_bolt_lazy_listener() -> None:
    """The code before 2 Dec 10:15 (BENCH_BRIEF_LAZY, scenario `lazy`): `/brief` acked by a
    listener that only parses, its work handed to the listener pool by a Bolt lazy listener
    (Bolt copies the request for it before writing the ack, and runs it on its own pool)."""
    if os.environ.get("BENCH_BRIEF_LAZY") != "1":
        return
    from bot.slack.listeners import commands
    from bot.slack.listeners.commands import brief

    def register(app: Any, features: Any, pools: Any) -> None:
        def parse_and_ack(ack: Any, command: dict[str, Any], context: Any) -> None:
            context["bench_parsed"] = brief.parse_and_ack(ack, command)

        def work(command: dict[str, Any], respond: Any, context: Any) -> None:
            if context.get("bench_parsed") is not None:
                brief.hand_over(
                    context["bench_parsed"],
                    command,
                    respond,
                    brief_command=features.brief_command,
                    pools=pools,
                )

        app.command("/brief")(ack=parse_and_ack, lazy=[work])

    commands.register = register  # type: ignore[assignment]


def _ack_yield_experiment() -> None:
    """Experiments: how long slow work waits for acks (BENCH_ACK_YIELD, BENCH_ACK_QUIET)."""
    if os.environ.get("BENCH_ACK_YIELD"):
        from bot.slack import pools

        pools.ACK_YIELD_SECONDS = float(os.environ["BENCH_ACK_YIELD"])
        pools.ACK_QUIET_SECONDS = float(os.environ.get("BENCH_ACK_QUIET", "0.1"))


# -- the load generator ----------------------------------------------------------------------


class Child:
    def __init__(
        self, *args: str, log: Path | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.log = log.open("w") if log is not None else None
        script = Path(__file__).resolve()
        if env and env.get("BENCH_APP_TREE"):  # the `tree` scenario: another checkout's code
            script = Path(env["BENCH_APP_TREE"]).resolve() / "bench" / "ack_latency.py"
        self.proc = subprocess.Popen(
            [sys.executable, str(script), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env={**os.environ, **(env or {})},
        )

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"child {self.proc.args} exited with {self.proc.wait()}")
        return json.loads(line)

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close(self) -> dict[str, Any] | None:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            line = self.proc.stdout.readline() if self.proc.stdout else ""
            return json.loads(line) if line else None
        finally:
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            if self.log is not None:
                self.log.close()


def signed_request(port: int, response_url: str, channel: str) -> tuple[float, int, bytes]:
    from testkit.slackfake.signing import sign, slash_command_body

    body = slash_command_body(
        text=BRIEF_TOPIC, channel_id=channel, user_id="U0BENCH", response_url=response_url
    )
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(SECRET, body, ts),
    }
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/slack/events", body=body.encode(), headers=headers)
        response = connection.getresponse()
        payload = response.read()
        status = response.status
    finally:
        connection.close()
    return time.perf_counter() - started, status, payload


def briefs_posted(db: str) -> int:
    """How many /brief answers the app has posted and recorded (read from its database)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(db, timeout=30)) as connection:
        row = connection.execute("SELECT count(*) FROM deliveries WHERE kind = 'brief'")
        return int(row.fetchone()[0])


def load(
    port: int, slack_root: str, clients: int, bursts: int, gap: float, db: str | None
) -> dict[str, Any]:
    """`bursts` bursts of `clients` simultaneous /brief requests. After each burst: wait until
    the app has posted every brief the burst asked for (its lazy work is done), then `gap`
    seconds, so that each burst meets the digest round, not a backlog of earlier bursts."""
    latencies: list[float] = []
    slowest_in_burst = [0.0] * bursts  # where a p99 comes from: one slow burst, or all
    drain_waits: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(k: int) -> None:
        for n in range(bursts):
            barrier.wait()  # all clients fire together
            # Unique per request: the app refuses a replayed request (same body and time).
            url = f"{slack_root}/response/c{k}-{n}-{next(_REQUEST_IDS)}"
            try:
                seconds, status, payload = signed_request(port, url, f"CLOAD{k:03d}")
                ok = status == 200 and b"Working on" in payload
            except OSError as err:
                seconds, ok, status, payload = 0.0, False, 0, str(err).encode()
            with lock:
                if ok:
                    latencies.append(seconds)
                    slowest_in_burst[n] = max(slowest_in_burst[n], seconds)
                else:
                    failures.append(f"{status} {payload[:200]!r}")
            barrier.wait()  # the burst is over when every ack is in
            if k == 0 and db:
                waited = time.perf_counter()
                deadline = time.monotonic() + 60
                while briefs_posted(db) < expected + (n + 1) * clients:
                    if time.monotonic() > deadline:
                        missing = expected + (n + 1) * clients - briefs_posted(db)
                        failures.append(
                            f"burst {n}: {missing} brief(s) asked for so far not posted "
                            "within 60 s (counted over all bursts: one lost brief fails "
                            "every later burst too)"
                        )
                        break
                    time.sleep(0.02)
                drain_waits.append(time.perf_counter() - waited)
            if k == 0:
                time.sleep(gap)

    expected = briefs_posted(db) if db else 0
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "latencies": latencies,
        "stats": stats_ms(latencies),
        "failures": failures,
        "wall_s": round(wall, 2),
        "lazy_work_drain": stats_ms(drain_waits),
        "slowest_ack_per_burst_ms": [round(x * 1000, 1) for x in slowest_in_burst],
    }


def scenario(
    bench: Bench,
    label: str,
    tmp: Path,
    args: Any,
    *,
    mode: str = "briefbot",
    digest: str = "none",  # none | in-process | worker
    brief_processes: str = "",
    ack_priority: bool = True,
    unpaused: bool = False,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    folder = tmp / f"scenario-{len(list(tmp.iterdir()))}"
    folder.mkdir()
    db = str(folder / "bench.db")
    template = tmp / "template" / "bench.db"
    if not template.exists():  # articles and subscriptions, prepared once for all scenarios
        template.parent.mkdir()
        prepare(str(template), args.subscriptions, args.articles)
    shutil.copyfile(template, db)
    slack = Child("--role", "fake-slack")
    children: list[Child] = []
    result: dict[str, Any] = {}
    try:
        urls = slack.read()
        common = ["--slack-url", urls["base_url"], "--db", db, "--mode", mode]
        app = Child(
            "--role",
            "app",
            *common,
            *(["--digest"] if digest == "in-process" else []),
            log=folder / "app.log",
            env={
                "BENCH_BRIEF_PROCESSES": brief_processes,
                "BENCH_ACK_PRIORITY": "0" if ack_priority is False else "1",
                "BENCH_UNPAUSED": "1" if unpaused else "0",
                **(extra_env or {}),
            },
        )
        children.append(app)
        port = app.read()["port"]
        if digest == "worker":
            worker = Child(
                "--role", "app", *common, "--digest", "--no-http", log=folder / "worker.log"
            )
            children.append(worker)
            worker.read()
        posts = db if mode != "bolt" else None  # bare Bolt only acks: nothing to wait for
        load(port, urls["root_url"], min(args.clients, 5), 1, 0.0, posts)  # warm-up
        for child in children:
            child.send("start")
            child.read()
        result = load(port, urls["root_url"], args.clients, args.bursts_now, args.gap, posts)
        for child in children:
            child.send("stop")
        rounds = [child.read() for child in children]
        result["digest"] = max(rounds, key=lambda r: r.get("rounds", 0))
    finally:
        for child in children:
            child.close()
        result["slack"] = slack.close()
    # What the issue saw in the app's and worker's logs under this load.
    result["database_locked"] = sum(
        log.read_text(errors="replace").count("database is locked") for log in folder.glob("*.log")
    )
    # Where it happened: the log lines just before each occurrence (the failing call).
    samples = []
    for log in sorted(folder.glob("*.log")):
        lines = log.read_text(errors="replace").splitlines()
        for n, line in enumerate(lines):
            if "database is locked" in line and len(samples) < 3:
                context = [x for x in lines[max(0, n - 40) : n + 1] if x.strip()]
                samples.append("\n".join(context[-12:]))
    result["database_locked_samples"] = samples
    if result.get("failures"):  # the logs say why; the scenario's folder is deleted
        kept = Path(tempfile.gettempdir()) / f"ack_latency-logs-{os.getpid()}" / folder.name
        kept.mkdir(parents=True, exist_ok=True)
        for log in folder.glob("*.log"):
            shutil.copy(log, kept / log.name)
        result["logs_kept_in"] = str(kept)
        bench.say(f"  failures: the app's logs are kept in {kept}")
    digests = result["digest"]
    extra = (
        f"; {digests['rounds']} digest rounds ({digests['digests']} digests)"
        if digest != "none"
        else ""
    )
    failed = f"; {len(result['failures'])} FAILED" if result["failures"] else ""
    locked = result["database_locked"]
    bench.say(
        f"{label:44} {fmt_stats(result['stats'])}{extra}{failed}; "
        f"'database is locked' in logs: {locked}; "
        f"app GC during the load: {digests.get('gc_during_load', {})}; "
        f"inside the app: {_phases(digests.get('phases', {}))}; "
        f"slowest ack per burst (ms): {result.get('slowest_ack_per_burst_ms')}"
    )
    return result


def _phases(phases: dict[str, Any]) -> str:
    return ", ".join(
        f"{name} p50/p99 {f['p50']:.1f}/{f['p99']:.1f} ms"
        for name, f in phases.items()
        if f.get("n")
    )


def merge(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One scenario's repeats as one result: all samples, each repeat's p99, and their median
    (one repeat's p99 is its few slowest acks: a stall of the shared machine moves it by 2x;
    the median of the repeats' p99s is what a change is judged by)."""
    if not runs:
        return {"stats": {"n": 0}, "failures": [], "digest": {}, "database_locked": 0}
    latencies = [x for r in runs for x in r["latencies"]]
    digests = [r["digest"] for r in runs]
    per_repeat = [r["stats"].get("p99") for r in runs]
    known = [x for x in per_repeat if x is not None]
    return {
        "stats": stats_ms(latencies),
        "p99_per_repeat": per_repeat,
        "p99_median": round(statistics.median(known), 1) if known else None,
        "failures": [f for r in runs for f in r["failures"]],
        "database_locked": sum(r["database_locked"] for r in runs),
        "digest": {
            "rounds": sum(d.get("rounds", 0) for d in digests),
            "digests": sum(d.get("digests", 0) for d in digests),
        },
    }


def against_bolt(runs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each scenario's median p99 over its repeats beside bare Bolt's, same run, and the
    ratio per repeat (repeat n of both ran minutes apart under the same load)."""
    bolt = runs["bolt"]
    out: dict[str, dict[str, Any]] = {}
    for name, run in runs.items():
        if name == "bolt" or not run["stats"].get("n"):
            continue
        entry: dict[str, Any] = {"p99_median": run["p99_median"], "p99": run["p99_per_repeat"]}
        if bolt["stats"].get("n") and bolt["p99_median"]:
            entry["ratio_of_medians"] = round(run["p99_median"] / bolt["p99_median"], 2)
            entry["ratio_per_repeat"] = [
                round(ours / base, 2) if ours and base else None
                for ours, base in zip(run["p99_per_repeat"], bolt["p99_per_repeat"], strict=False)
            ]
            paired = [x for x in entry["ratio_per_repeat"] if x is not None]
            entry["ratio_median_per_repeat"] = (
                round(statistics.median(paired), 2) if paired else None
            )
        out[name] = entry
    return out


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=20, help="simultaneous requests (20)")
    p.add_argument("--bursts", type=int, default=None, help="bursts of them, in all (72)")
    p.add_argument("--gap", type=float, default=0.2, help="pause after a burst's work (0.2 s)")
    p.add_argument("--repeats", type=int, default=None, help="interleaved repeats (6)")
    p.add_argument("--subscriptions", type=int, default=None, help="digest subscriptions (50)")
    p.add_argument(
        "--scenarios",
        default="bolt,digest",
        help=f"which to run, comma-separated (bolt,digest; all: {','.join(SCENARIOS)})",
    )
    p.add_argument(
        "--profile",
        metavar="DIR",
        help="cProfile (CPU) of the app's acks, digest round and /brief work, per scenario "
        "and repeat, into DIR/<scenario>-<repeat>/*.prof",
    )
    p.add_argument(
        "--tree",
        metavar="DIR",
        help="scenario `tree`: the app as the checkout in DIR has it (e.g. `git archive` of the "
        "commit before a change), interleaved with this one's",
    )
    p.add_argument("--role", choices=["fake-slack", "app"], help=argparse.SUPPRESS)
    p.add_argument("--mode", choices=["briefbot", "bolt"], help=argparse.SUPPRESS)
    p.add_argument("--slack-url", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--digest", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--no-http", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.role == "fake-slack":
        return serve_fake_slack()
    if args.role == "app":
        if os.environ.get("BENCH_SWITCH_INTERVAL"):  # experiments: the GIL's switch interval
            sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
        return serve_app(args.mode, args.slack_url, args.db, args.digest, not args.no_http)

    quiet_logging()
    import logging

    logging.getLogger("bot.core").setLevel(logging.ERROR)  # the FETCH_ALLOW_PRIVATE warning
    wanted = {name.strip() for name in args.scenarios.split(",") if name.strip()}
    if "digest" not in wanted or not wanted <= set(SCENARIOS):
        p.error(f"--scenarios: 'digest' and any of {', '.join(SCENARIOS)}")
    if ("tree" in wanted) != bool(args.tree):
        p.error("--tree DIR and the scenario `tree` go together")
    bench = Bench("ack_latency", args)
    args.bursts = args.bursts or (2 if args.quick else 72)
    args.subscriptions = args.subscriptions or (5 if args.quick else 50)
    args.articles = 5 if args.quick else 30
    bench.params(
        clients=args.clients,
        bursts=args.bursts,
        gap_s=args.gap,
        requests=args.clients * args.bursts,
        subscriptions=args.subscriptions,
        articles_per_topic=args.articles,
        digest_threads=SCHEDULER_THREADS,
        server="waitress, 8 threads",
        scenarios=",".join(n for n in SCENARIOS if n in wanted),
    )
    repeats = args.repeats or (1 if args.quick else 6)
    bursts_each = max(1, args.bursts // repeats)
    order = [name for name in SCENARIOS if name in wanted]
    with tempfile.TemporaryDirectory(prefix="bench-ack-") as tmp_name:
        tmp = Path(tmp_name)
        collected: dict[str, list[dict[str, Any]]] = {name: [] for name in SCENARIOS}
        # Interleaved: every repeat runs each scenario (a share of the bursts) in a rotated
        # order, so a change in the machine's load falls on all of them alike.
        for n in range(repeats):
            args.bursts_now = bursts_each
            for name in order[n % len(order) :] + order[: n % len(order)]:
                label, mode, digest = SCENARIOS[name]
                collected[name].append(
                    scenario(
                        bench,
                        label,
                        tmp,
                        args,
                        mode=mode,
                        digest=digest,
                        brief_processes=BRIEF_POOL.get(name, ""),
                        ack_priority=name not in NO_ACK_PRIORITY,
                        unpaused=name in UNPAUSED,
                        extra_env={
                            **SCENARIO_ENV.get(name, {}),
                            **(
                                {"BENCH_PROFILE": str(Path(args.profile).resolve() / f"{name}-{n}")}
                                if args.profile
                                else {}
                            ),
                            **({"BENCH_APP_TREE": args.tree} if name == "tree" else {}),
                        },
                    )
                )
        runs = {name: merge(collected[name]) for name in SCENARIOS}
    bolt, idle, busy, worker = runs["bolt"], runs["idle"], runs["digest"], runs["worker"]
    pooled, before, unpaused, inthread = (
        runs["pool"],
        runs["before"],
        runs["unpaused"],
        runs["inthread"],
    )
    compared = against_bolt(runs)
    bench.ours(
        database_locked_samples=[
            x for run in collected.values() for r in run for x in r["database_locked_samples"]
        ][:3],
        during_digest=busy["stats"],
        p99_per_repeat=busy.get("p99_per_repeat"),
        p99_median=busy.get("p99_median"),
        database_locked=busy["database_locked"] + worker["database_locked"],
        digest=busy["digest"],
        failures=len(busy["failures"]),
        failure_samples=(busy["failures"] + worker["failures"])[:5],
        digest_in_worker_process=worker["stats"],
        digest_with_brief_processes=pooled["stats"],
        digest_with_brief_processes_rounds=pooled["digest"],
        worker_digest=worker["digest"],
        against_bare_bolt=compared,
    )
    bench.baseline(
        briefbot_no_digest=idle["stats"],
        bare_bolt_ack=bolt["stats"],
        bare_bolt_p99_per_repeat=bolt.get("p99_per_repeat"),
        bare_bolt_p99_median=bolt.get("p99_median"),
        before_ack_priority=before["stats"],
        before_pauses=unpaused["stats"],
        briefs_in_serving_threads=inthread["stats"],
        failures=len(idle["failures"]) + len(bolt["failures"]),
    )
    # The machine is shared: the same run's bare Bolt is the yardstick for what it allowed.
    if bolt["stats"].get("n"):
        bench.say(
            f"bare Bolt: p99 per repeat {bolt['p99_per_repeat']}, median {bolt['p99_median']} ms"
        )
    for name, entry in compared.items():
        ratio = entry.get("ratio_of_medians")
        bench.say(
            f"{name:9} p99 per repeat {entry['p99']}, median {entry['p99_median']} ms"
            + (
                f"; / bare Bolt's median: {ratio:.2f}x (per repeat {entry['ratio_per_repeat']}, "
                f"their median {entry['ratio_median_per_repeat']}x)"
                if ratio is not None
                else ""
            )
        )

    def p99_of(run: dict[str, Any]) -> str:
        return f"{run['p99_median']:.1f} ms" if run["stats"].get("n") else "not run"

    p99 = busy.get("p99_median") or float("inf")
    ours = compared.get("digest", {})
    others = "; ".join(
        f"{name} {p99_of(run)}"
        for name, run in runs.items()
        if name != "digest" and run["stats"].get("n")
    )
    bench.goal(
        f"p99 <= {GOAL_P99_MS:.0f} ms, {args.clients} simultaneous /brief during a digest round "
        "(median over the repeats of each repeat's p99)",
        p99 <= GOAL_P99_MS and not busy["failures"] and busy["digest"].get("rounds", 0) > 0,
        f"p99 {p99_of(busy)}"
        + (
            f" ({ours['ratio_of_medians']}x bare Bolt's; per-repeat ratios' median "
            f"{ours['ratio_median_per_repeat']}x)"
            if ours.get("ratio_of_medians") is not None
            else ""
        )
        + f"; {others}",
    )
    bench.goal(
        "every /brief asked for is posted (all scenarios)",
        not any(run["failures"] for name, run in runs.items() if name != "bolt"),
        ", ".join(f"{name}: {len(run['failures'])} failed bursts" for name, run in runs.items()),
    )
    locked = sum(run["database_locked"] for run in runs.values())
    bench.goal(
        "no 'database is locked' in the app's or worker's logs",
        locked == 0,
        f"{locked} occurrences",
    )
    bench.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
