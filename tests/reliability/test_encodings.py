"""Legacy and mis-declared encodings come out as the right Unicode (no corpus needed).

The corpus run (test_hostile_corpus) does the same with real WikiRef220 and BBC text; these
use a short text of our own in Windows-1252, served through the pipeline with its charset
declared right, wrongly or not at all, and as a local file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest import Fetcher, SourceSpec, ingest
from bot.ingest.pages import decode_html, extract_page
from bot.ingest.urls import canonical_url
from storage import articles
from tests.conftest import Database
from tests.ingest.conftest import LocalServer, LoopbackOnlyTransport

TITLE = "Café owners’ “fair rent” plan wins backing"
PARAGRAPHS = (
    "The council’s housing committee backed the café owners’ plan on Tuesday — a rent cap of "
    "£1,200 a month for small premises in the old town, agreed by seven votes to two.",
    "“It’s a fair deal for everyone,” said Zoë Müller, who runs a crêperie on the square. "
    "Landlords’ groups said the cap would cost them €400,000 a year in lost income.",
    "The committee’s decision goes to the full council in March; officials expect the "
    "measure to take effect in the summer, after a consultation with the landlords’ groups.",
)
NON_ASCII = (
    "Café",
    "owners’",
    "“fair",
    "rent”",
    "£1,200",
    "—",
    "Zoë",
    "Müller",
    "crêperie",
    "€400,000",
)


# A page whose only non-ASCII character is one apostrophe: charset guessing on it picks
# cp775 (Baltic), which reads that byte as "Æ".
QUIET = (
    "Turnout was about 62 percent, officials said, slightly higher than in the first vote. "
    "The election was the second in six weeks after talks to form a government collapsed in May.",
    "Greece’s voters backed the pro-bailout party on Sunday. Markets rallied in Asia after the "
    "result, and the euro rose against the dollar.",
)


def page(
    meta: str = "",
    paragraphs: tuple[str, ...] = PARAGRAPHS,
    extra: str = "",
    title: str = TITLE,
) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in (*paragraphs, extra) if p)
    html = (
        f"<!DOCTYPE html><html><head>{meta}<title>{title}</title></head><body>"
        f"<article><h1>{title}</h1>{body}</article></body></html>"
    )
    return html.encode("cp1252")


# (label, Content-Type header, <meta>): how the cp1252 page is declared
LABELS = (
    ("header-latin1", "text/html; charset=iso-8859-1", ""),
    ("header-cp1252", "text/html; charset=windows-1252", ""),
    (
        "meta-latin1",
        "text/html",
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
    ),
    ("header-beats-meta", "text/html; charset=windows-1252", '<meta charset="utf-8">'),
    ("unlabelled", "text/html", ""),
    ("header-utf8-wrong", "text/html; charset=utf-8", ""),
    ("meta-utf8-wrong", "text/html", '<meta charset="utf-8">'),
)


def assert_unicode(text: str, where: str) -> None:
    assert "\ufffd" not in text, where
    missing = [w for w in NON_ASCII if w not in text]
    assert missing == [], (where, missing)


@pytest.mark.parametrize(("label", "content_type", "meta"), LABELS, ids=[lb for lb, _, _ in LABELS])
def test_extract_page_decodes(label: str, content_type: str, meta: str) -> None:
    declared = content_type.partition("charset=")[2] or None
    extracted = extract_page(page(meta), "http://news.example/cafe", declared)
    assert_unicode(f"{extracted.title}\n{extracted.text}", label)


def test_unlabelled_page_with_one_apostrophe() -> None:
    extracted = extract_page(
        page(paragraphs=QUIET, title="Greece votes"), "http://news.example/vote", None
    )
    assert "Greece’s voters" in extracted.text and "\ufffd" not in extracted.text


def test_real_utf8_is_kept() -> None:
    utf8 = page().decode("cp1252").encode("utf-8")
    assert decode_html(utf8, None) == utf8.decode("utf-8")
    assert decode_html(utf8, "utf-8") == utf8.decode("utf-8")
    # one stray byte in a UTF-8 page: it stays UTF-8, the byte alone becomes U+FFFD
    stray = utf8.replace(b"Tuesday", b"Tues\x92day")
    decoded = decode_html(stray, "utf-8")
    assert decoded is not None and "Zoë Müller" in decoded and "Tues\ufffdday" in decoded


def test_other_legacy_encodings_are_not_forced_to_cp1252() -> None:
    cyrillic = "<html><body><p>" + "Совет одобрил план реконструкции набережной. " * 20 + "</p>"
    body = cyrillic.encode("koi8-r")
    assert decode_html(body, None) is None  # left to trafilatura's guess, not read as cp1252
    assert decode_html(body, "koi8-r") == cyrillic


def test_pipeline_stores_the_right_unicode(
    db: Database, server: LocalServer, transport: LoopbackOnlyTransport, tmp_path: Path
) -> None:
    # Each copy gets a paragraph of its own, long enough that a correct copy is not stored as
    # a near-duplicate of another label's copy (its check would then read that one's text).
    urls = {
        server.add(
            f"/{label}.html",
            page(meta, extra=" ".join(f"{label.replace('-', '')}{i}" for i in range(150))),
            content_type=content_type,
        ): label
        for label, content_type, meta in LABELS
    }
    text_file = tmp_path / "cafe.txt"
    text_file.write_bytes(("\n\n".join([TITLE, *PARAGRAPHS])).encode("cp1252"))
    quiet = server.add(
        "/quiet.html", page(paragraphs=QUIET, title="Greece votes"), content_type="text/html"
    )
    specs = [SourceSpec("url", u) for u in [*urls, quiet]] + [SourceSpec("file", str(text_file))]
    with Fetcher(transport=transport, allow_private=True, timeout=2.0) as fetcher:
        report = ingest(db.factory, fetcher, specs)
    assert report.failed_count == 0, report.failures()
    with db.factory() as session:
        for url, label in urls.items():
            article = articles.known_url(session, canonical_url(url))
            assert article is not None and article.url == canonical_url(url), label
            assert_unicode(f"{article.title}\n{article.text}", label)
        article = articles.known_url(session, canonical_url(quiet))
        assert article is not None and "Greece’s voters" in article.text
        stored = articles.known_url(session, text_file.resolve().as_uri())
        assert stored is not None
        assert_unicode(f"{stored.title}\n{stored.text}", "file")
