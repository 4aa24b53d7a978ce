"""The LLM call log: one row per call, whatever its outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import LLMCall, utcnow


def record(
    session: Session,
    *,
    model: str,
    prompt_name: str,
    prompt_version: str,
    duration_ms: int,
    outcome: str,
    tokens_in: int | None = None,
    tokens_out: int | None = None,
    error: str | None = None,
) -> LLMCall:
    row = LLMCall(
        created_at=utcnow(),
        model=model,
        prompt_name=prompt_name,
        prompt_version=prompt_version,
        duration_ms=duration_ms,
        outcome=outcome,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        error=error[:2000] if error else None,
    )
    session.add(row)
    session.flush()
    return row


def recent(session: Session, limit: int = 50) -> list[LLMCall]:
    return list(session.scalars(select(LLMCall).order_by(LLMCall.id.desc()).limit(limit)))


def count(session: Session) -> int:
    return int(session.scalar(select(func.count(LLMCall.id))) or 0)


def tokens_since(session: Session, team_id: str, since: datetime) -> int:
    """Tokens (in and out) of the workspace's LLM calls since then."""
    total = func.coalesce(func.sum(func.coalesce(LLMCall.tokens_in, 0)), 0) + func.coalesce(
        func.sum(func.coalesce(LLMCall.tokens_out, 0)), 0
    )
    query = select(total).where(LLMCall.team_id == team_id, LLMCall.created_at >= since)
    return int(session.scalar(query) or 0)
