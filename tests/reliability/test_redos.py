"""Issue 11, medium 7: no regular expression that reads untrusted text takes super-linear time.

Before, `clean_text` took 3 s on an LLM bullet of "aa." * 4000 (12 KB) and over a minute on
90 KB: the bare-URL pattern rescanned the rest of the text from every word. Every module-level
pattern in `bot` is run on long adversarial strings in a child process (a regex holds the GIL,
so only a process can be stopped), with a budget a linear pattern meets a hundred times over.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.reliability.conftest import REPO_ROOT

# Seconds one pattern may take on one 10 KB adversarial string: linear patterns need a few
# milliseconds; the quadratic ones the audit found needed 1-20 s.
BUDGET_SECONDS = 0.5


def _run(code: str, timeout: float) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running after {timeout:g} s: {code}") from None
    return done.stdout


@pytest.mark.slow
def test_every_pattern_in_bot_is_linear_on_adversarial_input() -> None:
    out = _run(
        f"from tests.reliability.redos_probe import main; main({BUDGET_SECONDS})", timeout=240
    )
    result = json.loads(out.strip().splitlines()[-1])
    assert result["tried"] > 100  # the walk found the project's patterns
    assert result["slow"] == []


def test_clean_text_on_a_long_run_of_dotted_words() -> None:
    # The child reports the CPU seconds the three calls took (a quadratic pattern needed over
    # a minute on the first); the wall-clock timeout only stops a child that hangs.
    code = (
        "import time\n"
        "from bot.llm.model_output import clean_text\n"
        "t = time.thread_time()\n"
        "print(repr(clean_text('aa.' * 30000 + ' see evil.example/x now', limit=80)))\n"
        "print(repr(clean_text('<think>' * 8000 + 'hidden', limit=80)))\n"
        "print(repr(clean_text('[' * 20000 + '](http://evil.example)', limit=80)))\n"
        "print(time.thread_time() - t)\n"
    )
    bullet, reasoning, brackets, cpu_seconds = _run(code, timeout=240).splitlines()
    assert float(cpu_seconds) < 3 * BUDGET_SECONDS
    assert bullet.startswith("'aa.aa.") and bullet.endswith("…'")
    assert reasoning == "''"  # an unclosed <think> hides the rest
    assert "evil.example" not in brackets
