"""The composition root: the one place that builds the whole program.

Settings in; out come the database and the service layer (`Briefbot`), the Slack clients
(built once, from SLACK_BOT_TOKEN or from OAuth installations), the posting path, the Bolt
app, the scheduler and the leader election. `briefbot serve` runs the app (and, unless told
not to, a scheduler candidate); `briefbot worker` runs only the scheduler candidate. Nothing
below this module builds any of these for itself: each piece is handed what it uses.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import signal
import threading
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.core import Briefbot
from bot.errors import SettingsError
from bot.jobs.digest import Poster
from bot.jobs.scheduler import build_scheduler, schedule_subscription, unschedule_subscription
from bot.jobs.tasks import register_tasks
from bot.metrics_http import serve_metrics
from bot.service.leader import LeaderElection
from bot.service.pacing import SharedChannelPacer
from bot.service.subscriptions import SubscriptionInfo
from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.brief_command import BriefCommand
from bot.slack.client import ClientForTeam, SingleWorkspaceClients, make_web_client
from bot.slack.features import Features
from bot.slack.pacing import ChannelPacer
from bot.slack.pools import ACKS, ListenerPools
from bot.slack.posting import SlackPoster
from bot.slack.questions import Questions
from bot.slack.server import http_server, socket_mode_handler
from bot.slack.workspace_events import WorkspaceEvents
from bot.tasks import TaskQueue
from bot.tasks.inline import InlineQueue

log = logging.getLogger(__name__)


class LeadScheduler:
    """This process's scheduler, running only while the process is the leader.

    Any number of processes may be candidates (`bot.service.leader`); each election builds a
    fresh scheduler on the shared job store and each loss shuts it down, so exactly one
    process fires jobs at a time.
    """

    def __init__(self, core: Briefbot, poster: Poster, queue: TaskQueue) -> None:
        self._core = core
        self._poster = poster
        self._queue = queue
        self._lock = threading.Lock()
        self.scheduler: Any | None = None
        self.election = LeaderElection(
            core.database.engine,
            on_elected=self._elected,
            on_lost=self._lost,
            poll_seconds=core.settings.leader_poll_seconds,
        )

    def start(self) -> None:
        self.election.start()

    def shutdown(self) -> None:
        self.election.stop()
        self._lost()

    def _elected(self) -> None:
        with self._lock:
            scheduler = build_scheduler(self._core, self._poster, queue=self._queue)
            scheduler.start()
            self.scheduler = scheduler

    def _lost(self) -> None:
        with self._lock:
            scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)


class SchedulerHooks:
    """Tells this process's scheduler about subscription changes made in Slack.

    Only the leader's scheduler runs; in any other process this does nothing and the leader's
    sweep picks the change up from the subscriptions table within a minute.
    """

    def __init__(self, lead: LeadScheduler) -> None:
        self._lead = lead

    def scheduled(self, subscription: SubscriptionInfo) -> None:
        scheduler = self._lead.scheduler
        if scheduler is not None and scheduler.running:
            schedule_subscription(scheduler, subscription)

    def unscheduled(self, subscription_id: int) -> None:
        scheduler = self._lead.scheduler
        if scheduler is not None and scheduler.running:
            unschedule_subscription(scheduler, subscription_id)


@dataclass
class SlackClients:
    """The bot's Slack clients, built once: `client` for the Bolt app (no token in OAuth
    mode: each request brings its workspace's), `for_team` for everything posted on our own
    initiative (digests, briefs after the ack)."""

    client: WebClient
    for_team: ClientForTeam
    installations: Any | None = None  # OAuth: slack_sdk's InstallationStore
    oauth: Any | None = None  # OAuth: Bolt's OAuthSettings (the install flow)


@dataclass
class Runtime:
    core: Briefbot
    slack: SlackClients
    features: Features
    app: App | None
    scheduler: LeadScheduler | None
    pools: ListenerPools | None = None
    # Where the scheduler's work runs (`bot.tasks`; TASK_QUEUE).
    queue: TaskQueue = field(default_factory=InlineQueue)

    @property
    def client(self) -> WebClient:
        return self.slack.client

    @property
    def clients(self) -> ClientForTeam:
        return self.slack.for_team

    def warm_up(self) -> None:
        """Load now what a process answering Slack would otherwise load in the middle of
        acks: the NLP pipeline (the first thread question, or a brief that meets an article
        whose analysis is still under way in the ingest workers, loaded it: a second or more
        of CPU holding the GIL, while every ack of the process waited). Called before the
        server is built, so that what it loads is frozen out of the garbage collector too."""
        from bot.nlp import load_pipeline

        load_pipeline(self.core.settings.nlp_model)
        # What the first ingest round (the in-process scheduler's, or a /brief's refresh) would
        # load while acks wait: the ingest modules (trafilatura, feeds: 0.6 s of CPU) and the
        # language identifier (0.5 s); in `bench/ack_latency.py` they were the first burst's.
        import bot.ingest.pipeline  # noqa: F401
        from bot.nlp.language import load_identifier

        load_identifier()
        # And the brief worker processes (BRIEF_PROCESSES), which the first digest round
        # would otherwise start while acks wait.
        if self.core.settings.brief_processes:
            from bot.brief_pool import warm_up

            warm_up(self.core.settings.brief_processes)

    def shutdown(self) -> None:
        # First: ingest rounds in progress return at once, so waiting for the scheduler's
        # running jobs is bounded.
        self.core.stop_ingesting()
        if self.scheduler is not None:
            self.scheduler.shutdown()
        if self.pools is not None:
            self.pools.shutdown()  # queued work is dropped; running work ends by its deadlines
        self.queue.close()
        self.core.close()
        # The extraction, analysis and brief workers: bounded (a task still running after a
        # few seconds is killed), where exiting with them alive waited for their tasks.
        from bot.worker_processes import close_shared

        close_shared()


def default_serve_brief_processes() -> int:
    """Offline briefs in `briefbot serve`, BRIEF_PROCESSES unset: in worker processes (one per
    CPU beyond the first, one to two), so a digest round's briefs (seconds of CPU each) never
    hold the GIL that Slack's acks need. In `py-spy --gil` of the serving process during a
    digest round, the round's brief work was a quarter of the GIL's time."""
    cpus = os.cpu_count() or 1
    return max(1, min(2, cpus - 1))


def serving_settings(settings: Settings) -> Settings:
    """The settings of a process answering Slack: BRIEF_PROCESSES unset means
    `default_serve_brief_processes()` (elsewhere, unset means 0: a CLI brief does not start
    worker processes for one brief)."""
    if settings.brief_processes is not None:
        return settings
    return dataclasses.replace(settings, brief_processes=default_serve_brief_processes())


def build_runtime(
    settings: Settings,
    *,
    socket_mode: bool = False,
    with_scheduler: bool,
    with_app: bool = True,
    core: Briefbot | None = None,
    client: WebClient | None = None,
) -> Runtime:
    """Everything `serve` (with_app) or `worker` (without) runs. `core` and `client` are
    for tests, which bring their own database and fake Slack."""
    if not settings.oauth_enabled and not settings.slack_bot_token and client is None:
        raise SettingsError(
            "SLACK_BOT_TOKEN is required for `briefbot serve` "
            "(or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth; see README)"
        )
    if with_app:
        settings = serving_settings(settings)
    core = core or Briefbot(settings)
    slack = _slack_clients(settings, core, client, with_oauth_flow=with_app)
    # Digests keep Slack's one-message-per-second-per-channel pace: in this process when it
    # delivers them (the in-process queue), in the database when many workers do.
    queue = task_queue(settings)
    digest_poster = SlackPoster(
        slack.for_team,
        ChannelPacer() if queue.in_process else SharedChannelPacer(core.factory),
    )
    register_tasks(queue, core, digest_poster)
    lead = LeadScheduler(core, digest_poster, queue) if with_scheduler else None
    hooks = SchedulerHooks(lead) if lead is not None else None
    poster = SlackPoster(slack.for_team)
    features = Features(
        core=core,
        clients=slack.for_team,
        brief_command=BriefCommand(core, poster, hooks),
        questions=Questions(core, poster),
        workspace_events=WorkspaceEvents(core, slack.for_team, hooks, slack.installations),
    )
    app = pools = None
    if with_app:
        # This process answers Slack: its slow work (digest rounds, briefs after the ack)
        # lets the acks in flight go first at the start of each database transaction.
        core.database.before_each_transaction(ACKS.pause)
        pools = ListenerPools()
        app = create_app(
            settings,
            features,
            client=slack.client,
            socket_mode=socket_mode,
            oauth=slack.oauth,
            pools=pools,
        )
    return Runtime(core, slack, features, app, lead, pools, queue)


def task_queue(settings: Settings) -> TaskQueue:
    """The queue TASK_QUEUE names; the PostgreSQL one with its tables in place."""
    if settings.task_queue != "postgres":
        return InlineQueue()
    from bot.tasks.postgres import PostgresQueue  # procrastinate: only when asked for

    queue = PostgresQueue(settings.database_url, stalled_seconds=settings.task_stalled_seconds)
    queue.ensure_schema()
    return queue


def _slack_clients(
    settings: Settings, core: Briefbot, client: WebClient | None, *, with_oauth_flow: bool
) -> SlackClients:
    if not settings.oauth_enabled:
        client = client or make_web_client(settings, settings.slack_bot_token)
        return SlackClients(client, SingleWorkspaceClients(settings, client))
    # OAuth mode: one installation (and bot token) per workspace, from our database.
    from bot.slack.oauth import InstallationClients, installation_store, oauth_settings

    oauth = oauth_settings(settings, core.database) if with_oauth_flow else None
    store = (
        oauth.installation_store
        if oauth is not None
        else installation_store(settings, core.database)
    )
    clients = InstallationClients(settings, store, core.workspaces.organization_of)
    # No token: each request gets its workspace's token from the installation store.
    return SlackClients(make_web_client(settings, None), clients, store, oauth)


def check_settings(settings: Settings, *, command: str, socket_mode: bool = False) -> None:
    """Refuse to start (one line naming what is missing) before anything is built or migrated."""
    if command == "serve" and socket_mode and not settings.slack_app_token:
        raise SettingsError("SLACK_APP_TOKEN (xapp-…) is required for `briefbot serve --socket`")
    if command == "serve" and not socket_mode and not settings.slack_signing_secret:
        raise SettingsError("SLACK_SIGNING_SECRET is required for `briefbot serve --http`")
    if command == "serve" and socket_mode and settings.oauth_enabled:
        raise SettingsError(
            "OAuth distribution needs HTTP mode: run `briefbot serve --http` "
            "(Socket Mode apps cannot be installed from a public link)"
        )
    if not settings.oauth_enabled and not settings.slack_bot_token:
        raise SettingsError(
            f"SLACK_BOT_TOKEN (xoxb-…) is required for `briefbot {command}` "
            "(or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth; see README)"
        )


def serve(
    settings: Settings, *, socket_mode: bool, host: str, port: int, with_scheduler: bool
) -> None:
    """Run until SIGTERM/SIGINT."""
    check_settings(settings, command="serve", socket_mode=socket_mode)
    runtime = build_runtime(settings, socket_mode=socket_mode, with_scheduler=with_scheduler)
    assert runtime.app is not None
    exporter = serve_metrics(settings.metrics_port, settings.metrics_token)
    if runtime.scheduler is not None:
        runtime.scheduler.start()
    runtime.warm_up()  # before the server is built (it freezes what is loaded by then)
    if not runtime.queue.in_process:
        log.info("TASK_QUEUE=postgres: scheduled work is queued; `briefbot worker` runs it")
    stop = threading.Event()
    try:
        if socket_mode:
            assert settings.slack_app_token
            handler = socket_mode_handler(runtime.app, settings.slack_app_token)
            handler.connect()
            log.info("connected to Slack in Socket Mode")
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            wait_for_signal(stop)
            handler.close()
        else:
            server = http_server(
                runtime.app,
                runtime.core.database.ping,
                host=host,
                port=port,
                signing_secret=settings.slack_signing_secret,
                metrics_token=settings.metrics_token,
            )
            log.info("listening on http://%s:%s/slack/events", host, server.effective_port)
            signal.signal(signal.SIGTERM, lambda *_: server.close())
            with contextlib.suppress(KeyboardInterrupt, OSError):
                server.run()
    finally:
        exporter.stop()
        runtime.shutdown()


# How often the idle main thread wakes: Python runs a signal's handler only when the main
# thread runs Python code.
SIGNAL_POLL_SECONDS = 1.0


def wait_for_signal(stop: threading.Event) -> None:
    """Idle the main thread until a SIGTERM/SIGINT handler sets `stop`. In short waits, not one
    long one: the kernel may deliver the signal to any of the process's threads, and Python
    runs its handler only once the main thread runs Python code again. A main thread blocked in
    a single wait with no timeout missed such a SIGTERM, and a stopped worker lived on (CI)."""
    while not stop.wait(SIGNAL_POLL_SECONDS):
        pass


def work(settings: Settings) -> None:
    """Run only the scheduler (scheduled ingest and digests) until SIGTERM/SIGINT; with
    several workers or serve replicas, only the elected leader's scheduler runs."""
    check_settings(settings, command="worker")
    runtime = build_runtime(settings, with_scheduler=True, with_app=False)
    assert runtime.scheduler is not None
    exporter = serve_metrics(settings.metrics_port, settings.metrics_token)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    runtime.scheduler.start()
    consumer = _consume(runtime, stop)
    log.info(
        "worker running: a candidate for scheduled ingest and digests%s",
        "" if consumer is None else f"; runs queued tasks, {settings.worker_concurrency} at once",
    )
    try:
        wait_for_signal(stop)
    finally:
        stop.set()
        exporter.stop()
        runtime.core.stop_ingesting()  # refresh tasks in progress return at once
        if consumer is not None:
            # Running tasks end by their own deadlines (fetch and LLM timeouts); one still
            # running past this is the next worker's, once this one's heartbeat is stale.
            consumer.join(timeout=60)
        runtime.shutdown()  # a round in progress returns at once; its fetches end too


def _consume(runtime: Runtime, stop: threading.Event) -> threading.Thread | None:
    """With the PostgreSQL queue: run its tasks in a thread of this process until `stop`."""
    if runtime.queue.in_process:
        return None
    from bot.tasks.postgres import PostgresQueue

    queue = runtime.queue
    assert isinstance(queue, PostgresQueue)
    thread = threading.Thread(
        target=queue.run_worker,
        args=(stop,),
        kwargs={
            "concurrency": runtime.core.settings.worker_concurrency,
            "name": f"briefbot-worker-{os.getpid()}",
        },
        name="task-worker",
        daemon=True,
    )
    thread.start()
    return thread
