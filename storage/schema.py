"""The newest migration's id, read from the version files' text (no Alembic, no SQLAlchemy).

Kept apart from `storage.db` so that a command answering from a SQLite file with the
standard library (`storage.overview`) can check the schema version without importing
SQLAlchemy, which alone costs most of the 300 ms `briefbot topic list` may take (issue 14).
"""

from __future__ import annotations

import re
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_QUERY = "SELECT version_num FROM alembic_version"

_REVISION = re.compile(r"^revision\b[^=\n]*=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=\s*(?:[\"']([^\"']+)[\"']|None\b)", re.M)


def head_revision() -> str | None:
    """The newest migration's id, read from the version files' text, or None when that text
    does not say it plainly (a merge, an unusual file): callers then ask Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
