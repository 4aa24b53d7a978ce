"""What briefbot says about feedback on bullets: the ephemeral thanks after a 👍/👎, and
`/brief why <topic>`. Pure: data in, mrkdwn out; every name taken from articles is escaped."""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.escape import escape_mrkdwn
from bot.service.feedback import Recorded
from bot.service.ranking import Change, Preferences, Ranking

HOW = "Use the ⋮ menu beside a bullet of a brief posted here: 👍 Useful or 👎 Not useful."
BAD_VALUE = "I couldn't read that feedback; please use the ⋮ menu beside a bullet again."
FAILED = "I couldn't record that feedback just now; please try again in a minute."
MAX_LISTED = 15


def _names(labels: Sequence[str]) -> str:
    shown = [f"*{escape_mrkdwn(label)}*" for label in labels]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def thanks(channel_id: str, recorded: Recorded) -> str:
    """E.g. "Thanks — briefs in #news will show fewer items from *Reuters*."."""
    where = f"<#{channel_id}>"
    amount = "more" if recorded.vote > 0 else "fewer"
    parts = []
    if recorded.outlets:
        parts.append(f"{amount} items from {_names(recorded.outlets)}")
    if recorded.story:
        parts.append(f"{'more' if recorded.vote > 0 else 'less'} on “{_names([recorded.story])}”")
    return f"Thanks — briefs in {where} will show {' and '.join(parts)} near the top."


def _change_line(change: Change) -> str:
    votes = ", ".join(
        part
        for part in (
            f"👍 {change.up}" if change.up else "",
            f"👎 {change.down}" if change.down else "",
        )
        if part
    )
    what = "outlet" if change.kind == "outlet" else "story"
    items = f"{change.bullets} bullet{'s' if change.bullets != 1 else ''}"
    return (
        f"• {what} *{escape_mrkdwn(change.label)}* ranked {change.direction} "
        f"({votes}; weight ×{change.weight:.2f}, {items})"
    )


def why(topic: str, ranking: Ranking, prefs: Preferences) -> str:
    """What this channel's feedback changed in the topic's brief, outlets up/down with counts."""
    shown = escape_mrkdwn(topic)
    if prefs.empty:
        return f"No feedback in this channel yet, so the *{shown}* brief is in its own order. {HOW}"
    if not ranking.changes:
        return (
            f"This channel's feedback touches nothing in today's *{shown}* brief "
            f"({len(prefs.outlets)} outlets and {len(prefs.stories)} stories marked)."
        )
    lines = [f"*What this channel's feedback changed in the {shown} brief*"]
    lines += [_change_line(c) for c in ranking.changes[:MAX_LISTED]]
    if len(ranking.changes) > MAX_LISTED:
        lines.append(f"_…and {len(ranking.changes) - MAX_LISTED} more._")
    lines.append("Bullets move within their section; none is hidden and every citation stays.")
    return "\n".join(lines)
