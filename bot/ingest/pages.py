"""Article pages: the main text, title, date and outlet of an HTML page, via trafilatura."""

from __future__ import annotations

import codecs
import functools
import inspect
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import trafilatura
from lxml import html as lxml_html
from lxml.etree import ElementDefaultClassLookup, strip_tags
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from trafilatura.settings import set_date_params
from trafilatura.utils import load_html

from bot.errors import ParseError
from bot.ingest.article_text import normalize_text, word_count
from bot.ingest.urls import outlet_from_url

log = logging.getLogger(__name__)

# Fewer words than this is navigation, a cookie wall or an error page, not an article.
MIN_ARTICLE_WORDS = 20
# Bounds checked before a page is parsed for its article: a page of 4.7 MB with 100,000 links
# cost lxml and trafilatura about 160 MB each (eight at once: 1.35 GB) and its link text was
# stored as an article. Real article pages are far inside both.
MAX_PAGE_CHARS = 2_000_000
MAX_PAGE_LINKS = 5_000
# A page whose visible text is mostly link text is an index or a link farm, not an article.
MAX_LINK_TEXT_SHARE = 0.8
_MIN_LINKS_FOR_SHARE = 100
_LINK_TAG = re.compile(r"<a[\s>]", re.IGNORECASE)
_LINK_TAG_BYTES = re.compile(rb"<a[\s>]", re.IGNORECASE)
# Content the reader never sees: removed before extraction (display:none, aria-hidden, script,
# style, comments and noscript are trafilatura's own; `hidden` and <template> were not).
_HIDDEN = "//*[@hidden] | //template"

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
# A well-formed multi-byte UTF-8 sequence (lead byte and continuation bytes).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# In a Western page in Windows-1252 only quotes, dashes and accents are high bytes.
_MAX_LEGACY_HIGH_SHARE = 0.05
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class ExtractedPage:
    title: str | None
    text: str = field(repr=False)
    published_at: datetime | None  # aware UTC
    outlet: str | None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def decode_html(body: bytes, declared: str | None = None) -> str | None:
    """Decode a page the way browsers do: BOM, then the HTTP charset, then <meta charset>.

    With none of those: UTF-8 or Windows-1252 when the bytes say so clearly, else None, and
    trafilatura guesses from the bytes.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, "replace")
    head = body[:4096]
    sniffed = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    candidates = [declared, sniffed.group(1).decode("ascii") if sniffed else None]
    for candidate in candidates:
        codec = _codec(candidate)
        if codec is None:
            continue
        # Pages labelled latin-1 are in practice cp1252 (the HTML standard says so too).
        if codec in ("latin_1", "iso8859-1", "ascii"):
            codec = "cp1252"
        if codec == "utf-8":
            return _decode_utf8_label(body)
        return body.decode(codec, "replace")
    return _decode_undeclared(body)


def _decode_undeclared(body: bytes) -> str | None:
    """A page that names no charset. Valid UTF-8 is UTF-8. Western legacy text (a few high
    bytes, none of them forming UTF-8) is Windows-1252, the web's default for such pages:
    guessing from so few bytes picks Baltic or Central European code pages ("GreeceÆs").
    Anything else (Cyrillic or CJK legacy encodings, say) is left to trafilatura's guess."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    high_bytes = len(body.translate(None, bytes(range(128))))  # ASCII deleted
    if _UTF8_SEQUENCE.search(body) is None and high_bytes <= _MAX_LEGACY_HIGH_SHARE * len(body):
        return body.decode("cp1252", "replace")
    return None


