"""Cost in the open (issue 16 item 8): the workspace an LLM call was made for, so a
workspace's tokens this month can be summed against LLM_MONTHLY_TOKEN_BUDGET. NULL for calls
made for no workspace (the CLI) and for every call recorded before this migration.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("llm_calls", sa.Column("team_id", sa.String(32), nullable=True))
    op.create_index("ix_llm_calls_team_id", "llm_calls", ["team_id"])


def downgrade() -> None:
    op.drop_index("ix_llm_calls_team_id", table_name="llm_calls")
    op.drop_column("llm_calls", "team_id")
