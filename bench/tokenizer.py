"""An offline sentence and word tokenizer (regular expressions only, no NLTK data).

sumy's default `Tokenizer` needs NLTK's punkt model, which cannot be downloaded here.
`OfflineTokenizer` has the two methods sumy's parsers call (`to_sentences`, `to_words`) and is
used by every baseline in the harness, so that all baselines see the same sentences.

Rules:

- A sentence ends at ".", "!", "?" or "…" (plus closing quotes or brackets) followed by
  whitespace and a capital letter, a digit or an opening quote/bracket.
- Never after a title ("Mr.", "Dr.", "Gen."): a name follows.
- After another abbreviation ("U.S.", "Jan.", "Inc.", "p.m.") or a single initial ("J."), only
  when the next word usually starts a sentence ("The", "It", "But", …).
- Decimals ("3.5") and a period followed by a lower-case word never split.
"""

from __future__ import annotations

import re

__all__ = ["OfflineTokenizer", "paragraphs"]


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_TITLES = _set(
    "mr mrs ms messrs mme dr prof sen rep reps gov gen col lt sgt cpl capt cmdr adm maj st rev"
    " hon pres supt insp det fr sr jr mt ft"
)
_ABBREVIATIONS = _set(
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun"
    " inc corp ltd co llc plc bros dept univ assn est approx vs etc al no nos vol fig pp ca cf"
    " eg ie am pm us uk un eu usa dc ny la"
)
_STARTERS = _set(
    "the a an it its he she they we i you this that these those there here his her their our"
    " but and so yet or nor in on at for by with from as after before when while if although"
    " though however meanwhile still also then now today yesterday tomorrow some many most one"
    " both all no not what who why how where which mr mrs ms dr according under over during"
    " since despite last earlier later"
)
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9])")
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*\.?")
_BLANK_LINE = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each with its soft line breaks joined."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for block in _BLANK_LINE.split(text):
        joined = " ".join(line.strip() for line in block.splitlines() if line.strip())
        if joined:
            out.append(joined)
    return out


class OfflineTokenizer:
    """Sentence and word tokenizer with sumy's tokenizer interface, working offline."""

    language = "english"

    def to_sentences(self, text: str) -> tuple[str, ...]:
        """The sentences of a paragraph (line breaks inside it count as spaces)."""
        text = " ".join(text.split())
        out: list[str] = []
        start = 0
        for match in _BOUNDARY.finditer(text):
            if not self._is_boundary(text, match):
                continue
            end = match.end(2)
            sentence = text[start:end].strip()
            if sentence:
                out.append(sentence)
            start = match.end()
        tail = text[start:].strip()
        if tail:
            out.append(tail)
        return tuple(out)

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """Word tokens (letters and digits, with inner apostrophes, hyphens and dots)."""
        words = []
        for token in _WORD.findall(sentence):
            # Keep the final dot of an abbreviation ("U.S."), drop a sentence's full stop.
            if token.endswith(".") and "." not in token[:-1]:
                token = token[:-1]
            words.append(token)
        return tuple(words)

    @staticmethod
    def _is_boundary(text: str, match: re.Match[str]) -> bool:
        punct = match.group(1)
        if punct != ".":
            return True  # "!", "?", "…", "..."
        before = text[: match.start(1)].rsplit(None, 1)
        token = before[-1] if before else ""
        token = token.lstrip("\"'“‘([«").lower()
        bare = token.replace(".", "")
        if bare in _TITLES and "." not in token:
            return False  # "Mr. Smith"
        is_abbreviation = (
            bare in _ABBREVIATIONS
            or (len(bare) == 1 and bare.isalpha())  # an initial: "J. Smith"
            or (
                "." in token and all(part.isalpha() and len(part) <= 2 for part in token.split("."))
            )
        )
        if not is_abbreviation:
            return True
        following = text[match.end() :].split(None, 1)
        nxt = following[0].lstrip("\"'“‘([«").lower().rstrip(",.;:") if following else ""
        return nxt in _STARTERS
