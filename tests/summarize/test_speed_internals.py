"""Speed rewrites of the extractive summarizer's internals that must not change what it finds
(issue 14). Sample sentences written for these tests."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bot.summarize import extractive, marks
from bot.summarize.model import ArticleInput

SAMPLES = (
    "Police ARRESTED two men in Kelso on Monday, the force said.",
    "The Council Will Vote on the budget; it is Not Known when the work would be Finished.",
    "It Remains To Be Seen whether Harwick's plan, Dependent On loans, is Expected To pass.",
    "The Death Toll rose to 31 after rescuers Found more Bodies in the Rubble.",
    "Talks were Postponed; the union Did Not say when they would resume, However, officials said.",
    "The mayor said the bridge would Be Reopened Soon, and later this week the ferry too.",
)


def _case_free_patterns() -> list[tuple[str, extractive._CaseFree]]:
    # (Those found once per sentence at ingestion live in `marks`.)
    return [
        (name, value)
        for module in (extractive, marks)
        for name, value in vars(module).items()
        if isinstance(value, extractive._CaseFree) and not name.startswith("_CaseFree")
    ]


def test_case_free_patterns_find_what_ignorecase_finds_in_mixed_case_text() -> None:
    patterns = _case_free_patterns()
    assert len(patterns) >= 8  # the word lists the brief searches in every sentence
    found = 0
    for name, pattern in patterns:
        reference = re.compile(pattern.pattern.pattern, re.IGNORECASE)
        for text in SAMPLES:
            expected = [(m.span(), m.group(0).lower()) for m in reference.finditer(text)]
            got = [(m.span(), m.group(0)) for m in pattern.finditer(text)]
            assert got == expected, (name, text)
            assert bool(pattern.search(text)) == bool(reference.search(text)), (name, text)
            found += len(got)
    assert found >= 10  # the samples do exercise upper-case words


def test_a_case_free_pattern_refuses_upper_case_words() -> None:
    with pytest.raises(ValueError):
        extractive._CaseFree(r"\b(?:United States|vote)\b")
    extractive._CaseFree(r"\b(?:vote|\w+ly)\b\W")  # escapes are fine


def test_collection_is_paused_during_a_brief_and_resumes_after_even_on_error() -> None:
    import gc
    import threading

    from bot.summarize.gc_pause import gc_paused

    assert gc.isenabled()
    seen: list[bool] = []
    with gc_paused():
        seen.append(gc.isenabled())
        inner = threading.Thread(target=lambda: seen.append(_paused_inside()))
        inner.start()
        inner.join()
        seen.append(gc.isenabled())  # the other thread's brief ended: still paused for ours
    assert seen == [False, False, False]
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("a brief failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # whoever disabled it keeps it so
    finally:
        gc.enable()


def _paused_inside() -> bool:
    import gc

    from bot.summarize.gc_pause import gc_paused

    with gc_paused():
        return gc.isenabled()


def test_a_brief_runs_with_collection_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    from datetime import UTC, datetime

    from bot.summarize.model import ArticleInput

    states: list[bool] = []
    original = extractive._vectorize

    def spy(sentences):  # type: ignore[no-untyped-def]
        states.append(gc.isenabled())
        return original(sentences)

    monkeypatch.setattr(extractive, "_vectorize", spy)
    when = datetime(2025, 3, 3, 9, tzinfo=UTC)
    article = ArticleInput(
        "1",
        "Kelso dam repairs",
        "Engineers in Kelso found two cracks in the wall of the dam on Monday morning.\n\n"
        "The council will vote on the repair budget for the Kelso dam next Tuesday.",
        published_at=when,
    )
    extractive.ExtractiveSummarizer().summarize(
        "Kelso", [article], since=when, until=when, now=when
    )
    assert states == [False]
    assert gc.isenabled()


def test_a_brief_from_rows_stored_without_marks_is_the_same() -> None:
    """Articles analysed before analyzer a14 carry no stored pattern results (`marks`) nor
    counted numbers (`cardinals`): the brief finds them itself and says the same. Two dated
    reports of one story, so that supersession, answered questions, a later toll and the lead
    all read them."""
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from bot.render.json_out import brief_to_json
    from bot.summarize.analysis import analyze_article
    from bot.summarize.model import ArticleInput

    day = datetime(2025, 3, 10, 8, tzinfo=UTC)
    reports = [
        (
            "Flood hits Harwick valley",
            "Floods killed 12 people in the Harwick valley on Sunday, the regional council said. "
            "The council is expected to vote on emergency funds for Harwick on Tuesday. "
            "It is not known when the Lenby bridge will be reopened to traffic. "
            "Rescuers evacuated 300 residents from Lenby as the river rose overnight.",
        ),
        (
            "Harwick flood toll rises to 31",
            "The death toll from the Harwick valley floods rose to 31 on Monday, officials said. "
            "The regional council voted on Tuesday to release emergency funds for Harwick. "
            "Engineers reopened the Lenby bridge to traffic on Tuesday afternoon. "
            "Those evacuated from Lenby were told they could return home by Friday.",
        ),
    ]
    articles = []
    for i, (title, text) in enumerate(reports):
        when = day + timedelta(days=i)
        analysis = analyze_article(title, text, when, None)
        assert any(f.marks is not None for f in analysis.sentences)
        articles.append(
            ArticleInput(
                str(i + 1),
                title,
                text,
                outlet="Valley Post",
                published_at=when,
                sentences=analysis.sentences,
            )
        )
    older = [
        replace(
            a,
            sentences=tuple(replace(f, marks=None, cardinals=None) for f in a.sentences or ()),
        )
        for a in articles
    ]

    def brief(window: list[ArticleInput]) -> str:
        out = extractive.ExtractiveSummarizer(cache_size=0).summarize(
            "harwick flood",
            window,
            since=day - timedelta(days=1),
            until=day + timedelta(days=2),
            now=day + timedelta(days=2),
        )
        return brief_to_json(out)

    stored = brief(articles)
    assert "31" in stored
    assert brief(older) == stored


# --- Issue 14, brief100: the 100-article brief on arrays ------------------------------------
# Each rewrite below must give the very floats the code it replaced gave: the references are
# that code's formulas, written out here over dictionaries.


def _demo_window() -> tuple[list[ArticleInput], list[extractive._Sentence], extractive._Space]:
    from tests.summarize.helpers import DEMO_DIR, load_articles

    ordered = extractive._unique_sorted(load_articles(DEMO_DIR))
    sentences = extractive._extract_uncached(ordered)
    return ordered, sentences, extractive._vectorize(sentences)


def test_support_finds_the_same_whatever_the_block_of_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, sentences, space = _demo_window()
    pool = sentences[:40]

    def run(cells: int) -> tuple[dict[int, list[int]], list[tuple[list[int], list[float]]]]:
        monkeypatch.setattr(extractive, "_SUPPORT_CELLS", cells)
        found = extractive._support(pool, sentences, space)
        rows = []
        for s in pool:
            assert s.expanded is not None
            rows.append((s.expanded[0].tolist(), s.expanded[1].tolist()))
        return found, rows

    one_block = run(10**9)
    assert run(0) == one_block  # blocks of 16: the same supporters and expanded vectors
    assert sum(len(v) for v in one_block[0].values()) > len(pool)  # some support found
    # Shared terms counted as the overlap test reads them: a supporter below the cosine bar
    # holds at least _SUPPORT_MIN_SHARED of the candidate's terms.
    for s in pool:
        for i in one_block[0][s.index][1:]:
            other = sentences[i]
            common = len(s.term_set & other.term_set)
            assert extractive._same_point(s, other, extractive._cosine(s.vec, other.vec)) or (
                common >= extractive._SUPPORT_MIN_SHARED
            )


def test_repetition_cosines_are_the_dictionary_cosines() -> None:
    _, sentences, space = _demo_window()
    pool = sentences[:30]
    extractive._support(pool, sentences, space)
    subject = extractive._subject(sentences, space)
    assert subject  # the demo window has a subject: the vectors are cut and renormalized
    beyond = extractive._Beyond(subject, space.column, pool)

    def without_subject(vec: dict[str, float]) -> dict[str, float]:
        return extractive._normalize({t: w for t, w in vec.items() if t not in subject})

    def expanded(s: extractive._Sentence) -> dict[str, float]:
        assert s.expanded is not None
        cols, vals = s.expanded
        return {space.terms[c]: v for c, v in zip(cols.tolist(), vals.tolist(), strict=True)}

    compared = 0
    for a in pool:
        for b in pool:
            cos, exp = beyond.cosines(a, b)
            assert cos == extractive._cosine(without_subject(a.vec), without_subject(b.vec))
            assert exp == extractive._cosine(
                without_subject(expanded(a)), without_subject(expanded(b))
            )
            compared += cos > 0
    assert compared > len(pool)  # not only the diagonal
    # Sentences left out of the tables are compared one by one, the same way.
    outside = sentences[40]
    assert beyond.cosines(pool[0], outside)[0] == extractive._cosine(
        without_subject(pool[0].vec), without_subject(outside.vec)
    )


def test_article_cosines_in_one_product_are_those_of_blocks() -> None:
    ordered, sentences, space = _demo_window()
    rows, _ = extractive._article_rows(space, sentences, [1.0] * len(ordered), [0] * len(ordered))
    wanted = [1, 4, 7]
    table = extractive._ArticleCosines(rows, wanted)
    assert table.table is not None
    blocks = extractive._ArticleCosines(rows, [])
    assert blocks.table is None
    peers = [0, 2, 3, 9]
    assert (table.between([7, 1], peers) == blocks.between([7, 1], peers)).all()


def test_name_vectors_are_the_dictionary_tf_idf() -> None:
    import math

    ordered, sentences, _ = _demo_window()
    counts, names = extractive._name_counts(len(ordered), sentences)
    # The reference: per article, sentences naming each name; smoothed IDF, 1 + log tf.
    reference: list[dict[str, float]] = [{} for _ in ordered]
    for s in sentences:
        for t in s.names:
            reference[s.article][t] = reference[s.article].get(t, 0.0) + 1.0
    df: dict[str, int] = {}
    for c in reference:
        for t in c:
            df[t] = df.get(t, 0) + 1
    n = len(ordered)
    weights = extractive._name_weights(counts)
    vectors = extractive._unit_name_rows(counts, weights)
    topical = extractive._topical_names(names, frozenset({"ukrain"}))
    assert topical and all(names[c].startswith("ukrain") for c in topical)
    keep = ~np.isin(counts.indices, topical)
    own = extractive._unit_name_rows(counts, weights, keep)
    for a, c in enumerate(reference):
        raw = {
            t: (1.0 + math.log(k)) * (1.0 + math.log((n + 1) / (df[t] + 0.5))) for t, k in c.items()
        }
        for got, kept in (
            (vectors, raw),
            (own, {t: w for t, w in raw.items() if t[:6] != "ukrain"}),
        ):
            row = got.getrow(a)
            mine = {
                names[j]: v for j, v in zip(row.indices.tolist(), row.data.tolist(), strict=True)
            }
            assert mine == pytest.approx(extractive._normalize(kept), rel=1e-12, abs=0)
            assert set(mine) == set(kept)


def test_topical_names_are_those_names_term_finds() -> None:
    names = list(
        dict.fromkeys(
            [
                *extractive._DEMONYMS,
                *extractive._DEMONYMS.values(),
                *("ukrain", "ukrai", "kyiv", "electi", "elect", "greeks", "francs", "thaix"),
            ]
        )
    )
    for topic in ("ukraine", "greek election", "france", "thai", "britain", "u.s. kyiv", "el"):
        terms = frozenset(extractive._terms(topic))
        expected = [
            c for c, u in enumerate(names) if any(extractive._names_term(k, u) for k in terms)
        ]
        assert extractive._topical_names(names, terms) == expected, topic
