"""docker-compose.yml, Dockerfile and manifest.yml agree with the code (no Docker engine here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _settings_variables() -> set[str]:
    source = (ROOT / "bot" / "settings.py").read_text()
    return set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', source)) - {
        "DEBUG",
        "INFO",
        "WARNING",
        "ERROR",
        "CRITICAL",
    }


def test_compose_services_and_environment() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "bot", "worker", "migrate"} <= set(services)
    assert "healthcheck" in services["postgres"]
    assert any("pgdata" in v for v in services["postgres"]["volumes"])
    known = _settings_variables()
    for name in ("bot", "worker", "migrate"):
        service = services[name]
        assert service["env_file"] == ".env"
        for variable in service.get("environment", {}):
            assert variable in known, f"{name} sets {variable}, which the settings don't read"
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    # the HTTP replicas must not run schedulers; exactly one worker does
    assert "--no-scheduler" in services["bot"]["command"]
    assert services["worker"]["command"] == ["briefbot", "worker"]
    assert "ports" in services["bot"] and all(":" not in str(p) for p in services["bot"]["ports"])
    assert services["migrate"]["command"] == ["briefbot", "db", "upgrade"]


def test_dockerfile_is_slim_and_non_root() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = dockerfile.split("\nFROM ")
    final = stages[-1]
    assert final.startswith("python:3.11-slim")
    assert "USER briefbot" in final
    assert "gcc" not in final and "build-essential" not in final
