"""Canonical URLs, source classification, and the text helpers behind dedup."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import UserInputError
from bot.ingest import near_dup
from bot.ingest.article_text import (
    content_hash,
    folded_hash,
    folded_words,
    html_to_text,
    normalize_text,
    word_count,
)
from bot.ingest.urls import canonical_url, classify_source, outlet_from_url


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (
            "HTTPS://WWW.Example.COM:443/News/Story?b=2&a=1#top",
            "https://www.example.com/News/Story?a=1&b=2",
        ),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x?", "http://example.com:8080/x"),
        (
            "https://example.com/a?utm_source=tw&utm_medium=social&id=7&fbclid=abc&gclid=1",
            "https://example.com/a?id=7",
        ),
        (
            "https://example.com/a?ref=rss&ref_src=twsrc&mc_cid=1&mc_eid=2&igshid=x&cmpid=c"
            "&ocid=o&_ga=g&yclid=y&spm=s&at_medium=m&at_campaign=c&dclid=d&msclkid=m&page=2",
            "https://example.com/a?page=2",
        ),
        ("https://example.com./a", "https://example.com/a"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
        ("https://example.com/a%20b?q=x%20y", "https://example.com/a%20b?q=x%20y"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical
    assert canonical_url(canonical) == canonical  # idempotent


def test_outlet_from_url() -> None:
    assert outlet_from_url("https://www.reuters.com/world/x") == "reuters.com"
    assert outlet_from_url("https://apnews.com/") == "apnews.com"
    assert outlet_from_url("file:///tmp/a.txt") is None
    assert outlet_from_url("not a url") is None


def test_classify_source(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nText")
    assert classify_source(str(tmp_path)) == "file"
    assert classify_source(str(tmp_path / "a.md")) == "file"
    assert classify_source("https://example.com/feed.xml") == "url"
    assert classify_source("http://example.com") == "url"
    with pytest.raises(UserInputError, match="neither an existing file"):
        classify_source(str(tmp_path / "missing.md"))
    with pytest.raises(UserInputError, match="only http:// and https://"):
        classify_source("ftp://example.com/x")
    with pytest.raises(UserInputError):
        classify_source("")


def test_normalize_text_keeps_paragraphs() -> None:
    raw = "Caf\u0065\u0301  au\u00a0lait\r\n\r\n\r\n\n  Second\tpara \u200b\n"
    assert normalize_text(raw) == "Café au lait\n\nSecond para"


def test_content_hash_folds_quotes_spacing_and_case() -> None:
    a = "The minister said: \u201cWe will act.\u201d\n\nIt\u2019s done \u2014 finally."
    b = 'the minister said:  "We will act."\nIt\'s done - finally'
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(a + " Extra sentence.")
    assert len(content_hash("")) == 64


def test_one_fold_serves_the_hash_of_a_normalised_text_and_its_signature() -> None:
    raw = "The \u201cMinister\u201d  met_the E\uff34U envoy\u00a0today.\n\n\n" * 30
    text = normalize_text(raw)
    folded = folded_words(text)
    assert folded.startswith("the minister met the etu envoy today the")
    assert folded_hash(folded) == content_hash(text) == content_hash(raw)
    assert near_dup.shingles(text, folded) == near_dup.shingles(text)
    assert near_dup.signature(text, folded) == near_dup.signature(text) is not None


def test_html_to_text_drops_script_and_style() -> None:
    html = (
        "<div><p>First <b>bold</b> line</p><script>alert('x')</script>"
        "<style>p{color:red}</style><p>Second &amp; last</p></div>"
    )
    text = html_to_text(html)
    assert text == "First bold line\n\nSecond & last"
    assert word_count(text) == 5
    assert html_to_text("<p>unclosed <script>evil()") == "unclosed"
