"""Feeds, article pages and local files, parsed without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import ParseError
from bot.ingest.feeds import looks_like_feed, parse_feed
from bot.ingest.files import read_path
from bot.ingest.pages import extract_page
from tests.ingest.conftest import article_html, article_text, atom_feed, rss_feed


def test_looks_like_feed() -> None:
    assert looks_like_feed("application/rss+xml", b"<?xml version='1.0'?><rss version='2.0'>")
    assert looks_like_feed("text/html", b"<?xml version='1.0'?>\n<feed xmlns='x'>")
    assert looks_like_feed("text/plain", b"\xef\xbb\xbf<rdf:RDF xmlns:rdf='x'>")
    assert looks_like_feed(None, "<?xml version='1.0'?><rss>".encode("utf-16"))
    assert looks_like_feed("application/json", b'{"version": "https://jsonfeed.org/version/1"}')
    assert not looks_like_feed("text/html", b"<!DOCTYPE html><html><body>")
    assert not looks_like_feed("application/xml", b"<!doctype html><html><p>rss feed</p>")
    assert not looks_like_feed("text/html", b"plain words")


def test_parse_rss_teaser_and_full_content() -> None:
    full = article_text("Budget")
    body = rss_feed(
        "Example News",
        [
            {
                "title": "Teaser story",
                "link": "/story-1?utm_source=rss",
                "description": (
                    "&lt;p&gt;Short &lt;script&gt;alert(1)&lt;/script&gt;teaser.&lt;/p&gt;"
                ),
                "pubDate": "Fri, 14 Mar 2025 10:00:00 +0100",
                "guid": "s1",
            },
            {"title": "Full story", "link": "https://example.com/2", "content": f"<p>{full}</p>"},
            {"title": "No link", "description": "An entry with no link at all."},
        ],
    )
    feed = parse_feed(
        body.encode(), "https://example.com/feed.xml", {"Content-Type": "application/rss+xml"}
    )
    assert feed.title == "Example News"
    teaser, complete, linkless = feed.entries
    assert teaser.url == "https://example.com/story-1?utm_source=rss"  # pipeline canonicalises
    assert teaser.text == "Short teaser." and teaser.is_teaser
    assert "alert" not in teaser.text
    assert teaser.published_at == datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
    assert not complete.is_teaser and complete.text.startswith("Budget update 0")
    assert complete.published_at is None
    assert not linkless.has_link
    assert linkless.url.startswith("https://example.com/feed.xml#entry-")
    again = parse_feed(body.encode(), "https://example.com/feed.xml")
    assert again.entries[2].url == linkless.url  # stable synthetic URL


def test_parse_atom() -> None:
    body = atom_feed(
        "Atom Wire",
        [
            {"title": "One", "id": "urn:1", "link": "https://wire.example/1", "summary": "Short."},
            {
                "title": "Two &amp; more",
                "id": "urn:2",
                "link": "https://wire.example/2",
                "content": "<style>p{}</style><p>" + article_text("Atom") + "</p>",
            },
        ],
    )
    feed = parse_feed(body.encode(), "https://wire.example/atom")
    one, two = feed.entries
    assert one.is_teaser and one.published_at == datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
    assert two.title == "Two & more" and not two.is_teaser and "p{}" not in two.text


def test_parse_feed_declared_encoding() -> None:
    body = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Caf\u00e9 news</title>"
        "<item><title>Cr\u00e8me br\u00fbl\u00e9e</title><link>https://x.example/1</link></item>"
        "</channel></rss>"
    ).encode("iso-8859-1")
    feed = parse_feed(
        body, "https://x.example/rss", {"content-type": "text/xml; charset=iso-8859-1"}
    )
    assert feed.title == "Café news" and feed.entries[0].title == "Crème brûlée"


def test_parse_feed_errors() -> None:
    with pytest.raises(ParseError, match="not a valid feed"):
        parse_feed(b"<rss><channel><title>broken", "https://x.example/rss")
    with pytest.raises(ParseError):
        parse_feed(b"<html><body>not a feed</body></html>", "https://x.example/rss")
    # Malformed but with entries: usable, with the problem noted.
    body = b"<rss><channel><item><title>Kept</title><link>https://x.example/k</link></item>&bad;"
    feed = parse_feed(body, "https://x.example/rss")
    assert [e.title for e in feed.entries] == ["Kept"] and feed.problem
    # A body that is a file name must not be read from disk by feedparser.
    with pytest.raises(ParseError):
        parse_feed(b"/etc/passwd", "https://x.example/rss")


def test_extract_page() -> None:
    text = article_text("Ceasefire")
    page = extract_page(
        article_html("Talks resume", text).encode(), "https://www.news.example/a", None
    )
    assert page.title == "Talks resume"
    assert "Ceasefire update 3" in page.text
    assert "SHOULD NOT APPEAR" not in page.text and "color: red" not in page.text
    assert page.published_at == datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    assert page.outlet
    # For a feed entry that dates the article itself the page's date is not looked for;
    # everything else read from the page is the same.
    undated = extract_page(
        article_html("Talks resume", text).encode(),
        "https://www.news.example/a",
        None,
        with_date=False,
    )
    assert undated.published_at is None
    assert (undated.title, undated.text, undated.outlet) == (page.title, page.text, page.outlet)


@pytest.mark.parametrize("steps", ["direct", "bare_extraction"])
def test_article_text_is_trafilatura_s_own_extraction(
    steps: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's text is taken with trafilatura's steps called directly (to skip a copy of
    the whole tree); on a page with comments, a table, boilerplate and hidden text it is
    exactly what `trafilatura.bare_extraction` returns with the same settings, so an
    upgrade of trafilatura that changes those steps fails here, not in the briefs; with
    another trafilatura's steps, bare_extraction itself is used."""
    import trafilatura
    from trafilatura.utils import load_html

    from bot.ingest import pages
    from bot.ingest.pages import _EXTRACTION, _article_text

    if steps == "bare_extraction":  # a trafilatura whose steps are not the ones expected
        monkeypatch.setattr(pages, "_extraction_steps", lambda: None)

    text = article_text("Harbour")
    html = article_html("Harbour works", text).replace(
        "</article>",
        "<table><tr><td>Berths</td><td>12</td></tr></table>"
        "<div class='comments'><p>Reader comment that is not the article.</p></div>"
        "</article>",
    )
    ours = _article_text(load_html(html), "https://www.news.example/a")
    theirs = trafilatura.bare_extraction(
        load_html(html), url="https://www.news.example/a", with_metadata=False, **_EXTRACTION
    )
    assert ours and theirs is not None and not isinstance(theirs, dict)
    assert ours == theirs.text
    assert "Harbour update 3" in ours and "Berths" in ours
    # A page of navigation only: the same text (trafilatura's baseline rescue) or nothing.
    nav = "<html><body><nav><a href='/'>Home</a></nav><footer>(c)</footer></body></html>"
    bare = trafilatura.bare_extraction(
        load_html(nav), url="https://www.news.example/b", with_metadata=False, **_EXTRACTION
    )
    expected = None if bare is None or isinstance(bare, dict) else bare.text
    assert _article_text(load_html(nav), "https://www.news.example/b") == expected


