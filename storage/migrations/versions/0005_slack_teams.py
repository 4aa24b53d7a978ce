"""Enterprise Grid: which organization each workspace that talked to us belongs to.

An org-wide install is one installation for many workspaces: its events name the workspace
(`team_id`) and the organization (`enterprise_id`), but its uninstall names only the
organization. This table, filled as requests arrive, is how an org-level uninstall finds every
workspace whose subscriptions it pauses, and how a job finds the org's bot token.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_teams",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("enterprise_id", sa.String(32), nullable=True),
        sa.Column("org_wide", sa.Boolean, nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_slack_teams_enterprise_id", "slack_teams", ["enterprise_id"])


def downgrade() -> None:
    op.drop_index("ix_slack_teams_enterprise_id", "slack_teams")
    op.drop_table("slack_teams")
