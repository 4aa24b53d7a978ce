"""Loaders for the shared evaluation corpora (../shared/corpus). Nothing here is copied.

Every loader takes the corpus root and returns plain data; decoding quirks are handled here:
UTF-8 first, then cp1252 (then latin-1, which never fails), and C1 control characters left in
already-decoded JSON strings (cp1252 bytes read as latin-1: "\x92" for "’") are repaired.
"""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "BBC_CATEGORIES",
    "BbcArticle",
    "MultiLingDoc",
    "MultiLingStory",
    "WikiRefArticle",
    "default_corpus_dir",
    "fix_c1",
    "labelled_source_text",
    "load_bbc",
    "load_multiling",
    "load_seed",
    "load_wikiref",
    "read_text",
    "sample_bbc",
]

BBC_CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")


def default_corpus_dir() -> Path:
    """../shared/corpus relative to the project root (the folder above bench/), or the folder
    named by BENCH_CORPUS_DIR (a checkout that does not sit beside `shared/`)."""
    override = os.environ.get("BENCH_CORPUS_DIR", "").strip()
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def read_text(path: Path) -> str:
    """A text file's content: UTF-8, else cp1252, else latin-1; newlines normalized."""
    raw = path.read_bytes()
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


_C1 = re.compile(r"[\x80-\x9f]")


def fix_c1(text: str) -> str:
    """Repair cp1252 punctuation mis-decoded as latin-1 C1 controls ("\x93quote\x94")."""

    def repl(match: re.Match[str]) -> str:
        try:
            return bytes([ord(match.group())]).decode("cp1252")
        except UnicodeDecodeError:
            return " "

    return _C1.sub(repl, text)


# ------------------------------------------------------------------------------------------
# BBC News Summary
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BbcArticle:
    category: str
    name: str  # "001.txt"
    title: str
    body: str  # the text without its first (title) line
    reference: str  # Summaries/<cat>/<name>

    @property
    def id(self) -> str:
        return f"{self.category}/{self.name}"


def load_bbc(root: Path) -> tuple[list[BbcArticle], int]:
    """All BBC articles with duplicates (same body text) removed, and how many were removed.

    The first occurrence in (category, file name) order is kept.
    """
    base = root / "bbc-news-summary"
    seen: set[str] = set()
    out: list[BbcArticle] = []
    removed = 0
    for category in BBC_CATEGORIES:
        for path in sorted((base / "News Articles" / category).glob("*.txt")):
            text = read_text(path).strip()
            title, _, body = text.partition("\n")
            key = " ".join(body.split())
            if key in seen:
                removed += 1
                continue
            seen.add(key)
            summary_path = base / "Summaries" / category / path.name
            reference = read_text(summary_path).strip() if summary_path.is_file() else ""
            out.append(BbcArticle(category, path.name, title.strip(), body.strip(), reference))
    return out, removed


def sample_bbc(articles: list[BbcArticle], per_category: int, seed: int = 13) -> list[BbcArticle]:
    """A fixed sample: `per_category` articles of each category, random.Random(seed)."""
    rng = random.Random(seed)
    out: list[BbcArticle] = []
    for category in BBC_CATEGORIES:
        pool = [a for a in articles if a.category == category and a.reference]
        out.extend(sorted(rng.sample(pool, min(per_category, len(pool))), key=lambda a: a.name))
    return out


# ------------------------------------------------------------------------------------------
# MultiLing 2011
# ------------------------------------------------------------------------------------------

_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES.split(), start=1)}
_DATE = re.compile(
    r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s*)?"
    r"(January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+(\d{1,2}),\s*(\d{4})"
)
_TERMINAL = tuple(".!?\"'”’)")


@dataclass(frozen=True)
class MultiLingDoc:
    filename: str
    title: str
    date: datetime | None
    body: str  # paragraphs separated by blank lines; title, dateline and headings removed


