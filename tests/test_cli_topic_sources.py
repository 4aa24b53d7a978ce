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
