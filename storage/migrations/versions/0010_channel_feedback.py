"""Feedback on brief bullets (issue 17 item 4): one row per (workspace, channel, user, target),
a target being an outlet or a story a reader marked useful (+1) or not useful (-1). A later
vote by the same person on the same target replaces the earlier one.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("vote", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("team_id", "channel_id", "user_id", "kind", "target"),
    )
    op.create_index("ix_channel_feedback_channel", "channel_feedback", ["team_id", "channel_id"])


def downgrade() -> None:
    op.drop_index("ix_channel_feedback_channel", table_name="channel_feedback")
    op.drop_table("channel_feedback")
