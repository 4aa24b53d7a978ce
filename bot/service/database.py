"""The database as the layers above storage see it: opened, migrated, pinged; and the
stores that third-party libraries keep in it (APScheduler's jobs). Nothing here hands out a
session: the services own those."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import metrics
from bot.llm import usage
from bot.settings import Settings
from storage import llm_calls
from storage.db import make_engine, on_begin, ping, session_factory, transaction, upgrade

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Database:
    engine: Engine
    factory: sessionmaker[Session]

    def ping(self) -> bool:
        """Whether the database answers now (the health check)."""
        return ping(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def before_each_transaction(self, hook: Callable[[], None]) -> None:
        """Call `hook` as each transaction begins, before any lock is taken."""
        on_begin(self.engine, hook)

    def job_store(self) -> Any:
        """APScheduler's job store on this database (jobs survive restarts; every process
        sharing the database sees the same schedule)."""
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

        return SQLAlchemyJobStore(engine=self.engine)

    def installation_store(self, client_id: str) -> Any:
        """slack_sdk's store of OAuth installations (one bot token per workspace), in the
        tables our migration 0004 created: what Bolt's OAuth flow and token rotation are
        written against."""
        from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

        return SQLAlchemyInstallationStore(
            client_id=client_id,
            engine=self.engine,
            logger=logging.getLogger("briefbot.slack.installations"),
        )

    def oauth_state_store(self, expiration_seconds: int) -> Any:
        """slack_sdk's store of OAuth install states (the install flow's CSRF check)."""
        from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

        return SQLAlchemyOAuthStateStore(
            expiration_seconds=expiration_seconds,
            engine=self.engine,
            logger=logging.getLogger("briefbot.slack.oauth_state"),
        )

    def llm_call_recorder(self) -> Callable[[Any], None]:
        """What the LLM client calls after each call: one row in `llm_calls`."""

        @metrics.counts_llm_calls
        def record(call: Any) -> None:
            meter = usage.current()  # the brief it was made for, if any (bot.llm.usage)
            if meter is not None:
                meter.add(call.tokens_in, call.tokens_out)
            try:
                with transaction(self.factory) as session:
                    row = llm_calls.record(
                        session,
                        model=call.model,
                        prompt_name=call.prompt_name,
                        prompt_version=call.prompt_version,
                        duration_ms=call.duration_ms,
                        outcome=call.outcome,
                        tokens_in=call.tokens_in,
                        tokens_out=call.tokens_out,
                        error=call.error,
                    )
                    # Not a field of the client's record: the client knows no workspaces.
                    row.team_id = meter.team_id if meter is not None else None
            except Exception:  # logging a call must never break the call
                log.exception("could not record an LLM call")

        return record


def open_database(
    settings: Settings, *, engine: Engine | None = None, migrate: bool = True
) -> Database:
    """The settings' database (or `engine`), migrated to the newest schema unless told not."""
    engine = engine or make_engine(settings.database_url, create_dir=settings.uses_default_database)
    if migrate:
        upgrade(engine)
    return Database(engine, session_factory(engine))


def migrate(settings: Settings) -> None:
    """`briefbot db upgrade`: bring the database to the newest schema, then let it go."""
    open_database(settings).close()