@dataclass(frozen=True)
class MultiLingStory:
    id: str
    docs: tuple[MultiLingDoc, ...]  # in date order
    references: dict[str, str]  # human summaries "A", "B", "C"


def _is_heading(line: str) -> bool:
    """A section heading or picture caption: short and without sentence punctuation."""
    return len(line.split()) < 12 and not line.rstrip().endswith(_TERMINAL)


def _multiling_doc(filename: str, lines: list[str]) -> MultiLingDoc:
    lines = [fix_c1(" ".join(line.split())) for line in lines]
    title, rest = lines[0], lines[1:]
    date: datetime | None = None
    body_lines: list[str] = []
    for index, line in enumerate(rest):
        match = _DATE.search(line) if date is None and index < 3 else None
        if match:
            month, day, year = match.groups()
            date = datetime(int(year), _MONTHS[month.lower()], int(day), tzinfo=UTC)
            body_lines = []  # anything before the dateline is a caption
            line = line[match.end() :].strip()
        if line and not _is_heading(line):
            body_lines.append(line)
    return MultiLingDoc(filename, title, date, "\n\n".join(body_lines))


def load_multiling(root: Path) -> list[MultiLingStory]:
    """The stories, their documents in date order and the human summaries A, B, C.

    A story's human summaries are the union of the `references` fields of its rows in
    summaries.jsonl (a peer row holds all three; a "reference" row holds the other two).
    """
    base = root / "multiling2011"
    refs: dict[str, dict[str, str]] = {}
    for line in (base / "summaries.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        story = refs.setdefault(row["instance_id"], {})
        for ref in row["references"]:
            story.setdefault(ref["summarizer_id"], fix_c1(" ".join(ref["text"])))
    stories = []
    for line in (base / "documents.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        docs = [_multiling_doc(d["filename"], d["text"]) for d in row["documents"]]
        docs.sort(key=lambda d: (d.date or datetime.min.replace(tzinfo=UTC), d.filename))
        stories.append(
            MultiLingStory(
                row["instance_id"], tuple(docs), dict(sorted(refs[row["instance_id"]].items()))
            )
        )
    return stories


# ------------------------------------------------------------------------------------------
# Seed article and WikiRef220
# ------------------------------------------------------------------------------------------


def load_seed(root: Path) -> tuple[Path, str]:
    path = sorted((root / "seed").glob("*.txt"))[0]
    return path, read_text(path)


@dataclass(frozen=True)
class WikiRefArticle:
    id: str  # the file name
    story: str  # the true story label
    title: str
    text: str


_SUFFIX = re.compile(r"(?:\s*\(\d+\)|\.\d+)$")


def story_label(filename: str) -> str:
    """The story a WikiRef220 file belongs to: its name without the number.

    "malaysia.airlines.flight.84.txt" -> "malaysia.airlines.flight",
    "ParisAttacks2015 (12).txt" -> "ParisAttacks2015".
    """
    stem = filename[:-4] if filename.endswith(".txt") else filename
    return _SUFFIX.sub("", stem)


def load_wikiref(root: Path) -> list[WikiRefArticle]:
    out = []
    for path in sorted((root / "wikiref220").glob("*.txt")):
        text = read_text(path).replace("\x85", "\n").strip()
        title, _, body = text.partition("\n")
        out.append(WikiRefArticle(path.name, story_label(path.name), title.strip(), body.strip()))
    return out


def labelled_source_text(root: Path, source: str) -> str:
    """The text a section_labels.jsonl `source` points to (for checking the quotes).

    Sources are paths under the corpus root; a MultiLing document is
    "multiling2011/documents.jsonl:<filename>".
    """
    if ":" in source:
        path, _, filename = source.partition(":")
        for line in (root / path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            for doc in json.loads(line)["documents"]:
                if doc["filename"] == filename:
                    return fix_c1(" ".join(doc["text"]))
        raise KeyError(source)
    return read_text(root / source)
