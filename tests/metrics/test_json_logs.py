"""LOG_FORMAT=json: what `briefbot serve`/`worker` write to stderr is one JSON object per line,
with time, level, logger, message and the call's extra fields, and secrets still redacted."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.logformat import configure_logging

SECRET = "xoxb-1111-2222-secretvalue"
CONFIGURED = "signing-secret-abcdef"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _lines(captured: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in captured.splitlines()]  # each line parses alone


def test_json_lines(capsys: pytest.CaptureFixture[str], restore_logging: None) -> None:
    configure_logging("INFO", [CONFIGURED], log_format="json")
    log = logging.getLogger("bot.test")
    log.info("digest %s: %s", 7, "sent", extra={"subscription": 7, "channel": "C0001"})
    log.warning("two\nlines and a token %s and %s", SECRET, CONFIGURED)
    log.info("an extra field holding a secret", extra={"url": f"https://x.test/?t={CONFIGURED}"})
    try:
        raise RuntimeError(f"upstream said {SECRET}")
    except RuntimeError:
        log.exception("posting failed")
    log.debug("not at INFO")

    captured = capsys.readouterr().err
    entries = _lines(captured)
    assert len(entries) == 4
    first = entries[0]
    assert first["level"] == "INFO" and first["logger"] == "bot.test"
    assert first["message"] == "digest 7: sent"
    assert first["subscription"] == 7 and first["channel"] == "C0001"
    assert str(first["time"]).endswith("+00:00")
    assert entries[1]["message"].startswith("two\nlines")  # type: ignore[union-attr]
    assert "RuntimeError" in str(entries[3]["exception"])
    assert SECRET not in captured and CONFIGURED not in captured
    assert "[redacted]" in str(entries[2]["url"])


def test_text_stays_the_default(capsys: pytest.CaptureFixture[str], restore_logging: None) -> None:
    configure_logging("INFO", [])
    logging.getLogger("bot.test").info("plain")
    line = capsys.readouterr().err.strip()
    assert line.endswith("INFO bot.test: plain") and not line.startswith("{")
