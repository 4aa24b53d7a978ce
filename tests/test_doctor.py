"""`briefbot doctor`: one line per check, a fix for each problem, exit 1 when anything is broken."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.cli import main
from testkit.slackfake.server import FakeSlack

GOOD_TOKEN = "xoxb-doctor-good-1"


@pytest.fixture
def models_server() -> Iterator[str]:
    """An OpenAI-compatible server's `GET /v1/models`, listing one model."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = json.dumps({"object": "list", "data": [{"id": "tiny-model"}]}).encode()
            ok = self.path == "/v1/models"
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # shutdown() waits for the loop's next poll: 0.5 s by default, at every test's end
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def healthy_env(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, models_server: str
) -> Iterator[FakeSlack]:
    monkeypatch.chdir(tmp_path)
    with FakeSlack() as fake:
        for name, value in {
            "DATABASE_URL": db_url,
            "SLACK_BOT_TOKEN": GOOD_TOKEN,
            "SLACK_SIGNING_SECRET": "doctor-secret-0123456789",
            "SLACK_API_URL": fake.base_url,
            "OPENAI_BASE_URL": models_server,
            "OPENAI_MODEL": "tiny-model",
        }.items():
            monkeypatch.setenv(name, value)
        assert main(["db", "upgrade"], stdout=io.StringIO()) == 0
        yield fake


def _doctor() -> tuple[int, dict[str, str]]:
    out = io.StringIO()
    status = main(["doctor"], stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("briefbot: data directory ")
    checks = {line.split()[1]: line for line in lines[1:]}
    assert set(checks) == {"database", "nlp", "slack", "llm", "fetch"}
    return status, checks


def test_healthy_set_up(healthy_env: FakeSlack) -> None:
    status, checks = _doctor()
    assert status == 0
    for name in ("database", "slack", "llm", "fetch"):
        assert checks[name].startswith("ok "), checks[name]
    assert "migrations current" in checks["database"]
    assert "team_id" not in checks["slack"] and "bot @" in checks["slack"]
    assert "tiny-model" in checks["llm"]
    assert healthy_env.calls_to("auth.test")


def test_no_database(healthy_env: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    # nothing listens on port 9: the database server is down
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://briefbot:pw0rd@127.0.0.1:9/briefbot")
    status, checks = _doctor()
    assert status == 1
    assert checks["database"].startswith("fail ")
    assert "fix DATABASE_URL" in checks["database"] and "pw0rd" not in checks["database"]


def test_empty_sqlite_file_is_not_created_but_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none' / 'b.db'}")
    status, checks = _doctor()
    assert status == 0
    assert checks["database"].startswith("warn ") and "briefbot db upgrade" in checks["database"]
    assert not (tmp_path / "none").exists()


def test_wrong_slack_token(healthy_env: FakeSlack) -> None:
    healthy_env.reject_token(GOOD_TOKEN)
    status, checks = _doctor()
    assert status == 1
    assert checks["slack"].startswith("fail ") and "invalid_auth" in checks["slack"]
    assert "OAuth & Permissions" in checks["slack"]
    assert GOOD_TOKEN not in checks["slack"]


def test_unreachable_llm(healthy_env: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    status, checks = _doctor()
    assert status == 1
    assert checks["llm"].startswith("fail ")
    assert "cannot reach http://127.0.0.1:9/v1" in checks["llm"]
    assert "SUMMARIZER=extractive" in checks["llm"]


def test_version_names_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "bb"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("briefbot ") and str(tmp_path / "bb" / "briefbot.db") in out
