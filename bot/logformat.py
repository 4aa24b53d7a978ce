"""LOG_FORMAT=json: one JSON object per line, for log collectors (Loki, CloudWatch, ELK...).

The stdlib's logging with a small formatter, not a new dependency: the fields are the
record's own (time, level, logger, message), plus whatever a call passes as `extra=`, plus
the exception text. It runs after `bot.redact.RedactingFilter` on the same handler, so the
message and exception are already redacted and cut to length; the extra fields are redacted
here, since the filter does not look at them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bot.redact import MAX_LOG_CHARS, RedactingFilter, redact

# Attributes every LogRecord has: anything else on a record came from `extra=`.
_RECORD_FIELDS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and not key.startswith("_") and key not in entry:
                entry[key] = self._field(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info), self._secrets)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info), self._secrets)
        # ensure_ascii: any byte a message carries is escaped, so a line is always one line.
        return json.dumps(entry, default=str)

    def _field(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value
        text = value if isinstance(value, str) else str(value)
        return redact(text[:MAX_LOG_CHARS], self._secrets)


def configure_logging(
    level: str = "INFO", secrets: Iterable[str] = (), log_format: str = "text"
) -> None:
    """Root logging to stderr with redaction on every handler; `log_format` "json" writes one
    JSON object per line (LOG_FORMAT)."""
    root = logging.getLogger()
    root.setLevel(level)
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter(secrets))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root.handlers[:] = [handler]
    # httpx logs every request URL at INFO; URLs may carry tokens and are noisy.
    logging.getLogger("httpx").setLevel(logging.WARNING)
