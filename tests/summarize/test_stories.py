"""Story clustering and the salience ranking behind `select_summary`."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from bot.render.terminal import brief_to_text
from bot.summarize import salience
from bot.summarize.extractive import ExtractiveSummarizer
from bot.summarize.model import ArticleInput
from bot.summarize.stories import cluster_stories, story_of
from tests.summarize.helpers import DEMO_DIR, load_articles

DEMO = load_articles(DEMO_DIR)
NOW = datetime(2025, 3, 27, tzinfo=UTC)

# A second story, written for this test: a port strike, three outlets.
PORT = [
    ArticleInput(
        id="p1",
        title="Dock workers strike at Northhaven port over pay",
        text=(
            "Dock workers at Northhaven port walked out on Monday after pay talks with the port "
            "authority collapsed. The union said the strike would last 48 hours. Container "
            "ships were held at anchor outside the harbour. The port authority announced it "
            "would ask a mediator to restart the talks. It remains unclear whether the ferry "
            "terminal will stay open during the strike. Union leaders will meet the mediator "
            "on Thursday."
        ),
        outlet="Northhaven Gazette",
        published_at=datetime(2025, 3, 24, tzinfo=UTC),
    ),
    ArticleInput(
        id="p2",
        title="Northhaven port strike strands container ships",
        text=(
            "A 48-hour strike by dock workers halted cargo handling at Northhaven port on "
            "Monday. The port authority announced it would ask a mediator to restart pay talks "
            "with the union. Shipping lines diverted two container ships to other harbours. "
            "The union is expected to meet the mediator on Thursday."
        ),
        outlet="Coastal Business Daily",
        published_at=datetime(2025, 3, 24, 12, tzinfo=UTC),
    ),
    ArticleInput(
        id="p3",
        title="Mediator called in as Northhaven dock strike enters second day",
        text=(
            "The port authority confirmed that a mediator had agreed to lead new pay talks "
            "with dock workers at Northhaven. The strike entered its second day on Tuesday, "
            "with cargo handling still halted. The union said the mediator would meet both "
            "sides on Thursday. Ferry services ran normally."
        ),
        outlet="Harbour Radio",
        published_at=datetime(2025, 3, 25, tzinfo=UTC),
    ),
]


def test_demo_articles_form_one_story_and_the_off_topic_one_stands_alone() -> None:
    stories = cluster_stories(DEMO)
    assert [s.article_ids for s in stories] == [
        tuple(str(i) for i in range(1, 11)),
        ("11",),
    ]


def test_two_stories_are_told_apart_whatever_the_input_order() -> None:
    window = [*DEMO[:10], *PORT]
    expected = {frozenset(str(i) for i in range(1, 11)), frozenset({"p1", "p2", "p3"})}
    for seed in range(5):
        shuffled = list(window)
        random.Random(seed).shuffle(shuffled)
        got = {frozenset(s.article_ids) for s in cluster_stories(shuffled)}
        assert got == expected
    assert cluster_stories([]) == []
    assert story_of(cluster_stories(PORT)) == {"p1": 0, "p2": 0, "p3": 0}


def test_brief_over_two_stories_leads_with_both() -> None:
    brief = ExtractiveSummarizer().summarize(
        "", [*DEMO[:10], *PORT], since=datetime(2025, 3, 1, tzinfo=UTC), until=NOW, now=NOW
    )
    provisions = brief.sections["key_provisions"]
    port_ids = {"p1", "p2", "p3"}
    assert any(set(b.source_ids) & port_ids for b in provisions[:3]), [b.text for b in provisions]
    assert any(not set(b.source_ids) & port_ids for b in provisions[:3])


# Two events of one week under a person's name, written for this test: a memoir says the
# premier broke a pledge to her deputy; her interior minister quits over a permit. Each side
# names the other's people once; every report names the premier.
MEMOIR = [
    (
        "Marlow dismisses memoir claim",
        "Premier Ada Marlow has dismissed claims in a new memoir that she promised Colm Hart she "
        "would stand aside before the autumn vote. The memoir, Hart's Republic, by journalist "
        "Nina Ostrow, says Marlow broke the pledge after cabinet allies led by Piet Varga "
        "intervened. Marlow told Unity Party deputies she would not answer gossip in books. "
        "Hart said he was focused on the campaign.",
    ),
    (
        "Memoir says Marlow broke pledge to Hart",
        "Ada Marlow went back on a promise to hand over to Colm Hart, according to a memoir by "
        "Nina Ostrow serialised on Sunday. Ostrow writes that Marlow and Hart barely spoke for "
        "months. Unity Party deputies fear the rift will hurt the autumn vote. Marlow's office "
        "called the memoir fiction.",
    ),
    (
        "Hart and Marlow rift deepens over memoir",
        "Opposition leader Bram Tessel mocked Ada Marlow over the Ostrow memoir in parliament "
        "on Wednesday, saying her quarrel with Colm Hart was paralysing the Unity Party "
        "government. Marlow replied that the memoir was gossip. Hart sat silently on the front "
        "bench beside Marlow.",
    ),
]
PERMIT = [
    (
        "Varga quits over nanny visa",
        "Interior minister Piet Varga resigned on Tuesday after an inquiry found his office "
        "hurried a residence permit for the nanny of his former partner, Lise Dorn. Ada Marlow "
        "said Varga had acted honourably in stepping down. Investigator Olaf Brandt found an "
        "email from Varga's office asking officials to speed the permit.",
    ),
    (
        "Calls for second Varga inquiry",
        "Opposition parties demanded a second inquiry into how Piet Varga's office sped up the "
        "residence permit for Lise Dorn's nanny. Olaf Brandt's report did not explain who sent "
        "the email, critics said. Dorn declined to comment. Marlow said the matter was closed.",
    ),
    (
        "Poll: Varga affair hurts Marlow",
        "Most voters believe the permit affair that forced Piet Varga out has damaged Ada "
        "Marlow, a poll for the Morning Ledger found. Six in ten said Lise Dorn had acted "
        "out of spite. Nearly half said Varga should return to the cabinet after the vote.",
    ),
]


def test_two_events_that_share_the_topics_name_are_two_labelled_stories() -> None:
    def reports(prefix: str, story: list[tuple[str, str]], first_outlet: int) -> list[ArticleInput]:
        return [
            ArticleInput(
                f"{prefix}{n}",
                title,
                text,
                outlet=f"Outlet {n + first_outlet}",
                published_at=datetime(2025, 3, 10 + n, tzinfo=UTC),
            )
            for n, (title, text) in enumerate(story)
        ]

    articles = reports("m", MEMOIR, 0) + reports("v", PERMIT, 3)
    brief = ExtractiveSummarizer().summarize(
        "marlow", articles, since=datetime(2025, 3, 1, tzinfo=UTC), until=NOW, now=NOW
    )
    # Two groups, each labelled with one of its own headlines, each with its own bullets: the
    # permit reports (which name the premier once each) are not folded into the memoir row.
    assert {frozenset(s.article_ids) for s in brief.stories} == {
        frozenset({"m0", "m1", "m2"}),
        frozenset({"v0", "v1", "v2"}),
    }
    titles = {a.id: a.title for a in articles}
    for k, story in enumerate(brief.stories):
        assert story.label in {titles[i] for i in story.article_ids}
        assert any(b.story == k for b in brief.sections["key_provisions"])
    text = brief_to_text(brief)
    assert all(f"▸ {story.label}" in text for story in brief.stories)


def test_select_summary_respects_budgets_and_drops_repeats() -> None:
    summarizer = ExtractiveSummarizer()
    three = summarizer.select_summary(PORT, max_sentences=3)
    assert len(three) == 3
    words = summarizer.select_summary(DEMO[:10], max_words=60)
    # Stops once the budget is reached: all but the last sentence fit within it.
    assert sum(len(s.split()) for s in words[:-1]) < 60 <= sum(len(s.split()) for s in words)
    everything = summarizer.select_summary([*DEMO[:10], *PORT])
    for i, a in enumerate(everything):
        for b in everything[i + 1 :]:
            assert a != b
    assert summarizer.select_summary([]) == []


def test_salience_uses_leads_only_when_there_are_several_articles() -> None:
    lead = salience.Unit(0, 0, {"truce": 1.0}, 10)
    deep = salience.Unit(0, 8, {"minerals": 1.0}, 10)
    deep_again = salience.Unit(0, 9, {"minerals": 1.0}, 10)
    # One article: the centroid of everything; two sentences about minerals outweigh one lead.
    single = salience.salience([lead, deep, deep_again])
    assert single[1] > single[0]
    # Several articles: what their leads agree on is the news.
    other_lead = salience.Unit(1, 0, {"truce": 1.0}, 10)
    other_deep = salience.Unit(1, 5, {"minerals": 1.0}, 10)
    multi = salience.salience([lead, deep, deep_again, other_lead, other_deep])
    assert multi[0] > multi[1] and multi[3] > multi[4]


def _average_linkage_by_hand(counts: list[dict[str, int]]) -> list[list[int]]:
    """The definition, all pairs at every step: merge the two groups of highest average
    pairwise cosine similarity until none reaches MIN_STORY_SIMILARITY."""
    from bot.summarize.stories import MIN_STORY_SIMILARITY, _vectors

    vectors = _vectors(counts)

    def cosine(i: int, j: int) -> float:
        return sum(w * vectors[j].get(t, 0.0) for t, w in vectors[i].items())

    groups = [[i] for i in range(len(counts))]
    while len(groups) > 1:
        best, pair = -1.0, (0, 0)
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                total = sum(cosine(i, j) for i in groups[a] for j in groups[b])
                average = total / (len(groups[a]) * len(groups[b]))
                if average > best:
                    best, pair = average, (a, b)
        if best < MIN_STORY_SIMILARITY:
            break
        a, b = pair
        groups[a] = sorted(groups[a] + groups[b])
        del groups[b]
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def test_clustering_is_average_linkage_over_many_articles() -> None:
    # 60 made-up articles over 6 stories with shared filler words, some sharing words of two
    # stories: the fast clustering (inverted index, matrix rows merged by addition) gives the
    # groups the plain definition gives.
    from bot.summarize.stories import cluster_counts

    rng = random.Random(7)
    stories = [[f"s{k}w{i}" for i in range(12)] for k in range(6)]
    filler = [f"f{i}" for i in range(40)]
    counts: list[dict[str, int]] = []
    for n in range(60):
        words = rng.choices(stories[n % 6], k=8) + rng.choices(filler, k=10)
        if n % 7 == 0:
            words += rng.choices(stories[(n + 1) % 6], k=5)
        article: dict[str, int] = {}
        for w in words:
            article[w] = article.get(w, 0) + 1
        counts.append(article)
    expected = _average_linkage_by_hand(counts)
    assert 4 <= len(expected) <= 10  # stories found, some joined by their shared words
    assert cluster_counts(counts) == expected


def test_clustering_from_a_count_matrix_gives_the_same_groups() -> None:
    # The brief clusters from its sentences' count matrix (`cluster_matrix`), weighted in
    # numpy: the same groups as the plain definition over the same counts.
    import numpy as np
    from scipy import sparse

    from bot.summarize.stories import cluster_matrix

    rng = random.Random(11)
    stories = [[f"s{k}w{i}" for i in range(12)] for k in range(5)]
    filler = [f"f{i}" for i in range(40)]
    counts: list[dict[str, int]] = []
    for n in range(50):
        words = rng.choices(stories[n % 5], k=8) + rng.choices(filler, k=10)
        if n % 6 == 0:
            words += rng.choices(stories[(n + 2) % 5], k=5)
        article: dict[str, int] = {}
        for w in words:
            article[w] = article.get(w, 0) + 1
        counts.append(article)
    counts.append({})  # an article with no terms stays alone
    column = {t: j for j, t in enumerate(sorted({t for c in counts for t in c}))}
    rows = [(i, column[t], k) for i, c in enumerate(counts) for t, k in c.items()]
    i, j, k = (np.array(x) for x in zip(*rows, strict=True))
    matrix = sparse.csr_matrix((k.astype(float), (i, j)), shape=(len(counts), len(column)))
    expected = _average_linkage_by_hand(counts)
    assert 4 <= len(expected) <= 12
    assert cluster_matrix(matrix) == expected


def test_first_pass_finds_the_stories_the_exact_clustering_finds_on_two_events() -> None:
    # The cheap first pass of a large window (rare-term candidates, then single linkage on
    # full cosines) agrees with the brief's average linkage where the stories are clear.
    from bot.summarize.stories import first_pass_groups, stored_counts

    window = [*DEMO, *PORT]
    labels = first_pass_groups(stored_counts(window)).tolist()
    first_pass = {
        frozenset(a.id for a, k in zip(window, labels, strict=True) if k == g) for g in labels
    }
    assert first_pass == {frozenset(s.article_ids) for s in cluster_stories(window)}


def test_a_window_larger_than_a_brief_reads_is_briefed_on_its_largest_stories(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 14 articles, 13 read: the Ukraine talks (10 reports) and the port strike (3) are read,
    # the lone central bank report is not; the brief says how many it read of how many.
    from bot.render.common import brief_counts
    from bot.summarize import extractive

    monkeypatch.setattr(extractive, "MAX_ARTICLES_READ", 13)
    window = [*DEMO, *PORT]
    summarizer = ExtractiveSummarizer()
    since = datetime(2025, 3, 1, tzinfo=UTC)
    # A topic none of them names: the largest stories.
    brief = summarizer.summarize("volcano", window, since=since, until=NOW, now=NOW)
    assert brief.article_count == 13 and brief.articles_in_window == 14
    assert brief_counts(brief).startswith("13 of 14 articles (the largest stories)")
    story_ids = {i for s in brief.stories for i in s.article_ids}
    assert "11" not in story_ids
    assert "11" not in {i for b in brief.bullets() for i in b.source_ids}
    # Three read (a bound of 4, less a tenth per article over it): the story that names the
    # topic comes before the larger one.
    monkeypatch.setattr(extractive, "MAX_ARTICLES_READ", 4)
    brief = summarizer.summarize("Northhaven port", window, since=since, until=NOW, now=NOW)
    assert brief.article_count == 3
    cited = {i for b in brief.bullets() for i in b.source_ids}
    assert cited and cited <= {"p1", "p2", "p3"}


def test_a_window_far_over_the_bound_reads_fewer_articles_than_one_just_over_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Grouping a large window costs work of its own, so each article over the bound takes a
    # tenth of an article off what the brief reads: the brief's cost stays about that of the
    # bound. Just over the bound it still reads about the bound (no step), never under half.
    from bot.render.common import brief_counts
    from bot.summarize import extractive
    from bot.summarize.stories import read_budget

    assert [read_budget(n) for n in (999, 1000, 1001, 2000, 5000, 20000)] == [
        999,
        1000,
        1000,
        900,
        600,
        500,
    ]
    monkeypatch.setattr(extractive, "MAX_ARTICLES_READ", 4)
    window = [*DEMO, *PORT]  # 14 articles, 10 over the bound: one article fewer
    since = datetime(2025, 3, 1, tzinfo=UTC)
    brief = ExtractiveSummarizer().summarize("volcano", window, since=since, until=NOW, now=NOW)
    assert brief.article_count == 3 and brief.articles_in_window == 14
    assert brief_counts(brief).startswith("3 of 14 articles (the largest stories)")
