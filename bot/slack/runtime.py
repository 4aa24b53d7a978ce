"""Wiring for `briefbot serve`: core, Slack client, scheduler and app, then HTTP or Socket Mode."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.core import Briefbot
from bot.errors import SettingsError
from bot.metrics_http import serve_metrics
from bot.settings import Settings
from bot.slack.actions import SlackActions
from bot.slack.app import create_app
from bot.slack.client import ClientForTeam, SingleWorkspaceClients, make_web_client
from bot.slack.pools import ListenerPools
from bot.slack.server import http_server, socket_mode_handler
from storage.db import ping
from storage.models import Subscription

log = logging.getLogger(__name__)


class LeadScheduler:
    """This process's scheduler, running only while the process is the leader.

    Any number of processes may be candidates (`bot.jobs.leader`); each election builds a
    fresh scheduler on the shared job store and each loss shuts it down, so exactly one
    process fires jobs at a time.
    """

    def __init__(self, core: Briefbot, clients: ClientForTeam) -> None:
        from bot.jobs.leader import LeaderElection

        self._core = core
        self._clients = clients
        self._lock = threading.Lock()
        self.scheduler: Any | None = None
        self.election = LeaderElection(
            core.engine,
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
        from bot.jobs.scheduler import build_scheduler

        with self._lock:
            scheduler = build_scheduler(self._core, self._clients)
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

    def scheduled(self, subscription: Subscription) -> None:
        from bot.jobs.scheduler import schedule_subscription

        scheduler = self._lead.scheduler
        if scheduler is not None and scheduler.running:
            schedule_subscription(scheduler, subscription)

    def unscheduled(self, subscription_id: int) -> None:
        from bot.jobs.scheduler import unschedule_subscription

        scheduler = self._lead.scheduler
        if scheduler is not None and scheduler.running:
            unschedule_subscription(scheduler, subscription_id)


@dataclass
class Runtime:
    core: Briefbot
    client: WebClient
    clients: ClientForTeam
    actions: SlackActions
    app: App
    scheduler: LeadScheduler | None

    pools: ListenerPools | None = None

    def shutdown(self) -> None:
        # First: ingest rounds in progress return at once, so waiting for the scheduler's
        # running jobs is bounded.
        self.core.stop_ingesting()
        if self.scheduler is not None:
            self.scheduler.shutdown()
        if self.pools is not None:
            self.pools.shutdown()  # queued work is dropped; running work ends by its deadlines
        self.core.close()


def build_runtime(
    settings: Settings,
    *,
    socket_mode: bool,
    with_scheduler: bool,
    core: Briefbot | None = None,
    client: WebClient | None = None,
) -> Runtime:
    if settings.oauth_enabled:
        return _build_oauth_runtime(
            settings, socket_mode=socket_mode, with_scheduler=with_scheduler, core=core
        )
    if not settings.slack_bot_token and client is None:
        raise SettingsError(
            "SLACK_BOT_TOKEN is required for `briefbot serve` "
            "(or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth; see README)"
        )
    core = core or Briefbot(settings)
    client = client or make_web_client(settings, settings.slack_bot_token)
    clients = SingleWorkspaceClients(settings, client)
    scheduler = LeadScheduler(core, clients) if with_scheduler else None
    actions = SlackActions(core, clients, SchedulerHooks(scheduler) if scheduler else None)
    pools = ListenerPools()
    app = create_app(settings, actions, client=client, socket_mode=socket_mode, pools=pools)
    return Runtime(core, client, clients, actions, app, scheduler, pools)


def _build_oauth_runtime(
    settings: Settings, *, socket_mode: bool, with_scheduler: bool, core: Briefbot | None
) -> Runtime:
    """OAuth mode: one installation (and bot token) per workspace, from our database."""
    from bot.slack.oauth import InstallationClients, oauth_settings, organization_lookup

    core = core or Briefbot(settings)
    oauth = oauth_settings(settings, core.engine)
    store = oauth.installation_store
    clients = InstallationClients(settings, store, organization_lookup(core.factory))  # type: ignore[arg-type]
    # No token: each request gets its workspace's token from the installation store.
    client = make_web_client(settings, None)
    scheduler = LeadScheduler(core, clients) if with_scheduler else None
    actions = SlackActions(
        core,
        clients,
        SchedulerHooks(scheduler) if scheduler else None,
        installations=store,
    )
    pools = ListenerPools()
    app = create_app(
        settings, actions, client=client, socket_mode=socket_mode, oauth=oauth, pools=pools
    )
    return Runtime(core, client, clients, actions, app, scheduler, pools)


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
    exporter = serve_metrics(settings.metrics_port, settings.metrics_token)
    if runtime.scheduler is not None:
        runtime.scheduler.start()
    stop = threading.Event()
    try:
        if socket_mode:
            assert settings.slack_app_token
            handler = socket_mode_handler(runtime.app, settings.slack_app_token)
            handler.connect()
            log.info("connected to Slack in Socket Mode")
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            stop.wait()  # bounded: the main thread idles until SIGTERM or SIGINT sets `stop`
            handler.close()
        else:
            server = http_server(
                runtime.app,
                lambda: ping(runtime.core.engine),
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


def work(settings: Settings) -> None:
    """Run only the scheduler (scheduled ingest and digests) until SIGTERM/SIGINT; with
    several workers or serve replicas, only the elected leader's scheduler runs."""
    check_settings(settings, command="worker")
    core = Briefbot(settings)
    clients: ClientForTeam
    if settings.oauth_enabled:
        from bot.slack.oauth import InstallationClients, installation_store, organization_lookup

        clients = InstallationClients(
            settings,
            installation_store(settings, core.engine),
            organization_lookup(core.factory),
        )
    elif settings.slack_bot_token:
        clients = SingleWorkspaceClients(
            settings, make_web_client(settings, settings.slack_bot_token)
        )
    else:
        core.close()
        raise SettingsError(
            "SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET) is required for "
            "`briefbot worker` to post digests"
        )
    lead = LeadScheduler(core, clients)
    exporter = serve_metrics(settings.metrics_port, settings.metrics_token)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    lead.start()
    log.info("worker running: a candidate for scheduled ingest and digests")
    try:
        stop.wait()  # bounded: the main thread idles until SIGTERM or SIGINT sets `stop`
    finally:
        core.stop_ingesting()  # a round in progress returns at once; its fetches end too
        exporter.stop()
        lead.shutdown()
        core.close()
