"""What the Slack listeners hand their slow work to: brief, subscriptions, sources, answers.

Listeners parse and ack; these methods do the I/O (database, fetching, Slack Web API) and
reply. Every reply that only the requester should see goes through `respond` (the command's
response_url, ephemeral); briefs and thread answers are posted with chat.postMessage.

Replies are mrkdwn, and much of what they repeat is not ours: topic names, URLs typed by users,
errors that quote a URL or a remote server's reason phrase. All of it goes through `_m`
(escape `&`, `<`, `>`) or `_link`, so a reply can never ping `<!channel>` or add a link.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import InstallationStore

from bot.answer.result import Answer
from bot.core import Briefbot, BriefResult
from bot.errors import BriefbotError, NotFoundError, StorageError
from bot.ingest.report import IngestReport
from bot.redact import redact
from bot.render import blocks
from bot.render.escape import escape_mrkdwn, safe_link
from bot.slack.client import ClientForTeam
from bot.slack.commands import (
    USAGE,
    BriefCmd,
    Command,
    HelpCmd,
    ListCmd,
    SourcesCmd,
    SubscribeCmd,
    UnsubscribeCmd,
)
from bot.slack.home import home_view
from bot.slack.teams import Origin
from storage import articles as article_store
from storage import briefs as brief_store
from storage import deliveries, threads
from storage import subscriptions as subscription_store
from storage import teams as team_store
from storage import topics as topic_store
from storage.db import transaction
from storage.models import Subscription, utcnow

log = logging.getLogger(__name__)

Respond = Callable[..., Any]
# Said only when the failed request changed nothing: its transaction was rolled back, and a
# brief is recorded before it is posted, so a brief that could not be recorded was not posted.
UNAVAILABLE = (
    "briefbot is temporarily unavailable (its database is not answering), so that was not done "
    "and nothing was posted. Please try again in a minute."
)
# Posted, but the record of it could not be written within RECORD_DEADLINE_SECONDS. The post
# carries its delivery id (message metadata): the first question in its thread once the
# database answers again completes the record (`_heal_thread_root`).
POSTED_NOT_RECORDED = (
    "The brief on *{topic}* is posted, but briefbot could not record it yet (its database is "
    "busy). Questions in its thread are answered once the database is back; if one goes "
    "unanswered, ask again in a minute."
)
BRIEF_METADATA_EVENT = "briefbot_brief"
# A brief recorded as "posting" this long ago without a ts is looked for in Slack, no older.
PENDING_POST_WINDOW = timedelta(days=1)
# A brief that went out is recorded (its ts makes its thread answerable) for at most this long
# while the database is locked or unreachable, retrying with backoff.
RECORD_DEADLINE_SECONDS = 60.0
# Slack errors that mean "this channel is not reachable for the bot", not a transient fault.
NOT_IN_CHANNEL = {"not_in_channel", "channel_not_found", "is_archived"}
# A question outside a brief's thread is tried on at most this many topics.
MAX_TOPICS_PER_QUESTION = 5
MENTION_HELP = (
    "Ask me a question about a topic I follow (e.g. “@briefbot what did Russia demand?”), "
    "or name a topic (e.g. “@briefbot ukraine”) for its brief."
)
NO_TOPICS = "I don't follow any topic yet. Start one with `/brief ukraine`."
# A /brief that must first fetch its topic's sources waits at most this long for them.
FRESH_INGEST_SECONDS = 20.0
# It goes on in the background after that, for at most this long (its unfinished sources are
# reported as not finished); topics refreshing at once, at most this many.
FRESH_INGEST_MAX_SECONDS = 60.0
FRESH_INGEST_WORKERS = 4


class SubscriptionHooks(Protocol):
    """The scheduler, where this process runs one: told about subscription changes."""

    def scheduled(self, subscription: Subscription) -> None: ...

    def unscheduled(self, subscription_id: int) -> None: ...


class SlackActions:
    def __init__(
        self,
        core: Briefbot,
        clients: ClientForTeam,
        hooks: SubscriptionHooks | None = None,
        ingest_pool: ThreadPoolExecutor | None = None,
        installations: InstallationStore | None = None,
    ) -> None:
        self.core = core
        self.clients = clients
        self.hooks = hooks
        # OAuth mode: where workspaces' installations live (None with a single bot token).
        self.installations = installations
        # Fresh-ingest work outlives a slow /brief: it keeps running after we stop waiting.
        self._pool = ingest_pool or ThreadPoolExecutor(
            max_workers=FRESH_INGEST_WORKERS, thread_name_prefix="ingest"
        )
        self._fresh: dict[str, Future[IngestReport]] = {}  # refreshes running, by topic
        self._fresh_lock = threading.Lock()
        # Workspaces already recorded with their organization by this process (see remember_team).
        self._teams_seen: set[Origin] = set()

    # -- the app removed from a workspace ------------------------------------------------------

    def workspace_uninstalled(self, *, team_id: str, enterprise_id: str | None) -> int:
        """Forget the workspace's tokens and pause its subscriptions; keep its data until an
        admin runs `briefbot workspace delete TEAM_ID`. Returns how many were paused."""
        if self.installations is not None:
            self.installations.delete_all(enterprise_id=enterprise_id, team_id=team_id)
        with transaction(self.core.factory) as session:
            subscriptions = subscription_store.for_team(session, team_id)
            paused = subscription_store.pause_team(session, team_id)
            ids = [s.id for s in subscriptions]
        if self.hooks is not None:
            for subscription_id in ids:
                self.hooks.unscheduled(subscription_id)
        log.info("workspace %s uninstalled: %d subscriptions paused", team_id, paused)
        return paused

    # -- Enterprise Grid ------------------------------------------------------------------------

    def remember_team(self, origin: Origin) -> None:
        """Record which organization a workspace belongs to, once per process per workspace:
        an org-level uninstall names only the organization."""
        if origin.team_id is None or origin in self._teams_seen:
            return
        with transaction(self.core.factory) as session:
            team_store.remember(session, origin.team_id, origin.enterprise_id, origin.org_wide)
        self._teams_seen.add(origin)

    def organization_uninstalled(self, enterprise_id: str) -> int:
        """An org-wide install removed (or its bot token revoked): forget the organization's
        tokens and pause the subscriptions of every workspace of it we know. Returns how many
        were paused."""
        if self.installations is not None:
            self.installations.delete_all(enterprise_id=enterprise_id, team_id=None)
        with transaction(self.core.factory) as session:
            teams = team_store.teams_of(session, enterprise_id)
        paused = sum(
            self.workspace_uninstalled(team_id=team, enterprise_id=enterprise_id) for team in teams
        )
        self._teams_seen.clear()
        log.info(
            "organization %s uninstalled: %d subscriptions paused in %d workspaces",
            enterprise_id,
            paused,
            len(teams),
        )
        return paused

    # -- entry point for /brief --------------------------------------------------------------

    def run_command(
        self, command: Command, *, team_id: str, channel_id: str, user_id: str, respond: Respond
    ) -> None:
        try:
            if isinstance(command, BriefCmd):
                self.brief(command.topic, team_id=team_id, channel_id=channel_id, respond=respond)
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
            elif isinstance(command, HelpCmd):
                respond(text=_m(USAGE))
        except StorageError:
            log.warning("database unavailable while handling /brief", exc_info=True)
            respond(text=UNAVAILABLE)
        except BriefbotError as err:
            # Error messages quote what the user typed (URLs) and what servers said.
            respond(text=_m(str(err)))
        except Exception:
            log.exception("/brief failed")
            respond(text="Something went wrong while making that brief; it has been logged.")

    # -- /brief <topic> ----------------------------------------------------------------------

    def brief(self, topic: str, *, team_id: str, channel_id: str, respond: Respond) -> None:
        self._ensure_fresh(topic)
        try:
            result = self.core.brief(topic)
        except NotFoundError:
            result = None
        if result is None or result.brief.is_empty:
            respond(text=_nothing_found(topic, self.core.settings.brief_window_hours))
            return
        message = blocks.brief_to_message(result.brief)
        client = self.clients(team_id)
        # Recorded before it is posted: if the database cannot take the record now, nothing is
        # posted (the user is told so), rather than a brief whose thread nobody can answer.
        delivery_id = self._record_brief_intent(topic, result, team_id, channel_id)
        try:
            posted = client.chat_postMessage(
                channel=channel_id,
                **message.to_kwargs(),
                unfurl_links=False,
                unfurl_media=False,
                metadata={
                    "event_type": BRIEF_METADATA_EVENT,
                    "event_payload": {"delivery_id": delivery_id},
                },
            )
        except SlackApiError as err:
            self._not_posted(delivery_id, f"slack: {err.response.get('error')}")
            if err.response.get("error") not in NOT_IN_CHANNEL:
                raise
            # Not a member: show it to the requester only, and say how to invite the bot.
            respond(
                text="I'm not in this channel, so only you can see this brief. Invite me with "
                "`/invite @briefbot` to post briefs here.\n\n" + message.text,
                blocks=message.blocks,
            )
            return
        except Exception as err:
            self._not_posted(delivery_id, type(err).__name__)
            raise
        if not self._record_posted(delivery_id, str(posted["ts"])):
            respond(text=POSTED_NOT_RECORDED.format(topic=_m(topic)))

    def _record_brief_intent(
        self, topic: str, result: BriefResult, team_id: str, channel_id: str
    ) -> int:
        """The delivery row of a brief about to be posted in `channel_id`; its id."""
        with transaction(self.core.factory) as session:
            topic_row = topic_store.get(session, topic)
            assert topic_row is not None
            return deliveries.record_intent(
                session,
                team_id=team_id,
                channel_id=channel_id,
                kind="brief",
                topic_id=topic_row.id,
                brief_id=result.brief_id,
                since=result.brief.since,
                until=result.brief.until,
            ).id

    def _record_posted(self, delivery_id: int, ts: str) -> bool:
        """Add the ts to the brief's record, retrying while the database is locked or away,
        up to RECORD_DEADLINE_SECONDS. False: it never landed (logged)."""
        deadline = time.monotonic() + RECORD_DEADLINE_SECONDS
        pause = 0.1
        while True:
            try:
                with transaction(self.core.factory) as session:
                    deliveries.mark_posted(session, delivery_id, ts)
                return True
            except StorageError:
                left = deadline - time.monotonic()
                if left <= 0:
                    log.error(
                        "brief %s was posted (ts %s) but could not be recorded", delivery_id, ts
                    )
                    return False
                log.warning("recording brief %s: database busy; retrying", delivery_id)
                time.sleep(min(pause, left))
                pause = min(pause * 2, 0.5)

    def _heal_thread_root(self, team_id: str, channel_id: str, thread_ts: str) -> None:
        """A brief posted but never recorded (database locked past the deadline, or the process
        died right after posting) is recognised by the delivery id its message carries, and
        its record completed: its thread becomes answerable. Asks Slack only while the channel
        has such a brief pending."""
        since = utcnow() - PENDING_POST_WINDOW
        with self.core.factory() as session:
            if deliveries.thread_root(session, team_id, channel_id, thread_ts) is not None:
                return
            pending = deliveries.pending_posts(session, team_id, channel_id, since)
        if not pending:
            return
        try:
            replies = self.clients(team_id).conversations_replies(
                channel=channel_id, ts=thread_ts, limit=1, include_all_metadata=True
            )
        except SlackApiError as err:
            log.warning("could not read the root of thread %s: %s", thread_ts, err)
            return
        for message in replies.get("messages") or []:
            metadata = message.get("metadata") or {}
            delivery_id = (metadata.get("event_payload") or {}).get("delivery_id")
            if (
                message.get("ts") == thread_ts
                and metadata.get("event_type") == BRIEF_METADATA_EVENT
                and delivery_id in pending
            ):
                with transaction(self.core.factory) as session:
                    deliveries.mark_posted(session, int(delivery_id), thread_ts)
                log.info("brief %s: record completed from its thread's root", delivery_id)
                return

    def _not_posted(self, delivery_id: int, error: str) -> None:
        try:
            with transaction(self.core.factory) as session:
                deliveries.mark_not_posted(session, delivery_id, error)
        except StorageError:  # left "posting": never a thread root
            log.warning("could not mark brief %s as not posted", delivery_id)

    def _ensure_fresh(self, topic: str) -> None:
        """No articles from the window yet: fetch the topic's sources first, bounded in time."""
        window = timedelta(hours=self.core.settings.brief_window_hours)
        with self.core.factory() as session:
            row = topic_store.get(session, topic)
            recent = (
                article_store.count(session, row.id, since=self.core.clock() - window) if row else 0
            )
        if recent:
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
        timezone = command.timezone or self._user_timezone(team_id, user_id)
        with transaction(self.core.factory) as session:
            topic = topic_store.get_or_create(session, command.topic)
            subscription, created = subscription_store.upsert(
                session,
                team_id=team_id,
                channel_id=channel_id,
                topic=topic,
                hour=command.hour,
                minute=command.minute,
                timezone=timezone,
                created_by=user_id,
            )
        if self.hooks is not None:
            self.hooks.scheduled(subscription)
        verb = "Subscribed" if created else "Moved"
        respond(
            text=f"{verb}: a digest of *{_m(command.topic)}* in <#{channel_id}> every day at "
            f"{command.hour:02d}:{command.minute:02d} ({_m(timezone)}). "
            f"Stop it with `/brief unsubscribe {_m(command.topic)}`.",
        )

    def _user_timezone(self, team_id: str, user_id: str) -> str:
        try:
            info = self.clients(team_id).users_info(user=user_id)
            tz = (info.get("user") or {}).get("tz")
            if tz:
                return str(tz)
        except SlackApiError:
            log.warning("users.info failed; defaulting the digest time zone to UTC")
        return "UTC"

    def unsubscribe(self, topic: str, *, team_id: str, channel_id: str, respond: Respond) -> None:
        with transaction(self.core.factory) as session:
            topic_row = topic_store.get(session, topic)
            found = (
                subscription_store.find(session, team_id, channel_id, topic_row)
                if topic_row
                else None
            )
            if found is None:
                respond(
                    text=f"This channel has no digest of *{_m(topic)}*. "
                    "See the channel's digests with `/brief list`."
                )
                return
            subscription_id = found.id
            subscription_store.delete(session, found)
        if self.hooks is not None:
            self.hooks.unscheduled(subscription_id)
        respond(text=f"Unsubscribed: no more daily digest of *{_m(topic)}* in <#{channel_id}>.")

    def list_subscriptions(self, *, team_id: str, channel_id: str, respond: Respond) -> None:
        with self.core.factory() as session:
            rows = subscription_store.for_team(session, team_id, channel_id)
            lines = [
                f"• *{_m(s.topic.name)}* every day at {s.hour:02d}:{s.minute:02d} "
                f"({_m(s.timezone)})" + (" — paused" if s.paused else "")
                for s in rows
            ]
        if not lines:
            respond(text="No daily digests in this channel. Add one: `/brief subscribe ukraine`.")
            return
        respond(text="Daily digests in this channel:\n" + "\n".join(lines))

    # -- sources -----------------------------------------------------------------------------

    def sources(self, command: SourcesCmd, *, respond: Respond) -> None:
        if command.action == "add":
            assert command.url
            info = self.core.add_source(command.topic, command.url)
            respond(
                text=f"Added {_link(info.url, self.core.settings.secrets())} to "
                f"*{_m(command.topic)}*; it is fetched on the next "
                "refresh (or by your next `/brief`)."
            )
            return
        if command.action == "remove":
            assert command.url
            removed = self.core.remove_source(command.topic, command.url)
            respond(
                text=(
                    f"Removed that source from *{_m(command.topic)}*."
                    if removed
                    else f"*{_m(command.topic)}* has no such source; see `/brief sources "
                    f"{_m(command.topic)}`."
                )
            )
            return
        try:
            sources = self.core.topic_sources(command.topic)
        except NotFoundError:
            sources = []
        if not sources:
            respond(
                text=f"*{_m(command.topic)}* has no sources of its own, so briefs use a news "
                f"search for its name. Add a feed: `/brief sources {_m(command.topic)} add "
                "&lt;feed-url&gt;`."
            )
            return
        lines = [
            (
                # A file or folder ingested on the server: its path (and errors quoting it)
                # says nothing to a channel and shows the server's layout to anyone who asks.
                "• a local file or folder, added on the server with `briefbot ingest` — "
                + ("error (see `briefbot topic show` there)" if s.last_error else "ok")
                if s.url.lower().startswith("file:")
                else f"• {_link(s.url, self.core.settings.secrets())} — "
                + (
                    f"error: {_m(s.last_error[:200])}"
                    if s.last_error
                    else "ok"
                    if s.last_ok_at
                    else "not fetched yet"
                )
            )
            for s in sources
        ]
        respond(text=f"Sources of *{_m(command.topic)}*:\n" + "\n".join(lines))

    # -- follow-up questions in a brief's thread ---------------------------------------------

    def answer_in_thread(
        self,
        *,
        team_id: str,
        channel_id: str,
        thread_ts: str,
        message_ts: str,
        question: str,
    ) -> bool:
        """Answer a reply in a thread of ours: under a brief or digest, or one where we already
        answered a question (a mention, a DM). False: not ours, ignored.

        The brief's articles are preferred over the topic's others; a follow-up ("what about
        Russia?") is resolved against the thread's previous question, stored in our database.
        """
        self._heal_thread_root(team_id, channel_id, thread_ts)
        with transaction(self.core.factory) as session:
            root = deliveries.thread_root(session, team_id, channel_id, thread_ts)
            brief = (
                brief_store.get_by_id(session, root.brief_id)
                if root is not None and root.brief_id is not None
                else None
            )
            earlier = threads.recent(session, team_id, channel_id, thread_ts)
            if brief is None and not earlier:
                return False
            # The message's ts identifies it across Slack retries and across the two events
            # (message + app_mention) Slack sends for one mention: answer it once.
            if not deliveries.first_time_event(session, f"{channel_id}:{message_ts}", team_id):
                return True
            topic_id = brief.topic_id if brief is not None else earlier[-1].topic_id
            topic = topic_store.get_by_id(session, topic_id)
            if topic is None:
                return False
            prefer = list(brief.article_ids) if brief is not None else []
            topic_name = topic.name
            previous = earlier[-1].resolved_question if earlier else None
            history: list[tuple[str, str]] = []
            for turn in earlier:
                history += [("user", turn.resolved_question), ("briefbot", turn.answer)]
        answer = self.core.ask(
            topic_name,
            question,
            prefer_ids=prefer,
            previous_question=previous,
            history=history,
        )
        self._post_answer(team_id, channel_id, thread_ts, topic_id, answer)
        return True

    # -- a mention outside a brief's thread, or a direct message -------------------------------

    def answer_message(
        self, *, team_id: str, channel_id: str, message_ts: str, text: str, reply_ts: str
    ) -> None:
        """`@briefbot …` outside a brief's thread, or a DM: a topic's name gets its brief, a
        question an answer from the topic that answers it; both in a thread under `reply_ts`."""
        try:
            with transaction(self.core.factory) as session:
                if not deliveries.first_time_event(session, f"{channel_id}:{message_ts}", team_id):
                    return
                names = [t.name for t in topic_store.list_all(session)]
                subscribed = [
                    s.topic.name for s in subscription_store.for_team(session, team_id, channel_id)
                ]
            client = self.clients(team_id)
            if not text.strip():
                self._post_text(client, channel_id, reply_ts, MENTION_HELP)
                return
            wanted = topic_store.normalize_name(text)
            if wanted in names:
                self._brief_in_thread(wanted, team_id, channel_id, reply_ts)
                return
            if not names:
                self._post_text(client, channel_id, reply_ts, NO_TOPICS)
                return
            chosen: tuple[str, Answer] | None = None
            for name in _topics_to_try(text, names, subscribed):
                answer = self.core.ask(name, text)
                if chosen is None or answer.found:
                    chosen = (name, answer)
                if answer.found:
                    break
            assert chosen is not None
            with self.core.factory() as session:
                topic_row = topic_store.get(session, chosen[0])
                topic_id = topic_row.id if topic_row is not None else None
            self._post_answer(team_id, channel_id, reply_ts, topic_id, chosen[1])
        except StorageError:
            log.warning("database unavailable while answering a mention", exc_info=True)
            self._post_text(self.clients(team_id), channel_id, reply_ts, UNAVAILABLE)
        except BriefbotError as err:
            self._post_text(self.clients(team_id), channel_id, reply_ts, _m(str(err)))

    def _brief_in_thread(self, topic: str, team_id: str, channel_id: str, reply_ts: str) -> None:
        try:
            result = self.core.brief(topic)
        except NotFoundError:
            result = None
        client = self.clients(team_id)
        if result is None or result.brief.is_empty:
            hours = self.core.settings.brief_window_hours
            self._post_text(client, channel_id, reply_ts, _nothing_found(topic, hours))
            return
        message = blocks.brief_to_message(result.brief)
        # Recorded before it is posted, as a /brief is (see `brief`).
        delivery_id = self._record_brief_intent(topic, result, team_id, channel_id)
        try:
            client.chat_postMessage(
                channel=channel_id,
                thread_ts=reply_ts,
                **message.to_kwargs(),
                unfurl_links=False,
                unfurl_media=False,
            )
        except Exception as err:
            self._not_posted(delivery_id, type(err).__name__)
            raise
        # The thread's root is the user's message: questions in that thread are about this
        # brief, as under a brief posted in the channel.
        if not self._record_posted(delivery_id, reply_ts):
            self._post_text(
                client, channel_id, reply_ts, POSTED_NOT_RECORDED.format(topic=_m(topic))
            )

    def _post_answer(
        self,
        team_id: str,
        channel_id: str,
        thread_ts: str,
        topic_id: int | None,
        answer: Answer,
    ) -> None:
        message = blocks.answer_to_message(answer)
        self.clients(team_id).chat_postMessage(
            channel=channel_id,
            thread_ts=thread_ts,
            **message.to_kwargs(),
            unfurl_links=False,
            unfurl_media=False,
        )
        if topic_id is None:
            return
        with transaction(self.core.factory) as session:
            threads.record(
                session,
                team_id=team_id,
                channel_id=channel_id,
                thread_ts=thread_ts,
                topic_id=topic_id,
                question=answer.question,
                resolved_question=answer.resolved_question or answer.question,
                answer=answer.answer,
                found=answer.found,
                source_ids=answer.source_ids,
            )

    @staticmethod
    def _post_text(client: Any, channel_id: str, thread_ts: str, text: str) -> None:
        client.chat_postMessage(
            channel=channel_id,
            thread_ts=thread_ts,
            text=text,
            unfurl_links=False,
            unfurl_media=False,
        )

    # -- App Home ----------------------------------------------------------------------------

    def publish_home(self, *, team_id: str, user_id: str) -> None:
        with self.core.factory() as session:
            subs = [
                (s.topic.name, s.channel_id, f"{s.hour:02d}:{s.minute:02d} {s.timezone}", s.paused)
                for s in subscription_store.for_team(session, team_id)
            ]
            latest = []
            for delivery in deliveries.latest_for_team(session, team_id, limit=10):
                topic = topic_store.get_by_id(session, delivery.topic_id)
                latest.append(
                    (
                        topic.name if topic else "?",
                        delivery.kind,
                        delivery.channel_id,
                        delivery.sent_at,
                    )
                )
        self.clients(team_id).views_publish(user_id=user_id, view=home_view(subs, latest))


