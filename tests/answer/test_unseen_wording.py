"""Wordings met on stories the answerer was never tuned on (issue 13, blind2/blind3 traced).

Each test is one general way news puts a fact, or a question asks for one, that the answerer
used to decline or misread; samples are our own words. Every unanswerable stays declined.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.answer.offline import OfflineAnswerer
from bot.answer.question import WHAT, analyze_question
from bot.summarize.model import ArticleInput
from tests.answer.conftest import ask

DAY = datetime(2014, 5, 2, tzinfo=UTC)


def _article(n: int, title: str, text: str) -> ArticleInput:
    return ArticleInput(str(n), title, text, published_at=DAY)


def test_an_age_in_commas_after_the_given_name_answers_how_old(parsed: OfflineAnswerer) -> None:
    # Two siblings share the surname: the article calls each by the given name.
    articles = [
        _article(
            1,
            "Kellow siblings split the family firm",
            "Dara Kellow and her brother Mira Kellow have run the shipping firm since 2001. "
            "Dara, 52, has quit the board of the ferry arm after a row over its debts.",
        )
    ]
    answer = ask(parsed, "How old is Dara Kellow?", articles)
    assert answer.found and "52" in answer.answer


def test_a_measure_in_its_own_unit_answers_how_much(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Council to buy farmland",
            "The county council plans to buy 300 acres of the Hollin estate for new housing. "
            "Each new backup card will store up to 64 gigabytes, its maker said.",
        )
    ]
    land = ask(parsed, "How much of the estate does the council want to buy?", articles)
    assert land.found and "300 acres" in land.answer
    data = ask(parsed, "How much storage does each backup card offer?", articles)
    assert data.found and "64 gigabytes" in data.answer


def test_a_continent_adjective_in_the_question_matches_the_continent(
    parsed: OfflineAnswerer,
) -> None:
    articles = [
        _article(
            1,
            "Puzzle game heads west",
            "The puzzle game goes on sale across Europe in June and has so far only been "
            "tested in Norway.",
        )
    ]
    answer = ask(parsed, "Where was the game tested before the European release?", articles)
    assert answer.found and "Norway" in answer.answer


def test_what_happened_to_asks_about_the_thing_not_a_which_noun(parsed: OfflineAnswerer) -> None:
    assert analyze_question("What happened to the ferries?").kind == WHAT
    articles = [
        _article(
            1,
            "Port strike",
            "Dock workers walked out on Monday over pay. "
            "Several of the ferries the strike targeted were left stranded in port overnight.",
        )
    ]
    answer = ask(parsed, "What happened to the ferries the strike targeted?", articles)
    assert answer.found and "stranded" in answer.answer


def test_ended_up_reads_through_to_the_action(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Petition against the bypass",
            "Campaigners launched a petition against the bypass in March. "
            "More than 40,000 people are believed to have signed the petition by Friday.",
        )
    ]
    answer = ask(parsed, "How many people ended up signing the petition?", articles)
    assert answer.found and "40,000" in answer.answer


def test_a_hyphenated_name_is_known_by_its_full_initials(parsed: OfflineAnswerer) -> None:
    # "World" here is part of a name: the question asks for no worldwide figure.
    articles = [
        _article(
            1,
            "Lifeboat fleet to be replaced",
            "WSRF chairman Tomas Lind said the old lifeboats would be replaced within two years.",
        )
    ]
    answer = ask(parsed, "Who is the chairman of the World Sea-Rescue Federation?", articles)
    assert answer.found and "Tomas Lind" in answer.answer


def test_a_number_the_question_gives_is_not_its_answer(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Mines review",
            "The ministry says it has closed more than 300 sites, including 40 large mines, "
            "since June as part of its review.",
        )
    ]
    answer = ask(parsed, "How many of the 40 large mines are foreign-owned?", articles)
    assert not answer.found


def test_the_us_in_capitals_is_a_name_not_the_pronoun(parsed: OfflineAnswerer) -> None:
    assert "US" in analyze_question("When does the console go on sale in the US?").names
    articles = [
        _article(
            1,
            "Handheld console launch",
            "The new handheld console went on sale in Japan on Sunday, and queues formed early. "
            "The console goes on sale in the US on 24 March, its maker said.",
        )
    ]
    answer = ask(parsed, "When does the console go on sale in the US?", articles)
    assert answer.found and "24 March" in answer.answer


def test_an_open_question_may_name_its_action_another_way(parsed: OfflineAnswerer) -> None:
    # "vote" said as "ruled by a majority": every other word of the question is in the sentence.
    articles = [
        _article(
            1,
            "Appeal ruling",
            "Protesters gathered outside the court before the hearing. "
            "The appeal judges ruled by a majority of four to one in favour of the appeal by "
            "six tenants.",
        )
    ]
    answer = ask(parsed, "How did the judges vote on the appeal?", articles)
    assert answer.found and "four to one" in answer.answer
    # A figure asked for still needs its own action: protesting is not being arrested.
    arrests = [
        _article(
            1,
            "Bypass protest",
            "About 40 protesters gathered outside the town hall against the bypass plan.",
        )
    ]
    assert not ask(parsed, "How many protesters were arrested over the bypass plan?", arrests).found


def test_a_measure_does_not_answer_what_was_paid(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Council to buy farmland",
            "The county council plans to buy 300 acres of the Hollin estate for new housing.",
        )
    ]
    for question in (
        "How much is the council paying for the estate?",
        "How much did the land cost the council?",
        "How much is the council buying the estate for?",
    ):
        answer = ask(parsed, question, articles)
        assert "300 acres" not in answer.answer or not answer.found, (question, answer.answer)
