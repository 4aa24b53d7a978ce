"""Analysed sentences: what ingestion's NLP analysis keeps per sentence, and its version.

Articles stored before this migration have no analysis; they are analysed on first use (a
brief or an answer that reads them) or by `briefbot db reindex`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article_sentences",
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("paragraph", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("features", sa.JSON, nullable=False),
    )
    op.create_table(
        "article_analyses",
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("analyzed_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("article_analyses")
    op.drop_table("article_sentences")
