"""Briefs and answers as JSON, in their public contract shapes (for scripts and `--format json`)."""

from __future__ import annotations

import json
from typing import Any

from bot.render.common import AnswerLike
from bot.summarize.model import Brief


def brief_to_json(brief: Brief) -> str:
    """`Brief.to_dict()` as indented JSON (non-ASCII kept as is)."""
    return json.dumps(brief.to_dict(), ensure_ascii=False, indent=2)


def answer_to_dict(answer: AnswerLike) -> dict[str, Any]:
    """{"question", "found", "answer", "source_ids", "sources": [SourceRef.to_dict()],
    "sentences": [{"text", "source_ids"}]} (each answer sentence with its own citations)."""
    return {
        "question": answer.question,
        "found": answer.found,
        "answer": answer.answer,
        "source_ids": list(answer.source_ids),
        "sources": [source.to_dict() for source in answer.sources],
        "sentences": [
            {"text": s.text, "source_ids": list(s.source_ids)}
            for s in getattr(answer, "sentences", ())
        ],
    }


def answer_to_json(answer: AnswerLike) -> str:
    return json.dumps(answer_to_dict(answer), ensure_ascii=False, indent=2)
