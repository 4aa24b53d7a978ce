"""Full-text searches on PostgreSQL no longer read a long GIN pending list (issue 14 item 5).

A GIN index takes new entries into an unsorted pending list (fast update) and merges them into
the index when the list outgrows `gin_pending_list_limit` (4 MB by default) or at VACUUM. Every
search scans the whole pending list, row by row: in the 100,000-article bench store 1,996
unmerged entries (505 pages) of `ix_topic_search` made the topic-wide search's bitmap index scan
7.5-43 ms under load, against 0.7 ms once merged (same rows). A 256 kB limit keeps what a search
scans about 16 times shorter; ingest still adds entries in batches and merges a little more
often. Existing pending entries are merged now. No schema change; nothing on SQLite.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = ("ix_articles_search", "ix_topic_search")
PENDING_LIMIT_KB = 256


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for index in INDEXES:
        op.execute(f"ALTER INDEX {index} SET (gin_pending_list_limit = {PENDING_LIMIT_KB})")
        op.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for index in INDEXES:
        op.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")
