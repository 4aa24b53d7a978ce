"""A plain .txt whose first line is a date is dated by it, and titled by the line after."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.ingest.files import dateline_date, is_headline, read_file


def test_a_date_line_dates_the_file_and_the_next_line_titles_it(tmp_path: Path) -> None:
    path = tmp_path / "statement.txt"
    path.write_text(
        "14 Mar 2025, Fri\n\n"
        "US resumes intelligence sharing with Ukraine\n\n"
        "The United States said on Tuesday it would resume intelligence sharing with Ukraine.\n"
    )
    doc = read_file(path)
    assert doc.published_at == datetime(2025, 3, 14, tzinfo=UTC)
    assert doc.title == "US resumes intelligence sharing with Ukraine"
    assert doc.text.startswith("The United States said on Tuesday")


def test_a_title_that_mentions_a_date_stays_a_title(tmp_path: Path) -> None:
    path = tmp_path / "talks.txt"
    path.write_text("March 14 talks end in Jeddah\n\nDelegations left Jeddah on Friday evening.\n")
    doc = read_file(path)
    assert doc.title == "March 14 talks end in Jeddah"
    assert doc.published_at is None


def test_date_lines() -> None:
    assert dateline_date("Saturday, January 8, 2005") == datetime(2005, 1, 8, tzinfo=UTC)
    assert dateline_date("2025-03-14") == datetime(2025, 3, 14, tzinfo=UTC)
    assert dateline_date("The 2025 budget") is None
    assert dateline_date("Ukraine talks") is None


def test_a_long_first_sentence_after_the_date_line_is_text_not_the_title(tmp_path: Path) -> None:
    # A saved statement: its date, then straight into its opening sentence, no headline. Taken
    # as the title, that sentence left the text and the brief opened with the second one.
    path = tmp_path / "harbour.txt"
    path.write_text(
        "7 Mar 2025, Fri\n\n"
        "The harbour board of Dunmere has reopened the ferry route to Northholm after divers "
        "finished their survey of the wreck, according to a statement from the board.\n\n"
        "The route had been closed for three weeks.\n"
    )
    doc = read_file(path)
    assert doc.published_at == datetime(2025, 3, 7, tzinfo=UTC)
    assert doc.text.startswith("The harbour board of Dunmere has reopened the ferry route")
    assert doc.title.startswith("The harbour board of Dunmere") and len(doc.title) < 80


def test_headline_lines() -> None:
    assert is_headline("US resumes intelligence sharing with Ukraine")
    assert is_headline(
        "Will Russia accept a 30-day ceasefire in Ukraine after the talks in Jeddah?"
    )
    assert is_headline("Ferry route reopens.")  # short: a headline with a stop
    assert not is_headline(
        "The U.S. government has resumed military assistance and intelligence sharing with "
        "Ukraine, according to a joint statement."
    )
