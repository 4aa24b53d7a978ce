"""Migration 0017 (article_analyses.ledes), on SQLite and PostgreSQL: from the previous head
with an analysis in place (it has no lede terms: readers use its sentences), and back down
without losing it."""

from __future__ import annotations

from sqlalchemy import inspect, text

from storage.db import downgrade, make_engine, upgrade

_T = "2026-11-01 08:00:00"


def _columns(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return {c["name"] for c in inspect(engine).get_columns("article_analyses")}


def test_from_previous_head_an_old_analysis_has_no_lede_terms_and_survives_a_downgrade(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0016")
    assert "ledes" not in _columns(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO articles (url, title, text, content_hash, fetched_at, published_at) "
                "VALUES ('https://a.example/1', 'Old', 'Old text', 'h1', :t, :t)"
            ),
            {"t": _T},
        )
        article_id = conn.execute(text("SELECT id FROM articles")).scalar()
        conn.execute(
            text(
                "INSERT INTO article_analyses (article_id, version, analyzed_at) "
                "VALUES (:a, 'a17+plain', :t)"
            ),
            {"a": article_id, "t": _T},
        )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT article_id, ledes FROM article_analyses")).all()
    assert [tuple(r) for r in rows] == [(article_id, None)]
    downgrade(engine, "0016")
    assert "ledes" not in _columns(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM article_analyses")).scalar() == 1
    engine.dispose()
