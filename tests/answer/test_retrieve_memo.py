"""Ranking keeps each article's split sentences between questions (issue 14: a thread's
articles come back on every question): what a question quotes is still the article as given."""

from __future__ import annotations

from bot.answer.retrieve import rank_passages
from bot.summarize.model import ArticleInput

FIRST = "The council approved the levee budget on Monday. Work starts in May."
EDITED = "The council rejected the levee budget on Monday. Work is postponed."


def test_an_edited_article_is_quoted_as_edited() -> None:
    question = "What did the council decide about the levee budget?"
    before = rank_passages(question, [ArticleInput("7", "Levee", FIRST)], limit=5)
    assert before[0].text == "The council approved the levee budget on Monday."
    # Same article id, corrected text: the question quotes the correction, not what was kept.
    after = rank_passages(question, [ArticleInput("7", "Levee", EDITED)], limit=5)
    assert after[0].text == "The council rejected the levee budget on Monday."
    # Asked again about the first text: the same passages as the first time.
    assert rank_passages(question, [ArticleInput("7", "Levee", FIRST)], limit=5) == before


def test_the_same_text_in_two_articles_is_attributed_to_the_one_ranked() -> None:
    question = "When does the levee work start?"
    for article_id in ("1", "2"):
        passages = rank_passages(question, [ArticleInput(article_id, "Levee", FIRST)], limit=5)
        assert {p.article_id for p in passages} == {article_id}
