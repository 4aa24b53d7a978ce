"""What a use case module that works over the whole core needs of it, as a Protocol: the
service layer sits below the `Briefbot` facade and must not import it (imports point down)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bot.ingest.fetch import Fetcher
    from bot.service.briefs import BriefResult
    from bot.settings import Settings
    from bot.summarize.model import Summarizer


class Core(Protocol):
    settings: Settings
    factory: sessionmaker[Session]
    clock: Callable[[], datetime]

    def brief(self, topic: str, **window: Any) -> BriefResult: ...

    def summarizer(self) -> Summarizer: ...

    def fetcher(self) -> Fetcher: ...
