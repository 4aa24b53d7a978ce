"""Hostile feeds and real pages, all through the ingest pipeline in one batch.

Served over a loopback HTTP server: every file of feedparser's hostile feed corpus (with the
HTTP headers each one names) and every page of the article-extraction benchmark. Ingested as
local files: the WikiRef220 folder (140 of its 220 files are cp1252) and the one latin-1 BBC
article. One batch, on SQLite and PostgreSQL. Besides, WikiRef220 articles (Windows-1252 text)
wrapped as pages whose charset is declared right, wrongly or not at all, each label in a
database of its own (in the big batch, a mangled copy would be stored as a near-duplicate
alias of the correct one, and the check would read the correct text).

Asserted: nothing crashes, every failure is a readable error stored on its source, the batch
finishes every source, mis-declared and legacy encodings come out as the right Unicode, and the
pages keep the extraction quality measured in test_extraction_quality. Needs the shared corpus;
takes about 30-40 s per database on 2 cores. `pytest -s` prints the figures.
"""

from __future__ import annotations

import ast
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.ingest import Fetcher, IngestReport, SourceSpec, ingest
from bot.ingest.urls import canonical_url
from storage import articles as article_store
from storage import sources as source_store
from storage.db import make_engine, session_factory, upgrade
from storage.models import Article, Source
from tests.conftest import database_url, database_urls, reset_postgres
from tests.ingest.conftest import LocalServer, LoopbackOnlyTransport
from tests.ingest.test_corpus_feeds import serve_feed_corpus
from tests.reliability.conftest import corpus_root
from tests.reliability.extraction_score import load_ground_truth, page_html, score

CORPUS = corpus_root()
FEEDS = CORPUS / "feeds-feedparser"
PAGES = CORPUS / "article-extraction"
WIKIREF = CORPUS / "wikiref220"
BBC_LATIN1 = CORPUS / "bbc-news-summary" / "News Articles" / "sport" / "199.txt"
NEEDED = (FEEDS, PAGES, WIKIREF, BBC_LATIN1)

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,  # ingests a corpus: minutes
    pytest.mark.skipif(
        not all(p.exists() for p in NEEDED),
        reason=f"shared corpus not found under {CORPUS} (needs feeds-feedparser, "
        "article-extraction, wikiref220, bbc-news-summary; set BRIEFBOT_CORPUS)",
    ),
]

# How a legacy (cp1252) page is labelled: (route name, Content-Type header, <meta> in the page)
LABELS: tuple[tuple[str, str, str], ...] = (
    ("header-latin1", "text/html; charset=iso-8859-1", ""),
    ("header-cp1252-meta-utf8", "text/html; charset=windows-1252", '<meta charset="utf-8">'),
    ("unlabelled", "text/html", ""),
    ("header-utf8-wrong", "text/html; charset=utf-8", ""),
    ("meta-utf8-wrong", "text/html", '<meta charset="utf-8">'),
)
LEGACY_PAGES = 8  # WikiRef220 cp1252 articles (of different stories) served under each label

_EXPECT_TEXT = re.compile(
    r"^Expect:.*entries\[0\]\['(?:title|description|summary)'\]\s*==\s*(u?'[^'<&]*')", re.M
)
_NON_ASCII_WORD = re.compile(r"\w*[^\x00-\x7f\s]\w*")
_MOJIBAKE = re.compile("Ã[\x80-\xbf]|â€|Â[\xa0-\xbf]")


@dataclass
class CorpusRun:
    dialect: str
    factory: sessionmaker[Session]
    report: IngestReport
    kinds: dict[str, str]  # source URL -> feed | page | legacy | file
    page_ids: dict[str, str]  # page URL -> benchmark id
    legacy: dict[str, tuple[str, str]]  # legacy page URL -> (stored text, the cp1252 text)
    seconds: float
    refused: int
    error_logs: list[str] = field(default_factory=list)


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


def _cp1252_files() -> list[Path]:
    legacy = []
    for path in sorted(WIKIREF.glob("*.txt")):
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            legacy.append(path)
    return legacy


def _one_per_story(paths: list[Path]) -> list[Path]:
    """The first file of each story ("ParisAttacks2015 (12).txt", "U2.149.txt")."""
    stories: dict[str, Path] = {}
    for path in paths:
        stories.setdefault(re.sub(r"[\s.]*(\(\d+\)|\d+)?\.txt$", "", path.name), path)
    return list(stories.values())


