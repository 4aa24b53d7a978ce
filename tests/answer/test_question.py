"""Reading a question: its kind, the unit it counts, the names it is about, follow-ups."""

from __future__ import annotations

import pytest

from bot.answer import question as q


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Who will lead the talks?", q.WHO),
        ("When were the sailors captured?", q.WHEN),
        ("Where did the delegations meet?", q.WHERE),
        ("In which city did police search houses?", q.WHERE),
        ("How many people were evacuated?", q.HOW_MANY),
        ("How much did Japan pledge?", q.HOW_MUCH),
        ("How long is the ceasefire?", q.HOW_LONG),
        ("How big a loss did the firm report?", q.HOW_MUCH),
        ("How large a bid did Qwest make?", q.HOW_MUCH),
        ("How big is the stadium?", q.HOW_FAR),
        ("How old was the suspect?", q.HOW_OLD),
        ("Why did the talks fail?", q.WHY),
        ("Which newspaper published the list?", q.WHICH),
        ("Did Russia accept the truce?", q.YES_NO),
        ("What did Ukraine agree to?", q.WHAT),
    ],
)
def test_kind(text: str, kind: str) -> None:
    assert q.analyze_question(text).kind == kind


def test_the_counted_unit_is_the_noun_not_its_adjective() -> None:
    assert q.analyze_question("How many British sailors did Iran capture?").unit == "sailors"
    assert q.analyze_question("How many people were evacuated?").unit == "people"
    assert q.analyze_question("How much aid did Japan pledge?").unit is None  # money


def test_names_and_role() -> None:
    info = q.analyze_question("Who commanded HMS Cornwall?")
    assert info.names == ("HMS Cornwall",)
    assert q.analyze_question("Who is the president of Cyprus?").role == "president"


@pytest.mark.parametrize(
    ("follow_up", "previous", "resolved"),
    [
        ("what about Russia?", "What did Ukraine agree to?", "What did Russia agree to?"),
        ("And Russia?", "What did Ukraine agree to?", "What did Russia agree to?"),
        ("and when?", "What did Russia demand?", "When did Russia demand?"),
        ("Who hosted the talks?", "What did Russia demand?", "Who hosted the talks?"),
        ("what about Russia?", None, "what about Russia?"),
    ],
)
def test_follow_ups_are_resolved_against_the_previous_question(
    follow_up: str, previous: str | None, resolved: str
) -> None:
    assert q.resolve_followup(follow_up, previous) == resolved


@pytest.mark.parametrize(
    ("text", "kind", "names", "expanded"),
    [
        ("Who's MCI's boss?", q.WHO, ("MCI",), "Who is MCI's boss?"),
        ("When's the London Marathon this year?", q.WHEN, ("London Marathon",), None),
        ("What’s happened to Yukos?", q.WHAT, ("Yukos",), "What has happened to Yukos?"),
        ("Where're the talks?", q.WHERE, (), "Where are the talks?"),
    ],
)
def test_a_clipped_question_word_is_not_read_as_a_name(
    text: str, kind: str, names: tuple[str, ...], expanded: str | None
) -> None:
    # "Who's MCI" was read as one capitalised name, so no sentence naming MCI could answer.
    info = q.analyze_question(text)
    assert info.kind == kind
    assert info.names == names
    if expanded:
        assert info.text == expanded


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("How many PSPs did Sony sell on its first day?", "psps"),
        ("How many MPs voted for it?", "mps"),
        ("How many Britons were killed?", "britons"),
        ("How many US troops were killed?", "troops"),
        ("How many did Sony sell?", None),
    ],
)
def test_a_capitalised_plural_is_what_is_counted(text: str, unit: str | None) -> None:
    # "PSPs" was skipped as a name, so the count had no unit and any number answered.
    assert q.analyze_question(text).unit == unit
