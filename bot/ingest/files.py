"""Local article files: .txt, .md and .html, one file or a folder of them.

A text file may start with a front matter block naming its title, outlet, publication time and
original URL, so an article saved from the web keeps its identity (and dedups against the same
article fetched from its feed).
"""

from __future__ import annotations

import codecs
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from bot.errors import ParseError, UserInputError
from bot.ingest.article_text import first_words, normalize_text
from bot.ingest.pages import extract_page
from bot.ingest.urls import canonical_url, is_http_url

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
MAX_FILE_BYTES = 20_000_000

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_MATTER_START = re.compile(r"\A---[ \t]*\n")
# Control characters other than tab, newline, form feed and carriage return: text has next to
# none; random bytes decoded as cp1252 have about one in eight.
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.02
_HEADING = re.compile(r"^\s*#+\s*")


@dataclass(frozen=True)
class LocalDocument:
    path: Path
    url: str  # file:// URL of the file
    title: str
    text: str = field(repr=False)
    published_at: datetime | None
    outlet: str | None
    source_url: str | None  # the article's original URL from front matter, canonical

    @property
    def article_url(self) -> str:
        """The URL the article is stored under: its original URL when known."""
        return self.source_url or self.url


def decode_bytes(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else cp1252: real article files are often Windows-encoded.

    cp1252 leaves five byte values undefined; those become U+FFFD rather than an error.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):  # "Unicode" text as Windows editors save it
            return raw.decode(codec, errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_published(value: str) -> datetime | None:
    """An ISO 8601 date or date-time; naive values are taken as UTC."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """(`key: value` pairs of a leading `---` block, lower-case keys; the rest of the text)."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if not sep or not key.strip() or line.startswith((" ", "\t", "#")):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        meta[key.strip().lower()] = value
    return meta, text[match.end() :]


def _file_url(path: Path) -> str:
    return path.resolve().as_uri()


# A first line that is only a date ("14 Mar 2025, Fri", "Saturday, January 8, 2005",
# "2025-03-14"): short, with a day or year number and a month name or a numeric date.
_DATELINE_MAX_CHARS = 40
_MONTH_WORD = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.IGNORECASE
)
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")


def dateline_date(line: str) -> datetime | None:
    """The date a first line consists of (UTC midnight), or None when it is not just a date."""
    line = line.strip()
    if not line or len(line) > _DATELINE_MAX_CHARS or not re.search(r"\d", line):
        return None
    if not (_MONTH_WORD.search(line) or _NUMERIC_DATE.search(line)):
        return None
    from dateutil import parser as date_parser

    try:
        # fuzzy=False: every word must be part of the date, so "March 14 talks" is a title.
        parsed = date_parser.parse(line, fuzzy=False, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        return None
    if not re.search(r"\b\d{4}\b", line):
        return None  # no year: too weak to date an article by
    return datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)


# A first line longer than this, or a sentence this long ending in a full stop, is the
# article's opening sentence, not its headline ("The U.S. government has resumed military
# assistance and intelligence sharing with Ukraine, according to a joint statement.").
_HEADLINE_MAX_WORDS = 20
_SENTENCE_MIN_WORDS = 10
_FULL_STOP = re.compile(r"[^.]\.[\"'”’)]*$")


def is_headline(line: str) -> bool:
    """Does a plain file's first line read as a headline: short, not a sentence with a stop?"""
    words = line.split()
    if len(words) > _HEADLINE_MAX_WORDS:
        return False
    return len(words) < _SENTENCE_MIN_WORDS or _FULL_STOP.search(line.strip()) is None


def _check_text(path: Path, raw: bytes, text: str) -> None:
    """Refuse what is not a text article, with the reason: NUL bytes, binary data, front
    matter that is opened and never closed."""
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError(f"{path}: not a text file (it contains NUL bytes)")
    controls = sum(1 for _ in _BINARY_CONTROL.finditer(text))
    if controls > _MAX_CONTROL_SHARE * max(len(text), 1):
        raise ParseError(f"{path}: not a text file (binary data: {controls:,} control characters)")
    if _FRONT_MATTER_START.match(text) and _FRONT_MATTER.match(text) is None:
        raise ParseError(f"{path}: its front matter starts with --- but is never closed by ---")


