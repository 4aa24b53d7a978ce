"""Slack Block Kit rendering: valid blocks, within Slack's limits, and injection-safe."""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.render.blocks import (
    DEFAULT_FOOTER,
    Message,
    answer_to_message,
    brief_to_message,
    brief_to_plain_text,
)
from bot.render.common import slack_len
from bot.summarize.model import ArticleInput, Bullet, SourceRef, build_brief
from tests.render.samples import (
    EVIL_TITLE,
    GENERATED,
    SINCE,
    UNTIL,
    FakeAnswer,
    all_strings,
    article,
    assert_inert,
    empty_brief,
    evil_brief,
    huge_brief,
    mrkdwn_texts,
    oversized_brief,
    sample_brief,
)


def check_message(message: Message) -> None:
    """Every limit Slack enforces, and every block parses back to itself."""
    assert isinstance(message.text, str) and message.text.strip()
    assert slack_len(message.text) <= 3000
    assert 1 <= len(message.blocks) <= 50
    for block in message.blocks:
        parsed = Block.parse(block)
        assert parsed is not None and parsed.to_dict() == block
        kind = block["type"]
        if kind == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < slack_len(block["text"]["text"]) <= 150
        elif kind == "section":
            assert 0 < slack_len(block["text"]["text"]) <= 3000
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= 10
            for element in block["elements"]:
                assert 0 < slack_len(element["text"]) <= 2000
        else:
            assert kind == "divider"
    assert message.to_kwargs() == {"text": message.text, "blocks": message.blocks}


def texts_of(message: Message) -> list[str]:
    return [message.text, *mrkdwn_texts(message.blocks)]


def section_texts(message: Message) -> list[str]:
    return [b["text"]["text"] for b in message.blocks if b["type"] == "section"]


# -- layout ----------------------------------------------------------------------------------


def test_sample_brief_layout() -> None:
    message = brief_to_message(sample_brief())
    check_message(message)
    kinds = [b["type"] for b in message.blocks]
    assert kinds == [
        "header",
        "section",
        "section",
        "section",
        "divider",
        "section",
        "context",
        "context",
    ]
    assert message.blocks[0]["text"]["text"] == "Ukraine — brief for 14 Mar 2025"
    key, open_q, next_steps, sources = section_texts(message)
    assert key.startswith("*Key provisions*\n• The ceasefire covers")
    assert (
        "— <https://example.com/a?x=1&amp;y=2|Reuters>, “Analysis: what the ceasefire covers”"
        in key
    )
    assert open_q == "*Open questions*\n_Nothing in the articles._"
    # Two Reuters articles cited by one bullet stay distinguishable.
    assert next_steps.endswith(
        "— <http://example.net/vote|Reuters>, <https://example.com/a?x=1&amp;y=2|Reuters (2)>"
    )
    assert sources.splitlines() == [
        "*Sources*",
        "• <https://example.com/a?x=1&amp;y=2|Talks end with a deal> — Reuters, 11 Mar 2025",
        "• Analysis: what the ceasefire covers — BBC, 13 Mar 2025",
        "• <https://news.example.org/kyiv|Kyiv reacts> — AP, 12 Mar 2025",
        "• <http://example.net/vote|Senate to vote on aid> — Reuters, 14 Mar 2025",
    ]
    meta, footer = (b["elements"][0]["text"] for b in message.blocks[-2:])
    assert meta == "11–14 Mar 2025 · 5 articles · 3 outlets · offline summary"
    assert footer == DEFAULT_FOOTER


def test_plain_text_fallback() -> None:
    text = brief_to_plain_text(sample_brief())
    assert text.splitlines()[:3] == [
        "Ukraine — brief for 14 Mar 2025",
        "Key provisions:",
        "• The ceasefire covers energy infrastructure for 30 days, starting on Monday, and may "
        "be extended if both sides agree.",
    ]
    assert "<" not in text and "Open questions" not in text
    assert brief_to_message(sample_brief()).text == text


def test_title_prefix_marks_and_footer_options() -> None:
    message = brief_to_message(
        sample_brief(summarizer="llm:gpt-4o-mini"),
        title_prefix="Daily digest",
        new_marks={
            "Prisoner exchanges resume under the deal.": "new",
            "The Senate votes on the aid package next week.": "<!channel> updated",
        },
        footer=None,
    )
    check_message(message)
    assert message.blocks[0]["text"]["text"] == "Daily digest: Ukraine — brief for 14 Mar 2025"
    assert message.text.startswith("Daily digest: Ukraine — brief for 14 Mar 2025")
    texts = section_texts(message)
    assert "• _new_ Prisoner exchanges resume under the deal." in texts[0]
    assert "• _&lt;!channel&gt; updated_ The Senate votes" in texts[2]
    assert "<https://news.example.org/kyiv|Kyiv reacts> — AP, 12 Mar 2025" in texts[3]
    assert message.blocks[-1]["type"] == "context"
    assert message.blocks[-1]["elements"][0]["text"].endswith("· LLM: gpt-4o-mini")
    for text in texts_of(message):
        assert_inert(text)


