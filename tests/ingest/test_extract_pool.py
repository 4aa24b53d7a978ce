"""Page extraction in worker processes: same articles as in-process, errors as data, deadlines."""

from __future__ import annotations

import pytest

from bot.errors import ParseError
from bot.ingest import near_dup
from bot.ingest.article_text import content_hash, normalize_text, word_count
from bot.ingest.extract_pool import ExtractionPool
from bot.ingest.pages import extract_page
from bot.nlp.language import detect_language
from tests.ingest.conftest import article_html, article_text

URL = "https://www.news.example/a"


@pytest.fixture
def pool():  # type: ignore[no-untyped-def]
    pool = ExtractionPool(2)
    yield pool
    pool.close()


def test_workers_extract_what_the_thread_would(pool: ExtractionPool) -> None:
    body = article_html("Talks resume", article_text("Ceasefire")).encode()
    page = pool.extract(body, URL, None)
    assert page == extract_page(body, URL, None)
    assert "Ceasefire update 3" in page.text
    # The worker signed the text too; the signature is the one the thread would compute.
    assert pool.signature(page.text) == near_dup.signature(page.text) is not None
    # So are the dedup hash and the language (with the title it will be stored under).
    assert pool.content_hash(page.text) == content_hash(page.text)
    # And its word count, which the store step reads three times a page.
    assert pool.word_count(page.text) == word_count(page.text) == pool._facts[page.text].words
    assert pool.word_count("two words") == 2  # a text no worker counted: counted here
    assert pool._facts[page.text].language == "en"
    assert pool.language(page.title or "", page.text) == detect_language(
        page.title or "", page.text
    )
    with pytest.raises(ParseError, match="no article text found"):
        pool.extract(b"<html><body><nav>Home</nav></body></html>", URL, None)


def test_facts_follow_the_title_the_article_is_stored_under(pool: ExtractionPool) -> None:
    body = article_html("Talks resume", article_text("Ceasefire")).encode()
    page = pool.extract(body, URL, None, title="Entrevista con el ministro de defensa")
    # Detected by the worker with the feed entry's title, which the article keeps.
    facts = pool._facts[page.text]
    assert facts.title == "Entrevista con el ministro de defensa"
    assert pool.language(facts.title, page.text) == detect_language(facts.title, page.text)
    # Asked with another title (the page's own, say), the thread detects it itself.
    other = "Talks resume"
    assert pool.language(other, page.text) == detect_language(other, page.text)


