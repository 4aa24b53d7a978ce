"""Per-subscription filters: reading `-sport -outlet:example.com +kyiv`, applying them."""

from __future__ import annotations

import pytest

from bot.errors import UserInputError
from bot.summarize.filters import Filters, apply_filters, keeps, parse_filters
from bot.summarize.model import ArticleInput


def article(n: int, title: str, text: str = "", url: str = "", outlet: str | None = None):  # type: ignore[no-untyped-def]
    return ArticleInput(
        id=str(n), title=title, text=text, url=url or f"https://news.example.org/{n}", outlet=outlet
    )


def test_filters_read_and_round_trip() -> None:
    filters = parse_filters('-sport -outlet:www.Example.com +Kyiv -"world cup"')
    assert filters == Filters(("sport", "world cup"), ("example.com",), ("kyiv",))
    assert filters.text == '-sport -"world cup" -outlet:example.com +kyiv'
    assert parse_filters(filters.text) == filters
    assert Filters.from_dict(filters.to_dict()) == filters
    # Slack sends a typed domain as a link; an apostrophe is part of a word.
    assert parse_filters("-outlet:<http://example.com|example.com> -o'brien") == Filters(
        ("o'brien",), ("example.com",)
    )
    assert parse_filters("none").is_empty and parse_filters("").is_empty
    assert Filters().to_dict() is None


def test_a_stored_value_that_is_not_filters_reads_as_none_or_what_is_valid() -> None:
    assert Filters.from_dict(None).is_empty
    assert Filters.from_dict({"exclude": "sport"}).is_empty
    assert Filters.from_dict({"exclude": ["sport", 3, "<@U1>"], "outlets": ["not a domain"]}) == (
        Filters(("sport",))
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("sport", "`sport` needs a sign: `-sport` leaves it out, `+sport` requires it"),
        ("+outlet:example.com", "Outlets can only be left out"),
        ("-outlet:not_a_site", "is not a site's domain"),
        ("-outlet:", "is not a site's domain"),
        ('-"world cup', "A quote is not closed"),
        ("-", "has no word after its sign"),
        ("-<@U123>", "is not a word to filter on"),
        ("-sport +sport", "`sport` is both left out and required"),
        (" ".join(f"-w{i}" for i in range(21)), "At most 20 filters"),
        ("-" + "x" * 61, "is not a word to filter on"),
        ("-x " * 200, "Filters are at most 400 characters"),
    ],
)
def test_bad_filters_say_what_to_type(text: str, says: str) -> None:
    with pytest.raises(UserInputError) as raised:
        parse_filters(text, example="/brief filter ukraine")
    message = str(raised.value)
    assert says in message
    assert "`/brief filter ukraine -sport -outlet:example.com +kyiv`" in message
    assert "\n" not in message


def test_an_excluded_outlet_is_left_out_with_its_subdomains_and_by_name() -> None:
    filters = parse_filters("-outlet:example.com")
    kept = apply_filters(
        [
            article(1, "Talks resume", url="https://www.example.com/a"),
            article(2, "Talks resume", url="https://news.example.com/b"),
            article(3, "Talks resume", url="https://notexample.com/c"),
            article(4, "Talks resume", url="https://other.org/d", outlet="example.com"),
            article(5, "Talks resume", url="https://other.org/e", outlet="Other"),
        ],
        filters,
    )
    assert [a.id for a in kept] == ["3", "5"]


def test_excluded_words_look_at_the_headline_and_opening_only() -> None:
    filters = parse_filters("-sport")
    opening_mention = article(2, "Cup final", "Sports news.\n\nMore.")
    late_mention = article(
        3, "Strikes on the power grid", "Overnight strikes.\n\n" + "x " * 400 + "sport"
    )
    assert not keeps(filters, article(1, "Sport: the derby"))
    assert not keeps(filters, opening_mention)  # plural matches
    assert keeps(filters, late_mention)  # a passing mention further down
    assert keeps(filters, article(4, "Transport ministers meet"))  # whole words only


def test_required_words_keep_articles_mentioning_any_of_them() -> None:
    filters = parse_filters("+kyiv +odesa")
    kept = apply_filters(
        [
            article(1, "Blackouts in Kyiv"),
            article(2, "Port reopens", "The port of Odesa reopened."),
            article(3, "Talks in Geneva", "No mention."),
        ],
        filters,
    )
    assert [a.id for a in kept] == ["1", "2"]
    assert apply_filters([article(1, "x")], Filters()) == [article(1, "x")]
