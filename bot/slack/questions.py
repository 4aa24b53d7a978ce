"""Questions asked in Slack: a reply in a thread of ours (under a brief or digest, or where we
answered before), an `@briefbot` mention outside one, a direct message. Answers are posted in
the thread; a topic named alone gets its brief there.

The thread's context (its brief's articles, its earlier questions) comes from the service
layer (`bot.service.answers`); a follow-up ("what about Russia?") is resolved against it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import timedelta

from bot.answer.result import Answer
from bot.core import Briefbot
from bot.errors import BriefbotError, PostError, StorageError
from bot.render import blocks
from bot.service.deliveries import now as wall_clock
from bot.service.topics import normalize_name
from bot.slack.brief_posts import BRIEF_METADATA_EVENT, post_brief, topic_brief
from bot.slack.posting import SlackPoster
from bot.slack.replies import (
    MENTION_HELP,
    NO_TOPICS,
    POSTED_NOT_RECORDED,
    UNAVAILABLE,
    mrkdwn,
    nothing_found,
)

log = logging.getLogger(__name__)

# A question outside a brief's thread is tried on at most this many topics.
MAX_TOPICS_PER_QUESTION = 5
# A brief recorded as "posting" this long ago without a ts is looked for in Slack, no older.
PENDING_POST_WINDOW = timedelta(days=1)


class Questions:
    def __init__(self, core: Briefbot, poster: SlackPoster) -> None:
        self.core = core
        self.poster = poster

    # -- a reply in a thread of ours ---------------------------------------------------------

    def answer_in_thread(
        self,
        *,
        team_id: str,
        channel_id: str,
        thread_ts: str,
        message_ts: str,
        question: str,
    ) -> bool:
        """Answer a reply in a thread of ours. False: not ours, ignored.

        The brief's articles are preferred over the topic's others; a follow-up ("what about
        Russia?") is resolved against the thread's previous question, stored in our database.
        """
        self._heal_thread_root(team_id, channel_id, thread_ts)
        context = self.core.answers.thread_context(team_id, channel_id, thread_ts, message_ts)
        if context is None:
            return False
        if not context.first_time:
            return True  # answered already: a retry, or the mention's twin event
        answer = self.core.ask(
            context.topic,
            question,
            prefer_ids=context.prefer_ids,
            previous_question=context.previous_question,
            history=context.history,
        )
        self._post_answer(team_id, channel_id, thread_ts, context.topic_id, answer)
        return True

    def _heal_thread_root(self, team_id: str, channel_id: str, thread_ts: str) -> None:
        """A brief posted but never recorded (database locked past the deadline, or the process
        died right after posting) is recognised by the delivery id its message carries, and
        its record completed: its thread becomes answerable. Asks Slack only while the channel
        has such a brief pending."""
        since = wall_clock() - PENDING_POST_WINDOW
        deliveries = self.core.deliveries
        pending = deliveries.unrecorded_posts(team_id, channel_id, thread_ts, since)
        if not pending:
            return
        try:
            roots = self.poster.posts_with_metadata(
                team_id, channel_id, BRIEF_METADATA_EVENT, thread_ts=thread_ts
            )
        except PostError as err:
            log.warning("could not read the root of thread %s: %s", thread_ts, err.code)
            return
        for ts, payload in roots:
            delivery_id = payload.get("delivery_id")
            if delivery_id in pending:
                deliveries.mark_posted(int(delivery_id), ts)
                log.info("brief %s: record completed from its thread's root", delivery_id)
                return

    # -- a mention outside a brief's thread, or a direct message -------------------------------

    def answer_message(
        self, *, team_id: str, channel_id: str, message_ts: str, text: str, reply_ts: str
    ) -> None:
        """`@briefbot …` outside a brief's thread, or a DM: a topic's name gets its brief, a
        question an answer from the topic that answers it; both in a thread under `reply_ts`."""
        try:
            context = self.core.answers.mention_context(team_id, channel_id, message_ts)
            if not context.first_time:
                return
            if not text.strip():
                self._say(team_id, channel_id, reply_ts, MENTION_HELP)
                return
            wanted = normalize_name(text)
            if wanted in context.topics:
                self._brief_in_thread(wanted, team_id, channel_id, reply_ts)
                return
            if not context.topics:
                self._say(team_id, channel_id, reply_ts, NO_TOPICS)
                return
            chosen: tuple[str, Answer] | None = None
            for name in _topics_to_try(text, context.topics, context.subscribed):
                answer = self.core.ask(name, text)
                if chosen is None or answer.found:
                    chosen = (name, answer)
                if answer.found:
                    break
            assert chosen is not None
            topic_id = self.core.topics.topic_id(chosen[0])
            self._post_answer(team_id, channel_id, reply_ts, topic_id, chosen[1])
        except StorageError:
            log.warning("database unavailable while answering a mention", exc_info=True)
            self._say(team_id, channel_id, reply_ts, UNAVAILABLE)
        except BriefbotError as err:
            self._say(team_id, channel_id, reply_ts, mrkdwn(str(err)))

    def _brief_in_thread(self, topic: str, team_id: str, channel_id: str, reply_ts: str) -> None:
        result = topic_brief(self.core, topic)
        if result is None:
            hours = self.core.settings.brief_window_hours
            self._say(team_id, channel_id, reply_ts, nothing_found(topic, hours))
            return
        message = blocks.brief_to_message(result.brief)
        # Recorded before it is posted, as a /brief is (`bot.slack.brief_posts`). The thread's
        # root is the user's message: questions in that thread are about this brief, as under
        # a brief posted in the channel.
        recorded = post_brief(
            self.core,
            self.poster,
            message,
            result,
            topic=topic,
            team_id=team_id,
            channel_id=channel_id,
            thread_ts=reply_ts,
        )
        if not recorded:
            self._say(
                team_id, channel_id, reply_ts, POSTED_NOT_RECORDED.format(topic=mrkdwn(topic))
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
        self.poster.post(team_id, channel_id, message, thread_ts=thread_ts)
        if topic_id is None:
            return
        self.core.answers.record(
            team_id=team_id,
            channel_id=channel_id,
            thread_ts=thread_ts,
            topic_id=topic_id,
            answer=answer,
        )

    def _say(self, team_id: str, channel_id: str, thread_ts: str, text: str) -> None:
        self.poster.post(team_id, channel_id, text, thread_ts=thread_ts)


def _topics_to_try(text: str, names: Sequence[str], subscribed: Sequence[str]) -> list[str]:
    """Topics named in the question first, then the channel's subscriptions, then the rest."""
    said = set(re.findall(r"\w+", text.lower()))
    named = [n for n in names if set(re.findall(r"\w+", n.lower())) <= said]
    ordered = list(dict.fromkeys([*named, *subscribed, *names]))
    return ordered[:MAX_TOPICS_PER_QUESTION]
