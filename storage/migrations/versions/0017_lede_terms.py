"""Each stored analysis keeps its article's lede terms in one compact column
(`article_analyses.ledes`): the term counts of its first prose sentences, which a window too
large to read whole is grouped into stories by (`bot.ingest.analyze.load_ledes`). Reading
them from every sentence's JSON features was 1.8 s of the first brief of a 5,000-article
window (48,881 JSON values decoded); one short text per article is a few milliseconds.

Analyses stored before this migration have none (NULL): readers fall back to the sentences'
features, and `briefbot db reindex` fills them in. Plain nullable ADD COLUMN: instant on both
engines, no table rebuild.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("article_analyses", sa.Column("ledes", sa.Text, nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite >= 3.35 and PostgreSQL), as 0014 does.
    op.drop_column("article_analyses", "ledes")
