"""A story followed over several reports: each report's own news after the lead, in date order;
later coverage of one event (its trial, its memorial) in the same story; a speaker left as "he"
is no bullet; a report sharing only the story's words is not cited. Sample articles written
for these tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.summarize.extractive import ExtractiveSummarizer, leans_on_context
from bot.summarize.model import ArticleInput, Brief

SINCE = datetime(2020, 1, 1, tzinfo=UTC)
UNTIL = datetime(2026, 1, 1, tzinfo=UTC)


def brief_of(topic: str, *articles: ArticleInput) -> Brief:
    return ExtractiveSummarizer().summarize(topic, articles, since=SINCE, until=UNTIL, now=UNTIL)


def report(n: int, title: str, text: str, when: datetime) -> ArticleInput:
    return ArticleInput(str(n), title, text, outlet=f"Outlet {n}", published_at=when)


# One flood in the fictional town of Carrowmore followed over three weeks: each report opens
# with its own news, then gives background every report repeats.
FLOOD = [
    (
        "Carrowmore flood",
        "The Brannock river burst its banks at Carrowmore on Monday, flooding 400 homes. "
        "The Brannock river flood at Carrowmore is the worst in forty years, officials said. "
        "Heavy rain had fallen on the Carrowmore valley for nine days.",
    ),
    (
        "Carrowmore flood: army called in",
        "Soldiers built a wall of sandbags along the Brannock river to protect the Carrowmore "
        "hospital on Wednesday. The Brannock river flood at Carrowmore is the worst in forty "
        "years. Heavy rain had fallen on the Carrowmore valley for nine days.",
    ),
    (
        "Carrowmore flood: aid fund",
        "The regional council of Carrowmore opened an aid fund of 2 million euros for families "
        "whose homes were flooded by the Brannock river. The Brannock river flood at Carrowmore "
        "is the worst in forty years. Heavy rain had fallen on the Carrowmore valley for nine "
        "days.",
    ),
    (
        "Carrowmore flood: schools reopen",
        "All eleven schools in Carrowmore reopened on Monday after the Brannock river flood "
        "waters drained away. The Brannock river flood at Carrowmore is the worst in forty years. "
        "Heavy rain had fallen on the Carrowmore valley for nine days.",
    ),
]


def flood_reports() -> list[ArticleInput]:
    return [
        report(n + 1, title, text, datetime(2025, 3, 3 + 6 * n, 9, tzinfo=UTC))
        for n, (title, text) in enumerate(FLOOD)
    ]


def test_each_report_of_a_story_adds_its_own_news_in_date_order() -> None:
    brief = brief_of("carrowmore flood", *flood_reports())
    shown = [b.text for b in brief.sections["key_provisions"]]
    news = ["sandbags", "aid fund", "schools"]
    found = [next((i for i, t in enumerate(shown) if word in t), None) for word in news]
    # Every report's own news is a key provision (not the background all four repeat) ...
    assert None not in found, shown
    # ... and after the lead they follow the reports' dates.
    assert found == sorted(found), shown  # type: ignore[type-var]
    assert sum("worst in forty years" in t for t in shown) <= 1, shown


# The fictional Ostrava Street bombing of 14 May 2021, then its trial and memorial years later:
# far apart in time, in other words, but each later report names the day of the bombing.
BOMBING = [
    (
        "Bomb at Ostrava Street market",
        "A bomb exploded at the Ostrava Street market in Kelden on 14 May 2021, killing 12 "
        "people. Police in Kelden closed the market district. Hospitals in Kelden treated 40 "
        "injured people.",
        datetime(2021, 5, 14, 18, tzinfo=UTC),
    ),
    (
        "Arrests after Kelden market bomb",
        "Kelden police arrested two men over the Ostrava Street market bombing of 14 May 2021. "
        "The two men were questioned in Kelden on Tuesday.",
        datetime(2021, 5, 18, 9, tzinfo=UTC),
    ),
    (
        "Kelden bombing trial opens",
        "The trial of two men accused of the Ostrava Street market bombing in Kelden on 14 May "
        "2021 opened at the Kelden high court. Prosecutors said the two men had planned the "
        "attack for a month.",
        datetime(2022, 9, 6, 9, tzinfo=UTC),
    ),
    (
        "Memorial for market bomb victims",
        "A memorial to the 12 people killed by the bomb at the Ostrava Street market on 14 May "
        "2021 was unveiled in Kelden. Relatives of the victims laid flowers at the Kelden "
        "memorial.",
        datetime(2023, 5, 14, 9, tzinfo=UTC),
    ),
]


def test_later_coverage_naming_the_events_day_is_the_same_story() -> None:
    articles = [report(n + 1, t, x, w) for n, (t, x, w) in enumerate(BOMBING)]
    brief = brief_of("kelden bombing", *articles)
    assert len(brief.stories) <= 1, brief.stories  # one story: no labelled groups
    shown = " ".join(b.text for b in brief.sections["key_provisions"])
    assert "trial" in shown and "memorial" in shown, shown


def test_a_report_of_another_event_months_later_stays_apart() -> None:
    # The same town, the same kind of event, a year later and another day: two stories.
    articles = [report(n + 1, t, x, w) for n, (t, x, w) in enumerate(BOMBING[:2])]
    articles.append(
        report(
            3,
            "Second bomb in Kelden",
            "A bomb exploded at the Kelden bus station on 2 June 2022, injuring 5 people. "
            "Police in Kelden closed the bus station.",
            datetime(2022, 6, 2, 18, tzinfo=UTC),
        )
    )
    articles.append(
        report(
            4,
            "Kelden bus station bomb: arrest",
            "Kelden police arrested a man over the bus station bombing of 2 June 2022. "
            "The man was questioned in Kelden on Friday.",
            datetime(2022, 6, 4, 9, tzinfo=UTC),
        )
    )
    brief = brief_of("kelden bomb", *articles)
    assert len(brief.stories) == 2, brief.stories


def test_a_speaker_left_as_a_pronoun_leans_on_the_sentence_before() -> None:
    assert leans_on_context("The ferry had carried 230 passengers on the night crossing, he said.")
    assert leans_on_context("Talks would resume after the holiday, she added.")
    # Named speakers, or a speaker named before the pronoun, stand alone.
    assert not leans_on_context("The ferry had carried 230 passengers, the harbour master said.")
    assert not leans_on_context("Captain Lund said the ferry was full, and he said it was late.")


def test_a_bullet_whose_speaker_is_only_he_is_left_out() -> None:
    a = report(
        1,
        "Ferry sinks off Tarra",
        "The Tarra ferry sank off the island of Tarra on Sunday night, the coastguard said. "
        "Rescue boats from Tarra picked up 180 survivors, he said. "
        "The Tarra ferry had sailed from Lomm harbour.",
        datetime(2025, 3, 3, 9, tzinfo=UTC),
    )
    brief = brief_of("tarra ferry", a)
    assert brief.bullets(), brief
    assert not any(", he said" in b.text for b in brief.bullets()), brief.bullets()


def test_a_report_sharing_only_the_storys_words_is_not_cited() -> None:
    # Every report names the Kelden police, the Ostrava Street market and the bombing: that is
    # the story. The memorial report shares those words with the photographs bullet, not its
    # point (photographs of suspects released), so it must not be cited for it.
    texts = [
        "A bomb exploded at the Ostrava Street market in Kelden, killing 12 people, Kelden "
        "police said. The Ostrava Street market bombing shocked Kelden.",
        "Kelden police released photographs from the Ostrava Street market bombing. The "
        "Ostrava Street market bombing shocked Kelden.",
        "Kelden police searched three flats after the Ostrava Street market bombing. The "
        "Ostrava Street market bombing shocked Kelden.",
        "Kelden police unveiled a memorial at the Ostrava Street market to the bombing victims "
        "on Sunday. The Ostrava Street market bombing shocked Kelden.",
    ]
    articles = [
        report(
            n + 1,
            f"Kelden bombing, week {n + 1}",
            text,
            datetime(2021, 5, 3 + 4 * n, 9, tzinfo=UTC),
        )
        for n, text in enumerate(texts)
    ]
    brief = brief_of("kelden bombing", *articles)
    cited = [b.source_ids for b in brief.bullets() if "photographs" in b.text]
    assert cited, brief.bullets()
    assert all(ids == ("2",) for ids in cited), cited


# The fictional Tarrow port strike followed over nine reports, each opening with its own news,
# then background, then a detail that five reports repeat (the arrests) or four (the cost).
STRIKE_NEWS = [
    "Dock workers at the port of Tarrow walked out on Monday, halting 30 cargo ships.",
    "Ferry operators at Tarrow cancelled 120 crossings to the Selby islands.",
    "Supermarkets in Tarrow reported empty fruit shelves after 12 days without deliveries.",
    "The Tarrow harbour board offered the dockers a pay rise of 4 percent on Thursday.",
    "In a ballot, 812 Tarrow dockers voted to stay on strike and 95 voted to return.",
    "Fishermen blockaded the Tarrow harbour mouth with 40 trawlers in support of the dockers.",
    "Government mediators invited both sides in the Tarrow dispute to talks in Vellport on Friday.",
    "Negotiators in Vellport signed a deal that ends night shifts for dockers over 55.",
    "The first container ship in a month unloaded at Tarrow on Sunday after the dockers returned.",
]
STRIKE_BACKGROUND = (
    " The Tarrow port strike began over changes to night shifts."
    " Tarrow handles most of Westmark's imported fuel."
)
STRIKE_DETAILS = (
    " Police arrested 14 pickets at the Tarrow gates on the first night of the strike.",
    " The strike has cost Tarrow traders 9 million euros, the chamber of commerce estimated.",
)


def strike_reports(background: str = STRIKE_BACKGROUND) -> list[ArticleInput]:
    start = datetime(2025, 2, 3, 9, tzinfo=UTC)
    return [
        report(
            n + 1,
            "Tarrow port strike",
            news + background + STRIKE_DETAILS[n % 2],
            start + timedelta(days=2 * n),
        )
        for n, news in enumerate(STRIKE_NEWS)
    ]


def test_a_story_with_more_reports_than_room_tells_every_reports_news_before_details() -> None:
    brief = brief_of("tarrow strike", *strike_reports())
    shown = " ".join(b.text for b in brief.sections["key_provisions"])
    # Nine reports, a lead, ten key provisions: the last report's news (the strike is over)
    # is not crowded out by a detail from its first night.
    assert "first container ship" in shown, shown
    assert "Vellport signed a deal" in shown, shown


# Four quieter days of the strike: each report's first line is not a key provision, the next
# is the same line about the union's leader in every report.
QUIET_DAYS = [
    "Ferry operators at Tarrow cancelled every crossing to the islands for the week.",
    "Supermarkets in Tarrow reported empty fruit shelves as container ships waited offshore.",
    "The Tarrow harbour board offered the dockers a pay rise of four percent.",
    "Fishermen blockaded the Tarrow harbour mouth with forty trawlers in support of the dockers.",
]
SAME_LINE = (
    " Mara Quist of the Harbour Workers Union spoke for the Tarrow dockers."
    " The Tarrow docks handle fuel for Westmark."
)


def test_the_same_background_line_in_every_report_is_one_bullet() -> None:
    start = datetime(2025, 2, 3, 9, tzinfo=UTC)
    articles = [
        report(n + 1, "Tarrow port strike", news + SAME_LINE, start + timedelta(days=2 * n))
        for n, news in enumerate(QUIET_DAYS)
    ]
    brief = brief_of("tarrow strike", *articles)
    # Reports two days apart are later news, but this line is the same line each time.
    shown = [b.text.split(" (reported by")[0] for b in brief.sections["key_provisions"]]
    assert len(shown) == len(set(shown)), shown


# One report of another Tarrow story, the mayoral election: its lead is the winner (names,
# numbers), and its first line (the turnout) is a lesser point of the same report.
MAYOR = (
    "Turnout in the Tarrow mayoral election reached 64 percent, the highest in 20 years."
    " Ilse Marren of the Green List won the Tarrow mayoral election on Friday with 5,210 votes,"
    " 40 more than her rival. Ilse Marren promised to settle the Tarrow port strike quickly."
)


def test_a_story_of_one_report_is_told_by_its_lead_not_also_its_first_line() -> None:
    mayor = report(19, "Tarrow mayor elected", MAYOR, datetime(2025, 2, 12, 15, tzinfo=UTC))
    brief = brief_of("tarrow", *strike_reports(), mayor)
    shown = " ".join(b.text for b in brief.sections["key_provisions"])
    assert "Ilse Marren of the Green List won" in shown, shown
    # The report's news is its lead; its turnout line does not take the place of another
    # report's news in the story followed day by day (the deal that ends the strike).
    assert "Vellport signed a deal" in shown, shown


def test_a_reports_first_line_that_names_no_one_but_says_how_many_is_its_news() -> None:
    # The clean-up report opens with how many volunteers did what, naming no person or place:
    # its first line is still its news, told after the earlier reports' own.
    cleanup = (
        "Carrowmore flood: the clean-up",
        "More than 300 volunteers spent the weekend shovelling mud out of the riverside streets "
        "and the old market hall. The Brannock river flood at Carrowmore is the worst in forty "
        "years. Heavy rain had fallen on the Carrowmore valley for nine days.",
    )
    articles = [*flood_reports(), report(5, *cleanup, datetime(2025, 3, 24, 9, tzinfo=UTC))]
    brief = brief_of("carrowmore flood", *articles)
    shown = [b.text for b in brief.sections["key_provisions"]]
    assert any("300 volunteers" in t for t in shown), shown
