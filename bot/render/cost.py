"""The line under an LLM-made brief saying what it cost (issue 16 item 8), or that the
workspace's monthly token budget is spent and the brief was made offline."""

from __future__ import annotations

from collections.abc import Sequence

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


def written_line(code: str | None, read_in: Sequence[str] = ()) -> str:
    """ "Written in German by the LLM from articles in English and French." under a brief an
    LLM wrote in the language asked for, from the languages of the articles it read ("" when
    none was asked, it was made offline, or it is English from English articles, as before
    languages)."""
    others = [c for c in read_in if c != code]
    if not code or (code == "en" and not others):
        return ""
    from bot.summarize.writing import language_name

    line = f"Written in {language_name(code)} by the LLM"
    if others:
        names = [language_name(c) for c in read_in]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        line += f" from articles in {listed}"
    return line + "."
