"""The demo's own question, answered from the bundled articles: it stands alone and cites the
11 March reports of what was agreed in Jeddah (not the later articles that recap it)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from bot.cli import DEMO_KEYWORDS, DEMO_QUESTION, DEMO_TOPIC
from bot.core import Briefbot
from bot.settings import Settings


@pytest.mark.slow
def test_demo_answer_stands_alone_and_cites_the_first_reports(tmp_path: Path) -> None:
    core = Briefbot(
        Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", summarizer="extractive")
    )
    core.add_topic(DEMO_TOPIC, DEMO_KEYWORDS)
    with resources.as_file(resources.files("bot") / "demo" / "articles") as folder:
        core.ingest([str(folder)])
    answer = core.ask(DEMO_TOPIC, DEMO_QUESTION)
    core.close()
    assert answer.found and 1 <= len(answer.sentences) <= 2
    first = answer.sentences[0].text
    assert first.split()[0].lower() not in {"he", "she", "they", "it", "that", "this"}
    assert "30-day ceasefire" in first and "Jeddah" in answer.answer
    assert all(s.source_ids for s in answer.sentences)  # every sentence cited
    dates = {s.published_at.date().isoformat() for s in answer.sources if s.published_at}
    assert dates == {"2025-03-11"}
