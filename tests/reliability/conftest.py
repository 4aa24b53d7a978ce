"""Fixtures for the reliability and security suite.

The local HTTP server, the loopback-only transport and the running Slack app are the suite's
own fixtures from tests/ingest and tests/slack, imported here so these tests use the same
stand-ins. The shared corpus is found through BRIEFBOT_CORPUS or next to the repository
(../shared/corpus); tests that need it skip, naming the path, when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ingest.conftest import server, transport  # noqa: F401  (fixtures)
from tests.slack.conftest import (  # noqa: F401  (fake_slack, running_app: fixtures)
    BOT_TOKEN,
    RunningApp,
    fake_slack,
    running_app,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def corpus_root() -> Path:
    """The shared corpus: $BRIEFBOT_CORPUS, else ../shared/corpus beside the repository."""
    configured = os.environ.get("BRIEFBOT_CORPUS")
    if configured:
        return Path(configured).expanduser()
    return (REPO_ROOT / ".." / "shared" / "corpus").resolve()


def needs_corpus(folder: str) -> pytest.MarkDecorator:
    """Skip unless the corpus folder exists; the reason names where it was looked for."""
    path = corpus_root() / folder
    return pytest.mark.skipif(
        not path.is_dir(),
        reason=f"shared corpus folder not found at {path} "
        "(set BRIEFBOT_CORPUS; only the shared workspace has it)",
    )
