"""What keeps a topic polled, on a real database: a question on it counts as wanting it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core import Briefbot
from bot.settings import Settings
from storage import topics as topic_store
from tests.conftest import Database


def test_a_question_keeps_its_topic_polled(db: Database) -> None:
    settings = Settings.from_env(
        environ={"DATABASE_URL": db.url, "TOPIC_IDLE_DAYS": "7"}, dotenv_path=None
    )
    core = Briefbot(settings, engine=db.engine)
    core.topics.add("river plan")
    topic_id = core.topics.topic_id("river plan")
    core.clock = lambda: datetime.now(UTC) + timedelta(days=30)
    assert core.lifecycle.polled_topic_ids() == frozenset()  # idle: nobody asked for 30 days
    core.ask("river plan", "When does construction begin?")
    assert core.lifecycle.polled_topic_ids() == {topic_id}
    with core.factory() as session:
        assert topic_store.usage(session)[0][0] == topic_id
    core.close()
