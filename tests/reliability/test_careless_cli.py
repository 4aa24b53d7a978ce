"""Careless input on the command line and in settings: one line on stderr, no traceback, exit
status 2 for a usage or configuration error and 1 for a failure, never a secret — and nothing
created or stored that was not asked for."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.cli import main

PASSWORD = "hunter2-secret-pw"


def _one_line(err: str) -> str:
    line = err.strip()
    assert line.startswith("briefbot: "), err
    assert "\n" not in line, f"more than one line:\n{err}"
    assert "Traceback" not in line
    assert PASSWORD not in line
    return line


def _cli(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(args, stdout=out)
    return code, out.getvalue(), capsys.readouterr().err


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory without .env, and a SQLite database in it."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "BRIEFBOT_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'briefbot.db'}")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["brief", "ukraine", "--since", "9999999999d"],
        ["brief", "ukraine", "--since", "1000000d"],
        ["brief", "ukraine", "--since", "99999999999h"],
        ["brief", "ukraine", "--until", "99999999999w"],
        ["ask", "ukraine", "what?", "--since", "99999999999h"],
        ["brief", "ukraine", "--until", "0001-01-01"],
        ["brief", "ukraine", "--since", "0001-01-01T00:00:00+00:00"],
        ["brief", "ukraine", "--until", "9999-12-31T23:59:59-14:00"],
        ["brief", "ukraine", "--since", "x" * 5000],
    ],
)
def test_a_duration_too_long_is_one_line(
    args: list[str],
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["topic", "add", "ukraine"], stdout=io.StringIO()) == 0
    code, _, err = _cli(args, monkeypatch, capsys)
    assert code == 2
    line = _one_line(err)
    assert len(line) < 300


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://user:{PASSWORD}@db.example.com/briefbot",
        f"notaurl://user:{PASSWORD}@h/db",
        f"postgresql://user:{PASSWORD}@127.0.0.1:notaport/db",
        f"postgresql://user:{PASSWORD}@127.0.0.1:99999/db",
        f"postgresql+psycopg2://user:{PASSWORD}@127.0.0.1/db",
    ],
)
def test_a_database_url_briefbot_cannot_use_is_one_line_naming_it(
    url: str, home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    code, _, err = _cli(["topic", "list"], monkeypatch, capsys)
    assert code == 2
    assert "DATABASE_URL" in _one_line(err)


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["serve", "--http", "--port", "99999"], {}),
        (["serve", "--http"], {"PORT": "99999"}),
        (["serve", "--http"], {"PORT": "http"}),
    ],
)
def test_a_port_out_of_range_is_one_line_not_a_random_port(
    args: list[str],
    env: dict[str, str],
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _, err = _cli(args, monkeypatch, capsys)
    assert code == 2
    assert "port" in _one_line(err).lower()


def test_an_unreachable_postgresql_is_one_line_and_exit_1(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    monkeypatch.setenv("DATABASE_URL", f"postgresql://briefbot:{PASSWORD}@127.0.0.1:1/briefbot")
    code, _, err = _cli(["topic", "list"], monkeypatch, capsys)
    assert code == 1
    line = _one_line(err)
    assert "database" in line and "refused" in line.lower()


def test_a_missing_postgresql_database_is_one_line_and_exit_1(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("TEST_DATABASE_URL not set (PostgreSQL)")
    missing = make_url(server).set(database="briefbot_no_such_database_h11")
    monkeypatch.setenv("DATABASE_URL", missing.render_as_string(hide_password=False))
    code, _, err = _cli(["topic", "list"], monkeypatch, capsys)
    assert code == 1
    assert "does not exist" in _one_line(err)


def test_a_data_dir_that_is_a_file_is_one_line(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "datafile").write_text("not a directory")
    monkeypatch.delenv("DATABASE_URL")
    for data_dir in ("datafile", "datafile/inside"):
        monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(home / data_dir))
        code, _, err = _cli(["topic", "list"], monkeypatch, capsys)
        assert code == 1
        assert "datafile" in _one_line(err)


def test_the_default_data_dir_is_created(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(home / "fresh" / "data"))
    code, out, _ = _cli(["topic", "list"], monkeypatch, capsys)
    assert code == 0 and "no topics yet" in out
    assert (home / "fresh" / "data" / "briefbot.db").is_file()


def test_a_sqlite_url_in_a_missing_directory_is_refused_not_created(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = home / "nonexistent" / "dir"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing / 'x.db'}")
    code, _, err = _cli(["topic", "list"], monkeypatch, capsys)
    assert code == 1
    assert "nonexistent" in _one_line(err)
    assert not (home / "nonexistent").exists()


def test_a_missing_env_file_is_an_error(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(
        ["--env-file", str(home / "nonexistent.env"), "topic", "list"], monkeypatch, capsys
    )
    assert code == 2
    assert "nonexistent.env" in _one_line(err)
    # The default .env may be absent: that is not an error.
    assert _cli(["topic", "list"], monkeypatch, capsys)[0] == 0


def test_topic_sources_masks_credentials_in_urls(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE", "true")
    tokens = ("xoxb-1234-5678-abcdefgh", "sk-abcdefghijklmnop", "plainsecret42")
    feed = (
        f"http://127.0.0.1:9/feed.xml?token={tokens[0]}&k={tokens[1]}"
        f"&access_token={tokens[2]}&page=2"
    )
    assert main(["topic", "add", "harbour", "--feed", feed], stdout=io.StringIO()) == 0
    capsys.readouterr()
    code, out, err = _cli(["topic", "sources", "harbour"], monkeypatch, capsys)
    assert code == 0, err
    assert "127.0.0.1:9/feed.xml" in out and "page=2" in out
    for token in tokens:
        assert token not in out + err


@pytest.mark.slow
def test_serve_socket_with_slack_unreachable_is_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'briefbot.db'}",
        "SLACK_APP_TOKEN": "xapp-1-A0000-0000-notreal",
        "SLACK_BOT_TOKEN": "xoxb-0000-0000-notreal",
        "SLACK_API_URL": "http://127.0.0.1:1/api/",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--socket", "--no-scheduler"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("briefbot: ") and "Slack" in last
    assert "notreal" not in result.stderr
