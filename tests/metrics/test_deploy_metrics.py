"""The compose file exposes metrics where Prometheus's config looks for them, and the example
Grafana dashboard only charts metrics briefbot defines (no Docker or Grafana here)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from bot.metrics import REGISTRY

ROOT = Path(__file__).resolve().parents[2]


def _defined_series() -> set[str]:
    names = set()
    for family in REGISTRY.collect():
        suffixes = {
            "counter": ("_total",),
            "histogram": ("_bucket", "_count", "_sum"),
        }.get(family.type, ("",))
        names |= {family.name + suffix for suffix in suffixes}
    return names


def test_compose_exposes_metrics_where_prometheus_scrapes() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    worker_port = compose["worker"]["environment"]["METRICS_PORT"]
    assert worker_port in [str(p) for p in compose["worker"]["expose"]]
    assert compose["prometheus"]["profiles"] == ["metrics"]  # opt-in
    prometheus = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}
    http = jobs["briefbot-http"]["dns_sd_configs"][0]
    assert http["names"] == ["bot"] and str(http["port"]) == compose["bot"]["environment"]["PORT"]
    assert jobs["briefbot-worker"]["static_configs"][0]["targets"] == [f"worker:{worker_port}"]
    assert all(job["metrics_path"] == "/metrics" for job in jobs.values())


def test_dashboard_charts_only_defined_metrics() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana-dashboard.json").read_text())
    defined = _defined_series()
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used |= set(re.findall(r"\bbriefbot_[a-z_]+", target["expr"]))
    assert used, "the dashboard charts nothing"
    assert used - defined == set(), "the dashboard charts metrics briefbot does not define"
    wanted = {
        "briefbot_slack_ack_seconds_bucket",
        "briefbot_digests_total",
        "briefbot_leader",
        "briefbot_llm_tokens_total",
        "briefbot_sources_fetched_total",
    }
    assert wanted <= used
