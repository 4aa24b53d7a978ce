"""Plain-text helpers: normalising article text, the dedup hash, HTML to text, word counts."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from html.parser import HTMLParser

_HSPACE = re.compile(r"[^\S\n]+")  # whitespace except newlines (NBSP and friends included)
_BLANK_LINES = re.compile(r"\n{3,}")
# Zero-width and other invisible format characters that differ between copies of one text.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2028\u2029\u2060-\u2064\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)
# Text this short is hashed together with its title (`bot.ingest.decide.article_hash`): two
# different stories can share a boilerplate teaser ("Read the full story"), which alone would
# merge them as one article.
SHORT_TEXT_WORDS = 50


def normalize_text(text: str) -> str:
    """Unicode NFC, whitespace collapsed inside lines, at most one blank line between paragraphs."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    lines = [_HSPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def content_hash(text: str) -> str:
    """SHA-256 of the text with case, punctuation and whitespace folded away.

    A syndicated copy that differs only in curly vs straight quotes, dashes, spacing or line
    breaks hashes the same, so it is stored as an alias of the first copy, not a new article.
    """
    return folded_hash(folded_words(normalize_text(text)))


def folded_words(text: str) -> str:
    """The text's words, NFKC-normalised and case-folded, joined by single spaces: what the
    dedup hash reads of a normalised text, and `near_dup.shingles`' words of any text."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def folded_hash(folded: str) -> str:
    """`content_hash` of a text whose `folded_words(normalize_text(text))` is `folded`."""
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def first_words(text: str, limit: int = 12) -> str:
    words = text.split()
    head = " ".join(words[:limit])
    return head + ("…" if len(words) > limit else "")


_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
# Content of these never reaches the reader: code, styling, embedded documents.
_SCRIPT_BLOCKS = re.compile(r"(?is)<(script|style)\b.*?(</\1\s*>|$)")
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "head"}
)


_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        # Inside an element with the `hidden` attribute: its tag and how deep in it we are.
        self._hidden_tag: str | None = None
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._hidden_tag is not None:
            if tag == self._hidden_tag:
                self._hidden_depth += 1
            return
        if tag not in _VOID_TAGS and any(name == "hidden" for name, _ in attrs):
            self._hidden_tag, self._hidden_depth = tag, 1  # never shown: skipped with its content
            return
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._hidden_tag is not None:
            if tag == self._hidden_tag:
                self._hidden_depth -= 1
                if self._hidden_depth == 0:
                    self._hidden_tag = None
            return
        if tag in _SKIP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth and self._hidden_tag is None:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable plain text of an HTML fragment: tags dropped, blocks on their own lines,
    script/style/embedded content removed entirely. Never raises on malformed markup."""
    if "<" not in markup and "&" not in markup:
        return normalize_text(markup)
    collector = _TextCollector()
    try:
        collector.feed(markup)
        collector.close()
    except Exception:  # HTMLParser is lenient, but hostile input must never stop ingestion
        stripped = _SCRIPT_BLOCKS.sub(" ", markup)
        # "<[^<>]*>", not "<[^>]*>": a tag never closed must not be rescanned from every "<".
        return normalize_text(html.unescape(re.sub(r"<[^<>]*>", " ", stripped)))
    text = "".join(collector.parts)
    # Paragraphs become blank-line separated, like text from files and trafilatura.
    return normalize_text(re.sub(r"\n\s*\n*", "\n\n", text))
