"""What the command line shows when something fails: one line, secrets masked.

`failure_line` turns the failures a user can cause or fix (a database that is not there, a
data directory that is a file, Slack out of reach) into one line; anything else is a bug and
keeps its traceback. `RedactingWriter` masks secrets in everything a command prints.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TextIO

from bot.errors import LLMError, StorageError
from bot.redact import MASK, redact

# BriefbotErrors that mean "it failed" (exit 1), not "you typed it wrong" (exit 2).
FAILURES: tuple[type[Exception], ...] = (StorageError, LLMError)

_MAX_LINE = 300
# A password in a URL's user info (`postgresql://user:pw@host`), and query parameters whose
# names say they carry a credential (`?token=…`, `&api_key=…`). Both patterns are linear: one
# bounded character class each, no nested quantifiers.
_URL_PASSWORD = re.compile(r"(://[^:/@\s]{0,256}:)[^@\s/]{1,512}@")
_CREDENTIAL_PARAM = re.compile(
    r"(?i)([?&;](?:access_|api_|auth_|client_)?(?:token|key|apikey|secret|password|passwd|pwd|"
    r"sig|signature|auth|code|credential|session)=)[^&#\s]+"
)


def redact_all(text: str, secrets: Sequence[str] = ()) -> str:
    """`redact` plus credentials in URLs: a user info password and credential-named parameters."""
    text = redact(text, secrets)
    text = _URL_PASSWORD.sub(r"\1" + MASK + "@", text)
    return _CREDENTIAL_PARAM.sub(r"\1" + MASK, text)


class RedactingWriter:
    """A text stream that masks secrets in whatever is written through it."""

    def __init__(self, stream: TextIO, secrets: Sequence[str] = ()) -> None:
        self._stream = stream
        self._secrets = tuple(secrets)

    def write(self, text: str) -> int:
        self._stream.write(redact_all(text, self._secrets))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def getvalue(self) -> str:  # when wrapping a StringIO (tests, callers capturing output)
        return self._stream.getvalue()  # type: ignore[attr-defined]


def failure_line(err: BaseException) -> str | None:
    """One line saying what failed and what to check, or None for an unexpected error (a bug)."""
    from urllib.error import URLError

    if isinstance(err, URLError):  # slack_sdk's transport: Slack (or SLACK_API_URL) unreachable
        return f"cannot reach Slack ({_reason(err.reason)}); check the network and SLACK_API_URL"
    if isinstance(err, FileExistsError | NotADirectoryError) and err.filename:
        return (
            f"cannot use {err.filename}: it is not a directory "
            "(check BRIEFBOT_DATA_DIR and DATABASE_URL)"
        )
    if isinstance(err, OSError):
        where = f" {err.filename}" if err.filename else ""
        return f"cannot use{where}: {err.strerror or _reason(err)}"
    database = _database_line(err)
    if database is not None:
        return database
    return None


def _database_line(err: BaseException) -> str | None:
    # Commands raise StorageError (a BriefbotError, shown as it is) for the database; one that
    # reaches here came from outside a command's own handling, e.g. while building the engine.
    if isinstance(err, StorageError):
        return str(err)
    return None


def _reason(err: object) -> str:
    text = " ".join(str(err).split())
    text = re.sub(r"\s*\(Background on this error at: [^)]*\)", "", text)
    return text[:_MAX_LINE] + ("…" if len(text) > _MAX_LINE else "")
