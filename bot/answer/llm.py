"""Answering a follow-up question with the LLM, from retrieved passages only, with citations.

The answer is checked like a brief: the JSON must match the schema, cited ids must be among the
passages' articles (others are dropped), reasoning markup and every link are removed. Each answer
sentence carries its own citations, and a sentence whose cited passages do not state it (its
words and figures are not there) is dropped. A claimed answer left with no cited, supported
sentence becomes "not found". Server failures raise `LLMError`: the caller falls back to the
offline answerer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot.answer.model import AnswerDraft, AnswerSentence, Passage
from bot.answer.support import supported
from bot.llm.budget import clean_data, cut, fit
from bot.llm.client import LLMClient
from bot.llm.model_output import clean_text, split_known
from prompts.loader import PromptTemplate, RenderedPrompt, load_prompt

logger = logging.getLogger(__name__)

PROMPT_NAME = "answer"
DEFAULT_PROMPT_BUDGET = 16_000
MAX_ANSWER_CHARS = 700
MAX_QUESTION_CHARS = 1_000
MIN_PASSAGE_CHARS = 300
HISTORY_TURNS = 6
MAX_TURN_CHARS = 500
# Two sentences plus an optional supporting quote.
MAX_ANSWER_SENTENCES = 3


class LLMAnswerer:
    def __init__(
        self,
        client: LLMClient,
        *,
        prompt: PromptTemplate | None = None,
        prompt_budget_chars: int = DEFAULT_PROMPT_BUDGET,
        max_answer_chars: int = MAX_ANSWER_CHARS,
    ) -> None:
        self._client = client
        self._prompt = prompt or load_prompt(PROMPT_NAME)
        self._budget = prompt_budget_chars
        self._max_answer = max_answer_chars

    @property
    def name(self) -> str:
        return f"llm:{self._client.model}"

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[tuple[str, str]] = (),
    ) -> AnswerDraft:
        """Answer `question` from `passages`. `history` is the thread so far, oldest first, as
        (speaker, text) pairs; it helps resolve "it"/"they" and is never a source.
        Raises LLMError when the server fails or keeps answering out of schema."""
        if not passages or not question.strip():
            return AnswerDraft.not_found()
        prompt, included = self.build_prompt(question, passages, history)
        data = self._client.complete_prompt(self._prompt, prompt, validate=check_schema)
        if not data["found"]:
            # The model's own "The stored articles don't say who …" when it wrote one (cleaned,
            # no links); anything else it said instead of an answer is not shown.
            said = [clean_text(t, limit=300) for t, _ in _answer_sentences(data)]
            said = [t for t in said if t.startswith("The stored articles don't say")]
            return AnswerDraft.not_found(said[0]) if said else AnswerDraft.not_found()
        known = {p.article_id for p in included}
        texts: dict[str, list[str]] = {}
        for passage in included:
            texts.setdefault(passage.article_id, []).append(passage.text)
        sentences: list[AnswerSentence] = []
        for raw_text, raw_ids in _answer_sentences(data):
            ids, unknown = split_known(raw_ids, known)
            if unknown:
                logger.info("answer: dropped citation(s) of unknown id(s) %s", unknown)
            text = clean_text(raw_text, limit=self._max_answer)  # no link is ever allowed
            if not text or not ids:
                continue
            if not supported(text, [t for i in ids for t in texts[i]]):
                logger.info("answer: dropped a sentence its cited passages do not state")
                continue
            sentences.append(AnswerSentence(text, tuple(ids)))
            if len(sentences) == MAX_ANSWER_SENTENCES:
                break
        if not sentences:
            return AnswerDraft.not_found()
        return AnswerDraft.of(tuple(sentences))

    def build_prompt(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[tuple[str, str]] = (),
    ) -> tuple[RenderedPrompt, list[Passage]]:
        """The rendered prompt and the passages it holds (best score first, cut to the budget)."""
        ordered = sorted(passages, key=lambda p: p.score, reverse=True)
        turns = [
            f"{cut(clean_data(who), 40)}: {cut(clean_data(said), MAX_TURN_CHARS)}"
            for who, said in list(history)[-HISTORY_TURNS:]
            if said.strip()
        ]

        def render(blocks: Sequence[str], ids: Sequence[str]) -> RenderedPrompt:
            # Every instruction lives in prompts/answer.toml; here only data is filled in.
            return self._prompt.render(
                question=cut(clean_data(question), MAX_QUESTION_CHARS),
                history="\n".join(turns) if turns else "(no earlier messages)",
                passage_ids=", ".join(dict.fromkeys(ids)),
                passages="\n\n".join(blocks),
                max_chars=self._max_answer,
            )

        included, blocks = fit(
            ordered,
            available=self._budget - len(render([], [p.article_id for p in ordered])),
            block=_passage_block,
            text=lambda p: p.text,
            min_text=MIN_PASSAGE_CHARS,
        )
        return render(blocks, [p.article_id for p in included]), included


def check_schema(data: dict[str, Any]) -> None:
    """Raise ValueError unless `data` is {"found": bool, "sentences": [{"text": str,
    "source_ids": [id]}]} or the older {"found": bool, "answer": str, "source_ids": [id]}."""
    if not isinstance(data.get("found"), bool):
        raise ValueError("'found' is missing or not true/false")
    if "sentences" in data:
        sentences = data["sentences"]
        if not isinstance(sentences, list) or not all(
            isinstance(s, dict) and isinstance(s.get("text"), str) and _ids_ok(s.get("source_ids"))
            for s in sentences
        ):
            raise ValueError("'sentences' is not a list of {text, source_ids}")
        return
    if not isinstance(data.get("answer"), str):
        raise ValueError("'answer' is missing or not a string")
    if not _ids_ok(data.get("source_ids")):
        raise ValueError("'source_ids' is not a list of ids")


def _ids_ok(ids: object) -> bool:
    return isinstance(ids, list) and all(
        isinstance(i, str | int) and not isinstance(i, bool) for i in ids
    )


def _answer_sentences(data: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """(text, cited ids) per answer sentence; an old-style answer is one sentence citing all."""
    if "sentences" in data:
        return [(s["text"], s["source_ids"]) for s in data["sentences"]]
    return [(data["answer"], data["source_ids"])]


def _passage_block(passage: Passage, text: str) -> str:
    # Layout of the data only; every instruction lives in prompts/answer.toml. The date lets
    # the model say "as of" when two articles give different figures.
    date = f' date="{passage.published_at:%Y-%m-%d}"' if passage.published_at else ""
    return f'<passage id="{clean_data(passage.article_id)}"{date}>\n{text}\n</passage>'
