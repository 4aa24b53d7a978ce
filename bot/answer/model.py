"""What answerers take and return (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

NOT_FOUND_ANSWER = "The stored articles don't answer this."


@dataclass(frozen=True)
class Passage:
    """A sentence of a stored article retrieved for a question, with its retrieval score.

    `context` is the sentence before it in the same article (what "he" or "that demand" refers
    to), `position` its index in the article, `preferred` whether the article is one of the
    thread's brief (a thread's own articles win over the rest of the topic).
    """

    article_id: str
    text: str
    score: float
    context: str = ""
    earlier: str = ""  # the sentence before `context`
    title: str = ""
    lead: str = ""  # the article's first sentence (who "the pair" or "they" are)
    position: int = 0
    published_at: datetime | None = None
    preferred: bool = False
    # The named entities (text, spaCy label) the article's stored analysis found in this
    # sentence; None when the article was not analysed with a model (the answerer parses it).
    entities: tuple[tuple[str, str], ...] | None = None


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer and the articles that state it."""

    text: str
    source_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "source_ids": list(self.source_ids)}


@dataclass(frozen=True)
class AnswerDraft:
    """An answer before rendering: every id in `source_ids` is one of the passages' articles.

    `sentences` carries the per-sentence citations; `answer` is their text joined (kept for
    callers that show one paragraph).
    """

    found: bool
    answer: str
    source_ids: tuple[str, ...]
    sentences: tuple[AnswerSentence, ...] = ()

    @classmethod
    def not_found(cls, answer: str = NOT_FOUND_ANSWER) -> AnswerDraft:
        return cls(False, answer, ())

    @classmethod
    def of(cls, sentences: tuple[AnswerSentence, ...]) -> AnswerDraft:
        ids = tuple(dict.fromkeys(i for s in sentences for i in s.source_ids))
        return cls(True, " ".join(s.text for s in sentences), ids, sentences)