def test_empty_brief_message() -> None:
    message = brief_to_message(empty_brief())
    check_message(message)
    assert [b["type"] for b in message.blocks] == ["header", "section", "context"]
    assert section_texts(message) == ["No articles about *Ukraine* in this window."]
    assert "No articles about Ukraine in this window." in message.text


# -- limits ----------------------------------------------------------------------------------


def test_huge_brief_stays_within_limits() -> None:
    brief = huge_brief(bullets=5, bullet_chars=2000, sources=60)
    assert len(brief.bullets()) == 15 and len(brief.sources) == 60
    message = brief_to_message(brief)
    check_message(message)
    texts = "\n".join(section_texts(message))
    # Nothing had to be dropped: all 15 bullets and all 60 sources are there.
    assert texts.count("\n• lorem ipsum") == 15
    assert all(f"https://example.com/{i}/" in texts for i in range(60))
    assert "more sources" not in texts


def test_a_single_overlong_bullet_is_trimmed_at_a_word_boundary() -> None:
    articles = [article("a1", "T", url="https://example.com/a", outlet="Reuters")]
    text = "word & more " * 1000  # 12,000 characters, 24,000 once escaped
    brief = build_brief(
        topic="x",
        articles=articles,
        sections={"key_provisions": [Bullet(text, ("a1",))]},
        since=SINCE,
        until=UNTIL,
        generated_at=GENERATED,
        summarizer="extractive",
    )
    message = brief_to_message(brief)
    check_message(message)
    bullet = section_texts(message)[1]
    assert bullet.startswith("• word &amp; more")
    assert bullet.endswith("… — <https://example.com/a|Reuters>")
    assert re.search(r"(more|&amp;)… — <", bullet)  # cut between words, entity intact


def test_long_sections_split_between_bullets() -> None:
    message = brief_to_message(huge_brief(bullets=5, bullet_chars=1200, sources=15))
    check_message(message)
    for text in section_texts(message):
        if "lorem" in text:
            lines = text.splitlines()
            assert all(line.startswith(("• ", "*")) for line in lines)  # whole bullets only


def test_oversized_brief_is_cut_to_50_blocks_with_a_note() -> None:
    message = brief_to_message(oversized_brief(bullets=200, sources=500))
    check_message(message)
    assert len(message.blocks) == 50
    texts = "\n".join(section_texts(message))
    assert "*Key provisions*" in texts and "*Open questions*" in texts
    assert "*Next steps*" in texts and "*Sources*" in texts
    assert re.search(r"_…and \d+ more\._", texts)
    assert re.search(r"_…and \d+ more sources\._", texts)
    assert message.blocks[-1]["elements"][0]["text"] == DEFAULT_FOOTER


def test_long_topic_header_keeps_the_date() -> None:
    brief = sample_brief(topic="ukraine " + "very long topic " * 31)
    assert len(brief.topic) > 500
    message = brief_to_message(brief, title_prefix="Daily digest")
    check_message(message)
    header = message.blocks[0]["text"]["text"]
    assert header.startswith("Daily digest: Ukraine Very Long Topic")
    assert header.endswith("… — brief for 14 Mar 2025")
    long_prefix = brief_to_message(brief, title_prefix="p" * 400)
    check_message(long_prefix)


def test_long_summarizer_footer_and_outlets_fit() -> None:
    brief = sample_brief(summarizer="llm:" + "m" * 5000)
    message = brief_to_message(brief, footer="f " * 3000)
    check_message(message)


def test_astral_characters_are_counted_as_slack_counts_them() -> None:
    articles = [article("a1", "😀" * 400, url="https://example.com/a", outlet="😀" * 100)]
    brief = build_brief(
        topic="😀 " * 200,
        articles=articles,
        sections={"next_steps": [Bullet("😀 " * 3000, ("a1",))]},
        since=SINCE,
        until=UNTIL,
        generated_at=GENERATED,
        summarizer="extractive",
    )
    check_message(brief_to_message(brief))


# -- safety ----------------------------------------------------------------------------------

FORBIDDEN = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123>",
    "<@U999>",
    "<http://evil",
    "<https://evil",
    "<!subteam",
    "javascript:",
)


def test_evil_article_cannot_ping_or_link() -> None:
    message = brief_to_message(evil_brief())
    check_message(message)
    for text in [message.text, *all_strings(message.blocks)]:
        for bad in FORBIDDEN:
            assert bad not in text, (bad, text)
    for text in texts_of(message):
        assert_inert(text)
    sources = section_texts(message)[-1]
    # The javascript: URL is not linked; the title is shown escaped instead.
    assert "• &lt;!channel&gt; hello &lt;@U123&gt; &amp; &lt;http://evil¦click&gt; — " in sources
    # A URL with | < > and a space is linked, percent-encoded.
    assert "<https://ok.example.com/a%7Cb%3Ec%3Cd%20e|Pipe ¦ in &lt;title&gt;>" in sources
    assert "@\u2060channel Daily" in sources


def test_the_plain_text_fallback_is_escaped_too() -> None:
    text = brief_to_plain_text(evil_brief())
    assert_inert(text)
    for bad in FORBIDDEN:
        assert bad not in text


