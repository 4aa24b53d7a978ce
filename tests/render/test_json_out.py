"""JSON output keeps the public contract shapes."""

from __future__ import annotations

import json

from bot.render.json_out import answer_to_dict, answer_to_json, brief_to_json
from bot.summarize.model import Brief
from tests.render.samples import FakeAnswer, evil_brief, sample_brief


def test_brief_json_is_the_contract_and_round_trips() -> None:
    brief = sample_brief()
    out = brief_to_json(brief)
    data = json.loads(out)
    assert data == brief.to_dict()
    assert set(data) == {
        "topic",
        "generated_at",
        "window",
        "summarizer",
        "article_count",
        "articles_in_window",
        "sections",
        "sources",
        "stories",
    }
    assert set(data["window"]) == {"since", "until"}
    assert list(data["sections"]) == ["key_provisions", "open_questions", "next_steps"]
    assert set(data["sources"][0]) == {"id", "title", "url", "outlet", "published_at"}
    assert {"text", "source_ids", "outlets"} <= set(data["sections"]["key_provisions"][0])
    assert Brief.from_dict(data) == brief
    assert out.startswith('{\n  "topic": "ukraine"')


def test_brief_json_keeps_non_ascii_and_raw_text() -> None:
    out = brief_to_json(evil_brief())
    assert "<!channel> hello" in out  # JSON is data: no Slack escaping
    assert '"topic": "Україна"' in brief_to_json(sample_brief(topic="Україна"))


def test_answer_json_contract() -> None:
    brief = sample_brief()
    answer = FakeAnswer("Wann?", True, "Am Montag – sicher.", ("a1",), brief.sources[:1])
    data = json.loads(answer_to_json(answer))
    assert list(data) == ["question", "found", "answer", "source_ids", "sources", "sentences"]
    assert data == {
        "question": "Wann?",
        "found": True,
        "answer": "Am Montag – sicher.",
        "source_ids": ["a1"],
        "sources": [brief.sources[0].to_dict()],
        "sentences": [],  # an answer object without per-sentence citations
    }
    assert "Am Montag – sicher." in answer_to_json(answer)  # ensure_ascii=False
    assert answer_to_dict(answer) == data
