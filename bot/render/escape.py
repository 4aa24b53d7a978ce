"""Escaping for Slack mrkdwn: article text can never mention anyone, or inject a link.

Slack reads only three characters as control characters in mrkdwn: `&`, `<` and `>`. Every
special sequence — `<!channel>`, `<!here>`, `<!everyone>`, `<@U123>`, `<#C123>`,
`<!subteam^S123>`, `<!date^…>` and links `<url|label>` — needs a raw `<`. So once `&`, `<` and
`>` are escaped as HTML entities, text taken from articles (titles, outlets, bullet texts,
answers) shows literally and cannot ping or link.

Bare words such as "@channel" or "@here" do not ping in messages posted through the Web API:
Slack only turns them into mentions when `chat.postMessage` is called with `link_names=true`,
which briefbot never passes. As defence in depth (someone may add `link_names` one day) they are
still broken up here with an invisible word joiner (U+2060) after the `@`, which changes nothing
a reader sees.

Links: only http(s) URLs become `<url|label>`; the URL is percent-encoded where it holds
anything that could end or split the link (`|`, `<`, `>`, whitespace, control characters), and
the label is escaped with its `|` replaced, so one link can never become two or swallow the
text after it.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

# Longer URLs are shown as text, not linked (they would eat most of a 3,000-character section).
MAX_URL_LENGTH = 2000
_WORD_JOINER = "\u2060"
_BARE_MENTION = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
_HTTP_PREFIX = re.compile(r"https?://[^/?#\s%]", re.IGNORECASE)
_LABEL_BAR = "¦"  # stands in for "|" inside a link label
_STRIP = "".join(map(chr, range(0x21))) + "\x7f"  # spaces and control characters
# An ASCII URL without these needs no encoding (the common case; checked without a loop).
_UNSAFE_ASCII = re.compile(r'[|<>"`\x00-\x20\x7f]')


def escape_mrkdwn(text: str) -> str:
    """`text` made inert for a Slack mrkdwn field: `&` `<` `>` as entities, no bare @channel."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BARE_MENTION.sub("@" + _WORD_JOINER, escaped)


def plain_text_safe(text: str) -> str:
    """Text for a `plain_text` object (the header), which Slack does not parse for mentions.

    Entities would show literally there, so nothing is escaped; as defence in depth `<` and `>`
    become the look-alikes ‹ › so no `<!channel>`-style sequence exists even in plain text.
    """
    text = text.replace("<", "‹").replace(">", "›")
    return _BARE_MENTION.sub("@" + _WORD_JOINER, text)


def safe_url(url: str | None) -> str | None:
    """`url` ready to go inside `<…|…>`, or None when it must not be linked.

    Only absolute http(s) URLs with a host qualify. Characters that could end or split the
    link are percent-encoded, and `&` is written `&amp;` as everywhere else in mrkdwn (Slack
    decodes it back when it follows the link).
    """
    if not url:
        return None
    # Like browsers, ignore leading and trailing spaces and control characters.
    url = url.strip(_STRIP)
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if url.isascii() and not _UNSAFE_ASCII.search(url):
        encoded = url
    else:
        encoded = "".join(_encode_char(ch) for ch in url)
    # urlsplit silently drops tabs and newlines ("ht\ttp:"): check what will actually be sent.
    if not _HTTP_PREFIX.match(encoded) or len(encoded) > MAX_URL_LENGTH:
        return None
    return encoded.replace("&", "&amp;")


def escape_label(label: str) -> str:
    """A link label: escaped, on one line, with no `|`."""
    flat = " ".join(label.split())
    return escape_mrkdwn(flat).replace("|", _LABEL_BAR)


def safe_link(url: str | None, label: str) -> str:
    """`<url|label>` when `url` is a safe http(s) URL; otherwise just the escaped label.

    An empty label becomes the URL itself (escaped), so the link is never invisible.
    """
    shown = escape_label(label)
    target = safe_url(url)
    if target is None:
        return shown
    if not shown:
        shown = escape_label(url or "")
    return f"<{target}|{shown}>"


def _encode_char(ch: str) -> str:
    if ch in '|<>"`' or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
        return quote(ch, safe="")
    return ch