def _decode_utf8_label(body: bytes) -> str:
    """A page labelled UTF-8. Legacy text under a modern template's `<meta charset="utf-8">`
    (or a server default) is common: Windows-1252 bytes that hold no UTF-8 sequence at all.
    Read as UTF-8, every ’ “ ” é £ in them would become U+FFFD, so such a body is read as
    cp1252. A body with real UTF-8 in it stays UTF-8, a stray bad byte becoming U+FFFD."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        if _UTF8_SEQUENCE.search(body) is None:
            return body.decode("cp1252", "replace")
        return body.decode("utf-8", "replace")


def _as_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.strptime(value[:10], "%Y-%m-%d")
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _check_size(document: bytes | str) -> None:
    """Refuse, before parsing, a page too large or with too many links to be an article."""
    if len(document) > MAX_PAGE_CHARS:
        raise ParseError(
            f"not an article page: {len(document):,} characters of HTML "
            f"(at most {MAX_PAGE_CHARS:,} are read)"
        )
    if isinstance(document, bytes):
        links = sum(1 for _ in _LINK_TAG_BYTES.finditer(document))
    else:
        links = sum(1 for _ in _LINK_TAG.finditer(document))
    if links > MAX_PAGE_LINKS:
        raise ParseError(f"not an article page: {links:,} links (at most {MAX_PAGE_LINKS:,})")


class _Parsers(threading.local):
    """One HTML parser per thread (an lxml parser is not to be shared between threads)."""

    def __init__(self) -> None:
        # trafilatura's parser settings (`trafilatura.utils.HTML_PARSER`), with one change:
        # every element is an `HtmlElement`, chosen in C. lxml.html's own parser asks a
        # Python method (`HtmlElementClassLookup.lookup`) for the class of each element
        # Python touches, over a thousand calls a page, to give form fields classes of their
        # own that extraction never uses: 1.6 ms of a page's 17-19 (per page, paired, on the
        # 181 pages of the article-extraction set; the extracted pages are identical).
        self.parser = lxml_html.HTMLParser(
            collect_ids=False,
            default_doctype=False,
            encoding="utf-8",
            remove_comments=True,
            remove_pis=True,
        )
        self.parser.set_element_class_lookup(
            ElementDefaultClassLookup(
                element=HtmlElement,
                comment=HtmlComment,
                pi=HtmlProcessingInstruction,
                entity=HtmlEntity,
            )
        )


_parsers = _Parsers()


def _load_html(document: bytes | str) -> HtmlElement | None:
    """`trafilatura.utils.load_html(document)` parsed with `_Parsers`' parser: its steps
    (decode, repair, parse as text, then as bytes, refuse what is not HTML) for trafilatura
    2.x; where this trafilatura lacks them, its own `load_html`."""
    try:
        from trafilatura.utils import decode_file, is_dubious_html, repair_faulty_html
    except ImportError:
        return load_html(document)
    parser = _parsers.parser
    markup = decode_file(document)
    beginning = markup[:50].lower()
    dubious = is_dubious_html(beginning)
    markup = repair_faulty_html(markup, beginning)
    tree: HtmlElement | None = None
    as_bytes = False
    try:
        tree = lxml_html.fromstring(markup, parser=parser)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree, as_bytes = _from_bytes(markup, parser), True
    except Exception:  # lxml raises many types on hostile markup: bytes are tried next
        log.debug("lxml could not parse the page as text", exc_info=True)
    if (tree is None or len(tree) < 1) and not as_bytes:
        tree = _from_bytes(markup, parser)
    if tree is not None and dubious and len(tree) < 2:
        return None  # a fragment or not HTML at all, as trafilatura decides
    return tree


def _from_bytes(markup: str, parser: lxml_html.HTMLParser) -> HtmlElement | None:
    try:
        return lxml_html.fromstring(markup.encode("utf8", "surrogatepass"), parser=parser)
    except Exception:  # lxml raises many types on hostile markup
        log.debug("lxml could not parse the page as bytes either", exc_info=True)
        return None


def _visible_tree(document: bytes | str) -> HtmlElement:
    """The page parsed (as trafilatura parses it), without what a reader never sees; refused
    when it is too large, has too many links, or is mostly link text."""
    _check_size(document)
    try:
        tree = _load_html(document)
    except Exception as exc:  # lxml raises many types on hostile markup
        raise ParseError(f"not a feed or article page: {type(exc).__name__}: {exc}") from None
    if tree is None:
        raise ParseError("not a feed or article page: the page could not be parsed")
    for element in tree.xpath(_HIDDEN):
        if element.getparent() is not None:
            element.drop_tree()
    links = tree.xpath("//a")
    if len(links) >= _MIN_LINKS_FOR_SHARE:
        link_chars = sum(map(_link_text_length, links))
        body = tree.find("body")
        root = body if body is not None else tree
        # Most pages are far below the share: the text joined without separators is never
        # longer (stripped) than the text joined with them, so it settles them without
        # walking every text node in Python (about 0.6 ms of 1.1 on a page of 100+ links).
        if link_chars > MAX_LINK_TEXT_SHARE * _text_length_at_most_joined(root):
            total = _joined_text_length(root)
            if total and link_chars > MAX_LINK_TEXT_SHARE * total:
                share = link_chars / total
                raise ParseError(f"not an article page: {share:.0%} of its text is links")
    return tree


def _joined_text_length(element: HtmlElement) -> int:
    """Characters of an element's text nodes joined by spaces, stripped: how the link share
    counts text."""
    return len(" ".join(element.itertext()).strip())


def _link_text_length(link: HtmlElement) -> int:
    """`_joined_text_length` of a link. Most links hold only their text, which needs no
    joining (`itertext` yields just it, or nothing when it is None)."""
    if len(link):  # child elements, comments or instructions: join their texts and tails
        return _joined_text_length(link)
    text = link.text
    return len(text.strip()) if text else 0


def _text_length_at_most_joined(element: HtmlElement) -> int:
    """A lower bound on `_joined_text_length`, computed in C: the text concatenated (XPath's
    string value, the same text nodes as `itertext`, comments excluded), stripped. Joining
    puts spaces between the same non-space characters, so it can only add to the length."""
    return len(element.text_content().strip())


def _metadata(
    tree: HtmlElement, url: str, date_params: dict[str, Any] | None
) -> tuple[str | None, str | None, str | None] | None:
    """(title, site name, date) of a parsed page, as `trafilatura.extract_metadata` finds
    them, without the fields it also extracts and we never read: the author (a deep copy of
    the whole tree and a search of it), categories, tags and the licence, about a third of
    its CPU (2-3 ms a page). None where this trafilatura lacks the functions used (the caller
    then asks trafilatura for all of its metadata). None of the skipped steps changes the
    tree, so the text extracted after it is the same. `date_params` None: no date search
    (the date is None)."""
    try:
        from htmldate import find_date
        from trafilatura.metadata import (
            META_URL,
            examine_meta,
            extract_meta_json,
            extract_sitename,
            extract_title,
            extract_url,
        )
    except ImportError:
        return None
    # The steps and their order are trafilatura 2.x's `extract_metadata`.
    metadata = examine_meta(tree)
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception:  # trafilatura's own guard: bugs in its JSON-LD reading
        log.debug("JSON metadata of %s unreadable", url, exc_info=True)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    if date_params is not None:
        metadata.date = find_date(tree, **{**date_params, "url": metadata.url})
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        sitename = metadata.sitename.lstrip("@")
        if sitename and "." not in sitename and not sitename[0].isupper():
            sitename = sitename.title()
        metadata.sitename = sitename
    elif metadata.url:
        match = META_URL.match(metadata.url)
        if match:
            metadata.sitename = match[1]
    metadata.clean_and_trim()
    return metadata.title, metadata.sitename, metadata.date


# trafilatura's settings for a page's article text (see `extract_page`).
_EXTRACTION = {
    # Fast mode (trafilatura's own extractor, without readability and jusText run beside it
    # to compare) with recall favoured: 14.0 ms a page instead of 22.8 on the 181 pages of
    # the article-extraction benchmark, shingle F1 0.9654 against 0.9656 (precision 0.952 /
    # 0.961, recall 0.979 / 0.971), nothing empty. Precision favoured in fast mode lost
    # 0.018 of F1 (one page empty); so did neither.
    "fast": True,
    "favor_recall": True,
    "include_comments": False,
    "include_tables": True,
}


def _article_text(tree: HtmlElement, url: str) -> str | None:
    """The article text trafilatura's `bare_extraction(tree, **_EXTRACTION)` finds (None:
    none), without the copy of the whole tree it first makes to leave a caller's tree
    intact (0.4 ms of a page's 12): this tree was parsed for this extraction and is not
    read after it. The steps are bare_extraction's for these settings (trafilatura 2.x);
    where this trafilatura lacks them, bare_extraction itself (with its copy)."""
    steps = _extraction_steps()
    if steps is None:
        return _bare_article_text(tree, url)
    trafilatura_sequence, Extractor, xmltotxt = steps
    options = Extractor(
        output_format="python",
        fast=_EXTRACTION["fast"],
        recall=_EXTRACTION["favor_recall"],
        comments=_EXTRACTION["include_comments"],
        tables=_EXTRACTION["include_tables"],
        url=url,
    )
    body, text, _, comments = trafilatura_sequence(tree, options, url)
    if options.max_tree_size and len(body) > options.max_tree_size:  # unset by default
        strip_tags(body, "hi")
        if len(body) > options.max_tree_size:
            return None
    if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
        return None
    return str(xmltotxt(body, options.formatting))


@functools.cache
def _extraction_steps() -> tuple[Any, Any, Any] | None:
    """trafilatura's (trafilatura_sequence, Extractor, xmltotxt) where they are the ones
    `_article_text` is written for (the sequence taking `tree, options, url`: its
    arguments changed within 2.x), else None."""
    try:
        from trafilatura.core import trafilatura_sequence
        from trafilatura.settings import Extractor
        from trafilatura.xml import xmltotxt
    except ImportError:
        return None
    try:
        parameters = list(inspect.signature(trafilatura_sequence).parameters)
    except (TypeError, ValueError):
        return None
    if parameters != ["tree", "options", "url"]:
        return None
    return trafilatura_sequence, Extractor, xmltotxt


def _bare_article_text(tree: HtmlElement, url: str) -> str | None:
    extracted = trafilatura.bare_extraction(tree, url=url, with_metadata=False, **_EXTRACTION)
    if extracted is None or isinstance(extracted, dict):
        return None
    return str(extracted.text or "")


def extract_page(
    body: bytes | str, url: str, encoding: str | None = None, *, with_date: bool = True
) -> ExtractedPage:
    """The article in an HTML page. Raises ParseError when the page has no article text.
    `with_date` False: the page's date is not looked for (`published_at` None), for a feed
    entry that dates the article itself (its date is the one stored): htmldate's search
    of the page was 0.4 ms of a page's 12 ms."""
    document: bytes | str = body
    if isinstance(body, bytes):
        # trafilatura only guesses from the bytes; a declared charset must win over a guess.
        document = decode_html(body, encoding) or body
    if isinstance(document, str):
        # lxml refuses str input that still carries an XML encoding declaration.
        document = re.sub(r"^\s*<\?xml[^>]*\?>", "", document, count=1)
    if not document:
        raise ParseError("not a feed or article page: the page is empty")
    tree = _visible_tree(document)
    date_params = set_date_params(extensive=True)
    date_params["outputformat"] = "%Y-%m-%dT%H:%M:%S%z"
    try:
        metadata = _metadata(tree, url, date_params if with_date else None)
        if metadata is not None:
            title, sitename, date = metadata
            found = _article_text(tree, url)
        else:  # a trafilatura without the metadata steps `_metadata` uses: all of its own
            extracted = trafilatura.bare_extraction(
                tree,
                url=url,
                with_metadata=True,
                date_extraction_params=date_params,
                **_EXTRACTION,
            )
            found = None
            title = sitename = date = None
            if extracted is not None and not isinstance(extracted, dict):
                found = extracted.text or ""
                title, sitename, date = extracted.title, extracted.sitename, extracted.date
    except Exception as exc:  # lxml and trafilatura raise many types on hostile markup
        log.debug("trafilatura failed on %s", url, exc_info=True)
        raise ParseError(f"not a feed or article page: {type(exc).__name__}: {exc}") from None
    if found is None:
        raise ParseError("not a feed or article page: no article text found")
    # trafilatura ends each paragraph (and heading) with one line break; the summarizer reads
    # a single break as a soft wrap, as in typed text, so a page would be one long paragraph,
    # cut at the analysis's paragraph limit. Blank-line paragraphs, as from files and feeds.
    text = re.sub(r"\n+", "\n\n", normalize_text(found))
    if word_count(text) < MIN_ARTICLE_WORDS:
        raise ParseError("not a feed or article page: no article text found")
    title = normalize_text(title or "").replace("\n", " ") or None
    first, _, rest = text.partition("\n")
    if title and rest and first.strip().casefold() == title.casefold():
        # The headline is the title, not body text; copies of one story often re-title it.
        text = rest.strip()
    outlet = normalize_text(sitename or "") or outlet_from_url(url)
    return ExtractedPage(
        title=title,
        text=text,
        published_at=_as_datetime(date),
        outlet=outlet or None,
    )
