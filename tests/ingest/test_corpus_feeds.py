"""Every feed of feedparser's own hostile test corpus, served over loopback, ingested in one
run: wrong encodings, ill-formed XML, entity bombs, scripts. Nothing may escape as an
exception; every source must end either ok or with its error stored."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.ingest import Fetcher, SourceSpec, ingest
from storage.db import make_engine, session_factory, upgrade
from storage.models import Article, Source
from tests.conftest import SHARED_CORPUS
from tests.ingest.conftest import LocalServer, LoopbackOnlyTransport

FEEDS = SHARED_CORPUS / "feeds-feedparser"
_HEADER = re.compile(r"^Header:\s*([\w-]+):\s*(.+?)\s*$", re.MULTILINE)

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(
        not FEEDS.is_dir(),
        reason=f"feed corpus not found at {FEEDS} (only in the shared workspace)",
    ),
]


def serve_feed_corpus(server: LocalServer, folder: Path = FEEDS) -> list[str]:
    """Every file of the feed corpus as a route of `server`, with the HTTP headers it names;
    their URLs. (Also used by tests/reliability, which ingests them with the article pages.)"""
    urls = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        body = path.read_bytes()
        # The corpus files name the HTTP headers they expect in their leading comment.
        declared = dict(_HEADER.findall(body[:2000].decode("latin-1")))
        content_type = next(
            (v for k, v in declared.items() if k.lower() == "content-type"),
            "application/json" if path.suffix == ".json" else "application/xml",
        )
        extra = {k: v for k, v in declared.items() if k.lower() != "content-type"}
        route = "/" + path.relative_to(folder).as_posix()
        urls.append(server.add(route, body, content_type=content_type, headers=extra))
    return urls


@pytest.mark.slow
def test_every_corpus_feed_ingests_without_crashing(
    tmp_path: Path, server: LocalServer, transport: LoopbackOnlyTransport
) -> None:
    # SQLite only: the run checks parsing and error handling; the pipeline's database work is
    # covered on both engines by test_pipeline.
    engine = make_engine(f"sqlite:///{tmp_path / 'corpus.db'}")
    upgrade(engine)
    factory = session_factory(engine)
    urls = serve_feed_corpus(server)
    started = time.monotonic()
    # Short timeouts: entry links point at real sites, which the transport refuses at once.
    with Fetcher(transport=transport, allow_private=True, timeout=2.0, max_bytes=2_000_000) as f:
        report = ingest(factory, f, [SourceSpec("url", u) for u in urls], max_workers=8)
    elapsed = time.monotonic() - started

    assert len(report.sources) == len(urls)
    assert all(r.ok or r.error for r in report.sources)
    internal = [line for line in report.failures() if "internal error" in line]
    assert internal == [], internal[:10]
    with factory() as session:
        rows = list(session.scalars(select(Source)))
        assert len(rows) == len(urls)
        assert all(r.last_ok_at is not None or r.last_error for r in rows)
        stored = int(session.scalar(select(func.count(Article.id))) or 0)
        for article in session.scalars(select(Article)):
            assert "<script" not in article.text.lower()
    kinds: dict[str, int] = {}
    for result in report.sources:
        key = result.kind if result.ok else "error"
        kinds[key] = kinds.get(key, 0) + 1
    print(
        f"\ncorpus: {len(urls)} files, {report.ok_count} parsed ({kinds}), "
        f"{report.failed_count} errored, {stored} articles, "
        f"{sum(r.teasers_kept for r in report.sources)} teasers kept, "
        f"{len(transport.refused)} off-machine fetches refused, {elapsed:.1f} s"
    )
    engine.dispose()
