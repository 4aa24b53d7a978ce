"""A story's most widely reported figure gets a slot though every report's lede leaves it out;
a story is labelled by the headline words its reports share, not by one report's angle.
Sample articles written for these tests (a fictional ferry sinking)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot.summarize import extractive
from bot.summarize.extractive import ExtractiveSummarizer
from bot.summarize.model import ArticleInput, Brief
from bot.summarize.sentences import terms

SINCE = datetime(2020, 1, 1, tzinfo=UTC)
UNTIL = datetime(2026, 1, 1, tzinfo=UTC)
START = datetime(2025, 6, 2, 8, tzinfo=UTC)


def brief_of(topic: str, articles: list[ArticleInput]) -> Brief:
    return ExtractiveSummarizer().summarize(topic, articles, since=SINCE, until=UNTIL, now=UNTIL)


# Ten reports of the Marisol ferry sinking, a day apart. Each opens with its own news; six of
# them say, further down and naming no one, how many were aboard: the story's most widely
# reported figure, which no lede states.
LEDES = [
    "The Marisol ferry sank off Kellan Point on Sunday night after striking rocks in a storm.",
    "Coastguard boats from Dunmere pulled 140 survivors from the sea near Kellan Point.",
    "Divers from the Dunmere navy base reached the wreck of the Marisol at a depth of 30 metres.",
    "The Harland Shipping company, which ran the Marisol, suspended its Kellan Point crossings.",
    "Investigators from the Maritime Safety Board boarded the Marisol's sister ship in Dunmere.",
    "Harland Shipping announced a fund for the families of the missing at the Dunmere harbour.",
    "The Maritime Safety Board ordered checks on every ferry that calls at Kellan Point.",
    "Parliament in Ostrel opened a debate on ferry safety after the Marisol disaster.",
    "A salvage barge from Varrow arrived at Kellan Point to lift the Marisol's hull.",
    "Rescue teams from Varrow ended the search for survivors of the Marisol on Thursday.",
]
ABOARD = "The coastguard has confirmed that the ferry had 212 passengers and crew on board."
BACKGROUND = "Crossings between Dunmere and Kellan Point take about four hours in calm weather."


def ferry_reports(aboard_in: int = 6) -> list[ArticleInput]:
    out = []
    for n, lede in enumerate(LEDES):
        body = [lede, BACKGROUND]
        if n < aboard_in:
            body.insert(1, ABOARD)
        out.append(
            ArticleInput(
                str(n + 1),
                f"Marisol ferry sinking: day {n + 1}",
                " ".join(body),
                outlet=f"Outlet {n + 1}",
                published_at=START + timedelta(days=n),
            )
        )
    return out


def test_the_figure_most_reports_state_is_in_the_brief_though_no_lede_states_it() -> None:
    brief = brief_of("marisol ferry", ferry_reports())
    shown = [b.text for b in brief.sections["key_provisions"]]
    assert any("212 passengers" in t for t in shown), shown


def test_the_figure_slot_is_only_for_a_figure_most_reports_state() -> None:
    # Stated by two of ten reports: a detail, not the story's shared fact.
    brief = brief_of("marisol ferry", ferry_reports(aboard_in=2))
    shown = [b.text for b in brief.sections["key_provisions"]]
    assert not any("212 passengers" in t for t in shown), shown


def test_the_figure_slot_rule_is_what_keeps_the_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same window without the rule: ten ledes fill the key provisions and the figure is out
    # (so the first test checks the rule, not a figure that would be there anyway).
    monkeypatch.setattr(extractive, "_widely_reported", lambda *_: None)
    brief = brief_of("marisol ferry", ferry_reports())
    shown = [b.text for b in brief.sections["key_provisions"]]
    assert not any("212 passengers" in t for t in shown), shown


# Two events in one topic: the harbour story's reports share "Dunmere harbour" words; one of
# them, a choir's concert, has its own headline but a body full of the story's words.
HARBOUR = [
    (
        "Dunmere harbour wall collapses in storm",
        "A section of the Dunmere harbour wall collapsed in a storm on Monday. "
        "Waves flooded the quay.",
    ),
    (
        "Dunmere harbour wall: repairs to cost 4 million",
        "Engineers said repairs to the collapsed Dunmere harbour wall would cost 4 million euros. "
        "The quay stays closed.",
    ),
    (
        "Choir sings for fishermen",
        "The Dunmere harbour wall collapsed in the storm, the Dunmere harbour quay flooded and "
        "the Dunmere harbour fishing boats were damaged. The town choir sang for the fishermen "
        "of Dunmere harbour, whose boats the storm damaged when the harbour wall collapsed.",
    ),
    (
        "Dunmere harbour reopens after wall collapse",
        "The Dunmere harbour quay reopened to fishing boats on Friday. "
        "A temporary wall protects it until the repairs.",
    ),
]
OTHER = [
    (
        "Varrow rail bridge closed for inspection",
        "The Varrow rail bridge was closed on Tuesday after inspectors found cracks in its "
        "piers. Trains between Varrow and Ostrel were cancelled.",
    ),
    (
        "Varrow rail bridge to reopen next month",
        "Inspectors said the Varrow rail bridge would reopen next month after repairs to its "
        "piers. Trains between Varrow and Ostrel run on a diversion.",
    ),
]


def storm_reports() -> list[ArticleInput]:
    return [
        ArticleInput(
            str(n + 1),
            title,
            text,
            outlet=f"Outlet {n + 1}",
            published_at=START + timedelta(days=n),
        )
        for n, (title, text) in enumerate(HARBOUR + OTHER)
    ]


def test_a_story_is_labelled_by_the_headline_words_its_reports_share() -> None:
    # The story's most central report is the choir's (central_article points at it): labelled
    # by it, as before, the story read "Choir sings for fishermen".
    articles = storm_reports()[:4]
    sentences = [
        SimpleNamespace(article=a, position=0, term_set=frozenset(terms(sentence)))
        for a, article in enumerate(articles)
        for sentence in article.text.split(". ")
    ]
    titles = extractive._story_titles(articles, sentences, [0, 0, 0, 0], [2], [0])  # type: ignore[arg-type]
    assert titles[0] != "Choir sings for fishermen", titles
    assert "Dunmere harbour wall" in titles[0], titles


def test_a_lone_report_is_labelled_by_its_own_headline() -> None:
    articles = storm_reports()[4:5]
    sentences = [
        SimpleNamespace(article=0, position=0, term_set=frozenset(terms(articles[0].text)))
    ]
    titles = extractive._story_titles(articles, sentences, [0], [0], [0])  # type: ignore[arg-type]
    assert titles == {0: "Varrow rail bridge closed for inspection"}, titles


def test_a_count_the_newest_report_revises_is_no_settled_figure() -> None:
    # 129 in four reports, then 130 in the newest: the toll is still moving, no slot for 129.
    reports = [
        ArticleInput(str(a), "Toll", "text", published_at=START + timedelta(days=a))
        for a in range(5)
    ]
    said = [SimpleNamespace(article=a, cardinals=frozenset({"129"})) for a in range(4)]
    newest = SimpleNamespace(article=4, cardinals=frozenset({"130"}))
    assert extractive._widely_reported([*said, newest], [0] * 5, 0, reports) is None  # type: ignore[list-item]
    # A close figure in the first report only (a slip, "130" once) revises nothing.
    early = SimpleNamespace(article=0, cardinals=frozenset({"130"}))
    assert extractive._widely_reported([*said, early], [0] * 5, 0, reports) == "129"  # type: ignore[list-item]
