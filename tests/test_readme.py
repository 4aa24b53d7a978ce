"""README.md says what is so: its commands parse, its configuration table is the settings,
its demo description matches the bundled articles."""

from __future__ import annotations

import io
import os
import re
import shlex
from pathlib import Path

import pytest

from bot.cli import _attach_dash_values, build_parser, main
from bot.settings import variable_names

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _code_blocks(text: str) -> list[str]:
    return re.findall(r"```(?:sh|bash|console)?\n(.*?)```", text, re.S)


def readme_commands() -> list[str]:
    """Every `briefbot …` command the README shows: lines of its code blocks and inline code."""
    found = []
    for block in _code_blocks(README):
        for line in block.splitlines():
            line = line.strip()
            for prefix in (".venv/bin/briefbot ", "briefbot "):
                if line.startswith(prefix):
                    found.append(_bare("briefbot " + line[len(prefix) :]))
    prose = re.sub(r"```.*?```", "", README, flags=re.S)
    for line in prose.splitlines():
        if not line.startswith("|"):  # the configuration table names commands, runs none
            found += [_bare(c) for c in re.findall(r"`(briefbot [^`]+)`", line)]
    return found


def _bare(command: str) -> str:
    """The command without its trailing comment."""
    return shlex.join(shlex.split(command, comments=True))


def test_the_readme_shows_commands() -> None:
    commands = readme_commands()
    assert len(commands) >= 15, commands
    for needed in ("doctor", "manifest", "topic show", "topic remove", "source remove"):
        assert any(c.startswith(f"briefbot {needed}") for c in commands), needed


@pytest.mark.parametrize("command", readme_commands())
def test_every_readme_command_parses(command: str) -> None:
    argv = shlex.split(command)[1:]
    try:
        build_parser().parse_args(_attach_dash_values(argv))
    except SystemExit as exit:
        assert exit.code == 0, f"README command does not parse: {command}"


COMPOSE_SECTION = "# --- docker compose (read by docker-compose.yml, not by briefbot) ---"


def _settings_variables() -> set[str]:
    return set(variable_names())


def test_configuration_table_is_the_settings_and_env_example() -> None:
    table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", README, re.M))
    # The file's last section is read by docker-compose.yml, not by briefbot.
    briefbot_part = (ROOT / ".env.example").read_text().split(COMPOSE_SECTION)[0]
    example = {
        line.split("=", 1)[0]
        for line in briefbot_part.splitlines()
        if "=" in line and not line.startswith("#")
    }
    settings = _settings_variables()
    assert table - settings == set(), "README's table lists variables the settings don't read"
    assert settings - table == set(), (
        "settings the README's Configuration table lacks (add a row: name, default, meaning)"
    )
    assert example == settings, ".env.example and the settings disagree"


def test_demo_description_matches_the_bundled_articles() -> None:
    articles = sorted((ROOT / "bot" / "demo" / "articles").glob("*.md"))
    words = {10: "ten", 11: "eleven", 12: "twelve"}
    assert f"loads {words[len(articles)]} short sample articles" in README
    off_topic = [a for a in articles if "ukraine" not in a.read_text().lower()]
    assert f"{words[len(articles) - len(off_topic)]} about" in README
    assert len(off_topic) == 1 and "one off-topic" in README


def test_the_two_commands_are_unchanged() -> None:
    """.ci/run calls the second verbatim."""
    assert (
        'python3 -m venv .venv && .venv/bin/pip install -q -e ".[nlp]" && .venv/bin/briefbot demo'
        in README
    )
    setup = "python3 -m venv .venv && .venv/bin/pip install -q -e"
    assert f'{setup} ".[nlp,dev,bench]" && .venv/bin/pytest' in README


@pytest.mark.slow
def test_the_cli_section_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's command-line block, line by line, from the clone, in a fresh data dir."""
    section = README[README.index("## Using it from the command line") :]
    block = _code_blocks(section)[0]
    commands = [_bare(line) for line in block.splitlines() if line.startswith("briefbot ")]
    assert len(commands) >= 10
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    # No network in tests: the fetch guard checks only the shape of example.com's URL.
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE", "true")
    outputs = {}
    for command in commands:
        out = io.StringIO()
        try:
            status = main(["--env-file", os.devnull, *shlex.split(command)[1:]], out)
        except SystemExit as exit:  # --version
            status = int(exit.code or 0)
        assert status == 0, f"{command}: {out.getvalue()}"
        outputs[command] = out.getvalue()
    assert (tmp_path / "data" / "briefbot.db").exists()
    brief = next(v for k, v in outputs.items() if k.startswith("briefbot brief"))
    assert "Key provisions" in brief
    show = next(v for k, v in outputs.items() if k.startswith("briefbot topic show"))
    assert "keywords: ukraine, kyiv, zelensky" in show


def test_slack_set_up_lists_the_manifests_scopes_and_events() -> None:
    from bot.manifest import BOT_EVENTS, BOT_SCOPES

    setup = " ".join(README[README.index("## Set up in Slack") :].split())
    scopes = re.search(r"the bot scopes \(([^)]*)\)", setup)
    events = re.search(r"the events \(([^)]*)\)", setup)
    assert scopes and events
    assert set(re.findall(r"`([^`]+)`", scopes.group(1))) == set(BOT_SCOPES)
    assert set(re.findall(r"`([^`]+)`", events.group(1))) == set(BOT_EVENTS)
