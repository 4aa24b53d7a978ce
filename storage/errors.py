"""The product's one error root, and the errors storage raises in place of its driver's.

`BriefbotError` lives here, at the bottom of the house, so that storage can raise errors from the
one root without importing `bot` (imports point down); `bot.errors` re-exports it with the rest.
Nothing above storage sees SQLAlchemy's or a driver's exceptions for a database that is away,
busy or misconfigured: `storage.db` converts them in one place (`storage_error_for`).
"""

from __future__ import annotations


class BriefbotError(Exception):
    """Root of every error briefbot raises on purpose."""


_WHAT = "cannot use the database (DATABASE_URL)"


class StorageError(BriefbotError):
    """The database could not be reached or refused an operation.

    `reason` is what the driver said (one line, no credentials: drivers name host and database,
    never the password); the message says what to check.
    """

    def __init__(self, reason: str, *, what: str = _WHAT) -> None:
        super().__init__(f"{what}: {reason}" if what else reason)
        self.reason = reason


class StorageUnavailable(StorageError):
    """A transient failure: the server is unreachable, the connection dropped, or no pooled
    connection came free in time. Trying again later may work."""


class StorageBusy(StorageUnavailable):
    """A lock wait ran out (SQLite's "database is locked", PostgreSQL's lock_timeout)."""
