"""Past events are key provisions: a report of what happened (deaths, arrests, votes, rulings)
deep in an article is briefed even though no policy-style cue ("agreed", "announced") marks
it. Sample articles written for this test, analysed with the spaCy pipeline as at ingestion."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.nlp import load_pipeline
from bot.summarize.analysis import analyze_article
from bot.summarize.extractive import ExtractiveSummarizer
from bot.summarize.model import ArticleInput

pytestmark = pytest.mark.skipif(
    load_pipeline("auto") is None, reason="no spaCy model installed (pip install 'briefbot[nlp]')"
)


def day(n: int) -> datetime:
    return datetime(2025, 3, n, 9, tzinfo=UTC)


def analysed(article_id: str, title: str, text: str, outlet: str, when: datetime) -> ArticleInput:
    analysis = analyze_article(title, text, when, load_pipeline("auto"))
    return ArticleInput(
        article_id, title, text, outlet=outlet, published_at=when, sentences=analysis.sentences
    )


def test_a_past_event_deep_in_an_article_is_a_key_provision() -> None:
    # The deaths are the sixth sentence of the first report, past its lede; nothing but the
    # event itself ("killed 14 workers") says it matters.
    first = analysed(
        "1",
        "Stonebridge quarry rescue",
        "Rescue teams from three counties worked through the night at the Stonebridge quarry, "
        "the county council said.\n\n"
        "Floodlights lit the quarry gates where families of the workers waited for news.\n\n"
        "The council set up a helpline for relatives at the Stonebridge library.\n\n"
        "Local schools in Stonebridge opened their halls to the families of the workers "
        "overnight.\n\n"
        "Church volunteers in Stonebridge served tea and soup to the families at the quarry "
        "gates.\n\n"
        "The rock fall at the Stonebridge quarry killed 14 workers and injured nine others on "
        "Monday morning, police said.\n\n"
        "Engineers from the county council inspected the quarry's north wall in the afternoon.",
        "Stonebridge Echo",
        day(11),
    )
    second = analysed(
        "2",
        "Quarry families wait",
        "Families gathered at the Stonebridge library as rescue teams searched the quarry for a "
        "second night.\n\n"
        "Volunteers from the Stonebridge football club brought food to the rescue teams.\n\n"
        "The quarry owner, Hallam Stone, said its managers were helping the rescue teams.",
        "County Radio",
        day(12),
    )
    brief = ExtractiveSummarizer().summarize(
        "stonebridge quarry", [first, second], since=day(1), until=day(20), now=day(20)
    )
    key = " ".join(b.text for b in brief.sections["key_provisions"])
    assert "killed 14 workers" in key, brief.to_dict()
    later = " ".join(
        b.text for name in ("open_questions", "next_steps") for b in brief.sections[name]
    )
    assert "killed" not in later


def test_an_open_question_a_later_report_answers_is_dropped() -> None:
    held = analysed(
        "1",
        "Fishermen held in Harbourton",
        "Harbourton coastguards detained 12 fishermen from Eastport on Monday for fishing in "
        "closed waters, the port authority said.\n\n"
        "Officials in Harbourton declined to say when, or under what conditions, the crew held "
        "at the naval base would be released.",
        "Coast Daily",
        day(3),
    )
    freed = analysed(
        "2",
        "Eastport fishermen freed",
        "The Harbourton authorities released the 12 fishermen from Eastport on Thursday after "
        "their boat owners paid a fine.\n\n"
        "The fishermen from Eastport sailed home on Friday morning, the port authority said.",
        "Harbour Radio",
        day(7),
    )
    brief = ExtractiveSummarizer().summarize(
        "eastport fishermen", [held, freed], since=day(1), until=day(20), now=day(20)
    )
    assert any("released the 12 fishermen" in b.text for b in brief.sections["key_provisions"])
    assert not [b.text for b in brief.sections["open_questions"] if "released" in b.text]


def test_a_report_that_awaits_an_event_a_later_report_gives_is_dropped() -> None:
    held = analysed(
        "1",
        "Fishermen held in Harbourton",
        "Harbourton coastguards detained 12 fishermen from Eastport on Monday for fishing in "
        "closed waters, the port authority said.\n\n"
        "A judge in Harbourton said on Tuesday that the crew held at the naval base would be "
        "released within days.",
        "Coast Daily",
        day(3),
    )
    freed = analysed(
        "2",
        "Eastport fishermen freed",
        "The Harbourton authorities released the 12 fishermen from Eastport on Thursday after "
        "their boat owners paid a fine.\n\n"
        "The fishermen from Eastport sailed home on Friday morning, the port authority said.",
        "Harbour Radio",
        day(7),
    )
    brief = ExtractiveSummarizer().summarize(
        "eastport fishermen", [held, freed], since=day(1), until=day(20), now=day(20)
    )
    texts = [b.text for b in brief.bullets()]
    assert any("released the 12 fishermen" in t for t in texts), texts
    assert not [t for t in texts if "would be released" in t], texts
