"""`bot.jobs.changes`: claim-level "what changed since the last digest"."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.jobs.changes import (
    MAX_REMEMBERED_POINTS,
    compare,
    mark_changes,
    points_of,
    remember,
    without_unchanged,
)
from bot.summarize.model import Brief, Bullet, SourceRef

APPROVED = "The city council approved the river restoration plan on Thursday by a vote of 7 to 2."
FUNDING = "The plan commits 4 million euros to rebuilding the flood banks."
UNCLEAR = "It remains unclear whether the regional government will co-fund the second phase."

PREVIOUS = [
    {"section": "key_provisions", "text": APPROVED, "source_ids": ["1"]},
    {"section": "key_provisions", "text": FUNDING, "source_ids": ["1"]},
    {"section": "open_questions", "text": UNCLEAR, "source_ids": ["2"]},
]


def label(text: str, *sources: str) -> str:
    return mark_changes(PREVIOUS, [Bullet(text, tuple(sources) or ("9",))])[0]


def test_the_same_point_again_is_unchanged() -> None:
    assert label(APPROVED, "1") == "unchanged"
    # A newer article restating it (digest windows do not overlap) is still the same point.
    assert label(APPROVED, "7") == "unchanged"
    # Case, punctuation, stopwords and inflections are not a change.
    restated = "City council approves the river restoration plan on Thursday, by 7 votes to 2"
    assert label(restated) == "unchanged"
    # Saying less than before is not news either.
    assert label("The council approved the river restoration plan.") == "unchanged"


def test_new_numbers_are_an_update() -> None:
    assert label("The plan commits 5 million euros to rebuilding the flood banks.") == "updated"
    assert label("The plan now commits 4.5 million euros to rebuilding flood banks.") == "updated"


def test_more_to_the_same_claim_is_an_update() -> None:
    longer = (
        "The plan commits 4 million euros to rebuilding the flood banks, with the regional "
        "water authority managing contracts and an independent auditor reviewing spending."
    )
    assert label(longer) == "updated"


def test_more_sources_for_the_same_claim_is_an_update() -> None:
    assert label(FUNDING, "1", "5") == "updated"
    assert label(FUNDING, "1") == "unchanged"


def test_a_different_claim_is_new() -> None:
    assert label("The regional environment agency will publish its flood risk assessment.") == (
        "new"
    )
    assert label("Construction will begin in September.") == "new"
    assert mark_changes([], [Bullet(APPROVED, ("1",))]) == ["new"]


def test_a_point_may_move_between_sections() -> None:
    # Sections are not part of the comparison: the claim is.
    assert mark_changes([{**PREVIOUS[2], "section": "next_steps"}], [Bullet(UNCLEAR, ("2",))]) == [
        "unchanged"
    ]


def brief(sections: dict[str, tuple[Bullet, ...]]) -> Brief:
    ids = dict.fromkeys(i for bullets in sections.values() for b in bullets for i in b.source_ids)
    when = datetime(2026, 3, 10, 7, tzinfo=UTC)
    return Brief(
        topic="river plan",
        generated_at=when,
        since=when,
        until=when,
        summarizer="extractive",
        article_count=len(ids),
        sections={
            "key_provisions": sections.get("key_provisions", ()),
            "open_questions": sections.get("open_questions", ()),
            "next_steps": sections.get("next_steps", ()),
        },
        sources=tuple(SourceRef(i, f"Article {i}", None, "Outlet", None) for i in ids),
    )


def test_points_compare_and_without_unchanged() -> None:
    new_brief = brief(
        {
            "key_provisions": (
                Bullet(APPROVED, ("3",)),
                Bullet("The plan commits 5 million euros to rebuilding the flood banks.", ("4",)),
            ),
            "next_steps": (Bullet("Construction will begin in September.", ("4", "5")),),
        }
    )
    assert points_of(new_brief) == [
        {"section": "key_provisions", "text": APPROVED, "source_ids": ["3"]},
        {
            "section": "key_provisions",
            "text": "The plan commits 5 million euros to rebuilding the flood banks.",
            "source_ids": ["4"],
        },
        {
            "section": "next_steps",
            "text": "Construction will begin in September.",
            "source_ids": ["4", "5"],
        },
    ]
    marks = compare(new_brief, PREVIOUS)
    assert list(marks.values()) == ["unchanged", "updated", "new"]
    shown = without_unchanged(new_brief, marks)
    assert [b.text for b in shown.bullets()] == [
        "The plan commits 5 million euros to rebuilding the flood banks.",
        "Construction will begin in September.",
    ]
    assert [s.id for s in shown.sources] == ["4", "5"]  # article 3 is no longer cited
    assert without_unchanged(new_brief, {b.text: "unchanged" for b in new_brief.bullets()}).is_empty


def test_remember_keeps_earlier_points_not_restated() -> None:
    current = [
        {
            "section": "next_steps",
            "text": "Construction will begin in September.",
            "source_ids": ["4"],
        },
        {
            "section": "key_provisions",
            "text": "The plan commits 5 million euros to rebuilding the flood banks.",
            "source_ids": ["4"],
        },
    ]
    kept = remember(current, PREVIOUS)
    # Its own points first; the old funding point is replaced by the updated one.
    assert [p["text"] for p in kept] == [current[0]["text"], current[1]["text"], APPROVED, UNCLEAR]
    # So a claim told two digests ago and restated now is still recognised.
    assert mark_changes(kept, [Bullet(UNCLEAR, ("8",))]) == ["unchanged"]
    many = [
        {
            "section": "key_provisions",
            "text": f"{_word(i)}land signs {_word(i)}treaty",
            "source_ids": [str(i)],
        }
        for i in range(2 * MAX_REMEMBERED_POINTS)
    ]
    assert len(remember(many[:10], many[10:])) == MAX_REMEMBERED_POINTS


def _word(i: int) -> str:
    return chr(97 + i // 26) + chr(97 + i % 26) + "x"
