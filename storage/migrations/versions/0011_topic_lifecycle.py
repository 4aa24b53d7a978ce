"""Topics that don't pile up (issue 16 item 4).

- `topics.last_wanted_at`: when someone last wanted the topic (a /brief, a subscription, a
  question). A topic nobody subscribes to and nobody wanted for TOPIC_IDLE_DAYS is no longer
  polled (`bot.service.lifecycle`). Existing topics start from their creation time.
- `topics.team_id`: the workspace that first asked for the topic from Slack (NULL: made by an
  operator with the CLI), counted against that workspace's MAX_TOPICS_PER_WORKSPACE.

Columns are added in place (no table rebuild on SQLite): rebuilding `topics` with foreign keys
on would cascade-delete every subscription, link and brief of every topic.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("topics", sa.Column("last_wanted_at", UTCDateTime(), nullable=True))
    op.add_column("topics", sa.Column("team_id", sa.String(32), nullable=True))
    op.create_index("ix_topics_team_id", "topics", ["team_id"])
    op.execute("UPDATE topics SET last_wanted_at = created_at")


def downgrade() -> None:
    op.drop_index("ix_topics_team_id", table_name="topics")
    op.drop_column("topics", "team_id")
    op.drop_column("topics", "last_wanted_at")
