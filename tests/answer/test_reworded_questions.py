"""Questions put in other words than the articles use (issue 13, the blind2 study).

Each case is a failure found on stories the answerer had not been tuned on, rewritten here as
a few sentences in our own words: the headline says what a sentence is about, a figure's
sentence says "the company", a person is named by given name alone, an ordinal narrows a day,
"how far" asks for a percentage, "supposed to" and "think" govern the action asked about. Each
test asks what a user would ask and checks the answer a user would see, or that it declines.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.answer.offline import OfflineAnswerer, _given_name_alone
from bot.summarize.model import ArticleInput
from tests.answer.conftest import ask

DAY = datetime(2005, 2, 20, tzinfo=UTC)


def _article(n: int, title: str, text: str) -> ArticleInput:
    return ArticleInput(str(n), title, text, published_at=DAY)


def test_the_headline_says_what_the_meeting_is_for(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Airline in crunch talks with pilots",
            "The airline's shares slipped on Monday. "
            "The meeting between airline boss Ana Ruiz and union leader Tom Bale is due to take "
            "place at noon in Lyon, a spokesman said.",
        )
    ]
    answer = ask(parsed, "Where were Ruiz and Bale due to meet for the crunch talks?", articles)
    assert answer.found and "Lyon" in answer.answer


def test_a_figure_about_the_company_belongs_to_the_headline_company(
    parsed: OfflineAnswerer,
) -> None:
    articles = [
        _article(
            1,
            "Share boost for feud-hit Norcom",
            "Investors cheered the news on Monday. "
            "The company plans to buy back 40 million shares at 300 rupees apiece.",
        )
    ]
    answer = ask(parsed, "How many shares does Norcom plan to buy back?", articles)
    assert answer.found and "40 million" in answer.answer
    # Another company's buy-back is not in these articles.
    other = ask(parsed, "How many shares does Delcom plan to buy back?", articles)
    assert not other.found


def test_supposed_to_asks_about_the_action(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Sprinter denies faking crash",
            "Dara Kellow, a national hero since winning gold in 2000, said he had been due to "
            "light the flame at the opening ceremony in Lyon.",
        )
    ]
    answer = ask(
        parsed, "Was Kellow supposed to light the flame at the opening ceremony?", articles
    )
    assert answer.found and "light the flame" in answer.answer


def test_chief_executive_answers_who_the_head_is(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "New man takes the wheel at Lyon Air",
            "Peter Brown has replaced John Smith as chief executive of Lyon Air, with Mr Smith "
            "leaving the company.",
        )
    ]
    answer = ask(parsed, "Who did Peter Brown replace as head of Lyon Air?", articles)
    assert answer.found and "John Smith" in answer.answer


def test_a_person_named_by_given_name_alone(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Family feud hits conglomerate",
            "The Mehta family controls half of the group. "
            "Ravi has accused Arun Shah, a friend of his brother Sunil, of causing the rift in "
            "the Mehta family.",
        )
    ]
    answer = ask(parsed, "Who does Ravi Mehta blame for the rift in the family?", articles)
    assert answer.found and "Arun Shah" in answer.answer


def test_a_given_name_followed_by_another_surname_is_someone_else() -> None:
    assert _given_name_alone("mehta", frozenset({"ravi"}), "Ravi said he would stay.")
    assert _given_name_alone("mehta", frozenset({"ravi"}), "Ravi's demand was not met.")
    assert not _given_name_alone("mehta", frozenset({"ravi"}), "Ravi Kumar said he would stay.")
    assert not _given_name_alone("mehta", frozenset({"ravi"}), "Nobody else spoke.")


def test_an_ordinal_on_a_day_is_not_required(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Hunts test the new law",
            "Some 200 hunts met on Saturday, a day after the ban began, killing 60 foxes.",
        )
    ]
    answer = ask(
        parsed, "How many foxes were killed by hunts on the first Saturday of the ban?", articles
    )
    assert answer.found and "60 foxes" in answer.answer


def test_how_far_shares_fell_is_a_percentage(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Share boost for feud-hit Norcom",
            "The board hopes the move will reverse a 13% fall in Norcom's shares since the feud "
            "became public.",
        )
    ]
    answer = ask(
        parsed, "How far have Norcom shares fallen since the feud became public?", articles
    )
    assert answer.found and "13%" in answer.answer


def test_which_place_is_not_answered_by_the_people_asked_about(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Sprinters suspended",
            "Sprinters Dara Kellow and Mira Sand have been suspended after failing to take "
            "drugs tests before the Lyon Games.",
        )
    ]
    answer = ask(parsed, "Which hospital were Kellow and Sand taken to?", articles)
    assert not answer.found
