"""The line under an LLM-made brief saying what it cost (issue 16 item 8), or that the
workspace's monthly token budget is spent and the brief was made offline."""

from __future__ import annotations

BUDGET_SPENT = (
    "This workspace's monthly LLM token budget (`LLM_MONTHLY_TOKEN_BUDGET`) is used up: "
    "this brief was made offline."
)


def cost_line(
    tokens_in: int,
    tokens_out: int,
    *,
    price_in: float | None,
    price_out: float | None,
    over_budget: bool = False,
) -> str:
    """ "" when there is nothing to say (no LLM tokens, e.g. a cached or offline brief)."""
    if over_budget:
        return BUDGET_SPENT
    if tokens_in + tokens_out <= 0:
        return ""
    line = f"LLM: {tokens_in + tokens_out:,} tokens ({tokens_in:,} in, {tokens_out:,} out)"
    if price_in is not None and price_out is not None:
        cost = tokens_in / 1000 * price_in + tokens_out / 1000 * price_out
        line += f", about ${cost:,.4f}"
    return line + "."


def written_line(code: str | None) -> str:
    """ "Written in German by the LLM." under a brief an LLM wrote in the language asked for
    ("" when none was asked, it was made offline, or it is English, as before languages)."""
    if not code or code == "en":
        return ""
    from bot.summarize.writing import language_name

    return f"Written in {language_name(code)} by the LLM."
