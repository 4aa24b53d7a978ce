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
    # every worker consumes the queue, so scaling workers scales ingest and digests
    assert services["worker"]["environment"]["TASK_QUEUE"] == "postgres"
    # replicas are reached through the proxy only: no host port to collide when scaled
    assert "ports" not in services["bot"] and services["bot"]["expose"] == ["3000"]
    assert services["migrate"]["command"] == ["briefbot", "db", "upgrade"]


def test_dockerfile_is_slim_and_non_root() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = dockerfile.split("\nFROM ")
    final = stages[-1]
    assert final.startswith("python:3.11-slim")
    assert "USER briefbot" in final
    assert "gcc" not in final and "build-essential" not in final


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_proxy_terminates_tls_in_front_of_the_replicas() -> None:
    services = _compose()["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert "./deploy/caddy:/etc/caddy:ro" in proxy["volumes"]
    assert any(v.startswith("caddy_data:") for v in proxy["volumes"]), "certificates are kept"
    assert proxy["depends_on"]["bot"]["condition"] == "service_healthy"
    assert proxy["environment"]["BRIEFBOT_DOMAIN"].startswith("${BRIEFBOT_DOMAIN:?")
    caddyfile = (ROOT / "deploy" / "caddy" / "Caddyfile").read_text()
    # the upstreams are every replica of the `bot` service on the port it serves
    assert "name bot" in caddyfile and "port 3000" in caddyfile
    assert services["bot"]["command"][-3:] == ["--port", "3000", "--no-scheduler"]


def test_services_that_must_stay_up_have_health_checks_and_restart() -> None:
    services = _compose()["services"]
    for name in ("postgres", "bot", "proxy"):
        check = services[name]["healthcheck"]["test"]
        assert check[0] in ("CMD", "CMD-SHELL") and len(check) > 1, name
    for name in ("bot", "worker", "proxy"):
        assert services[name].get("restart") == "unless-stopped", name


def test_workers_scale_without_collisions() -> None:
    """`docker compose up --scale worker=4` (and bot=N) needs no fixed name or host port."""
    services = _compose()["services"]
    for name in ("bot", "worker"):
        assert "container_name" not in services[name], name
        assert "ports" not in services[name], name


def test_every_compose_variable_is_in_env_example() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose))
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, re.M))
    assert used, "the compose file interpolates its secrets and host name"
    assert used <= documented, f"missing from .env.example: {sorted(used - documented)}"
    # production has no default database password
    assert "POSTGRES_PASSWORD:-" not in compose