def test_random_hostile_text_is_always_inert() -> None:
    rng = random.Random(20250314)
    alphabet = [
        "<",
        ">",
        "&",
        "|",
        "!",
        "@",
        "#",
        "^",
        "*",
        "_",
        "`",
        "~",
        "\n",
        " ",
        "a",
        "é",
        "😀",
        "http://",
        "https://x.y/",
        "<!channel>",
        "&amp;",
        "\u202e",
        "\x1b",
    ]

    def junk(n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, n)))

    for _ in range(150):
        articles = [
            ArticleInput(
                f"a{i}",
                junk(30),
                "body",
                rng.choice([None, junk(10), "https://e.x/" + junk(10)]),
                rng.choice([None, junk(10)]),
                rng.choice([None, SINCE]),
            )
            for i in range(4)
        ]
        sections = {
            name: [
                Bullet(junk(60) or "x", (f"a{rng.randint(0, 3)}", f"a{rng.randint(0, 3)}"))
                for _ in range(rng.randint(0, 3))
            ]
            for name in ("key_provisions", "open_questions", "next_steps")
        }
        brief = build_brief(
            topic=junk(20) or "t",
            articles=articles,
            sections=sections,
            since=SINCE,
            until=UNTIL,
            generated_at=GENERATED,
            summarizer=junk(10) or "extractive",
        )
        marks = {b.text: junk(5) for b in brief.bullets()}
        message = brief_to_message(brief, new_marks=marks)
        check_message(message)
        for text in texts_of(message):
            assert_inert(text)


# -- answers and other messages --------------------------------------------------------------


def sample_answer(**overrides: Any) -> FakeAnswer:
    brief = sample_brief()
    fields: dict[str, Any] = {
        "question": "When does it start?",
        "found": True,
        "answer": "It starts on Monday & lasts 30 days.",
        "source_ids": ("a3", "a1"),
        "sources": brief.sources,
    }
    fields.update(overrides)
    return FakeAnswer(**fields)


def test_answer_message_cites_its_sources() -> None:
    message = answer_to_message(sample_answer())
    check_message(message)
    assert section_texts(message) == [
        "It starts on Monday &amp; lasts 30 days.",
        "*Sources*\n• Analysis: what the ceasefire covers — BBC, 13 Mar 2025\n"
        "• <https://example.com/a?x=1&amp;y=2|Talks end with a deal> — Reuters, 11 Mar 2025",
    ]
    assert message.text == "It starts on Monday &amp; lasts 30 days."


def test_answer_not_found_is_the_plain_answer() -> None:
    answer = sample_answer(
        found=False, answer="The stored articles don't answer this.", source_ids=(), sources=()
    )
    message = answer_to_message(answer)
    check_message(message)
    assert section_texts(message) == ["The stored articles don't answer this."]
    assert message.text == "The stored articles don't answer this."
    blank = answer_to_message(sample_answer(found=False, answer="  ", source_ids=()))
    check_message(blank)
    assert section_texts(blank) == ["The stored articles don't answer this."]


def test_answer_with_hostile_text_and_huge_length() -> None:
    evil_sources = tuple(
        SourceRef(f"e{i}", EVIL_TITLE, "javascript:alert(1)", "<@U123>", None) for i in range(80)
    )
    answer = sample_answer(
        answer=(EVIL_TITLE + " ") * 400 + "\n\nSecond paragraph.",
        source_ids=tuple(s.id for s in evil_sources),
        sources=evil_sources,
    )
    message = answer_to_message(answer)
    check_message(message)
    for text in texts_of(message):
        assert_inert(text)
        for bad in FORBIDDEN:
            assert bad not in text
    joined = "\n".join(section_texts(message))
    assert "Second paragraph." in joined  # a long answer is split, not cut


def test_message_is_frozen() -> None:
    message = brief_to_message(sample_brief())
    with pytest.raises(AttributeError):
        message.text = "x"  # type: ignore[misc]
    assert replace(message, text="y").text == "y"


def test_blocks_are_exactly_what_slack_sdk_writes() -> None:
    """The blocks are built as plain dicts (not slack_sdk's models, for the CPU): each one,
    menus and a digest's buttons included, is what slack_sdk's own model of it writes, key
    order too, and passes its validation."""
    from bot.render.digest_actions import digest_actions, subscribe_button

    brief = sample_brief()
    marks = {brief.sections["key"][0].text: "new"} if brief.sections.get("key") else {}
    messages = [
        brief_to_message(
            brief,
            title_prefix="Daily digest",
            new_marks=marks,
            feedback=True,
            actions=digest_actions(7, "river <plan> & *co*"),
        ),
        brief_to_message(empty_brief(), actions=digest_actions(8, "x" * 300)),
        brief_to_message(huge_brief(), feedback=True),
    ]
    blocks = [b for m in messages for b in m.blocks]
    blocks += [subscribe_button("river plan " * 30)]
    kinds = {b["type"] for b in blocks} | {
        b["accessory"]["type"] for b in blocks if "accessory" in b
    }
    assert kinds >= {"header", "section", "context", "divider", "actions", "overflow"}
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        assert json.dumps(parsed.to_dict()) == json.dumps(block)
