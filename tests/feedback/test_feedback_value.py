"""The overflow option value: bounded, and anything forged parses to None."""

from __future__ import annotations

from bot.render.feedback_value import MAX_VALUE, Vote, encode, parse


def test_round_trip() -> None:
    assert parse(encode(-1, ["Reuters", "BBC News"], "Kyiv strike")) == Vote(
        -1, ("Reuters", "BBC News"), "Kyiv strike"
    )
    assert parse(encode(1, ["AP"], None)) == Vote(1, ("AP",), None)


def test_bounded_whatever_the_input() -> None:
    value = encode(-1, ["x" * 500, "a|b;c", "y" * 90, "z", "w"], "s" * 1000)
    assert len(value) <= MAX_VALUE
    vote = parse(value)
    assert vote is not None and len(vote.outlets) == 3 and "a b c" in vote.outlets


def test_forged_values_are_refused() -> None:
    for value in (None, 3, "", "v1|?|AP|", "v2|-|AP|", "v1|-||", "v1|-|AP", "v1|-|" + "x" * 200):
        assert parse(value) is None
