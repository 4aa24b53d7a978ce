"""Terminal rendering: header, sections, numbered citations, sources, wrapping."""

from __future__ import annotations

from dataclasses import replace

from bot.render.terminal import answer_to_text, brief_to_text
from bot.summarize.model import Bullet
from tests.render.samples import FakeAnswer, empty_brief, evil_brief, huge_brief, sample_brief

EXPECTED_SAMPLE = """\
Ukraine — brief for 14 Mar 2025 · 5 articles · 3 outlets
11–14 Mar 2025 · offline summary

Key provisions
• The ceasefire covers energy infrastructure for 30 days, starting on
  Monday, and may be extended if both sides agree. [1][2]
• Prisoner exchanges resume under the deal. [3]

Open questions
(nothing in the articles)

Next steps
• The Senate votes on the aid package next week. [1][4]

Sources
[1] Talks end with a deal — Reuters, 11 Mar 2025 —
    https://example.com/a?x=1&y=2
[2] Analysis: what the ceasefire covers — BBC, 13 Mar 2025
[3] Kyiv reacts — AP, 12 Mar 2025 — https://news.example.org/kyiv
[4] Senate to vote on aid — Reuters, 14 Mar 2025 —
    http://example.net/vote"""


def test_sample_brief_as_text() -> None:
    assert brief_to_text(sample_brief(), width=72) == EXPECTED_SAMPLE


def test_key_lines_at_default_width() -> None:
    out = brief_to_text(sample_brief())
    lines = out.splitlines()
    assert lines[0] == "Ukraine — brief for 14 Mar 2025 · 5 articles · 3 outlets"
    for title in ("Key provisions", "Open questions", "Next steps", "Sources"):
        assert title in lines
    assert "• Prisoner exchanges resume under the deal. [3]" in lines
    assert "(nothing in the articles)" in lines
    assert "[2] Analysis: what the ceasefire covers — BBC, 13 Mar 2025" in lines


def test_lines_fit_the_width_except_unbreakable_urls() -> None:
    out = brief_to_text(huge_brief(sources=20), width=60)
    for line in out.splitlines():
        assert len(line) <= 60 or "https://" in line, line
    assert "  lorem ipsum" in out  # hanging indent under the bullet


def test_empty_brief_says_so() -> None:
    out = brief_to_text(empty_brief())
    assert "No articles about Ukraine in this window." in out
    assert "Sources" not in out and "Key provisions" not in out


def test_llm_summarizer_and_notes_are_shown() -> None:
    brief = sample_brief(summarizer="llm:gpt-4o-mini", notes=["llm fallback: timeout"])
    out = brief_to_text(brief)
    assert "11–14 Mar 2025 · LLM: gpt-4o-mini" in out
    assert out.endswith("Note: llm fallback: timeout")


def test_no_terminal_escape_sequences_get_through() -> None:
    brief = sample_brief()
    nasty = replace(
        brief,
        sections={**brief.sections, "open_questions": (Bullet("red\x1b[31m text\u202e", ("a1",)),)},
    )
    out = brief_to_text(nasty)
    assert "\x1b" not in out and "\u202e" not in out
    assert "• red [31m text [1]" in out


def test_evil_brief_renders_as_text_without_failing() -> None:
    out = brief_to_text(evil_brief())
    assert "<!channel> hello" in out  # a terminal shows it literally


def test_answer_found_has_citations_and_sources() -> None:
    brief = sample_brief()
    answer = FakeAnswer(
        "When does it start?",
        True,
        "It starts on Monday.\n\nIt lasts 30 days.",
        ("a3", "a1"),
        (brief.sources[0], brief.sources[1]),
    )
    out = answer_to_text(answer)
    assert out.splitlines() == [
        "It starts on Monday.",
        "",
        "It lasts 30 days. [1][2]",
        "",
        "Sources",
        "[1] Analysis: what the ceasefire covers — BBC, 13 Mar 2025",
        "[2] Talks end with a deal — Reuters, 11 Mar 2025 — https://example.com/a?x=1&y=2",
    ]


def test_answer_not_found_is_the_plain_answer() -> None:
    answer = FakeAnswer("Who won?", False, "The stored articles don't answer this.", (), ())
    assert answer_to_text(answer) == "The stored articles don't answer this."
    blank = FakeAnswer("Who won?", False, "", (), ())
    assert answer_to_text(blank) == "The stored articles don't answer this."
