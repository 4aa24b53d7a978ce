"""What an editor checks in a brief: citations that hold, later facts over earlier ones, next
steps still ahead, a lead per story, stories kept apart. Sample articles written for these tests."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.render.terminal import brief_to_text
from bot.summarize.extractive import ExtractiveSummarizer
from bot.summarize.model import ArticleInput, Brief

SINCE = datetime(2025, 3, 1, tzinfo=UTC)
UNTIL = datetime(2025, 3, 31, tzinfo=UTC)


def day(n: int) -> datetime:
    return datetime(2025, 3, n, 9, tzinfo=UTC)


def brief_of(topic: str, *articles: ArticleInput) -> Brief:
    return ExtractiveSummarizer().summarize(topic, articles, since=SINCE, until=UNTIL, now=UNTIL)


def test_an_article_that_does_not_state_the_claim_is_not_cited() -> None:
    a = ArticleInput(
        "1",
        "Harbour strike talks",
        "Dock workers in Northhaven accepted a 30-day truce in their strike on Tuesday, the "
        "union said after talks with the port authority.\n\n"
        "Cargo handling in Northhaven will resume on Wednesday morning, the port authority said.",
        outlet="Coast Daily",
        published_at=day(4),
    )
    b = ArticleInput(
        "2",
        "Harbour strike talks continue",
        "Dock workers in Northhaven accepted a 90-day truce in their strike on Tuesday, the "
        "union said after talks with the port authority.\n\n"
        "Ferry services in the region ran normally throughout the week of talks.",
        outlet="Harbour Radio",
        published_at=day(4),
    )
    brief = brief_of("northhaven strike", a, b)
    truce = [x for x in brief.bullets() if "-day truce" in x.text]
    assert truce, brief.to_dict()
    for bullet in truce:  # 30 days or 90: one article each, never both
        assert len(bullet.source_ids) == 1, bullet
        assert "reported by" not in bullet.text
        expected = "Coast Daily" if "30-day" in bullet.text else "Harbour Radio"
        assert bullet.outlets == (expected,)


def test_reported_by_counts_the_outlets_that_state_it_and_lists_them() -> None:
    text = (
        "Dock workers in Northhaven accepted a 30-day truce in their strike on Tuesday, the "
        "union said after talks with the port authority."
    )
    a = ArticleInput("1", "Truce at Northhaven", text, outlet="Coast Daily", published_at=day(4))
    b = ArticleInput(
        "2",
        "Northhaven dockers agree truce",
        "Northhaven dock workers agreed to a 30-day truce in the strike on Tuesday after talks "
        "between the union and the port authority.",
        outlet="Harbour Radio",
        published_at=day(4),
    )
    brief = brief_of("northhaven strike", a, b)
    (bullet,) = [x for x in brief.bullets() if "30-day" in x.text]
    assert set(bullet.source_ids) == {"1", "2"}
    assert bullet.text.endswith("(reported by 2 sources)")
    assert set(bullet.outlets) == {"Coast Daily", "Harbour Radio"}
    assert brief.to_dict()["sections"]["key_provisions"][0]["outlets"]


def test_a_later_figure_supersedes_an_earlier_one() -> None:
    first = ArticleInput(
        "1",
        "Flood in Riverton",
        "The Riverton fire service has confirmed that at least 12 people died in the flood in "
        "Riverton, as rescuers searched the lower town.",
        outlet="Valley Times",
        published_at=day(3),
    )
    later = ArticleInput(
        "2",
        "Riverton flood toll rises",
        "The Riverton fire service has confirmed that 31 people died in the flood in Riverton, "
        "after rescuers finished searching the lower town.",
        outlet="Valley Times",
        published_at=day(5),
    )
    brief = brief_of("riverton flood", first, later)
    texts = " ".join(x.text for x in brief.bullets())
    assert "31 people" in texts, brief.to_dict()
    assert "12 people" not in texts


def test_a_next_step_whose_date_has_passed_by_the_newest_article_is_dropped() -> None:
    early = ArticleInput(
        "1",
        "Riverton bridge vote",
        "The Riverton council approved the new bridge over the Aller on Monday by 9 votes to 2.\n\n"
        "The council is due to choose a builder for the Aller bridge on 10 March.",
        outlet="Valley Times",
        published_at=day(3),
    )
    newest = ArticleInput(
        "2",
        "Riverton picks bridge builder",
        "The Riverton council chose Hanse Bau to build the new bridge over the Aller on Monday.",
        outlet="Valley Times",
        published_at=day(12),
    )
    brief = brief_of("riverton bridge", early, newest)
    assert not any("10 March" in x.text for x in brief.sections["next_steps"]), brief.to_dict()


def test_a_next_step_promised_within_days_by_a_report_weeks_old_is_dropped() -> None:
    early = ArticleInput(
        "1",
        "Riverton bridge vote",
        "The Riverton council approved the new bridge over the Aller on Monday by 9 votes to 2.\n\n"
        "The council will name the bridge's site engineers immediately, the mayor said.\n\n"
        "The regional government will review the bridge's funding plan before construction.",
        outlet="Valley Times",
        published_at=day(3),
    )
    newest = ArticleInput(
        "2",
        "Riverton picks bridge builder",
        "The Riverton council chose Hanse Bau to build the new bridge over the Aller on Monday.",
        outlet="Valley Times",
        published_at=day(20),
    )
    steps = [b.text for b in brief_of("riverton bridge", early, newest).sections["next_steps"]]
    assert not any("immediately" in x for x in steps), steps
    # The same promise in a report of the newest week is still ahead.
    recent = ArticleInput("1", early.title, early.text, outlet=early.outlet, published_at=day(18))
    steps = [b.text for b in brief_of("riverton bridge", recent, newest).sections["next_steps"]]
    assert any("immediately" in x for x in steps), steps


def test_each_story_opens_with_a_lead_and_two_stories_are_labelled_groups() -> None:
    port = [
        ArticleInput(
            f"p{n}",
            title,
            text,
            outlet=outlet,
            published_at=day(20 + n),
        )
        for n, (title, text, outlet) in enumerate(
            [
                (
                    "Dock strike halts Northhaven port",
                    "Dock workers at Northhaven walked out on Monday, halting cargo handling at "
                    "the port of Northhaven. The union said 1,200 members joined the strike at "
                    "Northhaven. The strike is the first at Northhaven in a decade.",
                    "Coast Daily",
                ),
                (
                    "Northhaven strike enters second day",
                    "The strike by 1,200 dock workers at Northhaven entered its second day on "
                    "Tuesday. Cargo handling at Northhaven remained halted. The union is expected "
                    "to meet a mediator on Thursday.",
                    "Harbour Radio",
                ),
            ]
        )
    ]
    flood = [
        ArticleInput(
            f"f{n}",
            title,
            text,
            outlet=outlet,
            published_at=day(1 + n),
        )
        for n, (title, text, outlet) in enumerate(
            [
                (
                    "Flood hits Riverton",
                    "Floodwater from the Aller swept through Riverton on Saturday, forcing 300 "
                    "residents of Riverton from their homes. The Aller burst its banks in "
                    "Riverton after three days of rain.",
                    "Valley Times",
                ),
                (
                    "Riverton clean-up begins",
                    "Residents of Riverton began clearing mud on Sunday after the Aller flood "
                    "forced 300 people from their homes in Riverton. Engineers will inspect the "
                    "Aller embankments in Riverton next week.",
                    "Riverside Post",
                ),
            ]
        )
    ]
    brief = brief_of("", *port, *flood)
    assert len(brief.stories) == 2, brief.to_dict()
    assert {frozenset(s.article_ids) for s in brief.stories} == {
        frozenset({"p0", "p1"}),
        frozenset({"f0", "f1"}),
    }
    provisions = brief.sections["key_provisions"]
    assert {b.story for b in provisions} == {0, 1}
    leads = [next(b for b in provisions if b.story == k) for k in (0, 1)]
    for lead, story in zip(leads, brief.stories, strict=True):
        assert set(lead.source_ids) <= set(story.article_ids)
    assert any("Northhaven" in lead.text for lead in leads)
    assert any("Riverton" in lead.text for lead in leads)
    text = brief_to_text(brief)
    for story in brief.stories:
        assert f"▸ {story.label}" in text
    assert [s["article_ids"] for s in brief.to_dict()["stories"]] == [
        list(s.article_ids) for s in brief.stories
    ]
    assert Brief.from_dict(brief.to_dict()) == brief


def test_one_story_is_not_grouped() -> None:
    flood = ArticleInput(
        "1",
        "Flood hits Riverton",
        "Floodwater from the Aller swept through Riverton on Saturday, forcing 300 residents from "
        "their homes in Riverton. Engineers will inspect the Aller embankments next week.",
        outlet="Valley Times",
        published_at=day(1),
    )
    brief = brief_of("riverton", flood)
    assert len(brief.stories) <= 1
    assert "▸" not in brief_to_text(brief)


def test_an_article_that_only_mentions_the_topic_is_kept_out_of_it() -> None:
    talks = ArticleInput(
        "1",
        "Ukraine and Poland agree grain corridor",
        "Ukraine and Poland agreed on Tuesday to open a new grain corridor through the border "
        "town of Dorohusk. Ukraine will ship the first 20 trains of wheat next week, the Polish "
        "transport ministry said.",
        outlet="Border Daily",
        published_at=day(4),
    )
    crash = ArticleInput(
        "2",
        "Cargo plane crashes near Lisbon",
        "The Portuguese aviation authority announced on Tuesday that it had suspended the "
        "licence of Atlantic Cargo after one of its planes crashed near Lisbon, killing six. "
        "The crew came from Portugal, Ukraine and Brazil, the airline said. The authority "
        "will publish its first findings on the crash next month.",
        outlet="Air Wire",
        published_at=day(4),
    )
    bikes = ArticleInput(
        "3",
        "City approves bicycle lanes",
        "The Riverton city council approved 12 kilometres of new bicycle lanes on Tuesday and "
        "announced that it will ban cars from the old town. Construction of the bicycle lanes "
        "will begin in May, the council said.",
        outlet="Valley Times",
        published_at=day(4),
    )
    brief = brief_of("ukraine", talks, crash, bikes)
    cited = {i for b in brief.bullets() for i in b.source_ids}
    assert cited == {"1"}, brief.to_dict()


def test_each_articles_lede_can_be_a_key_provision() -> None:
    # Plain reports of what happened have no provision-like wording; as articles' first
    # sentences they are what the brief must say, not only the one picked as the story's lead.
    ledes = [
        "Firefighters from Eastvale Fire Service battled the blaze at the Kingsway bus depot "
        "in Marlow through Friday night.",
        "Eastvale Police arrested a local mechanic in Marlow over the depot fire on Saturday.",
        "The Marlow depot fire caused damage worth 3 million pounds, Marlow council said on "
        "Sunday.",
    ]
    articles = [
        ArticleInput(
            str(n),
            f"Marlow depot fire, day {n}",
            f"{lede}\n\nNeighbours in Marlow described smoke over the estate for hours after "
            "the depot fire.",
            outlet=f"Outlet {n}",
            published_at=day(7 + n),
        )
        for n, lede in enumerate(ledes)
    ]
    kept = " ".join(b.text for b in brief_of("depot fire", *articles).sections["key_provisions"])
    assert "battled the blaze" in kept
    assert "arrested a local mechanic" in kept
    assert "3 million pounds" in kept


def test_a_lead_is_dated_only_by_its_own_article() -> None:
    # The fire's date is written only in the first report; the lead is about the arrests a
    # week later. Its dateline must not carry the fire's date, nor cite the fire report for it.
    first = ArticleInput(
        "1",
        "Depot fire in Marlow",
        "Fire crews fought a blaze at the Marlow bus depot on 3 March, Eastvale Fire Service "
        "said.\n\nThe blaze on 3 March started in a workshop at the Marlow depot, firefighters "
        "said.",
        outlet="Marlow Courier",
        published_at=day(3),
    )
    second = ArticleInput(
        "2",
        "Arrests over Marlow depot fire",
        "Eastvale Police arrested two men in Marlow over the blaze that destroyed the bus "
        "depot.\n\nEastvale Police said the men from Marlow were released on bail.\n\n"
        "Eastvale Police said the Marlow depot blaze was started deliberately.",
        outlet="Eastvale News",
        published_at=day(10),
    )
    third = ArticleInput(
        "3",
        "Marlow depot: arrests",
        "Two men were arrested in Marlow by Eastvale Police over the depot blaze.\n\n"
        "Eastvale Police said the two men from Marlow were released on bail.",
        outlet="Radio Marlow",
        published_at=day(11),
    )
    brief = brief_of("depot blaze", first, second, third)
    arrests = [b for b in brief.sections["key_provisions"] if "arrested" in b.text]
    assert arrests
    for b in arrests:
        assert "3 March" not in b.text, b.text
        assert "1" not in b.source_ids, b


def test_bullets_that_point_back_into_the_article_are_left_out() -> None:
    from bot.summarize.extractive import leans_on_context

    assert leans_on_context("He will ask the committee to look into this particular case.")
    assert leans_on_context("Earlier it was announced the search would move north.")
    assert leans_on_context("The company is not changing its formula with this new phone.")
    assert not leans_on_context("This week the council approved the new budget for Marlow.")
    assert not leans_on_context(
        "The council approved a new budget, and this budget raises spending on buses."
    )
    a = ArticleInput(
        "1",
        "Marlow council budget",
        "Marlow council approved a budget of 40 million pounds on Tuesday.\n\n"
        "The mayor said she would ask auditors to review this particular case with great care.",
        outlet="Marlow Courier",
        published_at=day(5),
    )
    text = brief_to_text(brief_of("marlow budget", a))
    assert "approved a budget" in text
    assert "this particular case" not in text


def test_a_bullet_that_echoes_an_action_it_never_states_is_left_out() -> None:
    from bot.summarize.extractive import leans_on_context

    assert leans_on_context("The other two gunmen followed suit minutes later.")
    assert not leans_on_context("Harwick raised its flood alert on Sunday, and Lenby did the same.")
    assert not leans_on_context("Lenby will do the same thing every winter, the mayor said.")
    a = ArticleInput(
        "1",
        "Harwick flood alert",
        "Harwick council approved a flood defence budget of 12 million pounds on Tuesday."
        "\n\nThe vote on Tuesday came after the Lenby water board did the same.",
        outlet="Fen Gazette",
        published_at=day(5),
    )
    text = brief_to_text(brief_of("harwick", a))
    assert "approved a flood defence budget" in text
    assert "did the same" not in text


def test_a_later_higher_toll_replaces_the_first_one() -> None:
    first = ArticleInput(
        "1",
        "Ferry sinks off Karsa",
        "At least 40 people were killed when a ferry sank off the island of Karsa on Monday, "
        "the Karsa coast guard said.",
        outlet="Island Wire",
        published_at=day(3),
    )
    later = ArticleInput(
        "2",
        "Karsa ferry toll rises",
        "The death toll from the Karsa ferry disaster has risen to 112 after divers recovered "
        "more bodies from the wreck, the Karsa coast guard said.",
        outlet="Harbour Radio",
        published_at=day(6),
    )
    text = brief_to_text(brief_of("karsa ferry", first, later))
    assert "112" in text
    assert "At least 40 people" not in text


def test_an_early_toll_in_a_side_clause_is_cut_and_the_rest_kept() -> None:
    # The first report's point (the inspectors' finding) does not go out of date with its count:
    # only the clause carrying the count does.
    first = ArticleInput(
        "1",
        "Marenna ferry sinking off Karsa blamed on overloading",
        "The sinking of the Marenna ferry off Karsa, which killed at least 40 people, was caused "
        "by overloading at the harbour quay, inspectors told the regional parliament on Monday."
        "\n\nDivers of the Karsa coast guard searched the wreck of the Marenna through the night.",
        outlet="Island Wire",
        published_at=day(3),
    )
    later = ArticleInput(
        "2",
        "Marenna ferry toll rises",
        "The death toll from the Marenna ferry disaster off Karsa has risen to 112 after divers "
        "recovered more bodies from the wreck, the Karsa coast guard said.",
        outlet="Harbour Radio",
        published_at=day(6),
    )
    brief = brief_of("karsa ferry", first, later)
    text = brief_to_text(brief)
    assert "112" in text
    assert "40 people" not in text
    (finding,) = [b for b in brief.bullets() if "overloading" in b.text]
    assert finding.text.startswith("The sinking of the Marenna ferry off Karsa was caused by")
    assert finding.source_ids == ("1",)


def test_a_condition_filed_as_an_open_question_says_it_is_open() -> None:
    a = ArticleInput(
        "1",
        "Northhaven truce agreed",
        "Dock workers in Northhaven accepted a 30-day truce on Tuesday, the union said.\n\n"
        "The truce depends on the port authority's acceptance of the union's pay demands.",
        outlet="Coast Daily",
        published_at=day(4),
    )
    (question,) = brief_of("northhaven truce", a).sections["open_questions"]
    assert "depends on the port authority" in question.text
    assert "not yet known whether that will happen" in question.text


def test_an_agent_noun_names_the_topic() -> None:
    from bot.summarize.extractive import _names_all

    assert _names_all(frozenset({"london", "bomb"}), frozenset({"bomber", "london", "attack"}))
    assert not _names_all(frozenset({"london", "bomb"}), frozenset({"london", "attack"}))
    assert not _names_all(frozenset({"us"}), frozenset({"use"}))


def test_a_lead_is_not_dated_by_the_day_the_story_began() -> None:
    # The lead (the wreck found, reported on 24 and 25 March) comes from an article that also
    # writes the day the ferry went missing: "2 March — divers found the wreck" would be false.
    first = ArticleInput(
        "1",
        "Ferry Gullwing missing off Port Ardent",
        "The ferry Gullwing lost contact with Port Ardent harbour control on 2 March, the "
        "coastguard said.",
        outlet="Ardent Post",
        published_at=day(2),
    )
    second = ArticleInput(
        "2",
        "Gullwing wreck found",
        "Divers from the Port Ardent coastguard found the wreck of the ferry Gullwing with 41 "
        "people aboard in 60 metres of water off Cape Lorne.\n\n"
        "The Gullwing left Port Ardent on 2 March and lost contact with harbour control on "
        "2 March, an hour after it sailed.\n\n"
        "Relatives of those aboard the Gullwing met the coastguard in Port Ardent.",
        outlet="Harbour Radio",
        published_at=day(24),
    )
    third = ArticleInput(
        "3",
        "Divers reach Gullwing",
        "Coastguard divers found the wreck of the Gullwing with 41 people aboard off Cape "
        "Lorne, Port Ardent coastguard said.\n\n"
        "Search boats from Cape Lorne had looked for the missing ferry since 2 March.",
        outlet="Lorne Times",
        published_at=day(25),
    )
    brief = brief_of("gullwing", first, second, third)
    wreck = [b for b in brief.sections["key_provisions"] if "found the wreck" in b.text]
    assert wreck, brief.to_dict()
    assert "2 March" not in wreck[0].text, wreck[0].text


def test_a_country_named_for_its_nationality_is_the_same_topic() -> None:
    # "french strike": the second report says "France", never "French"; it is about the topic.
    first = ArticleInput(
        "1",
        "French rail strike begins",
        "French train drivers walked out on Monday over a pension reform, the CGT union said."
        "\n\nCommuters in Lyon queued for buses outside the main station.",
        outlet="Rail Weekly",
        published_at=day(3),
    )
    second = ArticleInput(
        "2",
        "Trains halted across France",
        "Drivers in France cancelled 4,000 services on Tuesday on the second day of the strike."
        "\n\nThe transport ministry in France asked employers to let staff work from home.",
        outlet="Paris Matin",
        published_at=day(4),
    )
    brief = brief_of("french strike", first, second)
    assert any("4,000 services" in b.text for b in brief.bullets()), brief.to_dict()


def test_headlines_and_first_person_asides_are_not_bullets() -> None:
    from bot.summarize.extractive import speaks_for_itself

    assert not speaks_for_itself("Survey upgrades Northland quake to 7.9 after agency review")
    assert not speaks_for_itself("As I speak, rescue teams are searching the homes in Kelso.")
    assert not speaks_for_itself("We're live in Kelso, where the Northland quake struck.")
    assert speaks_for_itself('"We will rebuild Kelso," the mayor of Kelso said on Monday.')
    assert speaks_for_itself("The Northland quake destroyed 300 homes in Kelso on Sunday.")


def test_a_lead_reports_what_happened_not_what_did_not() -> None:
    from bot.summarize.extractive import reports_what_happened

    assert not reports_what_happened(
        "The Northland water board did not, however, give a date for reopening the Kelso dam."
    )
    assert not reports_what_happened("The board has not given a date for the Kelso dam.")
    assert reports_what_happened("Engineers found two cracks in the wall of the Kelso dam.")


def test_a_standing_reliance_is_not_an_open_question() -> None:
    # "has been dependent on loans since 2019" is a fact, not a condition whose outcome is open.
    article = ArticleInput(
        "1",
        "Northland budget talks",
        "The Northland parliament approved a budget of 4 billion crowns on Monday after two "
        "weeks of talks.\n\n"
        "Northland has been dependent on emergency loans from the Southland central bank since "
        "2019.\n\n"
        "The Northland finance minister will present the tax plan to parliament on 20 March.",
        outlet="Kelso News",
        published_at=day(3),
    )
    brief = brief_of("northland budget", article)
    assert not brief.sections["open_questions"], brief.to_dict()
    assert "not yet known whether" not in brief_to_text(brief)


def test_a_short_question_about_no_one_is_a_subhead_not_an_open_question() -> None:
    from bot.summarize import extractive
    from bot.summarize.sections import SectionLabel

    def question(index: int, text: str, names: frozenset[str]) -> extractive._Sentence:
        label = SectionLabel("open_questions", 3.0, 0.0, 3.0, 0.0, 0.0)
        words = tuple(extractive._terms(text))
        return extractive._Sentence(
            index,
            0,
            index,
            text,
            tuple(dict.fromkeys(words, 1).items()),
            frozenset(words),
            label,
            names=names,
        )

    subhead = question(0, "Are the recent floods linked?", frozenset())
    real = question(1, "Will the Northland water board open the Kelso dam?", frozenset({"kelso"}))
    extractive._not_conditions([subhead, real])
    assert subhead.label.section is None
    assert real.label.section == "open_questions"


def test_a_month_the_claim_names_must_be_in_the_cited_passage() -> None:
    # Both say the ferry was launched; only one says when. "Launched in April" cites that one.
    a = ArticleInput(
        "1",
        "Northhaven ferry enters service",
        "The Northhaven Ferry Company launched its new electric ferry Aurora in April, the "
        "company said on Tuesday.",
        outlet="Coast Daily",
        published_at=day(4),
    )
    b = ArticleInput(
        "2",
        "Aurora ferry draws crowds",
        "The Northhaven Ferry Company launched its new electric ferry Aurora to crowds of "
        "onlookers, the company said on Tuesday.",
        outlet="Harbour Radio",
        published_at=day(4),
    )
    brief = brief_of("northhaven ferry", a, b)
    april = [x for x in brief.bullets() if "in April" in x.text]
    assert april, brief.to_dict()
    for bullet in april:
        assert bullet.source_ids == ("1",), bullet
        assert bullet.outlets == ("Coast Daily",)


def test_reports_of_one_event_from_different_angles_are_one_story() -> None:
    # The search, the carrier's apology, the recorder: other words each time, the same names
    # (the carrier, the strait, the cities). One story, one lead, no labelled groups.
    texts = [
        (
            "Plane missing over strait",
            "A Kestrel Air jet with 140 passengers vanished from radar over the Varna Strait on "
            "Saturday after leaving Port Elsin for Morrow City. Controllers lost contact forty "
            "minutes into the routine morning hop. Relatives waited in the arrivals hall for "
            "hours.",
        ),
        (
            "Divers face strong currents",
            "Navy divers fighting strong currents and poor visibility searched reefs in the Varna "
            "Strait on Sunday for wreckage of the Kestrel Air jet. Sonar teams from Port Elsin "
            "will work through the night, Admiral Tova Rhee said. Fishing boats joined the hunt "
            "at first light.",
        ),
        (
            "Carrier chief apologises",
            "Kestrel Air chief executive Mara Quill apologised on Monday to grieving families in "
            "Morrow City and promised compensation. She grounded the carrier's remaining jets for "
            "safety inspections. Shares tumbled in Port Elsin trading as investors fled.",
        ),
        (
            "Black box found",
            "Investigators recovered the flight recorder of the Kestrel Air jet from the seabed of "
            "the Varna Strait on Tuesday, Admiral Tova Rhee announced in Port Elsin. Analysts in "
            "Morrow City will study the recorder. Families welcomed the discovery.",
        ),
    ]
    articles = [
        ArticleInput(str(n + 1), title, text, outlet=f"Outlet {n}", published_at=day(n + 1))
        for n, (title, text) in enumerate(texts)
    ]
    brief = brief_of("kestrel air", *articles)
    assert len(brief.stories) == 1, brief.stories
    assert set(brief.stories[0].article_ids) == {"1", "2", "3", "4"}
    assert "▸" not in brief_to_text(brief)


def test_points_that_share_only_the_storys_own_words_are_not_repeats() -> None:
    # Every report names "the missing Kestrel Air jet" and "the Varna Strait": that is what the
    # window is about, not a repeated point. The search resuming is news beside the loss.
    texts = [
        (
            "Kestrel Air jet missing over Varna Strait",
            "The missing Kestrel Air jet vanished over the Varna Strait on Saturday with 140 "
            "passengers, Kestrel Air said. The missing Kestrel Air jet was flying from Port Elsin "
            "to Morrow City.",
        ),
        (
            "Search for missing Kestrel Air jet",
            "Search planes spotted debris in the Varna Strait during the search for the missing "
            "Kestrel Air jet, the coastguard said. The search for the missing Kestrel Air jet "
            "resumed at dawn.",
        ),
        (
            "Missing Kestrel Air jet crashed, minister says",
            "The missing Kestrel Air jet crashed into the Varna Strait, Elsin's prime minister "
            "announced on Monday. Families of the 140 passengers on the missing Kestrel Air jet "
            "were told first.",
        ),
        (
            "Kestrel Air search goes on",
            "The search for the missing Kestrel Air jet in the Varna Strait entered its fourth "
            "day on Tuesday. Kestrel Air said the missing jet had been serviced in February.",
        ),
    ]
    articles = [
        ArticleInput(str(n + 1), title, text, outlet=f"Outlet {n}", published_at=day(n + 1))
        for n, (title, text) in enumerate(texts)
    ]
    brief = brief_of("kestrel air", *articles)
    texts_shown = [b.text for b in brief.bullets()]
    assert any("vanished" in t for t in texts_shown), texts_shown
    # The search going on is news beside the loss (from the report of the search's fourth
    # day, or the one where it resumed at dawn: the same point).
    assert any(
        "search" in t.lower() and ("resumed" in t or "fourth day" in t) for t in texts_shown
    ), texts_shown


def test_a_state_something_left_it_in_is_not_an_open_question() -> None:
    # "a crisis that has left it dependent on loans since 2019" states how things are; it is
    # no condition whose outcome is open ("not yet known whether that will happen").
    article = ArticleInput(
        "1",
        "Northland budget talks",
        "The Northland parliament approved a budget of 4 billion crowns on Monday after two "
        "weeks of talks.\n\n"
        "Opposition leader Ivo Brand criticised the finance minister over Northland's banking "
        "crisis, which has left it dependent on emergency loans from the Southland central bank "
        "since 2019.\n\n"
        "The Northland finance minister will present the tax plan to parliament on 20 March.",
        outlet="Kelso News",
        published_at=day(3),
    )
    brief = brief_of("northland budget", article)
    assert "not yet known whether" not in brief_to_text(brief), brief.to_dict()
    assert not any("dependent" in b.text for b in brief.sections["open_questions"])


# The fictional ferry Marisol: each report opens with its own news; three of them state, each
# in its own words, how many were on board.
MARISOL = [
    "Rescue boats from Port Ellery searched the Tarrant Sound through the night after the "
    "ferry Marisol sank there on Sunday evening. Fishing crews from Port Ellery joined the "
    "search. The Marisol was carrying 212 passengers and crew.",
    "Divers from the Port Ellery coastguard reached the wreck of the Marisol in the Tarrant "
    "Sound on Tuesday. Relatives waited at the Port Ellery terminal for news. The coastguard "
    "said 212 people had been aboard the ferry.",
    "Captain Ilse Brandt told investigators in Port Ellery that the Marisol's engine had "
    "failed in the storm. She was among the last to leave. Of the 212 people on the ferry, "
    "180 were pulled alive from the water.",
    "Tarrant Lines, the owner of the Marisol, suspended all its crossings of the Tarrant "
    "Sound until the inquiry in Port Ellery reports.",
]


def test_the_lead_holds_the_figure_the_reports_agree_on() -> None:
    articles = [
        ArticleInput(
            str(n + 1),
            "Ferry Marisol",
            text,
            outlet=f"Outlet {n + 1}",
            published_at=day(3 + n),
        )
        for n, text in enumerate(MARISOL)
    ]
    brief = brief_of("marisol ferry", *articles)
    lead = brief.sections["key_provisions"][0].text
    # How many were on board: three of the four reports say 212.
    assert "212" in lead, brief.sections["key_provisions"]


def test_such_and_a_noun_it_never_named_points_back() -> None:
    # "such agreements" alone: which agreements, only the sentence before said.
    from bot.summarize.extractive import leans_on_context

    assert leans_on_context("The opposition leader replied that such deals had been made twice.")
    assert not leans_on_context("Officials said it was such a relief to see the ferry return.")
    assert not leans_on_context('The mayor said "such threats will not move us" after the vote.')
    assert not leans_on_context("The port bans vehicles such as lorries and vans from the quay.")
    assert not leans_on_context("The council may impose such measures as curfews on the harbour.")
    assert not leans_on_context("Two deals were signed, and such deals are rare in Marlow.")
