"""Everyday CLI commands as a user types them: topic show/remove, source remove, the news
search for a topic without sources, `--since -5d`, help texts, one clear line for mistakes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from storage.db import make_engine, session_factory, transaction
from storage.models import Subscription
from storage.topics import get as get_topic
from tests.ingest.conftest import LocalServer, article_html, article_text, rss_feed


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), stdout=out), out.getvalue()


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE", "true")
    monkeypatch.chdir(tmp_path)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "plan.md").write_text(
        "---\ntitle: Council approves river plan\noutlet: Valley Times\n"
        "published: 2025-05-02T09:00:00+00:00\nurl: https://valley.example.com/plan\n---\n"
        "The city council approved the river plan on Thursday by a vote of 7 to 2.\n"
    )
    (notes / "empty.txt").write_text("")
    yield notes


def test_topic_show_source_remove_and_topic_remove(cli: Path, db_url: str) -> None:
    assert _run("topic", "add", "river", "--keywords", "river, council")[0] == 0
    status, out = _run("ingest", str(cli), str(cli / "empty.txt"), "--topic", "river")
    assert status == 0
    # the failure line names the file once
    failed = [line for line in out.splitlines() if "failed:" in line]
    assert len(failed) == 1 and failed[0].count("empty.txt") == 1, failed

    status, out = _run("topic", "show", "river")
    assert status == 0
    assert "keywords: river, council" in out
    assert "articles: 1" in out
    assert "sources: 2" in out
    assert "failing (1×): the file has no text" in out and "\tok " in out
    assert "subscriptions: none" in out

    status, out = _run("source", "remove", "river", str(cli / "empty.txt"))
    assert status == 0 and "removed file://" in out
    assert "sources: 1" in _run("topic", "show", "river")[1]
    assert _run("source", "remove", "river", str(cli / "empty.txt"))[0] == 2  # not there now

    # a channel subscribes: removing the topic needs --yes (its digests would stop)
    engine = make_engine(db_url)
    with transaction(session_factory(engine)) as session:
        topic = get_topic(session, "river")
        assert topic is not None
        session.add(
            Subscription(
                team_id="T0A",
                channel_id="C0A",
                topic_id=topic.id,
                hour=8,
                minute=0,
                timezone="UTC",
            )
        )
    assert "T0A #C0A at 08:00 UTC" in _run("topic", "show", "river")[1]
    assert _run("topic", "remove", "river")[0] == 2
    status, out = _run("topic", "remove", "river", "--yes")
    assert status == 0 and "1 subscription deleted" in out and "1 stored article stay" in out
    assert _run("topic", "show", "river")[0] == 2
    with session_factory(engine)() as session:
        assert session.query(Subscription).count() == 0
    engine.dispose()
    assert "no topics yet" in _run("topic", "list")[1]


def test_ingest_searches_the_news_for_a_topic_without_sources(
    cli: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = LocalServer()
    server.start()
    try:
        page = server.add("/news/1", article_html("Rivers rise", article_text("rivers")))
        server.add(
            "/search/rivers.xml",
            rss_feed("search", [{"title": "Rivers rise", "link": page, "guid": page}]),
            content_type="application/rss+xml",
        )
        monkeypatch.setenv("NEWS_SEARCH_FEED_URL", server.url("/search/{query}.xml"))
        assert _run("topic", "add", "rivers")[0] == 0
        status, out = _run("ingest")
        assert status == 0, out
        assert f"rivers: no sources of its own, searched {server.url('/search/rivers.xml')}" in out
        assert "1 new article" in out
        assert server.hits("/search/rivers.xml") == 1
        assert "articles: 1" in _run("topic", "show", "rivers")[1]
    finally:
        server.stop()


def test_since_with_a_dash_gets_the_same_clear_message(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("topic", "add", "river")[0] == 0
    messages = []
    for args in (["--since", "-5d"], ["--since=-5d"]):
        assert main(["brief", "river", *args], stdout=io.StringIO()) == 2
        messages.append(capsys.readouterr().err.strip().splitlines()[-1])
    assert messages[0] == messages[1] and "Cannot read '-5d' as a time" in messages[0]


def test_feed_that_is_not_a_url_is_one_clear_line(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["topic", "add", "t", "--feed", "notaurl"], stdout=io.StringIO()) == 2
    err = capsys.readouterr().err.strip()  # one line: nothing else was started
    assert (
        err == "briefbot: --feed needs a feed URL like https://example.com/feed.xml, not 'notaurl'"
    )


def test_every_option_says_what_it_does() -> None:
    """Every option and positional of every command has a help text (and defaults are named)."""
    parser = build_parser()
    missing = []

    def walk(p, path):  # type: ignore[no-untyped-def]
        for action in p._actions:
            if action.dest in ("help",):
                continue
            if action.__class__.__name__ == "_SubParsersAction":
                for name, child in action.choices.items():
                    walk(child, [*path, name])
                continue
            if not action.help and action.dest not in ("name", "topic", "question", "team_id"):
                missing.append(" ".join([*path, action.dest]))

    walk(parser, ["briefbot"])
    assert missing == []
    ask_help = build_parser()._subparsers._group_actions[0].choices["ask"].format_help()  # type: ignore[union-attr]
    assert "default: all the topic's articles" in " ".join(ask_help.split())


def test_progress_counts_a_folder_by_its_files(tmp_path: Path) -> None:
    from bot.cli import _progress, _weights

    folder = tmp_path / "f"
    (folder / "sub").mkdir(parents=True)
    for name in ("a.md", "b.txt", "sub/c.html", "d.png", ".hidden.md"):
        (folder / name).write_text("x")
    weights = _weights([str(folder), "https://example.com/feed.xml", str(folder)])
    assert weights == {folder.resolve().as_uri(): 3, "https://example.com/feed.xml": 1}
    bar = _progress(weights)
    assert bar._total == 4
    assert bar._advance(f"ok {folder.resolve().as_uri()} (3 new, 0 duplicates)") == 3
    assert bar._advance("failed https://example.com/feed.xml: timed out") == 1
