"""Escaping for Slack mrkdwn: article text can neither mention anyone nor add a link."""

from __future__ import annotations

import pytest

from bot.render.escape import (
    MAX_URL_LENGTH,
    escape_label,
    escape_mrkdwn,
    plain_text_safe,
    safe_link,
    safe_url,
)


def test_escape_mrkdwn_escapes_the_three_control_characters() -> None:
    assert escape_mrkdwn("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape_mrkdwn("&lt;") == "&amp;lt;"  # shows literally, never decodes to "<"
    assert escape_mrkdwn("plain *bold* text") == "plain *bold* text"


@pytest.mark.parametrize(
    "raw", ["<!channel>", "<!here>", "<!everyone>", "<@U123>", "<#C123>", "<!subteam^S1|@t>"]
)
def test_escape_mrkdwn_defuses_special_mentions(raw: str) -> None:
    out = escape_mrkdwn(f"hi {raw} there")
    assert raw not in out and "<" not in out and ">" not in out


def test_bare_mentions_are_broken_up_invisibly() -> None:
    out = escape_mrkdwn("ping @channel, @Here and @everyone; mail me@example.com @channels")
    for word in ("@channel,", "@Here", "@everyone"):
        assert word not in out
    assert (
        out.replace("\u2060", "")
        == "ping @channel, @Here and @everyone; mail me@example.com @channels"
    )
    assert "@channels" in out  # not a mention keyword: left alone


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>",
        "ftp://example.com/file",
        "mailto:a@example.com",
        "slack://open",
        "/relative/path",
        "example.com/no-scheme",
        "http://",
        "https:///no-host",
        "http://[::1",
        "",
        "   ",
        None,
        "https://example.com/" + "a" * MAX_URL_LENGTH,
    ],
)
def test_safe_url_rejects_anything_but_absolute_http_urls(url: str | None) -> None:
    assert safe_url(url) is None


def test_safe_url_encodes_what_could_break_the_link() -> None:
    assert safe_url("  https://example.com/a?x=1&y=2  ") == "https://example.com/a?x=1&amp;y=2"
    assert safe_url("HTTPS://Example.com/x") == "HTTPS://Example.com/x"
    out = safe_url("https://ex.com/a|b>c<d e\tf\u202eg")
    assert out == "https://ex.com/a%7Cb%3Ec%3Cd%20e%09f%E2%80%AEg"


def test_safe_link_links_only_safe_urls_and_neutralises_the_label() -> None:
    assert safe_link("https://ex.com/a", "Title") == "<https://ex.com/a|Title>"
    assert safe_link("https://ex.com/a", "A | B <@U1> & C") == (
        "<https://ex.com/a|A ¦ B &lt;@U1&gt; &amp; C>"
    )
    assert safe_link("javascript:alert(1)", "<!channel>") == "&lt;!channel&gt;"
    assert safe_link(None, "No link") == "No link"
    assert safe_link("https://ex.com/a", "  ") == "<https://ex.com/a|https://ex.com/a>"
    assert safe_link("https://ex.com/a", "two\nlines") == "<https://ex.com/a|two lines>"


def test_escape_label_is_one_line_without_bars() -> None:
    assert escape_label("a|b\n<c>") == "a¦b &lt;c&gt;"


def test_safe_url_checks_what_is_actually_sent() -> None:
    # Leading/trailing spaces and control characters are ignored, as browsers do ...
    assert safe_url("\x1b\x00 https://example.com/a \n") == "https://example.com/a"
    # ... but a scheme broken up by a tab (which urlsplit would silently drop) is not a link.
    assert safe_url("java\tscript:alert(1)") is None
    assert safe_url("ht\ttps://example.com/") is None
    assert safe_url("https://%65vil.com") is None


def test_plain_text_safe_for_headers() -> None:
    assert plain_text_safe("<!channel> A & B @here") == "‹!channel› A & B @\u2060here"
