"""The extractive summarizer: contract, redundancy, citations, determinism, speed."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.summarize.analysis import analyze_article
from bot.summarize.extractive import MAX_BULLET_CHARS, ExtractiveSummarizer, natural_key
from bot.summarize.model import SECTIONS, ArticleInput, Brief, section_cap
from tests.summarize.helpers import synthetic_articles

SINCE = datetime(2025, 3, 1, tzinfo=UTC)
UNTIL = datetime(2025, 3, 31, 23, 59, tzinfo=UTC)
NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


def brief_of(articles: list[ArticleInput], topic: str = "ukraine", **kwargs: int) -> Brief:
    return ExtractiveSummarizer(**kwargs).summarize(
        topic, articles, since=SINCE, until=UNTIL, now=NOW
    )


def article(
    id_: str, outlet: str, text: str, title: str = "Ukraine talks in Jeddah"
) -> ArticleInput:
    return ArticleInput(
        id=id_,
        title=title,
        text=text,
        outlet=outlet,
        url=f"https://{outlet.lower().replace(' ', '')}.example/{id_}",
        published_at=datetime(2025, 3, 12, 8, tzinfo=UTC),
    )


REUTERS = article(
    "1",
    "Reuters",
    "JEDDAH, Saudi Arabia (Reuters) - Ukraine accepted a U.S. proposal for an immediate "
    "30-day ceasefire with Russia on Tuesday after talks in Jeddah.\n\n"
    "The United States said it would immediately resume intelligence sharing and security "
    "assistance to Kyiv.\n\n"
    "It remains unclear whether Moscow will agree to the truce.\n\n"
    "U.S. officials will present the proposal to Russian negotiators later this week.\n\n"
    "Analysts say the talks mark a turning point in the war.",
)
AP = article(
    "2",
    "AP",
    "Kyiv agreed on Tuesday to a U.S. plan for an immediate 30-day ceasefire with Russia, "
    "following talks held in Jeddah.\n\n"
    "Washington will immediately resume security assistance and intelligence sharing with "
    "Ukraine, officials said.\n\n"
    "The Kremlin has yet to say whether it will accept the ceasefire.\n\n"
    "Both delegations agreed to name their negotiating teams for a lasting peace.",
)
ECB = article(
    "3",
    "Bloomberg",
    "The European Central Bank cut its deposit rate by a quarter point to 2.5 percent on "
    "Thursday.\n\nThe bank signalled that further cuts will depend on inflation data.\n\n"
    "Policymakers will meet again in April to review the outlook for growth.",
    title="ECB cuts rates again",
)


def test_contract_name_version_and_brief_fields() -> None:
    summarizer = ExtractiveSummarizer()
    assert summarizer.name == "extractive"
    assert summarizer.version.startswith("extractive-")
    brief = brief_of([REUTERS, AP])
    assert brief.summarizer == "extractive"
    assert brief.topic == "ukraine"
    assert (brief.since, brief.until, brief.generated_at) == (SINCE, UNTIL, NOW)
    assert brief.article_count == 2
    assert Brief.from_dict(brief.to_dict()) == brief


def test_no_articles_gives_an_empty_brief() -> None:
    brief = brief_of([])
    assert brief.is_empty and brief.sources == ()


def test_articles_without_usable_sentences_give_an_empty_brief() -> None:
    brief = brief_of([article("9", "X", "Short.\n\nLeave a Reply")])
    assert brief.is_empty


def test_same_point_in_other_words_is_one_bullet_citing_both() -> None:
    brief = brief_of([REUTERS, AP])
    ceasefire = [b for b in brief.bullets() if "30-day" in b.text]
    assert len(ceasefire) == 1, brief.to_dict()
    assert set(ceasefire[0].source_ids) == {"1", "2"}
    assert ceasefire[0].text.endswith("(reported by 2 sources)")
    intelligence = [b for b in brief.bullets() if "intelligence" in b.text]
    assert len(intelligence) == 1 and set(intelligence[0].source_ids) == {"1", "2"}


def test_sections_get_their_kind_of_bullet() -> None:
    brief = brief_of([REUTERS, AP])
    texts = {name: " ".join(b.text for b in brief.sections[name]) for name in SECTIONS}
    assert "ceasefire" in texts["key_provisions"]
    assert "whether" in texts["open_questions"]
    assert "negotiat" in texts["next_steps"] or "later this week" in texts["next_steps"]
    assert all("turning point" not in b.text for b in brief.bullets())
    assert "JEDDAH" not in " ".join(b.text for b in brief.bullets())  # dateline removed


def test_off_topic_article_is_not_cited_first() -> None:
    brief = brief_of([REUTERS, AP, ECB])
    for name in ("key_provisions", "open_questions"):
        assert brief.sections[name] and brief.sections[name][0].source_ids[0] in {"1", "2"}


def test_every_bullet_cites_an_input_article_and_limits_hold() -> None:
    articles = synthetic_articles(30, 400)
    ids = {a.id for a in articles}
    brief = brief_of(articles, topic="grain exports")
    assert not brief.is_empty
    for name in SECTIONS:
        assert len(brief.sections[name]) <= section_cap(name)
    for bullet in brief.bullets():
        assert bullet.source_ids and set(bullet.source_ids) <= ids
        assert len(bullet.text) <= MAX_BULLET_CHARS
    cited = {i for b in brief.bullets() for i in b.source_ids}
    assert {s.id for s in brief.sources} == cited


def test_deterministic_and_independent_of_input_order() -> None:
    articles = [REUTERS, AP, ECB, *synthetic_articles(12, 300, first_id=10)]
    first = brief_of(articles).to_dict()
    assert brief_of(articles).to_dict() == first
    for seed in range(3):
        shuffled = list(articles)
        random.Random(seed).shuffle(shuffled)
        assert brief_of(shuffled).to_dict()["sections"] == first["sections"]


def test_cache_does_not_change_output() -> None:
    articles = [REUTERS, AP, *synthetic_articles(5, 300, first_id=10)]
    cached = ExtractiveSummarizer(cache_size=4)
    outputs = [
        cached.summarize("ukraine", articles, since=SINCE, until=UNTIL, now=NOW).to_dict()
        for _ in range(3)
    ]
    assert outputs[0] == outputs[1] == outputs[2] == brief_of(articles, cache_size=0).to_dict()


def test_syndicated_copies_count_as_outlets() -> None:
    syndicated = ArticleInput(
        id="1",
        title=REUTERS.title,
        text=REUTERS.text,
        outlet="Reuters",
        also_in=("Yahoo News", "Reuters"),
    )
    brief = brief_of([syndicated])
    assert any(b.text.endswith("(reported by 2 sources)") for b in brief.bullets())


def test_duplicate_ids_are_resolved_independently_of_order() -> None:
    twin = article("1", "AP", AP.text)
    assert brief_of([REUTERS, twin]).to_dict() == brief_of([twin, REUTERS]).to_dict()


def test_natural_key_orders_numeric_ids() -> None:
    assert sorted(["10", "2", "1", "a"], key=natural_key) == ["1", "2", "10", "a"]


@pytest.mark.slow
def test_one_hundred_analysed_articles_make_a_brief() -> None:
    # As in the product: ingestion analysed each article once; the brief reads the analysis.
    # Its speed is measured in bench/brief_speed.py, not asserted here (shared, noisy machine).
    articles = [
        replace(a, sentences=analyze_article(a.title, a.text, a.published_at, None).sentences)
        for a in synthetic_articles(100, 600)
    ]
    summarizer = ExtractiveSummarizer(cache_size=0)
    brief = summarizer.summarize("grain exports", articles, since=SINCE, until=UNTIL, now=NOW)
    assert not brief.is_empty
    cited = {source_id for bullet in brief.bullets() for source_id in bullet.source_ids}
    assert cited <= {a.id for a in articles}


def test_a_point_restated_in_other_words_is_one_bullet_citing_both() -> None:
    day = datetime(2025, 5, 2, tzinfo=UTC)
    a = ArticleInput(
        "1",
        "Council approves river plan",
        "The city council approved the river restoration plan on Thursday by a vote of 7 to 2. "
        "The plan commits 4 million euros to rebuilding the flood banks.\n\n"
        "Construction will begin in September, and the council will review costs in March.\n",
        outlet="Valley Times",
        published_at=day,
    )
    b = ArticleInput(
        "2",
        "River plan passes",
        "Councillors approved the river restoration plan, committing 4 million euros to new "
        "flood banks. Work is expected to start in September, and councillors will review the "
        "costs in March.\n",
        outlet="Riverside Post",
        published_at=day,
    )
    brief = ExtractiveSummarizer().summarize("river plan", [a, b], since=day, until=day, now=day)
    next_steps = brief.sections["next_steps"]
    assert len(next_steps) == 1
    assert "in September" in next_steps[0].text
    assert next_steps[0].text.endswith("(reported by 2 sources)")
    assert set(next_steps[0].source_ids) == {"1", "2"}


def test_a_reanalysed_article_is_briefed_from_its_new_analysis() -> None:
    # A long-lived summarizer (a brief worker) saw the article's first analysis; the analysis
    # stage (or `db reindex`) then stored a new one in which a sentence the brief quoted is a
    # heading. Its next brief must read the new analysis, as a fresh summarizer does.
    articles = [REUTERS, AP, *synthetic_articles(5, 300, first_id=10)]
    first = [
        replace(a, sentences=analyze_article(a.title, a.text, a.published_at, None).sentences)
        for a in articles
    ]
    summarizer = ExtractiveSummarizer()
    before = summarizer.summarize("ukraine", first, since=SINCE, until=UNTIL, now=NOW)

    def quoted(brief: Brief, text: str) -> bool:
        return any(text in b.text for b in brief.bullets())

    lead = next(f for f in first[0].sentences if quoted(before, f.text))
    relabelled = tuple(replace(f, kind="heading") if f is lead else f for f in first[0].sentences)
    second = [replace(first[0], sentences=relabelled), *first[1:]]
    after = summarizer.summarize("ukraine", second, since=SINCE, until=UNTIL, now=NOW)
    assert after.to_dict() == brief_of(second, cache_size=0).to_dict()
    assert not quoted(after, lead.text)


def test_an_analysis_is_parsed_again_only_when_it_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import copy

    from bot.summarize import extractive

    articles = [
        replace(
            a,
            sentences=analyze_article(a.title, a.text, a.published_at, None).sentences,
            analysis_version="a1+plain",
        )
        for a in [REUTERS, AP]
    ]
    parses: list[str] = []
    real = extractive._parse_article

    def counting(article: ArticleInput, **kwargs: object) -> object:
        parses.append(article.id)
        return real(article, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(extractive, "_parse_article", counting)
    summarizer = ExtractiveSummarizer()
    summarizer.summarize("ukraine", articles, since=SINCE, until=UNTIL, now=NOW)
    # A brief worker receives every brief's articles as new objects (pickled): same version,
    # same analysis, no second parse.
    summarizer.summarize("ukraine", copy.deepcopy(articles), since=SINCE, until=UNTIL, now=NOW)
    assert sorted(parses) == sorted(a.id for a in articles)
    # A newer analyzer's analysis (here: its first sentence now a heading) is parsed again.
    relabelled = (replace(articles[0].sentences[0], kind="heading"), *articles[0].sentences[1:])
    newer = [
        replace(articles[0], sentences=relabelled, analysis_version="a2+plain"),
        articles[1],
    ]
    summarizer.summarize("ukraine", newer, since=SINCE, until=UNTIL, now=NOW)
    assert parses.count(articles[0].id) == 2 and parses.count(articles[1].id) == 1
