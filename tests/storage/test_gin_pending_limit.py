"""Migration 0016: PostgreSQL's full-text GIN indexes keep a short pending list (searches scan
it row by row), and the migration goes up and down on both engines."""

from __future__ import annotations

from sqlalchemy import Engine, text

from storage.db import downgrade, make_engine, upgrade


def _options(engine: Engine) -> dict[str, list[str] | None]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT relname, reloptions FROM pg_class"
                " WHERE relname IN ('ix_articles_search', 'ix_topic_search')"
            )
        )
        return {name: options for name, options in rows}


def test_gin_indexes_keep_a_short_pending_list(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    if engine.dialect.name == "postgresql":
        assert _options(engine) == {
            "ix_articles_search": ["gin_pending_list_limit=256"],
            "ix_topic_search": ["gin_pending_list_limit=256"],
        }
    downgrade(engine, "0015")
    if engine.dialect.name == "postgresql":
        assert _options(engine) == {"ix_articles_search": None, "ix_topic_search": None}
    upgrade(engine)
    engine.dispose()
