"""Smoke tests of the performance benchmarks (bench/<name>.py --quick --json): each runs end to
end at small sizes and reports its figure, a baseline and its goal, so the scripts cannot rot.

Goals are not asserted (a missed goal is a finding, not a broken script); what the quick run
can check for certain is: the JSON shape, and the product behaviour the benchmark relies on
(every digest delivered once, no LLM call on a cache hit, ...). Each runs in its own process
with `--synthetic` where the benchmark has it, so the shared corpus is not needed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_postgres_url

pytestmark = pytest.mark.slow  # subprocesses and timed scenarios: minutes in all

PROJECT = Path(__file__).resolve().parents[2]


def run_bench(name: str, *args: str, timeout: float = 120) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, str(PROJECT / "bench" / f"{name}.py"), "--quick", "--json", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout)
    assert result["benchmark"] == name and result["quick"] is True
    assert result["ours"] and result["baseline"], result
    assert result["goals"] and all(isinstance(g["met"], bool) for g in result["goals"])
    assert all(g["goal"] and g["measured"] for g in result["goals"])
    assert "goal:" in completed.stderr  # the human-readable lines went to stderr
    return result


def test_brief_speed() -> None:
    result = run_bench("brief_speed", "--synthetic", timeout=300)  # model + product ingest
    ours, baseline = result["ours"], result["baseline"]
    assert ours["warm_median_ms"] > 0 and ours["cold_median_ms"] > 0
    assert set(baseline["vectorised_lexrank_median_ms"]) == {"10", "20"}
    assert baseline["sumy_lexrank_ms"]["10"] > 0
    assert result["params"]["sizes"] == [10, 20]
    assert set(ours["growth_per_doubling"]) == set(ours["growth_per_doubling_cpu"]) == {"10->20"}
    # The product path: the smallest size briefed through Briefbot from a database.
    product = ours["by_size"]["10"]
    assert product["product_articles_read"] == product["product_articles_in_window"] == 10
    assert product["product_repeat_median_ms"] > 0


def test_llm_calls() -> None:
    result = run_bench("llm_calls")
    rounds = list(result["ours"]["rounds"].values())
    channels = result["params"]["channels"]
    assert result["baseline"]["calls"] == channels  # one call per channel, as designed
    assert rounds[0]["calls"] == 1  # one topic-window: one call, however many channels
    assert rounds[1]["calls"] == 0 and rounds[2]["calls"] == 0  # claims, then the cache
    assert [r["posts"] for r in rounds] == [channels, 0, channels]


def _postgres_param() -> Any:
    url = run_postgres_url()
    return pytest.param(
        url or "postgres",
        id="postgres",
        marks=pytest.mark.skipif(not url, reason="TEST_DATABASE_URL not set (PostgreSQL)"),
    )


@pytest.mark.parametrize("database", [pytest.param(None, id="sqlite"), _postgres_param()])
def test_retrieval(database: str | None) -> None:
    # Small: each question is also answered whole (about a second each on a loaded machine).
    args = ["--synthetic", "--articles", "600", "--queries", "10"]
    if database:
        args += ["--database-url", database]
    result = run_bench("retrieval", *args, timeout=300)
    ours = result["ours"]
    assert ours["database"] == ("postgresql" if database else "sqlite")
    assert ours["thread_ask_p95_ms"] > 0 and ours["thread_search_p95_ms"] > 0
    assert ours["ask_searches_p95_ms"] > 0 and ours["topic_search_p95_ms"] > 0
    assert result["baseline"]["replayed_before_p95_ms"] > 0  # the code before, same calls
    assert result["baseline"]["small_store_thread_ask_p95_ms"] > 0
    assert result["baseline"]["like_thread_ask_p95_ms"] > 0
    assert 0 < ours["detail"]["answers_found_share"] <= 1  # the questions do find passages


def test_ingest_speed() -> None:
    result = run_bench("ingest_speed", "--synthetic")
    run = result["ours"]["median_run"]
    assert run["failed_sources"] == 0
    assert run["new_articles"] == result["params"]["pages"]  # the mirror is a duplicate
    assert run["pages"] == result["params"]["pages"] + result["params"]["mirrors"]
    assert result["ours"]["pages_per_s"] > 0 and result["baseline"]["with_text"] > 0
    # The goal's baseline extracts in as many processes as ours (not 1 against our 2).
    processes = result["baseline"]["trafilatura_extract_processes"]
    assert processes == max(1, result["ours"]["processes"])
    assert result["baseline"]["trafilatura_extract_in_processes_pages_per_s"] > 0
    assert "as many processes as ours" in result["goals"][-1]["goal"]
    assert result["ours"]["round_cpu_ms_per_page"] > 0


def test_fanout() -> None:
    result = run_bench("fanout")
    ours = result["ours"]
    assert ours["delivered"] == ours["expected"] == result["params"]["digests"]
    assert ours["duplicates"] == 0 and ours["invalid_messages"] == 0
    assert ours["peak_rss_mb"] > 0
    # The naive loop posts each channel's second digest too soon: the fake answers 429.
    assert result["baseline"]["rate_limited_429"] > 0


def test_ack_latency() -> None:
    # Two bursts of a real serve with a digest round: 35 s idle, over 120 s beside the rest
    # of the suite on two busy cores.
    result = run_bench("ack_latency", "--scenarios", "digest", timeout=300)
    ours = result["ours"]
    assert ours["failures"] == 0
    assert ours["during_digest"]["n"] == result["params"]["requests"]
    assert ours["digest"]["rounds"] >= 1 and ours["digest"]["digests"] >= 1


def test_cli_start() -> None:
    result = run_bench("cli_start")
    assert result["ours"]["topic_list_cpu_ms"] > 0 and result["ours"]["help_cpu_ms"] > 0
    assert result["baseline"]["import_sqlalchemy"] > 0
