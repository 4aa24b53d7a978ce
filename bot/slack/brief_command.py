"""What `/brief` does once acked: a brief, subscribing and unsubscribing, listing a channel's
digests, a topic's sources. Bolt's listener (`bot.slack.listeners.commands`) parses and acks;
this does the work (through the service layer and the posting path) and replies.

Every reply that only the requester should see goes through `respond` (the command's
response_url, ephemeral); a brief is posted in the channel (`bot.slack.brief_posts`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timedelta
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError

from bot.core import Briefbot
from bot.errors import BriefbotError, NotFoundError, PostError, StorageError
from bot.ingest.report import IngestReport
from bot.render import blocks
from bot.render.digest_actions import subscribe_button
from bot.service.pause import parse_pause
from bot.service.ranking import rank
from bot.service.subscriptions import SubscriptionInfo
from bot.service.topics import SourceInfo
from bot.slack.brief_posts import brief_footer, post_brief, topic_brief
from bot.slack.command_text import (
    USAGE,
    AdminCmd,
    BriefCmd,
    Command,
    FilterCmd,
    HelpCmd,
    ListCmd,
    PauseCmd,
    ResumeCmd,
    SourcesCmd,
    SubscribeCmd,
    UnsubscribeCmd,
    WhyCmd,
)
from bot.slack.feedback_replies import why as why_text
from bot.slack.posting import SlackPoster
from bot.slack.replies import (
    FAILED,
    NOT_IN_CHANNEL,
    POSTED_NOT_RECORDED,
    UNAVAILABLE,
    link,
    mrkdwn,
    nothing_found,
    searching_new_topic,
)
from bot.summarize.filters import Filters

log = logging.getLogger(__name__)

Respond = Callable[..., Any]
# A /brief that must first fetch its topic's sources waits at most this long for them.
FRESH_INGEST_SECONDS = 20.0
# It goes on in the background after that, for at most this long (its unfinished sources are
# reported as not finished); topics refreshing at once, at most this many.
FRESH_INGEST_MAX_SECONDS = 60.0
FRESH_INGEST_WORKERS = 4


class SubscriptionHooks(Protocol):
    """The scheduler, where this process runs one: told about subscription changes."""

    def scheduled(self, subscription: SubscriptionInfo) -> None: ...

    def unscheduled(self, subscription_id: int) -> None: ...


class BriefCommand:
    def __init__(
        self,
        core: Briefbot,
        poster: SlackPoster,
        hooks: SubscriptionHooks | None = None,
        ingest_pool: ThreadPoolExecutor | None = None,
    ) -> None:
        self.core = core
        self.poster = poster
        self.hooks = hooks
        # Fresh-ingest work outlives a slow /brief: it keeps running after we stop waiting.
        self._pool = ingest_pool or ThreadPoolExecutor(
            max_workers=FRESH_INGEST_WORKERS, thread_name_prefix="ingest"
        )
        self._fresh: dict[str, Future[IngestReport]] = {}  # refreshes running, by topic
        self._fresh_lock = threading.Lock()

    def run(
        self, command: Command, *, team_id: str, channel_id: str, user_id: str, respond: Respond
    ) -> None:
        try:
            if isinstance(command, BriefCmd):
                self.brief(
                    command.topic,
                    team_id=team_id,
                    channel_id=channel_id,
                    respond=respond,
                    language=command.language,
                )
            elif isinstance(command, SubscribeCmd):
                self.subscribe(
                    command,
                    team_id=team_id,
                    channel_id=channel_id,
                    user_id=user_id,
                    respond=respond,
                )
            elif isinstance(command, UnsubscribeCmd):
                self.unsubscribe(
                    command.topic, team_id=team_id, channel_id=channel_id, respond=respond
                )
            elif isinstance(command, ListCmd):
                self.list_subscriptions(team_id=team_id, channel_id=channel_id, respond=respond)
            elif isinstance(command, SourcesCmd):
                self.sources(command, respond=respond)
            elif isinstance(command, PauseCmd):
                self.pause(command, team_id=team_id, channel_id=channel_id, respond=respond)
            elif isinstance(command, ResumeCmd):
                self.resume(command.topic, team_id=team_id, channel_id=channel_id, respond=respond)
            elif isinstance(command, FilterCmd):
                self.filter(command, team_id=team_id, channel_id=channel_id, respond=respond)
            elif isinstance(command, AdminCmd):
                self.admin(command, team_id=team_id, user_id=user_id, respond=respond)
            elif isinstance(command, WhyCmd):
                self.why(command.topic, team_id=team_id, channel_id=channel_id, respond=respond)
            elif isinstance(command, HelpCmd):
                respond(text=mrkdwn(USAGE))
        except StorageError:
            log.warning("database unavailable while handling /brief", exc_info=True)
            respond(text=UNAVAILABLE)
        except BriefbotError as err:
            # Error messages quote what the user typed (URLs) and what servers said.
            respond(text=mrkdwn(str(err)))
        except Exception:
            log.exception("/brief failed")
            respond(text=FAILED)

    # -- /brief <topic> ----------------------------------------------------------------------

    def brief(
        self,
        topic: str,
        *,
        team_id: str,
        channel_id: str,
        respond: Respond,
        language: str | None = None,
    ) -> None:
        # Polled again from now; a topic new to briefbot counts against the workspace's cap
        # (TopicCapReached is a BriefbotError: `run` replies with its message).
        if self.core.lifecycle.want(topic, team_id):
            said = searching_new_topic(topic)
            respond(
                text=said,
                blocks=[
                    {"type": "section", "text": {"type": "mrkdwn", "text": said}},
                    subscribe_button(topic),
                ],
            )
        self._ensure_fresh(topic)
        result = topic_brief(self.core, topic, team_id, language)
        if result is None:
            respond(text=nothing_found(topic, self.core.settings.brief_window_hours))
            return
        # This channel's 👍/👎 orders the brief; each bullet carries its own 👍/👎.
        ranked = self.core.feedback.rank(result.brief, team_id=team_id, channel_id=channel_id)
        message = blocks.brief_to_message(
            ranked.brief, feedback=True, footer=brief_footer(self.core, result)
        )
        try:
            recorded = post_brief(
                self.core,
                self.poster,
                message,
                result,
                topic=topic,
                team_id=team_id,
                channel_id=channel_id,
            )
        except PostError as err:
            if not err.channel_unreachable:
                raise
            # Not a member: show it to the requester only, and say how to invite the bot.
            respond(text=NOT_IN_CHANNEL + message.text, blocks=message.blocks)
            return
        if not recorded:
            respond(text=POSTED_NOT_RECORDED.format(topic=mrkdwn(topic)))

    def why(self, topic: str, *, team_id: str, channel_id: str, respond: Respond) -> None:
        """`/brief why ukraine`: what this channel's feedback changed in the topic's brief."""
        prefs = self.core.feedback.preferences(team_id=team_id, channel_id=channel_id)
        result = topic_brief(self.core, topic)
        if result is None:
            respond(text=nothing_found(topic, self.core.settings.brief_window_hours))
            return
        ranking = rank(result.brief, prefs)
        respond(text=why_text(topic, ranking, prefs))

    def _ensure_fresh(self, topic: str) -> None:
        """No articles from the window yet: fetch the topic's sources first, bounded in time."""
        window = timedelta(hours=self.core.settings.brief_window_hours)
        if self.core.topics.recent_article_count(topic, self.core.clock() - window):
            return
        future = self._fresh_ingest(topic)
        try:
            report = future.result(timeout=FRESH_INGEST_SECONDS)
            log.info("fresh ingest for %s: %s", topic, report.summary_line())
        except FutureTimeout:
            log.info("fresh ingest for %s still running after %ss", topic, FRESH_INGEST_SECONDS)

    def _fresh_ingest(self, topic: str) -> Future[IngestReport]:
        """The topic's refresh: the one already running for it, else a new one. One per topic,
        each ending within FRESH_INGEST_MAX_SECONDS, so repeated /briefs of topics with slow
        sources cannot fill the pool and starve a healthy topic's refresh."""
        with self._fresh_lock:
            running = self._fresh.get(topic)
            if running is not None and not running.done():
                return running
            until = time.monotonic() + FRESH_INGEST_MAX_SECONDS
            future = self._pool.submit(self.core.refresh_topic, topic, until=until)
            self._fresh[topic] = future
            future.add_done_callback(lambda f: self._forget_fresh(topic, f))
            return future

    def _forget_fresh(self, topic: str, future: Future[IngestReport]) -> None:
        with self._fresh_lock:
            if self._fresh.get(topic) is future:
                del self._fresh[topic]

    # -- subscriptions -----------------------------------------------------------------------

    def subscribe(
        self,
        command: SubscribeCmd,
        *,
        team_id: str,
        channel_id: str,
        user_id: str,
        respond: Respond,
    ) -> None:
        refused = self.may_subscribe(team_id, user_id)
        if refused:
            respond(text=refused)
            return
        self.core.lifecycle.want(command.topic, team_id)  # the cap, for a topic new to briefbot
        timezone = command.timezone or self._user_timezone(team_id, user_id)
        subscription, created = self.core.subscriptions.subscribe(
            team_id=team_id,
            channel_id=channel_id,
            topic=command.topic,
            hour=command.hour,
            minute=command.minute,
            timezone=timezone,
            user_id=user_id,
            rhythm=command.rhythm,
            length=command.length,
            now=self.core.clock(),
            language=command.language,
        )
        if self.hooks is not None:
            self.hooks.scheduled(subscription)
        verb = "Subscribed" if created else "Moved"
        short = " (short)" if subscription.length == "short" else ""
        if subscription.language:
            short += f" (lang:{mrkdwn(subscription.language)})"
        respond(
            text=f"{verb}: a digest of *{mrkdwn(command.topic)}*{short} in <#{channel_id}> "
            f"{mrkdwn(subscription.describe())}. "
            f"Stop it with `/brief unsubscribe {mrkdwn(command.topic)}`, pause it with "
            f"`/brief pause {mrkdwn(command.topic)}`.",
        )

    # -- who may subscribe ---------------------------------------------------------------------

    def is_admin(self, team_id: str, user_id: str) -> bool | None:
        """Whether Slack says the user is a workspace admin or owner (None: Slack didn't say)."""
        try:
            user = self.poster.clients(team_id).users_info(user=user_id).get("user") or {}
        except SlackApiError:
            log.warning("users.info failed while checking for an admin")
            return None
        return any(bool(user.get(k)) for k in ("is_admin", "is_owner", "is_primary_owner"))

    def may_subscribe(self, team_id: str, user_id: str) -> str | None:
        """None: the user may subscribe channels; else the one line saying why not."""
        if not self.core.workspaces.only_admins_subscribe(team_id):
            return None
        admin = self.is_admin(team_id, user_id)
        if admin:
            return None
        if admin is None:
            return "I couldn't check with Slack that you are a workspace admin; try again soon."
        return (
            "In this workspace only admins and owners can subscribe channels to digests. "
            "Ask one of them, or get a one-off brief with `/brief <topic>`."
        )

    def admin(self, command: AdminCmd, *, team_id: str, user_id: str, respond: Respond) -> None:
        """`/brief admin only-admins-subscribe on|off`: workspace admins and owners only."""
        admin = self.is_admin(team_id, user_id)
        if not admin:
            respond(
                text="I couldn't check with Slack that you are a workspace admin; try again soon."
                if admin is None
                else "Only workspace admins and owners can change who may subscribe channels."
            )
            return
        self.core.workspaces.set_only_admins_subscribe(team_id, command.only_admins_subscribe)
        respond(
            text="Now only workspace admins and owners can subscribe channels to digests "
            "(existing digests stay). Undo: `/brief admin only-admins-subscribe off`."
            if command.only_admins_subscribe
            else "Anyone can subscribe channels to digests again."
        )

    def _user_timezone(self, team_id: str, user_id: str) -> str:
        try:
            info = self.poster.clients(team_id).users_info(user=user_id)
            tz = (info.get("user") or {}).get("tz")
            if tz:
                return str(tz)
        except SlackApiError:
            log.warning("users.info failed; defaulting the digest time zone to UTC")
        return "UTC"

    def unsubscribe(self, topic: str, *, team_id: str, channel_id: str, respond: Respond) -> None:
        subscription_id = self.core.subscriptions.unsubscribe(
            team_id=team_id, channel_id=channel_id, topic=topic
        )
        if subscription_id is None:
            respond(
                text=f"This channel has no digest of *{mrkdwn(topic)}*. "
                "See the channel's digests with `/brief list`."
            )
            return
        if self.hooks is not None:
            self.hooks.unscheduled(subscription_id)
        respond(text=f"Unsubscribed: no more daily digest of *{mrkdwn(topic)}* in <#{channel_id}>.")

    def list_subscriptions(self, *, team_id: str, channel_id: str, respond: Respond) -> None:
        now = self.core.clock()
        lines = [_listed(s, now) for s in self.core.subscriptions.for_team(team_id, channel_id)]
        if not lines:
            respond(text="No digests in this channel. Add one: `/brief subscribe ukraine`.")
            return
        respond(text="Digests in this channel:\n" + "\n".join(lines))

    def pause(self, command: PauseCmd, *, team_id: str, channel_id: str, respond: Respond) -> None:
        topic = mrkdwn(command.topic)
        found = self._subscription(team_id, channel_id, command.topic)
        if found is None:
            respond(text=_no_digest(command.topic))
            return
        # Read against the digest's own time zone: "until 2026-12-24" is its midnight there.
        until = parse_pause(
            command.when,
            now=self.core.clock(),
            tz_name=found.timezone,
            example=f"/brief pause {command.topic}",
        )
        paused = self.core.subscriptions.pause(
            team_id=team_id, channel_id=channel_id, topic=command.topic, until=until
        )
        if paused is None:  # unsubscribed meanwhile
            respond(text=_no_digest(command.topic))
            return
        if self.hooks is not None:
            self.hooks.scheduled(paused)  # no end date: unscheduled; until a date: kept
        state = paused.pause_text(self.core.clock()) or "paused"
        respond(
            text=f"The digest of *{topic}* in <#{channel_id}> is {mrkdwn(state)}; "
            "the days it misses are not caught up. "
            f"Resume it any time with `/brief resume {topic}`."
        )

    def resume(self, topic: str, *, team_id: str, channel_id: str, respond: Respond) -> None:
        resumed = self.core.subscriptions.resume(
            team_id=team_id, channel_id=channel_id, topic=topic, now=self.core.clock()
        )
        if resumed is None:
            respond(text=_no_digest(topic))
            return
        if self.hooks is not None:
            self.hooks.scheduled(resumed)
        respond(
            text=f"The digest of *{mrkdwn(topic)}* in <#{channel_id}> is on again: "
            f"{mrkdwn(resumed.describe())}."
        )

    def filter(
        self, command: FilterCmd, *, team_id: str, channel_id: str, respond: Respond
    ) -> None:
        updated = self.core.subscriptions.set_filters(
            team_id=team_id, channel_id=channel_id, topic=command.topic, filters=command.filters
        )
        topic = mrkdwn(command.topic)
        if updated is None:
            respond(text=_no_digest(command.topic))
            return
        if command.filters.is_empty:
            respond(text=f"The digest of *{topic}* in <#{channel_id}> has no filters now.")
            return
        respond(
            text=f"The digest of *{topic}* in <#{channel_id}> now filters "
            f"`{mrkdwn(command.filters.text)}`: {mrkdwn(_explain(command.filters))}. "
            f"Clear with `/brief filter {topic} none`."
        )

    def _subscription(self, team_id: str, channel_id: str, topic: str) -> SubscriptionInfo | None:
        wanted = " ".join(topic.lower().split())
        return next(
            (s for s in self.core.subscriptions.for_team(team_id, channel_id) if s.topic == wanted),
            None,
        )

    # -- sources -----------------------------------------------------------------------------

    def sources(self, command: SourcesCmd, *, respond: Respond) -> None:
        secrets = self.core.settings.secrets()
        topic = mrkdwn(command.topic)
        if command.action == "add":
            assert command.url
            info = self.core.add_source(command.topic, command.url)
            respond(
                text=f"Added {link(info.url, secrets)} to *{topic}*; it is fetched on the next "
                "refresh (or by your next `/brief`)."
            )
            return
        if command.action == "remove":
            assert command.url
            removed = self.core.remove_source(command.topic, command.url)
            respond(
                text=(
                    f"Removed that source from *{topic}*."
                    if removed
                    else f"*{topic}* has no such source; see `/brief sources {topic}`."
                )
            )
            return
        try:
            sources = self.core.topic_sources(command.topic)
        except NotFoundError:
            sources = []
        if not sources:
            respond(
                text=f"*{topic}* has no sources of its own, so briefs use a news search for its "
                f"name. Add a feed: `/brief sources {topic} add &lt;feed-url&gt;`."
            )
            return
        lines = [
            (
                # A file or folder ingested on the server: its path (and errors quoting it)
                # says nothing to a channel and shows the server's layout to anyone who asks.
                "• a local file or folder, added on the server with `briefbot ingest` — "
                + ("error (see `briefbot topic show` there)" if s.last_error else "ok")
                if s.url.lower().startswith("file:")
                else f"• {link(s.url, secrets)} — {_source_state(s)}"
            )
            for s in sources
        ]
        respond(text=f"Sources of *{topic}*:\n" + "\n".join(lines))