def _ingest_legacy_pages(
    server: LocalServer, fetcher: Fetcher, folder: Path
) -> dict[str, tuple[str, str]]:
    """Each label's pages ingested into a fresh SQLite database: page URL -> (stored, cp1252)."""
    found: dict[str, tuple[str, str]] = {}
    chosen = _one_per_story(_cp1252_files())[:LEGACY_PAGES]
    for name, content_type, meta in LABELS:
        engine = make_engine(f"sqlite:///{folder / f'{name}.db'}")
        upgrade(engine)
        factory = session_factory(engine)
        urls = {}
        for n, path in enumerate(chosen):
            raw = path.read_bytes()
            url = server.add(
                f"/legacy/{name}/{n}.html", _as_page(raw, meta), content_type=content_type
            )
            urls[url] = raw.decode("cp1252")
        report = ingest(factory, fetcher, [SourceSpec("url", u) for u in urls])
        assert report.failed_count == 0, report.failures()
        with factory() as session:
            for url, expected in urls.items():
                article = article_store.known_url(session, canonical_url(url))
                assert article is not None and article.url == canonical_url(url), url
                found[url] = (f"{article.title}\n{article.text}", expected)
        engine.dispose()
    return found


def _as_page(raw: bytes, meta: str) -> bytes:
    """A legacy text article as a plain HTML page, its bytes untouched."""
    title, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n")
    paragraphs = b"".join(b"<p>" + p.strip() + b"</p>" for p in body.split(b"\n") if p.strip())
    return (
        b"<!DOCTYPE html><html><head>" + meta.encode() + b"<title>" + title.strip() + b"</title>"
        b"</head><body><nav><a href='/'>Home</a></nav><article><h1>"
        + title.strip()
        + b"</h1>"
        + paragraphs
        + b"</article><footer>Footer</footer></body></html>"
    )


@pytest.fixture(scope="module", params=database_urls())
def corpus_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CorpusRun]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'corpus.db'}"
    else:
        url = database_url(request.param)
        reset_postgres(url)
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    server = LocalServer()
    server.start()
    transport = LoopbackOnlyTransport()
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    try:
        kinds = {u: "feed" for u in serve_feed_corpus(server, FEEDS)}
        page_ids = {}
        for key in load_ground_truth(PAGES):
            page = server.add(f"/pages/{key}.html", page_html(PAGES, key), content_type="text/html")
            page_ids[page] = key
            kinds[page] = "page"
        specs = [SourceSpec("url", u) for u in kinds]
        specs += [SourceSpec("file", str(WIKIREF)), SourceSpec("file", str(BBC_LATIN1))]
        kinds[WIKIREF.resolve().as_uri()] = kinds[BBC_LATIN1.resolve().as_uri()] = "file"
        started = time.monotonic()
        # Short timeouts: feed entries link to real sites, which the transport refuses at once.
        with Fetcher(
            transport=transport, allow_private=True, timeout=2.0, max_bytes=2_000_000
        ) as fetcher:
            report = ingest(factory, fetcher, specs, max_workers=8)
            seconds = time.monotonic() - started
            legacy = _ingest_legacy_pages(server, fetcher, tmp_path_factory.mktemp("legacy"))
        yield CorpusRun(
            engine.dialect.name,
            factory,
            report,
            kinds,
            page_ids,
            legacy,
            seconds,
            len(transport.refused),
            errors.messages,
        )
    finally:
        logging.getLogger().removeHandler(errors)
        transport.close()
        server.stop()
        engine.dispose()


def _rows(run: CorpusRun) -> dict[str, Source]:
    with run.factory() as session:
        return {row.url: row for row in session.scalars(select(Source))}


def test_no_crash_and_every_failure_is_a_readable_stored_error(corpus_run: CorpusRun) -> None:
    run, report = corpus_run, corpus_run.report
    assert len(report.sources) == len(run.kinds)  # the batch reached every source
    assert run.error_logs == []  # nothing escaped as an unexpected exception
    failures = [r for r in report.sources if not r.ok]
    rows = _rows(run)
    assert len(rows) == len(run.kinds)
    for result in report.sources:
        row = rows.get(canonical_url(result.url) if "://" in result.url else result.url)
        row = row or rows.get(result.url)
        assert row is not None, result.url
        if result.ok:
            assert row.last_ok_at is not None and row.last_error is None, result.url
            continue
        message = row.last_error or ""
        assert message == result.error, result.url
        assert 0 < len(message) <= 500, (result.url, message)
        assert "internal error" not in message and "Traceback" not in message, message
        assert all(ch.isprintable() for ch in message), (result.url, message)
        assert not message.startswith(("b'", 'b"')), message

    tally: Counter[tuple[str, str]] = Counter()
    for result in report.sources:
        kind = run.kinds.get(result.url) or run.kinds.get(canonical_url(result.url), "?")
        tally[(kind, "ok" if result.ok else "errored")] += 1
    reasons = Counter(re.sub(r"[\d'\"].*", "", r.error or "")[:60] for r in failures)
    with run.factory() as session:
        stored = len(list(session.scalars(select(Article.id))))
    print(
        f"\n[{run.dialect}] {len(report.sources)} sources in {run.seconds:.1f} s, {stored} articles"
    )
    for kind in ("feed", "page", "file"):
        print(f"  {kind}: {tally[(kind, 'ok')]} ingested, {tally[(kind, 'errored')]} errored")
    print(f"  {run.refused} off-machine fetches refused; top error kinds:")
    for reason, count in reasons.most_common(6):
        print(f"    {count:4d}  {reason}")
    # the real pages are articles: all of them must ingest
    assert tally[("page", "errored")] == 0 and tally[("page", "ok")] == 181
    assert tally[("feed", "ok")] >= 1800
    assert tally[("file", "errored")] == 0


