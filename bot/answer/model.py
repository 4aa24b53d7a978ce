"""What answerers take and return (pure data)."""

from __future__ import annotations

from dataclasses import dataclass

NOT_FOUND_ANSWER = "The stored articles don't answer this."


@dataclass(frozen=True)
class Passage:
    """A piece of a stored article retrieved for a question, with its retrieval score."""

    article_id: str
    text: str
    score: float


@dataclass(frozen=True)
class AnswerDraft:
    """An answer before rendering: every id in `source_ids` is one of the passages' articles."""

    found: bool
    answer: str
    source_ids: tuple[str, ...]

    @classmethod
    def not_found(cls) -> AnswerDraft:
        return cls(False, NOT_FOUND_ANSWER, ())