def test_pages_are_parsed_as_trafilatura_parses_them_with_element_classes_chosen_in_c() -> None:
    """A page is parsed with trafilatura's parser settings but with every element an
    `HtmlElement` chosen in C (lxml.html asks Python for each element's class): the tree,
    its metadata and its article text are the same as from trafilatura's `load_html`, for a
    page with a form, comments, a doctype on its own line, a self-closed <html/>, a page
    declaring its encoding and a fragment (refused by both)."""
    from lxml import etree
    from lxml.html import HtmlElement
    from trafilatura.utils import load_html

    from bot.ingest.pages import _article_text, _load_html, _metadata

    text = article_text("Harbour")
    page = article_html("Harbour works", text).replace(
        "</article>",
        "<form><label>Name</label><input name='q'><select><option>A</option></select>"
        "<textarea>note</textarea></form><!-- a comment --></article>",
    )
    documents = [
        page,
        "<!DOCTYPE html>\n" + page,
        page.replace("<html>", "<html/>", 1),
        "<?xml version='1.0' encoding='utf-8'?>" + page,
        page.encode("utf-8"),
        "<p>just a fragment</p>",
    ]
    for document in documents:
        ours, theirs = _load_html(document), load_html(document)
        assert (ours is None) == (theirs is None), document[:60]
        if ours is None or theirs is None:
            continue
        assert etree.tostring(ours) == etree.tostring(theirs)
        # Form fields too: lxml.html's own lookup gives them InputElement, SelectElement...
        assert {type(e) for e in ours.iter() if isinstance(e.tag, str)} == {HtmlElement}
        url = "https://www.news.example/a"
        assert _metadata(ours, url, None) == _metadata(theirs, url, None)
        assert _article_text(ours, url) == _article_text(theirs, url)
    assert load_html("<p>just a fragment</p>") is None


def test_extract_page_encodings() -> None:
    text = article_text("Fran\u00e7ois Mitterrand \u2019s caf\u00e9")
    html = article_html("R\u00e9sum\u00e9", text)
    # Declared by the server only (no meta): must win over guessing.
    cp = html.replace("<meta charset='utf-8'>", "").encode("cp1252")
    assert "François" in extract_page(cp, "https://a.example/", "windows-1252").text
    # Declared in a <meta> only.
    meta = html.replace("charset='utf-8'", "charset='windows-1252'").encode("cp1252")
    page = extract_page(meta, "https://a.example/", None)
    assert "François Mitterrand ’s café" in page.text and page.title == "Résumé"


def test_extract_page_without_article() -> None:
    with pytest.raises(ParseError, match="no article text found"):
        extract_page(
            b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "https://a.example/", None
        )
    with pytest.raises(ParseError):
        extract_page(b"", "https://a.example/", None)
    with pytest.raises(ParseError):
        extract_page(b"\x00\xff\xfe garbage \x00", "https://a.example/", None)


