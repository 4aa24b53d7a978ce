"""Offline brief speed: the extractive summarizer over a topic with 100 articles in the window.

    .venv/bin/python bench/brief_speed.py [--quick] [--json] [--articles N] [--repeats N]

- Articles: 100 BBC politics articles from the shared corpus (file-name order, duplicates
  removed), topic "election"; without the corpus, 100 synthetic articles generated from the
  demo articles' vocabulary (topic "ukraine"). Publication times spread over the last 24 h.
- Ours, cold: a new `ExtractiveSummarizer(cache_size=0)` per repeat (nothing cached), timed
  around `summarize()`; warm: one summarizer with its default sentence cache, after one
  untimed call (a second brief over an overlapping article set, e.g. the next digest).
- Baseline: sumy LexRank (bench/baselines.py: offline tokenizer, Snowball stemmer, English
  stop words) over the same articles concatenated, asked for 15 sentences (3 sections x 5
  bullets), parsing included. LexRank is quadratic in sentences: it runs `--baseline-repeats`
  times (default 1).
- Goal: cold median <= 50 ms and faster than LexRank.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Bench, SyntheticText, corpus_dir, parser
from bot.summarize.extractive import ExtractiveSummarizer
from bot.summarize.model import ArticleInput

GOAL_MS = 50.0
NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


def corpus_articles(root: Path, n: int) -> list[ArticleInput]:
    from bench.corpora import load_bbc

    articles, _ = load_bbc(root)
    politics = [a for a in articles if a.category == "politics"][:n]
    return [
        ArticleInput(
            id=str(i + 1),
            title=a.title,
            text=a.body,
            url=f"https://bbc.example.com/politics/{a.name}",
            outlet="BBC",
            published_at=NOW - timedelta(minutes=10 + i * 1430 // max(n, 1)),
        )
        for i, a in enumerate(politics)
    ]


def synthetic_articles(n: int) -> list[ArticleInput]:
    text = SyntheticText(seed=11)
    outlets = ["Meridian Wire", "Harbour Post", "Valley Times", "Northern Ledger", "Civic Daily"]
    return [
        ArticleInput(
            id=str(i + 1),
            title=text.title(),
            text=text.article(paragraphs=5, sentences_per_paragraph=4),
            url=f"https://news{i % 5}.example.com/{i + 1}",
            outlet=outlets[i % len(outlets)],
            published_at=NOW - timedelta(minutes=10 + i * 1430 // max(n, 1)),
        )
        for i in range(n)
    ]


def time_brief(summarizer: ExtractiveSummarizer, topic: str, articles: list[ArticleInput]) -> float:
    started = time.perf_counter()
    brief = summarizer.summarize(
        topic, articles, since=NOW - timedelta(hours=24), until=NOW, now=NOW
    )
    elapsed = time.perf_counter() - started
    assert brief.article_count == len(articles)
    return elapsed


def profile(
    bench: Bench, topic: str, articles: list[ArticleInput], warm: ExtractiveSummarizer
) -> None:
    """The 12 functions with the most cumulative time in a cold and in a warm brief."""
    import cProfile
    import io
    import pstats

    for label, summarizer in (("cold", ExtractiveSummarizer(cache_size=0)), ("warm", warm)):
        prof = cProfile.Profile()
        prof.enable()
        time_brief(summarizer, topic, articles)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).strip_dirs().sort_stats("cumulative").print_stats(12)
        bench.say(f"--- cProfile, {label} brief (cumulative) ---")
        bench.say("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--articles", type=int, default=None, help="articles in the window (100)")
    p.add_argument("--repeats", type=int, default=None, help="timed briefs per mode (15)")
    p.add_argument("--baseline-repeats", type=int, default=None, help="LexRank runs (1)")
    p.add_argument("--corpus", default=None, help="shared corpus folder (../shared/corpus)")
    p.add_argument("--synthetic", action="store_true", help="synthetic articles even with corpus")
    p.add_argument("--profile", action="store_true", help="cProfile one cold and one warm brief")
    args = p.parse_args(argv)
    bench = Bench("brief_speed", args)
    n = args.articles or (10 if args.quick else 100)
    repeats = args.repeats or (3 if args.quick else 15)
    baseline_repeats = args.baseline_repeats or 1

    root = None if args.synthetic else corpus_dir(args.corpus)
    if root is not None and (root / "bbc-news-summary").is_dir():
        articles, topic, source = corpus_articles(root, n), "election", "BBC politics (corpus)"
    else:
        if not args.synthetic:
            bench.say("shared corpus not found: using synthetic articles (demo vocabulary)")
        articles, topic, source = synthetic_articles(n), "ukraine", "synthetic"
    words = sum(len(a.text.split()) for a in articles)
    bench.params(articles=len(articles), words=words, topic=topic, source=source, repeats=repeats)

    cold = [time_brief(ExtractiveSummarizer(cache_size=0), topic, articles) for _ in range(repeats)]
    warm_summarizer = ExtractiveSummarizer()
    time_brief(warm_summarizer, topic, articles)  # fills the sentence cache
    warm = [time_brief(warm_summarizer, topic, articles) for _ in range(repeats)]
    cold_ms = statistics.median(cold) * 1000
    warm_ms = statistics.median(warm) * 1000
    bench.ours(
        cold_median_ms=round(cold_ms, 2),
        cold_min_ms=round(min(cold) * 1000, 2),
        warm_median_ms=round(warm_ms, 2),
        warm_min_ms=round(min(warm) * 1000, 2),
    )
    bench.say(f"ours (briefbot extractive), cold: median {cold_ms:.1f} ms over {repeats}")
    bench.say(f"ours (briefbot extractive), warm: median {warm_ms:.1f} ms over {repeats}")

    parse_ms = max(cold_ms - warm_ms, 0.0)
    bench.note("parse_share_of_cold", round(parse_ms / cold_ms, 3))
    bench.say(
        f"  of which per-article parsing (cold - warm): {parse_ms:.1f} ms "
        f"({parse_ms / cold_ms:.0%}); {cold_ms / len(articles):.2f} ms per article cold"
    )
    if args.profile:
        profile(bench, topic, articles, warm_summarizer)

    from bench.baselines import sumy_summary

    document = "\n\n".join(f"{a.title}.\n\n{a.text}" for a in articles)
    lexrank = []
    for _ in range(baseline_repeats):
        started = time.perf_counter()
        sumy_summary("LexRank", document, max_sentences=15)
        lexrank.append(time.perf_counter() - started)
    lexrank_ms = statistics.median(lexrank) * 1000
    bench.baseline(lexrank_median_ms=round(lexrank_ms, 2), runs=baseline_repeats)
    bench.say(f"baseline (sumy LexRank, 15 sentences): median {lexrank_ms:.1f} ms")

    bench.goal(
        f"cold median <= {GOAL_MS:.0f} ms",
        cold_ms <= GOAL_MS,
        f"{cold_ms:.1f} ms cold, {warm_ms:.1f} ms warm",
    )
    bench.goal(
        "faster than LexRank",
        cold_ms < lexrank_ms,
        f"{lexrank_ms / cold_ms:.1f}x faster" if cold_ms < lexrank_ms else "slower",
    )
    bench.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
