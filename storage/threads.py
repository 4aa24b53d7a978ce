"""Questions asked in Slack threads: the previous question of a thread, and the topic a thread
that is not under a brief (a mention, a DM) is about."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ThreadQuestion

# A stored question or answer is cut to this many characters (Slack messages are bounded, but
# the column should not depend on that).
MAX_TEXT = 4_000


def record(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    thread_ts: str,
    topic_id: int,
    question: str,
    resolved_question: str,
    answer: str,
    found: bool,
    source_ids: Sequence[str],
) -> ThreadQuestion:
    row = ThreadQuestion(
        team_id=team_id,
        channel_id=channel_id,
        thread_ts=thread_ts,
        topic_id=topic_id,
        question=question[:MAX_TEXT],
        resolved_question=resolved_question[:MAX_TEXT],
        answer=answer[:MAX_TEXT],
        found=found,
        source_ids=list(source_ids),
    )
    session.add(row)
    session.flush()
    return row


def recent(
    session: Session, team_id: str, channel_id: str, thread_ts: str, limit: int = 3
) -> list[ThreadQuestion]:
    """The thread's last `limit` questions, oldest first."""
    rows = session.scalars(
        select(ThreadQuestion)
        .where(
            ThreadQuestion.team_id == team_id,
            ThreadQuestion.channel_id == channel_id,
            ThreadQuestion.thread_ts == thread_ts,
        )
        .order_by(ThreadQuestion.id.desc())
        .limit(limit)
    )
    return list(reversed(list(rows)))
