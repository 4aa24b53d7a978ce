"""Answers: a question about a topic answered from its stored articles, citing them sentence
by sentence; and what a Slack thread already knows (its brief's articles, its earlier
questions) so that a follow-up is read in context."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from bot import metrics
from bot.answer.model import AnswerDraft, AnswerSentence
from bot.answer.result import Answer
from bot.errors import LLMError, UserInputError
from bot.service.material import article_inputs, require_topic
from bot.summarize.model import ArticleInput, SourceRef
from storage import articles as article_store
from storage import briefs as brief_store
from storage import deliveries, search, threads
from storage import subscriptions as subscription_store
from storage import topics as topic_store
from storage.db import transaction

if TYPE_CHECKING:
    from bot.answer.offline import OfflineAnswerer
    from bot.llm.client import LLMClient
    from bot.nlp.features import ArticleAnalysis

log = logging.getLogger(__name__)

# Full-text search narrows a question to this many candidate articles before sentence ranking.
MAX_CANDIDATES_PER_QUESTION = 25
# Sentences of those articles handed to the answerer, best first.
MAX_PASSAGES = 40


@dataclass(frozen=True)
class ThreadContext:
    """A thread of ours (under a brief or digest, or where we answered before)."""

    first_time: bool  # False: this message was already answered (a Slack retry, or the
    # app_mention twin of a message event)
    topic_id: int
    topic: str
    prefer_ids: tuple[int, ...]  # the brief's articles, preferred over the topic's others
    previous_question: str | None
    history: tuple[tuple[str, str], ...]  # ("user", question), ("briefbot", answer), ...


@dataclass(frozen=True)
class MentionContext:
    """A mention or DM outside a thread of ours: which topics it may be about."""

    first_time: bool
    topics: tuple[str, ...]  # every topic, by name
    subscribed: tuple[str, ...]  # the channel's subscribed topics


class Answers:
    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        llm: Callable[[], LLMClient | None],
        offline: Callable[[], OfflineAnswerer],
        asked: Callable[[str], None] | None = None,
    ) -> None:
        self._factory = factory
        self._llm = llm
        self._offline = offline
        # Told the topic of every question (`bot.service.lifecycle`: it is wanted).
        self._asked = asked

    def ask(
        self,
        topic: str,
        question: str,
        *,
        since: datetime | None = None,
        article_ids: Sequence[int] | None = None,
        prefer_ids: Sequence[int] = (),
        previous_question: str | None = None,
        history: Sequence[tuple[str, str]] = (),
    ) -> Answer:
        """Answer `question` from the topic's stored articles, citing them sentence by sentence.

        `article_ids` and `since` widen nothing: they restrict the articles searched.
        `prefer_ids` (a thread's brief) win over the topic's other articles when both answer.
        `previous_question` is the thread's last question: a follow-up such as "what about
        Russia?" or "and when?" is resolved against it.
        """
        question = " ".join(question.split())
        if not question:
            raise UserInputError("Ask a question, e.g. “What did Ukraine agree to?”")
        # Imported here: the answer modules' word lists cost CLI commands that ask nothing.
        from bot.answer.question import MAX_QUESTION_CHARS, resolve_followup
        from bot.answer.retrieve import question_terms, rank_passages

        if self._asked is not None:
            self._asked(topic)
        resolved = resolve_followup(question[:MAX_QUESTION_CHARS], previous_question)
        terms = question_terms(resolved)
        preferred = {str(i) for i in prefer_ids}
        draft = None
        llm_failed = False
        if prefer_ids and article_ids is None:
            # A thread's question: its brief's articles first (what the reader saw; the search
            # prefiltered by their ids, so its cost follows the thread, not the store: issue 14
            # item 5), the topic's other articles only when the brief's do not answer.
            inputs = self._candidates(topic, terms, since, list(prefer_ids), prefer_ids)
            passages = rank_passages(resolved, inputs, limit=MAX_PASSAGES, preferred=preferred)
            if passages:
                draft, llm_failed = self._draft(resolved, passages, history)
        if draft is None or not draft.found:
            inputs = self._candidates(topic, terms, since, article_ids, prefer_ids)
            passages = rank_passages(resolved, inputs, limit=MAX_PASSAGES, preferred=preferred)
            # An LLM that just failed this question is not asked again (one failure, one wait).
            draft, _ = self._draft(resolved, passages, history, use_llm=not llm_failed)
        by_id = {a.id: a for a in inputs}
        sentences = tuple(
            AnswerSentence(s.text, tuple(i for i in s.source_ids if i in by_id))
            for s in draft.sentences
        )
        if draft.found and (not sentences or any(not s.source_ids for s in sentences)):
            # An answer sentence without a citation we can show is not an answer.
            draft = AnswerDraft.not_found()
            sentences = ()
        cited = tuple(dict.fromkeys(i for s in sentences for i in s.source_ids))
        return Answer(
            question=question,
            found=draft.found,
            answer=draft.answer,
            source_ids=cited if draft.found else (),
            sources=tuple(SourceRef.of(by_id[i]) for i in cited),
            sentences=sentences,
            resolved_question=resolved,
        )

    def _candidates(
        self,
        topic: str,
        terms: Sequence[str],
        since: datetime | None,
        article_ids: Sequence[int] | None,
        prefer_ids: Sequence[int],
    ) -> list[ArticleInput]:
        """The articles full-text search finds for `terms` (within `article_ids` when given),
        and a thread's own articles (`prefer_ids`) even when search ranks them low."""
        with self._factory() as session:
            topic_row = require_topic(session, topic)
            hits = search.search(
                session,
                terms,
                topic_id=topic_row.id,
                since=since,
                article_ids=article_ids,
                limit=MAX_CANDIDATES_PER_QUESTION,
            )
            wanted = [h.article_id for h in hits]
            wanted += [i for i in prefer_ids if i not in wanted][:MAX_CANDIDATES_PER_QUESTION]
            rows = article_store.by_ids(session, wanted)
            # The answerer reads the entities ingestion stored instead of running the entity
            # recogniser again; an article without a model's analysis is parsed as before.
            return article_inputs(session, rows, stored_entities(session, [r.id for r in rows]))

    def _draft(
        self,
        question: str,
        passages: Sequence,  # type: ignore[type-arg]
        history: Sequence,  # type: ignore[type-arg]
        *,
        use_llm: bool = True,
    ) -> tuple[AnswerDraft, bool]:
        """The answer from `passages`, and whether the LLM was asked and failed (then the
        offline answerer gave it)."""
        llm = self._llm() if use_llm else None
        if llm is not None and passages:
            from bot.answer.llm import LLMAnswerer

            try:
                return LLMAnswerer(llm).answer(question, passages, history), False
            except LLMError as err:
                log.warning("LLM answer failed, answering offline: %s", err)
                metrics.LLM_FALLBACKS.labels("answer").inc()
                return self._offline().answer(question, passages, history), True
        return self._offline().answer(question, passages, history), False

    # -- Slack threads -------------------------------------------------------------------------

    def thread_context(
        self, team_id: str, channel_id: str, thread_ts: str, message_ts: str
    ) -> ThreadContext | None:
        """What the thread at `thread_ts` knows, or None when it is not a thread of ours.

        The message's ts identifies it across Slack retries and across the two events
        (message + app_mention) Slack sends for one mention: `first_time` is True once.
        """
        with transaction(self._factory) as session:
            root = deliveries.thread_root(session, team_id, channel_id, thread_ts)
            brief = (
                brief_store.get_by_id(session, root.brief_id)
                if root is not None and root.brief_id is not None
                else None
            )
            earlier = threads.recent(session, team_id, channel_id, thread_ts)
            if brief is None and not earlier:
                return None
            first = deliveries.first_time_event(session, f"{channel_id}:{message_ts}", team_id)
            topic_id = brief.topic_id if brief is not None else earlier[-1].topic_id
            topic = topic_store.get_by_id(session, topic_id)
            if topic is None:
                return None
            history: list[tuple[str, str]] = []
            for turn in earlier:
                history += [("user", turn.resolved_question), ("briefbot", turn.answer)]
            return ThreadContext(
                first_time=first,
                topic_id=topic_id,
                topic=topic.name,
                prefer_ids=tuple(brief.article_ids or []) if brief is not None else (),
                previous_question=earlier[-1].resolved_question if earlier else None,
                history=tuple(history),
            )

    def mention_context(self, team_id: str, channel_id: str, message_ts: str) -> MentionContext:
        with transaction(self._factory) as session:
            first = deliveries.first_time_event(session, f"{channel_id}:{message_ts}", team_id)
            if not first:
                return MentionContext(False, (), ())
            names = tuple(t.name for t in topic_store.list_all(session))
            subscribed = tuple(
                s.topic.name for s in subscription_store.for_team(session, team_id, channel_id)
            )
            return MentionContext(True, names, subscribed)

    def record(
        self, *, team_id: str, channel_id: str, thread_ts: str, topic_id: int, answer: Answer
    ) -> None:
        """Remember the answer given in the thread: the next question there follows up on it."""
        with transaction(self._factory) as session:
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


def stored_entities(session: Session, ids: Sequence[int]) -> dict[int, ArticleAnalysis]:
    """The stored sentences of the articles analysed with a model, with only what answers read
    (their entities): building every feature of every sentence costs more than it saves."""
    from bot.nlp.features import ArticleAnalysis, SentenceFeatures
    from storage import sentences as sentence_store

    versions = sentence_store.versions(session, ids)
    with_model = [i for i in ids if i in versions and not versions[i].endswith("+plain")]
    return {
        article_id: ArticleAnalysis(
            versions[article_id],
            tuple(
                SentenceFeatures(
                    position,
                    paragraph,
                    text,
                    str(features.get("kind", "prose")),
                    entities=tuple((str(t), str(label)) for t, label in features.get("ents", ())),
                )
                for position, paragraph, text, features in rows
            ),
        )
        for article_id, rows in sentence_store.load_entities(session, with_model).items()
    }