def test_one_page_under_two_titles_keeps_both_languages(
    pool: ExtractionPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two feeds list one page, each with its own headline: the page is extracted for each.
    body = article_html("Talks resume", article_text("Ceasefire")).encode()
    first, second = "Talks resume in the capital", "Entrevista con el ministro de defensa"
    page = pool.extract(body, URL, None, title=first)
    assert pool.extract(body, URL, None, title=second).text == page.text
    expected = {t: detect_language(t, page.text) for t in (first, second)}
    # The store step asks for both; neither is detected again in the ingest thread.
    import bot.nlp.language

    def detected_again(title: str, text: str) -> str | None:
        raise AssertionError(f"detected again in the ingest thread: {title!r}")

    monkeypatch.setattr(bot.nlp.language, "detect_language", detected_again)
    assert {t: pool.language(t, page.text) for t in (first, second)} == expected


def test_a_page_past_its_deadline_is_given_up_and_the_pool_recovers(pool: ExtractionPool) -> None:
    body = article_html("Talks resume", article_text("Ceasefire")).encode()
    pool.deadline_s = 1e-6  # nothing finishes in a microsecond
    with pytest.raises(ParseError, match="to extract: given up"):
        pool.extract(body, URL, None)
    pool.deadline_s = 60.0
    assert "Ceasefire update 3" in pool.extract(body, URL, None).text


def test_no_processes_extracts_in_the_thread() -> None:
    pool = ExtractionPool(0)
    body = article_html("Talks resume", article_text("Ceasefire")).encode()
    assert pool.extract(body, URL, None) == extract_page(body, URL, None)
    assert pool._pool is None


@pytest.mark.slow
def test_workers_analyse_articles_as_the_thread_would() -> None:
    from datetime import UTC, datetime

    from bot.ingest.analysis_stage import AnalysisPool
    from bot.nlp import load_pipeline
    from bot.summarize.analysis import analyze_article

    text = article_text("Ceasefire")
    when = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    pool = AnalysisPool(1)
    analyses = pool.analyze_many(
        [("Talks resume", text, when), ("Short", "Too short.", None)], "auto"
    )
    assert analyses[0] == analyze_article("Talks resume", text, when, load_pipeline("auto"))
    assert analyses[0] is not None and len(analyses[0].sentences) > 5
    pool.close()
    assert AnalysisPool(0).analyze_many([("Talks resume", text, when)], "auto") == [None]


def test_the_worker_hashes_a_page_text_with_the_signature_s_fold(pool: ExtractionPool) -> None:
    """The worker folds a page's text once for both the signature and the dedup hash, which
    holds because a page's text is normalised already: with soft hyphens, zero-width spaces,
    odd spacing and curly quotes in the page, the hash is still `content_hash`'s."""
    text = article_text("Ceasefire").replace("update", "up\u00addate\u200b  \u201cnow\u201d")
    body = article_html("Talks resume", text).encode()
    page = extract_page(body, URL, None)
    assert normalize_text(page.text) == page.text
    pool.extract(body, URL, None)
    facts = pool._facts[page.text]
    assert facts.content_hash == content_hash(page.text)
    assert facts.signature == near_dup.signature(page.text) is not None


def test_a_page_started_as_it_arrives_is_collected_not_extracted_twice(
    pool: ExtractionPool,
) -> None:
    """The ingest thread that fetched a page submits its extraction at once (`start`); the
    extraction task later collects that result instead of submitting the page again."""
    from concurrent.futures import ProcessPoolExecutor

    body = article_html("Talks resume", article_text("Ceasefire")).encode()
    started = pool.start(body, URL, None, "Feed headline", with_date=False)
    assert started is not None
    submitted: list[object] = []
    real_submit = ProcessPoolExecutor.submit

    def counting_submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        submitted.append(args)
        return real_submit(self, fn, *args, **kwargs)

    ProcessPoolExecutor.submit = counting_submit  # type: ignore[method-assign]
    try:
        page = pool.extract(body, URL, None, "Feed headline", with_date=False, started=started)
        assert submitted == []  # collected, not submitted again
        # Asked with other settings than it was started with (another entry now waits for
        # the page's own date): submitted again with those, the started one dropped.
        again = pool.start(body, URL, None, "Feed headline", with_date=False)
        dated = pool.extract(body, URL, None, "Feed headline", with_date=True, started=again)
        assert [args[-1] for args in submitted] == [False, True]  # started, then resubmitted
    finally:
        ProcessPoolExecutor.submit = real_submit  # type: ignore[method-assign]
    assert page == extract_page(body, URL, None, with_date=False)
    assert page.published_at is None and dated.published_at is not None
    assert pool._facts[page.text].title == "Feed headline"


def test_pages_started_ahead_are_bounded(pool: ExtractionPool) -> None:
    """Fetches outpacing the workers queue at most STARTED_PER_PROCESS pages a process
    ahead; past that the extraction task submits its page itself, as before."""
    import time

    from bot.ingest import extract_pool

    body = article_html("Talks resume", article_text("Ceasefire")).encode()
    limit = extract_pool.STARTED_PER_PROCESS * pool.processes
    with pool._lock:
        pool._started = limit  # as if that many were queued and not finished
    assert pool.start(body, URL, None) is None
    with pool._lock:
        pool._started = limit - 1
    started = pool.start(body, URL, None)
    assert started is not None
    assert pool.extract(body, URL, None, started=started).text
    deadline = time.monotonic() + 10  # its slot is given back when it finishes
    while pool._started != limit - 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool._started == limit - 1
