"""👍/👎 on each bullet of a brief: an overflow menu per bullet section, within Slack's limits
for a full brief, whose values name the bullet's outlets."""

from __future__ import annotations

from bot.render.blocks import FEEDBACK_ACTION_ID, MAX_FEEDBACK_BULLETS, brief_to_message
from bot.render.feedback_value import MAX_VALUE, parse
from tests.render.samples import huge_brief, oversized_brief, sample_brief
from tests.render.test_blocks import check_message


def _menus(blocks: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return [
        b["accessory"]
        for b in blocks
        if b["type"] == "section" and b.get("accessory", {}).get("type") == "overflow"
    ]


def test_each_bullet_carries_feedback_naming_its_outlets() -> None:
    message = brief_to_message(sample_brief(), feedback=True)
    check_message(message)
    menus = _menus(message.blocks)
    assert len(menus) == 3  # one per bullet
    first = menus[0]
    assert first["action_id"] == FEEDBACK_ACTION_ID
    up, down = (parse(o["value"]) for o in first["options"])
    assert up is not None and down is not None
    assert (up.vote, down.vote) == (1, -1)
    assert set(down.outlets) == {"Reuters", "BBC"}
    assert [o["text"]["text"] for o in first["options"]] == ["👍 Useful", "👎 Not useful"]
    # Without feedback (a DM, the assistant panel) the brief has no menus.
    assert _menus(brief_to_message(sample_brief()).blocks) == []


def test_full_and_oversized_briefs_stay_within_limits() -> None:
    for brief in (huge_brief(bullets=8, bullet_chars=300, sources=40), oversized_brief()):
        message = brief_to_message(brief, feedback=True)
        check_message(message)
        menus = _menus(message.blocks)
        assert 0 < len(menus) <= MAX_FEEDBACK_BULLETS
        assert all(len(o["value"]) <= MAX_VALUE for m in menus for o in m["options"])
        texts = "\n".join(b["text"]["text"] for b in message.blocks if b["type"] == "section")
        assert "*Key provisions*" in texts and "*Next steps*" in texts and "*Sources*" in texts
    full = huge_brief(bullets=11, bullet_chars=300, sources=40)
    assert len(full.bullets()) == 20  # a full brief: 10 key provisions (section_cap), 5 and 5
    assert len(_menus(brief_to_message(full, feedback=True).blocks)) == 20  # every bullet


def test_a_bullet_with_no_outlet_or_story_has_no_menu() -> None:
    from bot.summarize.model import Bullet, build_brief
    from tests.render.samples import GENERATED, SINCE, UNTIL, article

    brief = build_brief(
        topic="x",
        articles=[article("a1", "T", url="https://example.com/a", outlet=None)],
        sections={"key_provisions": [Bullet("Something happened.", ("a1",))]},
        since=SINCE,
        until=UNTIL,
        generated_at=GENERATED,
        summarizer="extractive",
    )
    message = brief_to_message(brief, feedback=True)
    check_message(message)
    assert _menus(message.blocks) == []
