"""The pure ranking step: a channel's 👎 on an outlet moves its bullets and sources down, 👍
moves them up, bounded, nothing removed, and the changes say why."""

from __future__ import annotations

from bot.service.ranking import CAP, NO_PREFERENCES, Preference, Preferences, rank
from bot.summarize.model import SECTIONS, Bullet
from tests.render.samples import sample_brief


def _brief():  # type: ignore[no-untyped-def]
    return sample_brief(
        sections={
            "key_provisions": [
                Bullet("Reuters first.", ("a1",)),
                Bullet("AP second.", ("a2",)),
                Bullet("BBC third.", ("a3",)),
                Bullet("Reuters and BBC fourth.", ("a4", "a3")),
            ],
            "open_questions": [],
            "next_steps": [Bullet("AP next.", ("a2",)), Bullet("Reuters next.", ("a4",))],
        }
    )


def _texts(brief, section: str = "key_provisions") -> list[str]:  # type: ignore[no-untyped-def]
    return [b.text for b in brief.sections[section]]


def _prefs(*prefs: Preference) -> Preferences:
    return Preferences.of(prefs)


def test_not_useful_outlet_moves_down_and_keeps_every_bullet_and_citation() -> None:
    brief = _brief()
    ranking = rank(brief, _prefs(Preference("outlet", "Reuters", up=0, down=1)))
    texts = _texts(ranking.brief)
    assert texts.index("Reuters first.") > 0  # no longer the lead
    assert texts[0] == "AP second."
    # Nothing removed: same bullets, same citations, same sources (reordered).
    assert sorted(ranking.brief.bullets(), key=lambda b: b.text) == sorted(
        brief.bullets(), key=lambda b: b.text
    )
    assert {s.id for s in ranking.brief.sources} == {s.id for s in brief.sources}
    assert ranking.brief.sources[-1].outlet == "Reuters"
    (change,) = ranking.changes
    assert (change.label, change.direction, change.down, change.bullets) == (
        "Reuters",
        "down",
        1,
        3,
    )


def test_useful_outlet_moves_up() -> None:
    ranking = rank(_brief(), _prefs(Preference("outlet", "bbc", up=2, down=0)))
    assert _texts(ranking.brief)[0] == "BBC third."
    assert ranking.brief.sources[0].outlet == "BBC"
    assert ranking.changes[0].direction == "up"


def test_weight_is_capped() -> None:
    many = rank(_brief(), _prefs(Preference("outlet", "Reuters", up=0, down=50)))
    two = rank(_brief(), _prefs(Preference("outlet", "Reuters", up=0, down=2)))
    assert _texts(many.brief) == _texts(two.brief)
    assert many.changes[0].weight == 1 / CAP


def test_no_feedback_or_other_outlets_leave_the_brief_alone() -> None:
    brief = _brief()
    assert rank(brief, NO_PREFERENCES).brief == brief
    unrelated = rank(brief, _prefs(Preference("outlet", "Le Monde", up=0, down=3)))
    assert unrelated.brief.sections == brief.sections and unrelated.changes == ()


def test_every_section_is_kept() -> None:
    ranking = rank(_brief(), _prefs(Preference("outlet", "AP", up=0, down=2)))
    assert set(ranking.brief.sections) == set(_brief().sections)
    assert _texts(ranking.brief, "next_steps") == ["Reuters next.", "AP next."]
    assert all(name in ranking.brief.sections for name in SECTIONS)