def _read_text_file(path: Path, raw: bytes) -> LocalDocument:
    decoded = decode_bytes(raw).replace("\r\n", "\n")
    _check_text(path, raw, decoded)
    meta, body = split_front_matter(decoded)
    body = normalize_text(body)
    title = normalize_text(meta.get("title", "")).replace("\n", " ")
    dateline_at = None
    if not title:
        first, _, rest = body.partition("\n")
        dateline_at = dateline_date(first)
        if dateline_at is not None:  # "14 Mar 2025, Fri": a date, not a title
            first, _, rest = rest.strip().partition("\n")
        if _HEADING.match(first) or is_headline(first):
            title = _HEADING.sub("", first).strip()
            body = rest.strip()
        else:  # the article's first sentence: it stays in the text, its first words title it
            title = first_words(first.strip())
            body = body if dateline_at is None else f"{first}\n{rest}".strip()
    if not body and title:
        body, title = title, first_words(title)
    if not body:
        raise ParseError(f"{path}: the file has no text")
    published_raw = meta.get("published") or meta.get("date") or ""
    published_at = parse_published(published_raw) or dateline_at
    if published_raw and published_at is None:
        log.warning("%s: ignoring unreadable published date %r", path, published_raw)
    source_url = None
    original = meta.get("url", "").strip()
    if original:
        if is_http_url(original):
            source_url = canonical_url(original)
        else:
            log.warning("%s: ignoring front matter url %r (not http/https)", path, original)
    return LocalDocument(
        path=path,
        url=_file_url(path),
        title=title or path.stem,
        text=body,
        published_at=published_at,
        outlet=normalize_text(meta.get("outlet", "")).replace("\n", " ") or None,
        source_url=source_url,
    )


def _read_html_file(path: Path, raw: bytes) -> LocalDocument:
    url = _file_url(path)
    page = extract_page(raw, url, None)
    return LocalDocument(
        path=path,
        url=url,
        title=page.title or path.stem,
        text=page.text,
        published_at=page.published_at,
        # trafilatura has no host name for a file:// URL; only a real site name counts.
        outlet=page.outlet if page.outlet and page.outlet != "file" else None,
        source_url=None,
    )


def read_file(path: Path) -> LocalDocument:
    """One supported file. Raises ParseError for an unsupported, unreadable or empty file."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ParseError(
            f"{path}: unsupported file type {suffix or '(none)'}; "
            "use .txt, .md, .markdown, .html or .htm"
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ParseError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if suffix in HTML_SUFFIXES:
        try:
            return _read_html_file(path, raw)
        except ParseError as exc:
            raise ParseError(f"{path}: {exc}") from None
    return _read_text_file(path, raw)


def _walk(folder: Path, unsupported: list[Path] | None = None) -> list[Path]:
    found: list[Path] = []
    # os.walk does not follow symlinked folders, so a link loop cannot recurse forever.
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in SUFFIXES:
                found.append(Path(root) / name)
            elif unsupported is not None:
                unsupported.append(Path(root) / name)
    return sorted(found)


def read_path(
    path: str | os.PathLike[str], skipped: list[str] | None = None
) -> list[LocalDocument]:
    """The documents in a file or (recursively) a folder, in path order.

    In a folder, files of other types and files that cannot be read are skipped with a warning
    (their reasons appended to `skipped`), so one bad file does not hide the others. A single
    bad file given directly raises ParseError.
    """
    target = Path(path).expanduser()
    if not target.exists():
        raise UserInputError(f"{target}: no such file or folder")
    if not target.is_dir():
        return [read_file(target)]
    documents: list[LocalDocument] = []
    unsupported: list[Path] = []
    files = _walk(target, unsupported)
    for other in sorted(unsupported):
        reason = f"{other}: unsupported file type {other.suffix.lower() or '(none)'}"
        log.info("skipping %s", reason)
        if skipped is not None:
            skipped.append(reason)
    for file in files:
        try:
            documents.append(read_file(file))
        except ParseError as exc:
            log.warning("skipping %s", exc)
            if skipped is not None:
                skipped.append(str(exc))
    return documents
