"""Languages (issue 16 item 9): each article's detected language (ISO 639-1, None: unknown or
stored before detection), and the language a subscription's digest is in (None: the
workspace default, BRIEF_LANGUAGE). And whether only a workspace's admins and owners may
subscribe its channels (`/brief admin only-admins-subscribe on|off`, item 4).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN (nullable, no default): instant on both engines, no
    # table rebuild however many articles are stored.
    op.add_column("articles", sa.Column("language", sa.String(8), nullable=True))
    op.add_column("subscriptions", sa.Column("language", sa.String(8), nullable=True))
    op.add_column(
        "slack_teams",
        sa.Column("only_admins_subscribe", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("slack_teams", "only_admins_subscribe")
    # ALTER TABLE … DROP COLUMN (SQLite >= 3.35 and PostgreSQL), as 0008 does.
    op.drop_column("subscriptions", "language")
    op.drop_column("articles", "language")