def test_feed_encodings_come_out_as_unicode(corpus_run: CorpusRun) -> None:
    """The corpus's own expectations for the text of encoding test feeds (cp1252 code points in
    an undeclared feed, charset from the HTTP header over the XML declaration, EUC-KR)."""
    expectations = {}
    for path in sorted((FEEDS / "encoding").glob("*.xml")):
        found = _EXPECT_TEXT.search(path.read_bytes()[:2000].decode("latin-1"))
        if found:
            expectations[path.name] = ast.literal_eval(found.group(1))
    assert len(expectations) >= 5
    with corpus_run.factory() as session:
        texts = [f"{a.title}\n{a.text}" for a in session.scalars(select(Article))]
    for name, expected in expectations.items():
        assert any(expected in text for text in texts), (name, expected)


def test_legacy_encodings_come_out_as_unicode(corpus_run: CorpusRun) -> None:
    run = corpus_run
    checked = 0
    with run.factory() as session:
        # cp1252 text files ingested from the folder, and the latin-1 BBC article
        for path in [*_cp1252_files(), BBC_LATIN1]:
            expected = path.read_bytes().decode("cp1252")
            article = article_store.known_url(session, path.resolve().as_uri())
            assert article is not None, path
            stored = f"{article.title}\n{article.text}"
            if article.url != path.resolve().as_uri():
                # stored as a copy of another source's article (the same story served as a
                # page below, or a near-duplicate file): that text is checked on its own
                _assert_same_unicode(stored, expected, path.name, share=0.0)
                continue
            checked += 1
            _assert_same_unicode(stored, expected, path.name)
    assert checked >= 120
    # the same kind of text served as pages, labelled right, wrongly or not at all;
    # extraction may leave out a line, never mangle one
    assert len(run.legacy) == len(LABELS) * LEGACY_PAGES
    for url, (stored, expected) in run.legacy.items():
        _assert_same_unicode(stored, expected, url, share=0.9)


def _assert_same_unicode(stored: str, expected: str, where: str, share: float = 1.0) -> None:
    """No replacement character, no mojibake, and at least `share` of the words with
    non-ASCII letters in `expected` (the bytes decoded as cp1252) found in `stored`."""
    assert "\ufffd" not in stored, (where, stored[:200])
    assert not _MOJIBAKE.search(stored), (where, _MOJIBAKE.search(stored))
    words = set(_NON_ASCII_WORD.findall(expected))
    found = [w for w in words if w in stored]
    assert len(found) >= share * len(words), (where, sorted(words - set(found))[:10])


def test_pages_through_the_pipeline_keep_extraction_quality(corpus_run: CorpusRun) -> None:
    truth = {k: v["articleBody"] for k, v in load_ground_truth(PAGES).items()}
    predicted = {}
    with corpus_run.factory() as session:
        for url, key in corpus_run.page_ids.items():
            article = article_store.known_url(session, canonical_url(url))
            predicted[key] = article.text if article is not None else ""
    result = score(truth, predicted)
    print(f"\n[{corpus_run.dialect}] " + result.line("pages ingested, 4-word shingles"))
    assert result.f1 >= 0.90 and result.empty == 0


def test_source_rows_are_not_corrupted(corpus_run: CorpusRun) -> None:
    with corpus_run.factory() as session:
        for row in source_store.list_all(session):
            assert row.url.isprintable()
            assert (row.last_error or "").isprintable()
        for article in session.scalars(select(Article)):
            assert "\x00" not in article.text and "\x00" not in article.title
            assert "<script" not in article.text.lower()