def test_read_path_folder(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.md").write_text(
        '---\ntitle: "Front matter title"\noutlet: Reuters\npublished: 2025-03-14T08:00:00Z\n'
        "url: https://www.reuters.com/world/story?utm_source=x\n---\n# Heading\n\nBody text here.\n"
    )
    (folder / "b.txt").write_text("  \nPlain title\nFirst paragraph.\n\nSecond paragraph.\n")
    (folder / "sub" / "c.html").write_text(article_html("HTML file", article_text("Files")))
    (folder / "sub" / "d.markdown").write_text("---\npublished: 2025-03-01\n---\n## Dated\nText.")
    (folder / "skip.pdf").write_bytes(b"%PDF-1.4")
    (folder / ".hidden.md").write_text("# Hidden\nnope")
    (folder / "empty.txt").write_text("   \n")
    skipped: list[str] = []
    docs = read_path(folder, skipped)
    assert [d.path.name for d in docs] == ["a.md", "b.txt", "c.html", "d.markdown"]
    a, b, c, d = docs
    assert a.title == "Front matter title" and a.outlet == "Reuters"
    assert a.published_at == datetime(2025, 3, 14, 8, 0, tzinfo=UTC)
    assert a.source_url == "https://www.reuters.com/world/story"
    assert a.article_url == a.source_url and a.url == (folder / "a.md").resolve().as_uri()
    assert a.text == "# Heading\n\nBody text here."
    assert b.title == "Plain title" and b.text == "First paragraph.\n\nSecond paragraph."
    assert b.article_url.startswith("file://") and b.source_url is None
    assert c.title == "HTML file" and "Files update 2" in c.text and "SHOULD NOT" not in c.text
    assert d.title == "Dated" and d.published_at == datetime(2025, 3, 1, tzinfo=UTC)
    # the unsupported file is named too (issue 11: nothing skipped silently)
    assert len(skipped) == 2 and "skip.pdf: unsupported file type .pdf" in skipped[0]
    assert "empty.txt" in skipped[1]


def test_read_path_cp1252_and_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(
        "Caf\u00e9 \u2013 na\u00efve \u201cquotes\u201d\nThe \u20ac zone.".encode("cp1252")
    )
    [doc] = read_path(path)
    assert doc.title == "Café – naïve “quotes”" and doc.text == "The € zone."
    odd = tmp_path / "odd.txt"
    odd.write_bytes(b"Title\n\x81\x8d bytes cp1252 leaves undefined \xff")
    [doc] = read_path(odd)
    assert doc.title == "Title" and "undefined" in doc.text


def test_read_path_errors(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(ParseError, match=r"unsupported file type \.pdf"):
        read_path(tmp_path / "x.pdf")
    (tmp_path / "bad.md").write_text("---\npublished: yesterday\n---\nTitle\nBody")
    [doc] = read_path(tmp_path / "bad.md")
    assert doc.published_at is None and doc.title == "Title"


def test_extract_page_keeps_paragraphs_so_a_long_page_is_read_whole() -> None:
    """A page's paragraphs stay paragraphs: every one is analysed, none cut at the analysis's
    per-paragraph limit (a single-line-break page read as one 6,000-character paragraph)."""
    from bot.summarize.analysis import MAX_PARAGRAPH_CHARS, analysis_paragraphs

    filler = " ".join(
        f"The harbour board met for the {n}th time to review the dredging contract."
        for n in range(24)
    )
    closing = "The board will vote on the contract on 14 March."
    body = (
        "".join(f"<p>{filler} Paragraph {i} ends here.</p>" for i in range(3))
        + f"<h2>What comes next</h2><p>{closing} {filler}</p>"
    )
    html = (
        "<html><head><title>Harbour board</title></head><body><article>"
        f"<h1>Harbour board</h1>{body}</article></body></html>"
    )
    page = extract_page(html, "https://news.example.com/harbour")
    assert len(page.text) > MAX_PARAGRAPH_CHARS  # the page is longer than one paragraph may be
    read = analysis_paragraphs(page.text)
    assert len(read) == 4, [p[:40] for p in read]  # the heading is not a paragraph
    assert all(p.endswith("here.") for p in read[:3])
    assert read[3].startswith(closing)


def test_page_extraction_runs_trafilatura_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages are extracted by trafilatura's own extractor in fast mode, without readability
    and jusText run beside it for comparison: a third of the extraction's CPU, for the same
    F1 on the article-extraction benchmark (within 0.001; tests/reliability)."""
    import trafilatura.core

    def comparison(*args: object, **kwargs: object) -> object:
        raise AssertionError("readability/jusText comparison ran")

    monkeypatch.setattr(trafilatura.core, "compare_extraction", comparison)
    page = extract_page(
        article_html("Harbour story", article_text("Lighthouse")), "https://news.example/a"
    )
    assert page.title == "Harbour story" and "Lighthouse" in page.text
