"""Source health in the open (issue 16 item 5): when a source started failing, and when its
last outage began and ended, so a digest can name a source that has failed for a while once,
and once more when it recovers.

Sources failing at upgrade time are taken to have failed since their last success (or since
they were added): the first failure after it is not recorded anywhere older.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("failing_since", "outage_since", "recovered_at")


def upgrade() -> None:
    for column in _COLUMNS:
        op.add_column("sources", sa.Column(column, UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE sources SET failing_since = COALESCE(last_ok_at, created_at) WHERE error_count > 0"
    )


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN, not a batch rebuild: rebuilding `sources` with foreign keys
    # on would cascade to topic_sources and null articles.source_id.
    for column in reversed(_COLUMNS):
        op.drop_column("sources", column)
