"""Subscriptions people can live with (issue 16): a pause with a resume date, a rhythm other
than daily, per-subscription filters and a length.

- `paused_until`: while in the future the subscription is paused and resumes then; once past,
  when its last pause ended (a digest after a pause covers one rhythm's window, not the whole
  pause). `paused` (0001) stays the flag for "paused with no end date".
- `rhythm`: `daily` | `weekdays` | `weekly on monday` | `twice daily at 08:00 and 17:00`
  (canonical text from `bot.service.rhythm`).
- `filters`: `{"exclude": [...], "outlets": [...], "require": [...]}` (`bot.summarize.filters`);
  NULL when none.
- `length`: `short` | `full` (`bot.summarize.length`).

Columns are added in place (no table rebuild on SQLite): rebuilding `subscriptions` with
foreign keys on would set `deliveries.subscription_id` to NULL.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("paused_until", "rhythm", "filters", "length")


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("paused_until", UTCDateTime(), nullable=True))
    op.add_column(
        "subscriptions",
        sa.Column("rhythm", sa.String(64), nullable=False, server_default="daily"),
    )
    op.add_column("subscriptions", sa.Column("filters", sa.JSON, nullable=True))
    op.add_column(
        "subscriptions",
        sa.Column("length", sa.String(8), nullable=False, server_default="full"),
    )


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite >= 3.35 and PostgreSQL), not a batch rebuild: see above.
    for column in reversed(_COLUMNS):
        op.drop_column("subscriptions", column)
