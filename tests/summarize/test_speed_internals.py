"""Speed rewrites of the extractive summarizer's internals that must not change what it finds
(issue 14). Sample sentences written for these tests."""

from __future__ import annotations

import re

import pytest

from bot.summarize import extractive, marks

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
