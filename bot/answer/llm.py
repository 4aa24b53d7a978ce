"""Answering a follow-up question with the LLM, from retrieved passages only, with citations.

The answer is checked like a brief: the JSON must match the schema, cited ids must be among the
passages' articles (others are dropped), reasoning markup and every link are removed. A claimed
answer with no valid citation becomes "not found". Server failures raise `LLMError`: the caller
falls back to the offline answerer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot.answer.model import AnswerDraft, Passage
from bot.llm.budget import allot, clean_data, cut, how_many_fit
from bot.llm.client import LLMClient
from bot.llm.text import clean_text, split_known
from prompts.loader import PromptTemplate, RenderedPrompt, load_prompt

logger = logging.getLogger(__name__)

PROMPT_NAME = "answer"
DEFAULT_PROMPT_BUDGET = 16_000
MAX_ANSWER_CHARS = 700
MAX_QUESTION_CHARS = 1_000
MIN_PASSAGE_CHARS = 300
HISTORY_TURNS = 6
MAX_TURN_CHARS = 500
INVALID_OUTPUT_TRIES = 2  # the first call and one retry


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
        data = self._complete(prompt)
        known = {p.article_id for p in included}
        ids, unknown = split_known(data["source_ids"], known)
        if unknown:
            logger.info("answer: dropped citation(s) of unknown id(s) %s", unknown)
        text = clean_text(data["answer"], limit=self._max_answer)  # no link is ever allowed
        if not data["found"] or not ids or not text:
            return AnswerDraft.not_found()
        return AnswerDraft(True, text, tuple(ids))

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
            return self._prompt.render(
                question=cut(clean_data(question), MAX_QUESTION_CHARS),
                history="\n".join(turns) if turns else "(no earlier messages)",
                passage_ids=", ".join(dict.fromkeys(ids)),
                passages="\n\n".join(blocks),
                max_chars=self._max_answer,
            )

        available = self._budget - len(render([], [p.article_id for p in ordered]))
        headers = [_passage_block(p, "") for p in ordered]
        count = how_many_fit([len(h) for h in headers], available, MIN_PASSAGE_CHARS)
        included = ordered[:count]
        texts = [clean_data(p.text) for p in included]
        shares = allot([len(t) for t in texts], available - sum(len(h) for h in headers[:count]))
        blocks = [
            _passage_block(p, cut(t, s)) for p, t, s in zip(included, texts, shares, strict=True)
        ]
        return render(blocks, [p.article_id for p in included]), included

    def _complete(self, prompt: RenderedPrompt) -> dict[str, Any]:
        return self._client.complete_valid_json(
            prompt,
            prompt_name=self._prompt.name,
            prompt_version=self._prompt.version,
            validate=check_schema,
            tries=INVALID_OUTPUT_TRIES,
        )


def check_schema(data: dict[str, Any]) -> None:
    """Raise ValueError unless `data` is {"found": bool, "answer": str, "source_ids": [id]}."""
    if not isinstance(data.get("found"), bool):
        raise ValueError("'found' is missing or not true/false")
    if not isinstance(data.get("answer"), str):
        raise ValueError("'answer' is missing or not a string")
    ids = data.get("source_ids")
    if not isinstance(ids, list) or not all(
        isinstance(i, str | int) and not isinstance(i, bool) for i in ids
    ):
        raise ValueError("'source_ids' is not a list of ids")


def _passage_block(passage: Passage, text: str) -> str:
    # Layout of the data only; every instruction lives in prompts/answer.toml.
    return f'<passage id="{clean_data(passage.article_id)}">\n{text}\n</passage>'
