"""Questions asked in Slack threads and their answers, so a follow-up ("what about Russia?",
"and when?") is resolved against the previous question of the same thread from our database.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "thread_questions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("thread_ts", sa.String(32), nullable=False),
        sa.Column(
            "topic_id", sa.Integer, sa.ForeignKey("topics.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("resolved_question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("found", sa.Boolean, nullable=False),
        sa.Column("source_ids", sa.JSON, nullable=False),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_thread_questions_thread",
        "thread_questions",
        ["team_id", "channel_id", "thread_ts", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_thread_questions_thread", "thread_questions")
    op.drop_table("thread_questions")
