"""Keep secrets out of everything that leaves the process: logs, error messages, stored errors.

Two layers: the exact values of the configured secrets, and anything shaped like a Slack or
OpenAI token (so a token pasted into a URL or an upstream error message is caught too).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_TOKEN_SHAPES = re.compile(
    r"\b(?:xox[abposr]-[A-Za-z0-9-]{6,}|xapp-[A-Za-z0-9-]{6,}|sk-[A-Za-z0-9_-]{8,})"
)
_BEARER = re.compile(r"(?i)(authorization:\s*bearer\s+)\S+")
# A slash command's response_url lets anyone holding it post in the channel for 30 minutes:
# as a form field or JSON key (any host: tests and proxies use others), and Slack's own
# webhook URLs wherever they appear, plain or percent-encoded.
_RESPONSE_URL = re.compile(r"""(?i)(response_url["']?\s*[=:]\s*["']?)[^&"'\s,}]+""")
_SLACK_HOOK = re.compile(r"(?i)https?(?::|%3A)(?:/|%2F){2}hooks\.slack\.com[^\s\"'&,)]*")
MASK = "[redacted]"
# A log line longer than this is cut: no library gets to log a whole request body.
MAX_LOG_CHARS = 4000


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _TOKEN_SHAPES.sub(MASK, text)
    text = _RESPONSE_URL.sub(r"\1" + MASK, text)
    text = _SLACK_HOOK.sub(MASK, text)
    return _BEARER.sub(r"\1" + MASK, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message with secrets removed (args included)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._secrets)
        if len(message) > MAX_LOG_CHARS:
            cut = len(message) - MAX_LOG_CHARS
            message = f"{message[:MAX_LOG_CHARS]}… [{cut} more characters not logged]"
        record.msg = redact(message, self._secrets)
        record.args = None
        return True
