"""`briefbot topic sources` on a topic with no sources says so, and how to add one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import main


def test_topic_sources_without_sources_says_how_to_add_one(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    assert main(["topic", "add", "river plan"], stdout=io.StringIO()) == 0
    out = io.StringIO()
    assert main(["topic", "sources", "river plan"], stdout=out) == 0
    text = out.getvalue()
    assert "topic river plan has no sources" in text
    assert "briefbot ingest https://example.com/feed.xml --topic 'river plan'" in text


def test_topic_sources_shows_state_last_success_and_article_count(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "plan.md").write_text(
        "---\ntitle: Council approves river plan\noutlet: Valley Times\n"
        "published: 2025-05-02T09:00:00+00:00\nurl: https://valley.example.com/plan\n---\n"
        "The city council approved the river plan on Thursday by a vote of 7 to 2.\n"
    )
    assert main(["ingest", str(notes), "--topic", "river plan"], stdout=io.StringIO()) == 0
    out = io.StringIO()
    assert main(["topic", "sources", "river plan"], stdout=out) == 0
    assert "\tok " in out.getvalue() and " UTC\t1 article" in out.getvalue()
