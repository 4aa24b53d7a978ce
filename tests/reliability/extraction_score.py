"""Article-extraction quality against the scrapinghub article-extraction benchmark.

The benchmark (../shared/corpus/article-extraction: `html/<id>.html.gz` and `ground-truth.json`,
id -> {url, articleBody}) scores an extractor by 4-word shingles: per page, the shingles of the
extracted text are matched against those of the true body (with counts) into true positives,
false positives and false negatives; precision is the mean of the pages' precisions, recall
the mean of their recalls, F1 their harmonic mean. A page with nothing extracted counts with
precision and recall 0. With shingles of one word the same procedure is a token-level F1.
The corpus README's reference: trafilatura 2.3.1 F1 0.957, readability-lxml 0.922, all the
text of the page 0.631.

    .venv/bin/python -m tests.reliability.extraction_score [CORPUS_DIR]

prints the figures of our extraction (`bot.ingest.pages.extract_page`).
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

SHINGLE_WORDS = 4
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Match:
    """One page's shingle counts: true positives, false positives, false negatives."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        if self.tp + self.fp == 0:
            return None  # nothing extracted and nothing expected: the page does not count
        return 1.0 if self.fp == self.fn == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        if self.tp + self.fn == 0:
            return None
        return 1.0 if self.fp == self.fn == 0 else self.tp / (self.tp + self.fn)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    pages: int
    empty: int  # pages where nothing was extracted

    def line(self, label: str) -> str:
        return (
            f"{label}: F1 {self.f1:.3f} (precision {self.precision:.3f}, recall "
            f"{self.recall:.3f}) over {self.pages} pages, {self.empty} with nothing extracted"
        )


def shingles(text: str, n: int = SHINGLE_WORDS) -> Counter[tuple[str, ...]]:
    """The text's n-word shingles with counts (a text shorter than n words is one shingle)."""
    words = _WORD.findall(text or "")
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words)


def match(true: str, predicted: str, n: int = SHINGLE_WORDS) -> Match:
    expected, got = shingles(true, n), shingles(predicted, n)
    common = expected & got
    tp = sum(common.values())
    return Match(tp=tp, fp=sum(got.values()) - tp, fn=sum(expected.values()) - tp)


def score(truth: Mapping[str, str], predicted: Mapping[str, str], n: int = SHINGLE_WORDS) -> Scores:
    """Benchmark scores of `predicted` (id -> extracted text) against `truth` (id -> body)."""
    if set(truth) != set(predicted):
        raise ValueError("predictions must cover exactly the ground truth's pages")
    matches = [match(truth[key], predicted[key], n) for key in sorted(truth)]
    precisions = [p for m in matches if (p := m.precision) is not None]
    recalls = [r for m in matches if (r := m.recall) is not None]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    empty = sum(1 for key in truth if not _WORD.search(predicted[key] or ""))
    return Scores(precision, recall, f1, len(matches), empty)


def load_ground_truth(corpus: Path) -> dict[str, dict[str, str]]:
    """id -> {"url", "articleBody"} of the benchmark in `corpus` (the article-extraction dir)."""
    data = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    return {
        str(k): {"url": str(v["url"]), "articleBody": str(v["articleBody"])}
        for k, v in data.items()
    }


def page_html(corpus: Path, page_id: str) -> bytes:
    return gzip.decompress((corpus / "html" / f"{page_id}.html.gz").read_bytes())


def extract_all(corpus: Path, extract: Callable[[bytes, str], str] | None = None) -> dict[str, str]:
    """id -> our extracted text for every benchmark page ("" where extraction refused)."""
    if extract is None:
        extract = _our_extraction
    truth = load_ground_truth(corpus)
    return {key: extract(page_html(corpus, key), item["url"]) for key, item in truth.items()}


def _our_extraction(html: bytes, url: str) -> str:
    from bot.errors import ParseError
    from bot.ingest.pages import extract_page

    try:
        return extract_page(html, url).text
    except ParseError:
        return ""


def main(argv: list[str]) -> int:
    from tests.reliability.conftest import corpus_root

    corpus = Path(argv[0]) if argv else corpus_root() / "article-extraction"
    if not (corpus / "ground-truth.json").is_file():
        print(f"no article-extraction benchmark at {corpus}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    predicted = extract_all(corpus)
    seconds = time.perf_counter() - started
    truth = {k: v["articleBody"] for k, v in load_ground_truth(corpus).items()}
    print(score(truth, predicted).line(f"{SHINGLE_WORDS}-word shingles"))
    print(score(truth, predicted, n=1).line("tokens"))
    print(f"{seconds / len(predicted) * 1000:.0f} ms per page (reference: trafilatura 0.957)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
