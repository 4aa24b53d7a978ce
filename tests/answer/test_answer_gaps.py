"""Gaps a blind question set found (issue 13, third round): a person named in full is also
"President X" later on; "what are the names of …" wants names; a year, a superlative or an
ordinal in the question must be in the answer's passage; words a news sentence uses for the
asked action ("known as" for "called", "purchased" for "paid"); a role's owner is not its
holder; a place named after "a village,"; "on Tuesday" anchored to the article's date.

Each sample is a few sentences in our own words about made-up places, firms and people; each
test asks what a user would ask and checks the answer a user would see (or that it declines).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.answer.offline import OfflineAnswerer
from bot.answer.question import analyze_question
from bot.summarize.model import ArticleInput
from tests.answer.conftest import ask

DAY = datetime(2025, 3, 11, 18, 0, tzinfo=UTC)  # a Tuesday


def _article(n: int, title: str, text: str, day: datetime | None = DAY) -> ArticleInput:
    return ArticleInput(str(n), title, text, published_at=day)


def test_a_person_named_in_full_is_found_by_surname_not_a_namesake(
    parsed: OfflineAnswerer,
) -> None:
    articles = [
        _article(
            1,
            "Senator Dara Kellow",
            "Dara Kellow is the new senator for Tarnby. "
            "Mira Kellow was born in Ostvik on June 9, 1952, and later moved to the capital. "
            "President Kellow was born in Tarnby on May 3, 1950.",
        )
    ]
    answer = ask(parsed, "When was Dara Kellow born?", articles)
    assert answer.found and "May 3, 1950" in answer.answer and "1952" not in answer.answer


def test_others_born_the_same_day_do_not_answer_when_someone_was_born(
    parsed: OfflineAnswerer,
) -> None:
    articles = [
        _article(
            1,
            "Two births",
            "Lena Varos met Tomas Brandt in 1960. "
            "The Hallo twins, Anna Hallo and Britt Hallo, were born in the city hospital "
            "on July 2, 1961, a day after Tomas Brandt.",
        )
    ]
    # The twins were born on 2 July; when Brandt was born the text never says outright.
    assert not ask(parsed, "When was Tomas Brandt born?", articles).found


def test_what_are_the_names_asks_for_names(parsed: OfflineAnswerer) -> None:
    assert analyze_question("What are the names of Kellow's sons?").kind == "who"
    articles = [
        _article(
            1,
            "Senator Dara Kellow",
            "Senator Dara Kellow's sons were often seen at his rallies. "
            "Dara Kellow and his wife, Ilse, have two sons, Arno and Tobin.",
        )
    ]
    answer = ask(parsed, "What are the names of Kellow's sons?", articles)
    assert answer.found and "Arno and Tobin" in answer.answer


def test_a_year_or_an_ordinal_the_sentence_lacks_is_not_answered(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "The Falcons' draft",
            "In 1991, the Falcons finished last and wound up with the fourth pick. "
            "In 1992 the Falcons won the lottery. "
            "The Falcons used the first pick on guard Pavel Renko.",
            day=None,
        )
    ]
    assert not ask(parsed, "Who did the Falcons pick with the fourth pick in 1991?", articles).found
    answer = ask(parsed, "Who did the Falcons pick with the first pick in 1992?", articles)
    assert answer.found and "Pavel Renko" in answer.answer


def test_known_as_answers_what_it_was_called(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "The old harbour",
            "Jon Marr owned a blue fishing boat known as the Grey Heron.",
        )
    ]
    answer = ask(parsed, "What was Jon Marr's fishing boat called?", articles)
    assert answer.found and "Grey Heron" in answer.answer


def test_a_figure_in_a_sentence_that_refers_back(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "A new home",
            "In May, the Halvard Trust opened offices at 12 Quay Street. "
            "The trust had purchased the four-storey building from Orrin Estates for $3.2 million.",
        )
    ]
    answer = ask(
        parsed, "How much did the Halvard Trust pay for the Quay Street building?", articles
    )
    assert answer.found and "$3.2 million" in answer.answer


def test_a_roles_owner_is_not_who_holds_it(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Senator Dara Kellow",
            "Dara Kellow's mother was many things at once. "
            "Few voters know Kellow's mother, Ruth Albany, who taught school for forty years.",
        )
    ]
    answer = ask(parsed, "What was the name of Kellow's mother?", articles)
    assert answer.found and "Ruth Albany" in answer.answer


def test_a_place_named_after_a_village(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "The teacher",
            "The Guru Ansel, who is at least 90, gives many of these lessons from a Danish "
            "village, Holmsby, where he has built a school.",
        )
    ]
    answer = ask(parsed, "Where does the Guru Ansel give his lessons from?", articles)
    assert answer.found and "Holmsby" in answer.answer


def test_on_tuesday_is_anchored_to_the_articles_date(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Talks in Varna",
            "Lumeria said on Tuesday that it would accept a 30-day truce proposed in Varna.",
        )
    ]
    answer = ask(parsed, "What did Lumeria accept?", articles)
    assert answer.found and "on Tuesday 11 March" in answer.answer


def test_which_university_wants_its_name_not_the_city(parsed: OfflineAnswerer) -> None:
    unnamed = [
        _article(
            1,
            "Lena Varos abroad",
            "Lena Varos said she planned to visit a university and two schools in Ostvik "
            "and Tarnby next month.",
        )
    ]
    question = "Which university will Lena Varos visit in Tarnby?"
    assert not ask(parsed, question, unnamed).found
    named = [
        _article(
            2,
            "Lena Varos abroad",
            "Lena Varos will visit Halden University in Tarnby to meet students.",
        )
    ]
    answer = ask(parsed, question, named)
    assert answer.found and "Halden University" in answer.answer


def test_a_minister_of_another_department_is_not_the_one_asked(parsed: OfflineAnswerer) -> None:
    other = [
        _article(
            1,
            "Troops for the north",
            "The interior ministry opened an inquiry into the riots. "
            "Lumerian Defence Minister Ana Berg said 600 soldiers would go north.",
        )
    ]
    assert not ask(parsed, "Who is the Lumerian interior minister?", other).found
    same = [
        *other,
        _article(2, "Border checks", "Lumerian Interior Minister Karl Ode ordered border checks."),
    ]
    answer = ask(parsed, "Who is the Lumerian interior minister?", same)
    assert answer.found and "Karl Ode" in answer.answer


def test_which_brand_was_pushed_out_is_the_object(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Phone makers",
            "According to analyst Lars Ekdahl, Orbix's rise effectively kicks Valtro out of "
            "the global top ten.",
        )
    ]
    answer = ask(parsed, "Which brand did Orbix push out of the global top ten?", articles)
    assert answer.found and "Valtro" in answer.answer
