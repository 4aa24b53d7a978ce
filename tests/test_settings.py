"""Settings: defaults, .env, and one clear line naming a bad variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import Settings, variable_names


def test_defaults_are_sqlite_and_offline() -> None:
    settings = Settings.from_env(environ={}, dotenv_path=None)
    # not relative to the current directory: the platform's user data directory
    assert settings.data_dir.is_absolute()
    assert settings.database_url == f"sqlite:///{settings.data_dir / 'briefbot.db'}"
    assert not settings.llm_enabled
    assert settings.slack_api_url == "https://slack.com/api/"
    assert not settings.fetch_allow_private


def test_dotenv_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("OPENAI_BASE_URL=http://127.0.0.1:9/v1\nOPENAI_MODEL=from-file\n")
    settings = Settings.from_env(environ={"OPENAI_MODEL": "from-env"}, dotenv_path=env_file)
    assert settings.openai_base_url == "http://127.0.0.1:9/v1"
    assert settings.openai_model == "from-env"
    assert settings.llm_enabled


def test_postgres_url_gets_psycopg3_driver() -> None:
    settings = Settings.from_env(environ={"DATABASE_URL": "postgresql://u@h/db"}, dotenv_path=None)
    assert settings.database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FETCH_ALLOW_PRIVATE", "maybe"),
        ("FETCH_TIMEOUT", "soon"),
        ("OPENAI_TIMEOUT", "nan"),
        ("PORT", "70000"),
        ("FETCH_MAX_BYTES", "-5"),
        ("SLACK_API_URL", "ftp://x"),
        ("NEWS_SEARCH_FEED_URL", "https://news.example.com/rss"),
        ("SLACK_BOT_TOKEN", "not-a-token"),
        ("SUMMARIZER", "magic"),
        ("DATABASE_URL", "briefbot.db"),
    ],
)
def test_malformed_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env(environ={name: value}, dotenv_path=None)
    assert name in str(err.value)
    assert "\n" not in str(err.value)


def test_unset_variables_take_the_defaults_declared_on_the_fields(tmp_path: Path) -> None:
    parsed = Settings.from_env(environ={"BRIEFBOT_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    assert parsed == Settings(database_url=parsed.database_url, data_dir=tmp_path)


def test_secrets_do_not_show_in_repr() -> None:
    settings = Settings.from_env(
        environ={"SLACK_BOT_TOKEN": "xoxb-123-secret", "OPENAI_API_KEY": "sk-verysecret"},
        dotenv_path=None,
    )
    assert "xoxb-123-secret" not in repr(settings)
    assert "sk-verysecret" not in repr(settings)
    assert set(settings.secrets()) == {"xoxb-123-secret", "sk-verysecret"}


def test_env_example_lists_every_variable() -> None:
    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text()
    names = {
        line.split("=", 1)[0]
        for line in example.splitlines()
        if "=" in line and not line.startswith("#")
    }
    used = set(variable_names())
    assert used <= names, f"missing from .env.example: {sorted(used - names)}"


def test_oauth_needs_both_client_id_and_secret_and_hides_the_secret() -> None:
    with pytest.raises(SettingsError, match="SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"):
        Settings.from_env(environ={"SLACK_CLIENT_ID": "1.2"}, dotenv_path=None)
    settings = Settings.from_env(
        environ={"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "shh-0123456789"},
        dotenv_path=None,
    )
    assert settings.oauth_enabled
    assert "shh-0123456789" in settings.secrets()
    assert "shh-0123456789" not in repr(settings)
    assert not Settings.from_env(environ={}, dotenv_path=None).oauth_enabled


def test_scheduling_settings() -> None:
    settings = Settings.from_env(
        environ={
            "DIGEST_STALE_AFTER_SECONDS": "30",
            "DIGEST_CATCH_UP_HOURS": "0",
            "LEADER_POLL_SECONDS": "1.5",
        },
        dotenv_path=None,
    )
    assert settings.digest_stale_after_seconds == 30
    assert settings.digest_catch_up_hours == 0
    assert settings.leader_poll_seconds == 1.5
    with pytest.raises(SettingsError, match="DIGEST_STALE_AFTER_SECONDS"):
        Settings.from_env(environ={"DIGEST_STALE_AFTER_SECONDS": "0"}, dotenv_path=None)


def test_data_dir_setting_places_the_default_database(tmp_path: Path) -> None:
    settings = Settings.from_env(environ={"BRIEFBOT_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    assert settings.database_url == f"sqlite:///{tmp_path / 'briefbot.db'}"
    home = Settings.from_env(environ={"BRIEFBOT_DATA_DIR": "~/bb"}, dotenv_path=None)
    assert home.data_dir == Path("~/bb").expanduser()