def _m(text: str) -> str:
    """Text for a mrkdwn reply, inert: no mention, no link of its own."""
    return escape_mrkdwn(text)


def _link(url: str, secrets: Sequence[str] = ()) -> str:
    """A URL as a link when it is a safe http(s) URL, else as escaped text.

    A URL carrying a credential (a feed's `?access_token=xoxp-…`, our own key) is shown with
    the credential masked and not linked: any channel member can list a topic's sources.
    """
    shown = redact(url, secrets)
    if shown != url:
        return escape_mrkdwn(shown)
    return safe_link(url, url)


def _topics_to_try(text: str, names: Sequence[str], subscribed: Sequence[str]) -> list[str]:
    """Topics named in the question first, then the channel's subscriptions, then the rest."""
    said = set(re.findall(r"\w+", text.lower()))
    named = [n for n in names if set(re.findall(r"\w+", n.lower())) <= said]
    ordered = list(dict.fromkeys([*named, *subscribed, *names]))
    return ordered[:MAX_TOPICS_PER_QUESTION]


def _nothing_found(topic: str, hours: int) -> str:
    topic = _m(topic)
    return (
        f"I found no articles about *{topic}* from the last {hours} hours. "
        f"Check where it looks with `/brief sources {topic}`, or add a feed: "
        f"`/brief sources {topic} add https://example.com/feed.xml`."
    )
