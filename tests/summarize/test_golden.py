"""Golden brief for the bundled demo corpus (bot/demo/articles/*.md).

Regenerate after an intended output change (and bump ExtractiveSummarizer.version):
    UPDATE_GOLDEN=1 .venv/bin/pytest tests/summarize/test_golden.py
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.summarize.extractive import ExtractiveSummarizer
from bot.summarize.model import SECTIONS
from tests.summarize.helpers import DEMO_DIR, load_articles, parse_front_matter

GOLDEN = Path(__file__).parent / "golden" / "demo_brief.json"
SINCE = datetime(2025, 3, 1, tzinfo=UTC)
UNTIL = datetime(2025, 3, 31, 23, 59, 59, tzinfo=UTC)
NOW = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)

needs_demo = pytest.mark.skipif(
    not any(DEMO_DIR.glob("*.md")), reason=f"demo corpus not found in {DEMO_DIR}"
)


def test_front_matter_parser() -> None:
    meta, body = parse_front_matter(
        '---\ntitle: "Talks: day two"\noutlet: Reuters\npublished: 2025-03-11T18:00:00Z\n'
        "url: https://example.com/a\n---\n\nFirst paragraph.\n\nSecond."
    )
    assert meta == {
        "title": "Talks: day two",
        "outlet": "Reuters",
        "published": "2025-03-11T18:00:00Z",
        "url": "https://example.com/a",
    }
    assert body.strip() == "First paragraph.\n\nSecond."


@needs_demo
def test_demo_brief_matches_golden() -> None:
    articles = load_articles(DEMO_DIR)
    brief = ExtractiveSummarizer().summarize("ukraine", articles, since=SINCE, until=UNTIL, now=NOW)
    data = brief.to_dict()
    for name in SECTIONS:
        assert data["sections"][name], f"empty section {name}: {json.dumps(data, indent=2)}"
    ids = {a.id for a in articles}
    assert all(set(b["source_ids"]) <= ids for n in SECTIONS for b in data["sections"][n])
    rendered = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert GOLDEN.exists(), f"no golden file: run with UPDATE_GOLDEN=1 to create {GOLDEN}"
    assert json.loads(GOLDEN.read_text(encoding="utf-8")) == data
