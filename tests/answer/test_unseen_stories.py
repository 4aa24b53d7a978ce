"""Rules added after a fifth question set, on a story the answerer had never been run on (the
"dev" set): how news names a person one sentence late, refers to a group named two sentences
back, describes what it names ("the two sprinters"), and puts an action in a noun ("gave an
interview").

Each sample is a few sentences in our own words (no corpus text); each test asks what a user
would ask and checks the answer a user would see, or that the answerer declines.
"""

from __future__ import annotations

from bot.answer.offline import OfflineAnswerer
from bot.answer.question import WHERE, analyze_question
from bot.summarize.model import ArticleInput
from tests.answer.conftest import ask


def _article(n: int, title: str, text: str) -> ArticleInput:
    return ArticleInput(str(n), title, text)


def test_a_person_named_in_the_next_sentence_answers_who(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Mill fraud trial",
            "Lawyers for the accused mill owner have called a former bookkeeper as their first "
            "witness. Greta Olander, who kept the mill's accounts for ten years, told the court "
            "on Monday that the ledgers had been altered.",
        )
    ]
    answer = ask(parsed, "Who did the lawyers call as their first witness?", articles)
    assert answer.found and "Greta Olander" in answer.answer
    # Both sentences, each citing the article: the first says what, the second who.
    assert len(answer.sentences) == 2 and all(s.source_ids == ("1",) for s in answer.sentences)


def test_a_name_deep_in_the_next_sentence_is_someone_else(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Mill fraud trial",
            "Lawyers for the accused mill owner have called a former bookkeeper as their first "
            "witness. The court, which sat late into the evening on Monday, also heard from the "
            "prosecutor Anton Rehbein about the missing ledgers.",
        )
    ]
    answer = ask(parsed, "Who did the lawyers call as their first witness?", articles)
    assert not answer.found


def test_which_judge_is_named_in_the_next_sentence(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Ferry firm loses bid",
            "A judge has thrown out the ferry operator's request for protection from its "
            "creditors. Judge Mariam Okafor said the company had no assets in the state.",
        )
    ]
    answer = ask(parsed, "Which judge threw out the ferry operator's request?", articles)
    assert answer.found and "Mariam Okafor" in answer.answer


def test_a_verb_after_due_to_is_no_role(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Cyclist withdraws",
            "Dario Venn, a national hero since his win in 2009, said he had been due to carry "
            "the flag at the Lisbon opening parade before his injury.",
        )
    ]
    answer = ask(parsed, "What was Dario Venn due to do at the Lisbon opening parade?", articles)
    assert answer.found and "carry the flag" in answer.answer


def test_a_describing_word_may_be_missing_when_the_action_and_names_are_there(
    parsed: OfflineAnswerer,
) -> None:
    articles = [
        _article(
            1,
            "Rowing ban",
            "Ilse Marr and Tomas Ek were suspended by Nordic Rowing in November for skipping "
            "three weigh-ins. Both have denied wrongdoing.",
        )
    ]
    answer = ask(parsed, "When did Nordic Rowing suspend the two athletes?", articles)
    assert answer.found and "November" in answer.answer


def test_an_action_said_by_its_noun_answers(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Skater speaks",
            "The skater Lena Brandt told the Nordkurier newspaper in her first interview since "
            "the fall that she would compete again.",
        )
    ]
    answer = ask(parsed, "Which newspaper did Lena Brandt give her first interview to?", articles)
    assert answer.found and "Nordkurier" in answer.answer


def test_a_group_is_named_two_sentences_back(parsed: OfflineAnswerer) -> None:
    articles = [
        _article(
            1,
            "Climbers rescued",
            "Mountaineers Petra Lund and Jonas Beck were stranded on the ridge for a night. "
            "They were found by a helicopter crew on Sunday. "
            "The pair then spent three days in a clinic in the valley.",
        )
    ]
    answer = ask(parsed, "How many days did Petra Lund and Jonas Beck spend in a clinic?", articles)
    assert answer.found and "three days" in answer.answer


def test_the_question_word_that_opens_the_question_decides_its_kind(
    parsed: OfflineAnswerer,
) -> None:
    articles = [
        _article(
            1,
            "Divers warned",
            "The federation warned Ada Holm and Rui Sato last spring after they were found "
            "diving off Malta rather than near Sicily, where they had said they would be.",
        )
    ]
    question = "Where were Ada Holm and Rui Sato diving when the federation warned them?"
    assert analyze_question(question).kind == WHERE
    answer = ask(parsed, question, articles)
    assert answer.found and "Malta" in answer.answer
