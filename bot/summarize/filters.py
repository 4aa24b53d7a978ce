"""A subscription's filters: which articles a channel does not want. Pure.

Written as `-sport -outlet:example.com +kyiv`:

- `-word` (or `-"two words"`) leaves out an article whose headline or opening paragraph
  mentions it: what an article is about is said there, and a passing mention further down
  ("the stadium, once used for sport, …") must not drop a story the channel wants;
- `-outlet:example.com` leaves out every article from that site (and its subdomains);
- `+word` keeps only articles that mention at least one `+` word anywhere.

Words match whole words, case-insensitively, with a plural `s`/`es` (`-sport` also leaves out
"sports"). Filters apply to the articles before summarizing, so an excluded outlet is neither
cited nor counted.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from bot.errors import UserInputError

__all__ = [
    "FILTER_USAGE",
    "MAX_FILTER_TERMS",
    "FilterableArticle",
    "Filters",
    "apply_filters",
    "keeps",
    "parse_filters",
]

MAX_FILTER_TERMS = 20
MAX_TERM_CHARS = 60
MAX_FILTER_CHARS = 400
# How much of an article's opening an excluded word is looked for in, beyond the headline.
OPENING_CHARS = 600
FILTER_USAGE = "`-word` to leave out, `+word` to require, `-outlet:example.com` to drop a site"
_CLEAR = frozenset({"none", "clear", "off", "reset"})
_WORD = re.compile(r"^[\w][\w\-'’. ]*$", re.UNICODE)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Slack may send a typed domain as a link: <http://example.com|example.com>.
# No "<" inside: a run of "<" fails at the next one instead of rescanning to the end.
_SLACK_LINK = re.compile(r"<([^<|>]+)(?:\|[^<>]*)?>")


class FilterableArticle(Protocol):
    """What filtering reads of an article (an `ArticleInput`, or a stored row)."""

    @property
    def title(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def url(self) -> str | None: ...

    @property
    def outlet(self) -> str | None: ...


A = TypeVar("A", bound=FilterableArticle)


@dataclass(frozen=True)
class Filters:
    exclude: tuple[str, ...] = ()  # words and phrases, lower case
    outlets: tuple[str, ...] = ()  # domains, lower case, no "www."
    require: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.exclude or self.outlets or self.require)

    @property
    def text(self) -> str:
        """As typed (and as `parse_filters` reads it back): `-sport -outlet:x.com +kyiv`."""
        return " ".join(
            [f"-{_quoted(w)}" for w in self.exclude]
            + [f"-outlet:{d}" for d in self.outlets]
            + [f"+{_quoted(w)}" for w in self.require]
        )

    def to_dict(self) -> dict[str, list[str]] | None:
        """For the `subscriptions.filters` column; None when there are none."""
        if self.is_empty:
            return None
        return {
            "exclude": list(self.exclude),
            "outlets": list(self.outlets),
            "require": list(self.require),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Filters:
        """From the column; whatever is not a valid term is dropped (never raises)."""
        if not isinstance(data, Mapping):
            return cls()

        def terms(key: str, valid: re.Pattern[str]) -> tuple[str, ...]:
            values = data.get(key)
            if not isinstance(values, list):
                return ()
            kept = [v for v in values if isinstance(v, str) and valid.match(v)]
            return tuple(dict.fromkeys(kept))[:MAX_FILTER_TERMS]

        return cls(terms("exclude", _WORD), terms("outlets", _DOMAIN), terms("require", _WORD))


def _quoted(word: str) -> str:
    return f'"{word}"' if " " in word else word


def parse_filters(text: str | None, *, example: str = "/brief filter ukraine") -> Filters:
    """Read `-sport -outlet:example.com +kyiv`; `none` (or nothing) clears the filters.

    A `UserInputError` saying what to type for anything else.
    """
    raw = _SLACK_LINK.sub(lambda m: m.group(1), text or "").strip()
    usage = f"Type e.g. `{example} -sport -outlet:example.com +kyiv` (or `{example} none`)."
    if not raw or raw.lower() in _CLEAR:
        return Filters()
    if len(raw) > MAX_FILTER_CHARS:
        raise UserInputError(f"Filters are at most {MAX_FILTER_CHARS} characters. {usage}")
    # Only double quotes group words: an apostrophe is part of a word (-o'brien).
    lexer = shlex.shlex(raw.replace("“", '"').replace("”", '"'), posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.escape = ""
    try:
        tokens = list(lexer)
    except ValueError:
        raise UserInputError(f"A quote is not closed. {usage}") from None
    # `-"world cup"` is one token, `-world cup`.
    if len(tokens) > MAX_FILTER_TERMS:
        raise UserInputError(f"At most {MAX_FILTER_TERMS} filters. {usage}")
    exclude: list[str] = []
    outlets: list[str] = []
    require: list[str] = []
    for token in tokens:
        sign, body = token[:1], token[1:].strip()
        if sign not in ("+", "-"):
            raise UserInputError(
                f"`{token}` needs a sign: `-{token}` leaves it out, `+{token}` requires it. "
                + usage
            )
        if body.lower().startswith(("outlet:", "site:", "domain:")):
            if sign == "+":
                raise UserInputError(
                    f"Outlets can only be left out (`-outlet:…`), not required. {usage}"
                )
            outlets.append(_domain(body.partition(":")[2], usage))
            continue
        word = " ".join(body.lower().split())
        if not word:
            raise UserInputError(f"`{token}` has no word after its sign. {usage}")
        if len(word) > MAX_TERM_CHARS or not _WORD.match(word):
            raise UserInputError(
                f"`{body[:MAX_TERM_CHARS]}` is not a word to filter on (letters and digits, "
                f"at most {MAX_TERM_CHARS} characters). {usage}"
            )
        (exclude if sign == "-" else require).append(word)
    if set(exclude) & set(require):
        both = sorted(set(exclude) & set(require))[0]
        raise UserInputError(f"`{both}` is both left out and required; pick one. {usage}")
    return Filters(
        tuple(dict.fromkeys(exclude)), tuple(dict.fromkeys(outlets)), tuple(dict.fromkeys(require))
    )


def _domain(text: str, usage: str) -> str:
    value = text.strip().lower()
    if "://" in value:
        value = urlsplit(value).hostname or ""
    value = value.split("/", 1)[0].removeprefix("www.").rstrip(".")
    if not _DOMAIN.match(value):
        raise UserInputError(f"`{text or '…'}` is not a site's domain (e.g. example.com). {usage}")
    return value


# -- applying ---------------------------------------------------------------------------------


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    parts = [r"\s+".join(re.escape(p) for p in w.split()) for w in words]
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?:s|es)?(?!\w)", re.IGNORECASE)


def _host(article: FilterableArticle) -> str:
    host = ""
    if article.url:
        try:
            host = urlsplit(article.url).hostname or ""
        except ValueError:
            host = ""
    return host.lower().removeprefix("www.")


def _from_outlet(article: FilterableArticle, domains: tuple[str, ...]) -> bool:
    names = {_host(article), (article.outlet or "").strip().lower().removeprefix("www.")}
    return any(n == d or n.endswith("." + d) for n in names if n for d in domains)


def _opening(text: str) -> str:
    first = text.lstrip().split("\n\n", 1)[0]
    return first[:OPENING_CHARS]


def keeps(filters: Filters, article: FilterableArticle) -> bool:
    """Whether the filters let `article` through."""
    return bool(apply_filters([article], filters))


def apply_filters(articles: Iterable[A], filters: Filters) -> list[A]:
    """The articles the filters let through, in their order."""
    articles = list(articles)
    if filters.is_empty:
        return articles
    exclude = _pattern(filters.exclude)
    require = _pattern(filters.require)
    kept = []
    for article in articles:
        if filters.outlets and _from_outlet(article, filters.outlets):
            continue
        title = article.title or ""
        text = article.text or ""
        if exclude is not None and (exclude.search(title) or exclude.search(_opening(text))):
            continue
        if require is not None and not (require.search(title) or require.search(text)):
            continue
        kept.append(article)
    return kept
