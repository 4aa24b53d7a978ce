"""General mechanisms that let answers hold up on stories the answerer was not tuned on.

Each sample is a few sentences in our own words; each test asks what a user would ask and
checks the answer a user would see (or that the answerer declines).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.answer.offline import OfflineAnswerer
from bot.answer.question import SHARE, analyze_question
from bot.answer.retrieve import rank_passages
from bot.answer.stems import stem, tokens
from bot.nlp import load_pipeline
from bot.summarize.model import ArticleInput
from tests.answer.conftest import ask

DAY = datetime(2014, 3, 20, tzinfo=UTC)


def _article(n: int, title: str, text: str) -> ArticleInput:
    return ArticleInput(str(n), title, text, published_at=DAY)


@pytest.fixture(params=["spacy", "none"])
def answerer(request: pytest.FixtureRequest) -> OfflineAnswerer:
    if request.param == "spacy":
        nlp = load_pipeline()
        if nlp is None:
            pytest.skip("no spaCy model installed")
        return OfflineAnswerer(nlp)
    return OfflineAnswerer(None)


def test_british_and_american_spellings_and_co_hyphen_match() -> None:
    assert stem("analysed") == stem("analyzed")
    assert stem("organise") == stem("organize")
    assert stem("size") == "size"  # a short word keeps its z
    assert tokens("She will co-ordinate it") == ["she", "will", "coordinate", "it"]


def test_a_country_name_matches_its_adjective(answerer: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Athens votes on cuts",
            "Lawmakers in Greece met late into the night. "
            "Finance Minister Petros Dimas told parliament the cuts were vital.",
        )
    ]
    answer = ask(answerer, "Who is the Greek finance minister?", articles)
    assert answer.found and "Petros Dimas" in answer.answer


def test_how_much_extra_asks_for_money(answerer: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Treasury pays more",
            "Norway quietly made an extra payment to the World Bank of £4.1billion last week.",
        )
    ]
    answer = ask(answerer, "How much extra did Norway give the World Bank?", articles)
    assert answer.found and "4.1billion" in answer.answer


def test_a_share_question_wants_a_percentage(answerer: OfflineAnswerer) -> None:
    assert analyze_question("What share of the vote did the Greens win?").kind == SHARE
    articles = [
        _article(
            1,
            "Results",
            "The Greens won 8.4 per cent of the vote and 12 seats. "
            "The Greens were founded by students.",
        )
    ]
    answer = ask(answerer, "What share of the vote did the Greens get?", articles)
    assert answer.found and "8.4 per cent" in answer.answer
    # No percentage for another party: declined, not answered with the Greens' share.
    other = ask(answerer, "What share of the vote did the Liberals get?", articles)
    assert not other.found


def test_a_number_with_a_hyphenated_unit_counts(answerer: OfflineAnswerer) -> None:
    articles = [
        _article(1, "New phone", "The Orbit X2's 20-megapixel camera takes sharp pictures.")
    ]
    answer = ask(answerer, "How many megapixels does the Orbit X2's camera have?", articles)
    assert answer.found and "20-megapixel" in answer.answer


def test_a_name_ending_in_a_number_is_another_thing(answerer: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Flight 90 lost",
            "Of the 150 people on board Flight 90, none survived. "
            "Flight 12 crashed in the desert months later.",
        )
    ]
    answer = ask(answerer, "How many people were on board Flight 12?", articles)
    assert not answer.found
    right = ask(answerer, "How many people were on board Flight 90?", articles)
    assert right.found and "150" in right.answer


def test_a_size_question_may_want_a_sum(answerer: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Rescue agreed",
            "Ministers approved a €90 billion rescue package for Portugal on Monday.",
        )
    ]
    answer = ask(answerer, "How big is the rescue package for Portugal?", articles)
    assert answer.found and "90 billion" in answer.answer


def test_who_leads_is_answered_by_the_leader(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Party concedes",
            "Maria Kostas, the 44-year-old leader of Forward, conceded defeat on Sunday.",
        )
    ]
    answer = ask(parsed, "Who leads the Forward party?", articles)
    assert answer.found and "Maria Kostas" in answer.answer


def test_who_did_it_may_be_a_group_named_by_nationality(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Lock broken",
            "The door lock of the new Zeta phone has been cracked by a Dutch research team.",
        ),
        _article(
            2,
            "Talks",
            "Both sides will name negotiating teams next week.",
        ),
    ]
    answer = ask(parsed, "Who cracked the door lock of the Zeta phone?", articles)
    assert answer.found and "Dutch" in answer.answer
    # A doer with no name or nationality ("both sides") is no answer to "who".
    assert not ask(parsed, "Who will lead the Zeta negotiating team?", articles).found


def test_a_role_that_belongs_to_someone_else_is_declined(answerer: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Phone makers",
            "Acme's chief executive John Park said sales were strong. "
            "Rival Brightco also sells phones.",
        )
    ]
    answer = ask(answerer, "Who is the chief executive of Brightco?", articles)
    assert not answer.found
    right = ask(answerer, "Who is the chief executive of Acme?", articles)
    assert right.found and "John Park" in right.answer


def test_when_was_it_held_matches_a_synonym_of_the_event(answerer: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Vote again",
            "Sunday's vote followed an inconclusive ballot on May 6 that left no majority.",
        )
    ]
    answer = ask(answerer, "When was the inconclusive election held?", articles)
    assert answer.found and "May 6" in answer.answer


def test_who_prefers_a_named_doer_to_a_nationality(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Relief",
            "Canadian officials have been coordinating the relief. "
            "Former navy chief Tom Reed will co-ordinate the relief effort from Halifax.",
        )
    ]
    answer = ask(parsed, "Who will coordinate the relief effort?", articles)
    assert answer.found and "Tom Reed" in answer.answer


def test_a_re_hyphen_is_spelling_only() -> None:
    # "will not be re-drafted" answers "is the Commission going to redraft it?".
    assert tokens("It will not be re-drafted") == ["it", "will", "not", "be", "redrafted"]
    assert stem(tokens("re-submit")[0]) == stem("resubmit")


def test_a_role_after_a_comma_is_the_named_persons_own(answerer: OfflineAnswerer) -> None:
    # "…, said Tomas Brandt, spokesman for Kestrel Mail": Tomas Brandt holds the role; whose
    # role it is comes after "for", so the answer names him.
    articles = [
        _article(
            1,
            "Kestrel Mail fights junk e-mail",
            "Kestrel Mail has released a tool that floods junk-mail sites with traffic. "
            '"Sending junk is far too cheap," said Tomas Brandt, spokesman for Kestrel Mail.',
        )
    ]
    answer = ask(answerer, "Who's the Kestrel Mail spokesman?", articles)
    assert answer.found and "Tomas Brandt" in answer.answer


def _olympian() -> list[ArticleInput]:
    return [
        _article(
            1,
            "Sprinter sues coach",
            "Dana Marsh collected four medals at the Sydney Olympics in 2000. "
            "Conservative spokesman Alan Reeve welcomed the ruling.",
        )
    ]


def test_a_name_matches_its_other_form(answerer: OfflineAnswerer) -> None:
    # "the Sydney Games" are the Sydney Olympics.
    medals = ask(answerer, "How many medals did Marsh collect at the Sydney Games?", _olympian())
    assert medals.found and "four" in medals.answer


def test_a_party_matches_its_other_name(parsed: OfflineAnswerer) -> None:
    # A Tory is a Conservative.
    tory = ask(parsed, "Which Tory spokesman welcomed the ruling?", _olympian())
    assert tory.found and "Alan Reeve" in tory.answer


def test_a_decline_shows_a_reworded_sentence_as_the_closest(answerer: OfflineAnswerer) -> None:
    # The answer is said in other words than the question's ("getting rid of" / "cut"): not
    # passed off as the answer, but shown, labelled, instead of a bare "don't say".
    articles = [
        _article(
            1,
            "Broker trims staff",
            "Kestrel Brokers said on Monday that it will cut 2,500 more jobs. "
            "The firm has already shed 3,000 posts this year.",
        )
    ]
    answer = ask(answerer, "How many jobs is Kestrel getting rid of?", articles)
    assert not answer.found
    assert "closest they come" in answer.answer and "2,500" in answer.answer


def test_a_role_by_its_initials_is_the_role(parsed: OfflineAnswerer) -> None:
    # "CEO" in the question or in the article is the chief executive; a CFO is another role.
    articles = [
        _article(
            1,
            "Broker cuts jobs",
            "Kestrel chief executive Michael Varga said the firm would recover. "
            "Rival Brightco's CEO Greg Lund declined to comment.",
        )
    ]
    assert "Michael Varga" in ask(parsed, "Who is the CEO of Kestrel?", articles).answer
    assert "Greg Lund" in ask(parsed, "Who is Brightco's chief executive?", articles).answer
    assert "Greg Lund" in ask(parsed, "Who is the CEO of Brightco?", articles).answer
    assert not ask(parsed, "Who is the CFO of Kestrel?", articles).found


def test_the_end_of_a_year_is_not_a_description_of_the_subject(answerer: OfflineAnswerer) -> None:
    # "at the end of 2004" read as a description ("the gadget") let the headline's "European"
    # count as said in the sentence, so a US-and-Japan figure answered a question about Europe.
    articles = [
        _article(
            1,
            "Handheld gets its European launch",
            "The Kestrel handheld goes on sale across the continent on Friday. "
            "More than 2.8 million Kestrel consoles have been sold since it first appeared "
            "in the US and Japan at the end of 2004.",
        )
    ]
    question = "How many Kestrel consoles were sold in Europe?"
    # As ingestion stores them: the entities of each sentence (here its places).
    passages = [
        replace(p, entities=(("US", "GPE"), ("Japan", "GPE")) if "Japan" in p.text else ())
        for p in rank_passages(question, articles, limit=40)
    ]
    assert passages and all(p.lead for p in passages)
    assert not answerer.answer(question, passages).found


def test_a_thing_counted_by_its_name_is_counted_in_units(parsed: OfflineAnswerer) -> None:
    # "How many PSPs": the units sold answer it; "one US shop" does not.
    articles = [
        _article(
            1,
            "Sony PSP goes on sale",
            "Sony has sold more than 800,000 units in Japan since the launch. "
            "A spokesman for one US shop said it expected the device to sell out on its first day.",
        )
    ]
    japan = ask(parsed, "How many PSPs has Sony sold in Japan?", articles)
    assert japan.found and "800,000" in japan.answer
    first_day = ask(parsed, "How many PSPs did Sony sell on its first day in the US?", articles)
    assert not first_day.found


def test_a_role_is_the_same_role_whoever_holds_it(answerer: OfflineAnswerer) -> None:
    # "spokeswoman" and "spokesperson" are the spokesman asked about.
    articles = [
        _article(
            1,
            "Kestrel Mail fights junk e-mail",
            "Kestrel Mail has released a tool that floods junk-mail sites with traffic. "
            "Sarah Jones, the Kestrel Mail spokeswoman, said it was legal.",
        )
    ]
    answer = ask(answerer, "Who is the Kestrel Mail spokesman?", articles)
    assert answer.found and "Sarah Jones" in answer.answer
