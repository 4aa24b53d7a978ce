"""The answer to a follow-up question, as the CLI and Slack show it (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.answer.model import AnswerSentence
from bot.summarize.model import SourceRef


@dataclass(frozen=True)
class Answer:
    question: str
    found: bool
    answer: str
    source_ids: tuple[str, ...]
    sources: tuple[SourceRef, ...]
    # Each sentence with its own citations (a decline's "closest they come" cites its article).
    sentences: tuple[AnswerSentence, ...] = ()
    # The question as answered: a follow-up ("what about Russia?") made to stand alone.
    resolved_question: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "found": self.found,
            "answer": self.answer,
            "source_ids": list(self.source_ids),
            "sources": [s.to_dict() for s in self.sources],
            "sentences": [s.to_dict() for s in self.sentences],
            "resolved_question": self.resolved_question or self.question,
        }
