"""A question in a brief's thread is answered from that brief's articles first, and from the
topic's other articles only when the brief's do not answer (through `Briefbot.ask`, a real
SQLite database and `briefbot ingest`'s path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import Briefbot
from bot.settings import Settings

# Two reports of one dam project in our own words; the later one revises the figure.
ARTICLES = {
    "01-dam.md": (
        "Valdor approves river dam",
        "2024-05-02T09:00:00+00:00",
        "The Valdor council approved the river dam on Thursday. The dam will cost 40 million "
        "euros, the council said, and work starts in June.",
    ),
    "02-dam.md": (
        "Valdor dam bill rises",
        "2024-05-20T09:00:00+00:00",
        "Engineers said on Monday that the Valdor river dam will cost 55 million euros. "
        "Residents near the site asked for a public hearing.",
    ),
    "03-dam.md": (
        "Valdor dam hearing set",
        "2024-05-22T09:00:00+00:00",
        "The Valdor council set a public hearing on the river dam for 3 June.",
    ),
}


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Briefbot:
    tmp = tmp_path_factory.mktemp("brief-first")
    folder = tmp / "articles"
    folder.mkdir()
    for name, (title, published, body) in ARTICLES.items():
        (folder / name).write_text(
            f"---\ntitle: {title}\noutlet: Valdor Post\npublished: {published}\n---\n{body}\n",
            encoding="utf-8",
        )
    bot = Briefbot(
        Settings(
            database_url=f"sqlite:///{tmp / 'db.sqlite'}", data_dir=Path(tmp), nlp_model="none"
        )
    )
    bot.add_topic("Valdor dam", ["Valdor"])
    bot.ingest([str(folder)], topic="Valdor dam")
    return bot


def _ids(core: Briefbot) -> dict[str, int]:
    answer = core.ask("Valdor dam", "When is the public hearing on the dam?")
    found = {s.title: int(s.id) for s in answer.sources}
    for question in ("How much will the dam cost?", "When did the council approve the dam?"):
        found |= {s.title: int(s.id) for s in core.ask("Valdor dam", question).sources}
    return found


def test_the_thread_brief_answers_before_the_topic(core: Briefbot) -> None:
    # Across the topic, the later figure supersedes the earlier one.
    topic_wide = core.ask("Valdor dam", "How much will the dam cost?")
    assert topic_wide.found and "55 million" in topic_wide.answer
    ids = _ids(core)
    first = ids["Valdor approves river dam"]
    # In the thread of a brief made of the first report, its figure is the one the reader saw.
    in_thread = core.ask("Valdor dam", "How much will the dam cost?", prefer_ids=[first])
    assert in_thread.found and "40 million" in in_thread.answer
    assert [s.id for s in in_thread.sources] == [str(first)]
    # What the brief's articles do not say comes from the topic's others.
    hearing = core.ask("Valdor dam", "When is the public hearing on the dam?", prefer_ids=[first])
    assert hearing.found and "3 June" in hearing.answer
