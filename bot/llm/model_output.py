"""Cleaning what an LLM writes before anyone sees it (pure functions, no I/O).

Model output is untrusted: it may carry reasoning markup, code fences, links an article told it
to print (prompt injection), or citations of ids that were never given.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

# Every pattern here reads model output, which is untrusted and can be long: none may take
# super-linear time. Repetitions are bounded ({0,N}) wherever a failed match could otherwise
# rescan the rest of the text from every starting point ("aa." * 4000 made the bare-URL
# pattern quadratic: 3 s for 12 KB); tests/reliability/test_redos.py runs each on long
# adversarial strings.
# <think>…</think> and friends (DeepSeek-R1, Qwen3, some llama.cpp chat templates).
_REASONING_TAGS = ("think", "thinking", "reasoning", "reflection")
_REASONING_OPEN = re.compile(
    r"<(?P<tag>" + "|".join(_REASONING_TAGS) + r")\b[^<>]{0,200}>", re.IGNORECASE
)
# A stray closing tag (some templates put the opening tag in the prompt): drop what precedes it.
_REASONING_CLOSE = re.compile(r"\A.*</(?:" + "|".join(_REASONING_TAGS) + r")\s*>", re.I | re.S)
_FENCE = re.compile(r"```[a-zA-Z0-9_-]*\s*\n?(.*?)```", re.DOTALL)

# Links in every shape a model tends to write them.
_MD_LINK = re.compile(
    r"!?\[(?P<label>[^\[\]\n]{0,500})\]\((?P<url>[^()\s]{1,2048})(?:\s+\"[^\"\n]{0,300}\")?\)"
)
_SLACK_LINK = re.compile(
    r"<(?P<url>(?:[a-z][a-z0-9+.-]{0,31}:|www\.)[^<>|\s]{1,2048})(?:\|(?P<label>[^<>]{0,500}))?>",
    re.IGNORECASE,
)
_URL = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]{0,31}://|\bwww\.|\bmailto:)[^\s<>\"'`]+"
    # a bare host with a path (evil.example/x) is a link too; a bare word like "Amazon.com" is not.
    # At most 10 labels of at most 63 characters (DNS's own limits keep real hosts inside).
    r"|\b(?:[a-z0-9-]{1,63}\.){1,10}[a-z]{2,24}/[^\s<>\"'`]*",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\"»”’"
_SPACES = re.compile(r"\s+")  # every kind: a run of U+2003 left would make `tidy` quadratic
_BULLET_PREFIX = re.compile(r"^\s*(?:[-*•·‣▪–—]|\d{1,2}[.)])\s+")


def _closing_tag(tag: str) -> re.Pattern[str]:
    return re.compile(rf"</{re.escape(tag)}\s{{0,20}}>", re.IGNORECASE)


def strip_reasoning(text: str) -> str:
    """Remove <think>…</think> blocks (closed, unclosed, or with only the closing tag).

    One pass: each opening tag's closing tag is searched for once, from where it opens, so
    thousands of unclosed tags cost one scan, not one scan each.
    """
    parts: list[str] = []
    pos = 0
    while True:
        opening = _REASONING_OPEN.search(text, pos)
        if opening is None:
            parts.append(text[pos:])
            break
        parts.append(text[pos : opening.start()])
        closing = _closing_tag(opening.group("tag")).search(text, opening.end())
        if closing is None:
            break  # never closed (output cut off mid-thought): the rest is reasoning
        pos = closing.end()
    return _REASONING_CLOSE.sub("", "".join(parts))


def strip_fences(text: str) -> str:
    """The body of the first ``` fenced block if there is one, else the text unchanged."""
    match = _FENCE.search(text)
    return match.group(1) if match else text


def _norm_url(url: str) -> str:
    return url.rstrip(_TRAILING).rstrip("/").lower()


def strip_foreign_links(text: str, allowed: Iterable[str | None] = ()) -> str:
    """Remove every URL not in `allowed` (markdown and Slack links keep their plain label)."""
    ok = {_norm_url(u) for u in allowed if u}

    def allowed_url(url: str) -> bool:
        return _norm_url(url) in ok

    def md(match: re.Match[str]) -> str:
        if allowed_url(match.group("url")):
            return match.group(0)
        return match.group("label") or ""

    def slack(match: re.Match[str]) -> str:
        if allowed_url(match.group("url")):
            return match.group(0)
        return match.group("label") or ""

    def bare(match: re.Match[str]) -> str:
        url = match.group(0)
        core = url.rstrip(_TRAILING)
        if allowed_url(core):
            return url
        return url[len(core) :]  # keep trailing punctuation that belonged to the sentence

    text = _MD_LINK.sub(md, text)
    text = _SLACK_LINK.sub(slack, text)
    text = _URL.sub(bare, text)
    # A label may itself be a URL ("[http://evil](http://evil)"): one more pass catches it.
    return _URL.sub(bare, text)


def tidy(text: str) -> str:
    """One line, single spaces, no leading bullet marker, no dangling separators."""
    text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    text = _SPACES.sub(" ", text)
    text = _BULLET_PREFIX.sub("", text)
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)  # empty brackets left where a link was
    text = re.sub(r"\s+([.,;:!?)\]])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text)
    return text.strip(" \t-–—:;,")


def trim_words(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with "…" when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def clean_text(text: str, *, allowed_urls: Iterable[str | None] = (), limit: int) -> str:
    """Everything a bullet or answer goes through: reasoning, foreign links, spacing, length."""
    return trim_words(tidy(strip_foreign_links(strip_reasoning(text), allowed_urls)), limit)


def normalize_id(value: object) -> str | None:
    """A cited id as the model wrote it ("a1", 12, "[a1]", "id: a1") to the id string, or None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip().strip("[](){}<>#\"' ")
    if text.lower().startswith("id:"):
        text = text[3:].strip()
    return text or None


def split_known(ids: Iterable[object], known: Collection[str]) -> tuple[list[str], list[str]]:
    """(known ids in order, without duplicates; everything else as written)."""
    good: list[str] = []
    bad: list[str] = []
    for raw in ids:
        ident = normalize_id(raw)
        if ident is not None and ident in known:
            if ident not in good:
                good.append(ident)
        else:
            bad.append(str(raw))
    return good, bad