def _utc(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}, {moment:%H:%M} UTC"


def _source_state(s: SourceInfo) -> str:
    """ "failing since Mon 9 Mar, 06:30 UTC: HTTP 503 (last success: never) · 12 articles"."""
    last_ok = _utc(s.last_ok_at) if s.last_ok_at else "never"
    if s.last_error:
        since = f" since {_utc(s.failing_since)}" if s.failing_since else ""
        state = f"failing{since}: {mrkdwn(s.last_error[:200])} (last success: {last_ok})"
    elif s.last_ok_at:
        state = f"ok, last success {last_ok}"
    else:
        state = "not fetched yet"
    if s.article_count is not None:
        state += f" · {s.article_count} article{'' if s.article_count == 1 else 's'}"
    return state


def _no_digest(topic: str) -> str:
    return (
        f"This channel has no digest of *{mrkdwn(topic)}*. "
        "See the channel's digests with `/brief list`."
    )


def _listed(s: SubscriptionInfo, now: datetime) -> str:
    """One line of `/brief list`: topic, rhythm and time, length, filters, pause."""
    parts = [f"• *{mrkdwn(s.topic)}* {mrkdwn(s.describe())}"]
    if s.length == "short":
        parts.append("short")
    if s.language:
        parts.append(f"lang:{mrkdwn(s.language)}")
    if not s.filters.is_empty:
        parts.append(f"filters `{mrkdwn(s.filters.text)}`")
    paused = s.pause_text(now)
    if paused:
        parts.append(f"*{mrkdwn(paused)}*")
    return " — ".join(parts)


def _explain(filters: Filters) -> str:
    said = []
    if filters.exclude:
        said.append(
            "leaves out articles whose headline or opening mentions " + _any(filters.exclude)
        )
    if filters.outlets:
        said.append("leaves out everything from " + _any(filters.outlets, "or"))
    if filters.require:
        said.append("keeps only articles mentioning " + _any(filters.require))
    return "; ".join(said)


def _any(words: tuple[str, ...], joiner: str = "or") -> str:
    quoted = [f"“{w}”" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" {joiner} " + quoted[-1]
