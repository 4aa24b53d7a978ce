"""Sentence splitting, word tokens and trimming for news text. Pure Python, deterministic.

Public names (other modules code against these; keep them stable):

- `split_sentences(text)`: the prose sentences of an article body, in order.
- `words(text)`: lower-cased word tokens.
- `content_words(text)`: `words` minus `STOPWORDS`, lightly stemmed ("talks" == "talk").
- `STOPWORDS`: the stopword set used by `content_words`.
- `trim_sentence(sentence, max_chars)`: shorten a sentence without cutting a word.

Splitting rules, in short:

- Blank lines separate paragraphs; lines inside a paragraph are joined (soft wraps).
- A line starting with a bullet marker ("•", "-", "*", "–", "·", "▪") is its own paragraph; the
  marker is dropped, and so is a short "Label:" lead-in ("• Boosting Morale: The decision…").
- Headings are not sentences and are dropped: markdown "#" lines, lines numbered with a Roman
  numeral or a letter ("II. Background", "A. Historical Cooperation"), and short lines (fewer than
  12 words) that end without sentence punctuation (datelines, titles, "Leave a Reply").
- Inside a paragraph a sentence ends at ".", "!", "?" or "…" (plus closing quotes/brackets) that is
  followed by whitespace and a capital letter, digit or opening quote/bracket, except after
  titles ("Mr.", "Dr.", "Gen.") and, unless the next word typically starts a sentence ("The",
  "It", "But" …), after other abbreviations ("U.S.", "Jan.", "Inc.", "p.m.", initials).
  Decimals ("3.5") and lower-case continuations ('"Will they?" she asked') never split.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "STOPWORDS",
    "content_words",
    "paragraphs",
    "split_paragraph",
    "split_sentences",
    "stem",
    "terms",
    "trim_sentence",
    "words",
]


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --------------------------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------------------------

_BULLET_RE = re.compile(r"^\s*(?:[•\-*–·▪●◦‣]|\d{1,2}[.)])\s+")
# A short bullet label: "Operational Impact: ..." (at most 6 words, no sentence punctuation).
_LABEL_RE = re.compile(r"^([^\s:.!?][^:!?]{0,60}?):\s+(?=\S)")
_ROMAN_HEADING_RE = re.compile(r"^\s*(?:[IVXLC]{1,6}|[A-Z])[.)]\s+\S")
_MD_HEADING_RE = re.compile(r"^\s*#{1,6}\s")
_RULE_RE = re.compile(r"^\s*(?:[-*_=]\s*){3,}$")
_SENTENCE_END_CHARS = ".!?…:;\"'”’)]"
_HEADING_MAX_WORDS = 12

# Never end a sentence: a name follows.
_TITLES = _wordset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt capt cmdr adm maj st rev hon pres supt insp"
    " messrs mme mlle sr jr fr"
)
# End a sentence only when the next word typically starts one ("… in the U.S. The talks …").
_ABBREVIATIONS = _wordset(
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun"
    " inc corp ltd co llc plc bros dept univ assn est approx vs etc al no nos vol fig pp ca cf"
    " e.g i.e a.m p.m u.s u.k u.n e.u u.s.a d.c n.y l.a"
)
_SENTENCE_STARTERS = _wordset(
    "the a an it its he she they we i you this that these those there here his her their our"
    " but and so yet or nor in on at for by with from as after before when while if although"
    " though however meanwhile still also then now today yesterday tomorrow some many most one"
    " both all no not what who why how where which mr mrs ms dr according under over during"
    " since despite"
)
# A candidate boundary: terminal punctuation, optional closers, whitespace.
_BOUNDARY_RE = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)")
_OPENERS = "\"'“‘([«"


def split_sentences(text: str) -> list[str]:
    """Split an article body into prose sentences (headings and bullet markers removed)."""
    sentences: list[str] = []
    for paragraph in _paragraphs(text):
        sentences.extend(_split_paragraph(paragraph))
    return sentences


def paragraphs(text: str) -> list[str]:
    """The article's prose paragraphs: headings dropped, bullet markers removed, soft wraps
    joined, and sentences glued at a missing space ("…the house.Police said…") separated."""
    return _paragraphs(text)


def split_paragraph(paragraph: str) -> list[str]:
    """One paragraph's sentences (the plain-text splitter, used when no NLP model is installed)."""
    return _split_paragraph(paragraph)


# "house.Police": a sentence end glued to the next sentence (lost line break in extraction).
# Two lower-case letters before the stop keep "U.S.Army"-like abbreviations and domains apart.
# "January 18, 2005Through a telethon": a date line glued to the first sentence.
_GLUED_RE = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|(?<=\b(?:19|20)\d\d)(?=[A-Z][a-z]{2})")


def _is_marked_heading(line: str) -> bool:
    """A heading by its form wherever it stands: "# Title", "II. Background", "A. Context"."""
    stripped = line.strip()
    if _MD_HEADING_RE.match(stripped) or _RULE_RE.match(stripped):
        return True
    return bool(_ROMAN_HEADING_RE.match(stripped)) and (
        len(stripped.split()) <= _HEADING_MAX_WORDS or stripped[-1] not in _SENTENCE_END_CHARS
    )


def _is_heading(line: str) -> bool:
    """A heading when it stands alone: marked, or short and without sentence punctuation."""
    stripped = line.strip()
    if not stripped:
        return False
    if _is_marked_heading(stripped):
        return True
    return len(stripped.split()) < _HEADING_MAX_WORDS and stripped[-1] not in _SENTENCE_END_CHARS


_LABEL_SMALL_WORDS = _wordset("a an and as at by for in of on or the to vs with")


def _is_label(text: str) -> bool:
    """A Title Case lead-in of at most 6 words: "Boosting Morale", "Exchange of Prisoners"."""
    parts = text.split()
    return (
        0 < len(parts) <= 6
        and all(p[:1].isupper() or p[:1].isdigit() or p in _LABEL_SMALL_WORDS for p in parts)
        and parts[0][:1].isupper()
    )


def _strip_bullet(line: str) -> str:
    body = _BULLET_RE.sub("", line, count=1).strip()
    match = _LABEL_RE.match(body)
    if match and _is_label(match.group(1)):
        rest = body[match.end() :]
        if rest[:1].isupper() or rest[:1].isdigit() or rest[:1] in _OPENERS:
            body = rest
    return body


def _paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        # A short unpunctuated line is a heading only when it is a paragraph by itself, so a
        # soft-wrapped line ("… ended with a joint") is never mistaken for one.
        if len(current) == 1 and _is_heading(current[0]):
            current.clear()
        if current:
            paragraphs.append(" ".join(current))
            current.clear()

    for raw in _GLUED_RE.sub(" ", text).split("\n"):
        line = raw.strip()
        if line.startswith(">"):  # markdown block quote marker
            line = line.lstrip("> ").strip()
        if not line:
            flush()
            continue
        if _BULLET_RE.match(line) and not _RULE_RE.match(line):
            flush()
            body = _strip_bullet(line)
            if body and not _is_heading(body):
                paragraphs.append(body)
            continue
        if _is_marked_heading(line):
            flush()
            continue
        current.append(line)
    flush()
    return paragraphs


def _token_before(paragraph: str, end: int) -> str:
    """The whitespace-delimited token ending at `end` (exclusive), without leading openers."""
    start = paragraph.rfind(" ", 0, end) + 1
    return paragraph[start:end].lstrip(_OPENERS)


def _next_word(paragraph: str, start: int) -> str:
    match = re.match(r"[\"'“‘(\[«]*([A-Za-z0-9’']+)", paragraph[start:])
    return match.group(1) if match else ""


def _is_boundary(paragraph: str, match: re.Match[str]) -> bool:
    after = match.end()
    if after >= len(paragraph):
        return False
    nxt = paragraph[after]
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS):
        return False
    punct = match.group(1)
    if punct != ".":
        return True  # "!", "?", "…", "..." followed by a capital
    token = _token_before(paragraph, match.start(1)).lower()
    bare = token.rstrip(".")
    if not bare:
        return True
    if bare in _TITLES:
        return False
    starter = _next_word(paragraph, after).lower() in _SENTENCE_STARTERS
    is_abbreviation = (
        bare in _ABBREVIATIONS
        or re.fullmatch(r"(?:[a-z]\.)+[a-z]", bare) is not None  # u.s, e.u, a.m
        or (len(bare) == 1 and bare.isalpha())  # an initial: "John F. Kennedy"
    )
    if is_abbreviation:
        return starter
    return True


_MAX_QUOTED_SENTENCE = 400


def _inside_quote(paragraph: str, start: int, end: int) -> bool:
    """Is `end` inside a quotation that opened in this sentence and closes later on?"""
    if end - start > _MAX_QUOTED_SENTENCE:
        return False
    piece, rest = paragraph[start:end], paragraph[end:]
    if piece.count("“") > piece.count("”"):
        return "”" in rest
    if piece.count('"') % 2 == 1:
        return '"' in rest
    return False


def _split_paragraph(paragraph: str) -> list[str]:
    paragraph = re.sub(r"\s+", " ", paragraph).strip()
    out: list[str] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(paragraph):
        if _is_boundary(paragraph, match):
            end = match.end(2)
            if _inside_quote(paragraph, start, end):
                continue  # '"We bear you no ill will. We want them home," Blair said.' is one
            piece = paragraph[start:end].strip()
            if piece:
                out.append(piece)
            start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return out


# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------

STOPWORDS: frozenset[str] = _wordset(
    """
a about above across after again against all almost along already also although always am
among an and another any anyone anything are aren't around as at be became because become been
before being below between both but by can can't cannot could couldn't did didn't do does
doesn't doing don't done down during each either else enough even ever every few for from
further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
herself him himself his how how's however i i'd i'll i'm i've if in into is isn't it it's its
itself just least less let's like likely many may me might more most much must mustn't my
myself neither no nor not of off often on once one only onto or other others ought our ours
ourselves out over own per perhaps quite rather really same several shall shan't she she'd
she'll she's should shouldn't since so some such than that that's the their theirs them
themselves then there there's these they they'd they'll they're they've this those though
through thus to too toward towards under until up upon us very via was wasn't we we'd we'll
we're we've were weren't what what's when when's where where's whether which while who who's
whom whose why why's will with within without won't would wouldn't yet you you'd you'll you're
you've your yours yourself yourselves
said say says saying told tell tells according added adding noted mr mrs ms
"""
)

# Dotted acronyms ("U.S.", "e.g."), words with inner apostrophes/hyphens, numbers with decimals.
_TOKEN_RE = re.compile(
    r"(?:[A-Za-z]\.){2,}(?![A-Za-z])"  # U.S.  U.K.  e.g.
    r"|\d+(?:[.,]\d+)*"  # 30  3.5  1,200
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*",  # Ukraine's  don't
)


@lru_cache(maxsize=65536)
def _normalize_token(token: str) -> str:
    if "." in token and not token[0].isdigit():
        letters = token.replace(".", "").lower()
        return "u.s" if letters == "us" else letters
    if token == "US":
        return "u.s"
    token = token.lower().replace("’", "'")
    if token.endswith("'s"):
        token = token[:-2]
    elif token.endswith("s'"):
        token = token[:-1]
    return token


def words(text: str) -> list[str]:
    """Lower-cased word tokens. Possessive "'s" is dropped; "U.S."/"US" become "u.s"."""
    return [_normalize_token(t) for t in _TOKEN_RE.findall(text)]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix-stripping stemmer: "talks"->"talk", "agreed"->"agre"=="agree"->"agre"."""
    w = word
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith(("ies", "ied")) and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ingly", "edly", "ing", "ed", "ly"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            base = w[: -len(suffix)]
            if any(c in "aeiouy" for c in base):
                w = base
                if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz" and w[-1] not in "aeiou":
                    w = w[:-1]  # stopped -> stop
                break
    if w.endswith("ations") and len(w) > 8:
        w = w[:-6] + "ate"
    elif w.endswith("ation") and len(w) > 7:
        w = w[:-5] + "ate"
    while w.endswith("e") and len(w) > 3:
        w = w[:-1]  # agree, agreed -> agr
    return w


_UNITED_STATES_RE = re.compile(r"\b(?:the )?United States\b")
TERM_PREFIX = 6


def terms(text: str) -> list[str]:
    """Content words cut to `TERM_PREFIX` characters ("reciprocity"/"reciprocal",
    "Russian"/"Russia"), "United States" counted as "U.S.": the terms of briefs' TF-IDF."""
    return [w[:TERM_PREFIX] for w in content_words(_UNITED_STATES_RE.sub("U.S.", text))]


def content_words(text: str) -> list[str]:
    """Stemmed, lower-cased tokens without stopwords or one-letter tokens, in text order."""
    out = []
    for token in words(text):
        if token in STOPWORDS or (len(token) < 2 and not token.isdigit()):
            continue
        out.append(stem(token))
    return out


# --------------------------------------------------------------------------------------------
# Trimming
# --------------------------------------------------------------------------------------------

_ELLIPSIS = "…"
# (?<!\s): a match starts where a run of spaces starts, never inside it, so a long run of
# spaces is scanned once rather than once per position (quadratic; issue 11's ReDoS audit).
_PAREN_RE = re.compile(r"(?<!\s)\s*[(\[][^()\[\]]*[)\]]")
_DASH_ASIDE_RE = re.compile(r"(?<!\s)\s*(?:—|–|\s-\s)[^—–]{1,200}?(?:—|–|\s-\s)\s*")
_ATTRIBUTION_TAIL_RE = re.compile(
    r"(?:,|\s—|\s–)\s*(?:"
    r"according to\b[^.!?]*"
    r"|(?:[\w'’.\-]+\s+){0,6}(?:said|says|told\b[^,.!?]*|added|noted|reported|announced|"
    r"confirmed|stated|explained|wrote|warned|insisted|argued)(?:\s+on\s+\w+|\s+in\s+a\s+[^,.!?]*)?"
    r")\s*(?P<end>[.!?]?)[\"'”’]?\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_HEAD_RE = re.compile(r"^according to [^,]{1,80},\s*", re.IGNORECASE)
_CLAUSE_RE = re.compile(r",\s|;\s|\s[—–]\s?|—")
_SUBORDINATORS = _wordset(
    "although though while whereas if unless because since as when whenever after before once"
    " despite until whether"
)
_DANGLING = STOPWORDS | frozenset({"—", "–", "-"})


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?…])", r"\1", text)
    text = re.sub(r",\s*([.!?])", r"\1", text)
    return text


def _terminal(text: str) -> str:
    return text[-1] if text and text[-1] in ".!?" else "."


def _end_with(text: str, mark: str) -> str:
    text = text.rstrip(" ,;:—–-")
    if text and text[-1] in ".!?…":
        return text
    return text + mark


def _balanced(text: str) -> bool:
    return (
        text.count("“") == text.count("”")
        and text.count('"') % 2 == 0
        and text.count("(") == text.count(")")
    )


# After ", " these words open a clause that can go (relative, appositive, coordinate,
# adverbial), so what precedes is a whole sentence. Other commas may split subject from verb
# ("Ukraine's willingness to accept, contingent on X, reflects …") and are not cut at.
_SAFE_CONTINUATIONS = _wordset(
    "which who whom whose where while whereas as but and or a an including particularly"
    " especially notably according with after before amid despite following although though"
    " because since saying adding noting citing so yet then when until unless if even"
    " in on at for from by without"
)


_INTRODUCTORY = _wordset("with without amid after following despite under given by")
_MAIN_CLAUSE_WORDS = 4


def _safe_cut(text: str, match: re.Match[str]) -> bool:
    if not match.group(0).startswith(","):
        return True  # "; " and " — " separate whole clauses
    following = text[match.end() :].split(" ", 1)[0].lower().strip("\"'“‘(")
    return following in _SAFE_CONTINUATIONS


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def trim_sentence(sentence: str, max_chars: int) -> str:
    """Shorten `sentence` to at most `max_chars` characters without cutting inside a word.

    Tries, in order, stopping as soon as it fits:
    1. drop parenthetical asides "(…)", "[…]" and paired-dash asides "— … —";
    2. drop a trailing attribution (", officials said", ", according to the statement") and a
       leading "According to X,";
    3. cut at the last clause boundary (", ", "; ", " — ") that fits and leaves a whole clause
       (not one that opens with "Although/If/While…"), ending it with ".";
    4. cut at the last word boundary that fits, drop dangling function words, append "…".
    A sentence already short enough is returned unchanged (whitespace-normalized). If not even
    the first word fits, returns "…" (or "" when `max_chars` < 1).
    """
    text = _tidy(sentence)
    if len(text) <= max_chars:
        return text
    if max_chars < 1:
        return ""
    end = _terminal(text)
    text = _without_asides(text)  # 1.
    if len(text) <= max_chars:
        return text
    text = _without_attribution(text, end)  # 2.
    if len(text) <= max_chars:
        return text
    clause = _clause_cut(text, max_chars)  # 3.
    if clause:
        return clause
    return _word_cut(text, max_chars)  # 4.


def _without_asides(text: str) -> str:
    """Step 1 of `trim_sentence`: parenthetical and paired-dash asides dropped, unless that
    leaves less than 40% of the sentence."""
    candidate = _tidy(_PAREN_RE.sub("", text))
    if candidate.count("—") >= 2 or candidate.count("–") >= 2:
        # "Although X—aside—the Y …" keeps the comma its introductory clause needs.
        first = candidate.split(" ", 1)[0].lower().strip("\"'“‘(")
        joiner = ", " if first in _SUBORDINATORS else " "
        candidate = _tidy(_DASH_ASIDE_RE.sub(joiner, candidate, count=1))
        candidate = _tidy(_DASH_ASIDE_RE.sub(" ", candidate))
    return candidate if len(candidate) >= 0.4 * len(text) else text


def _without_attribution(text: str, end: str) -> str:
    """Step 2 of `trim_sentence`: a trailing attribution and a leading "According to X,"
    dropped, unless fewer than five words are left."""
    candidate = _ATTRIBUTION_TAIL_RE.sub(lambda m: m.group("end") or end, text)
    candidate = _ATTRIBUTION_HEAD_RE.sub("", candidate)
    candidate = _capitalize(_tidy(candidate))
    return _end_with(candidate, end) if len(candidate.split()) >= 5 else text


def _clause_cut(text: str, max_chars: int) -> str | None:
    """Step 3 of `trim_sentence`: the longest whole leading clause that fits, or None."""
    first_word = text.split(" ", 1)[0].lower().strip("\"'“‘(")
    if first_word in _SUBORDINATORS:
        return None
    # "With X at a standstill, Mr. Samaras, who …": after an introductory phrase the main
    # clause starts at its comma, and a cut must keep more of it than a subject.
    opener = first_word in _INTRODUCTORY
    best = ""
    for match in _CLAUSE_RE.finditer(text):
        prefix = text[: match.start()].rstrip(" ,;:—–")
        if len(prefix) + 1 > max_chars:
            break
        if opener and len(prefix.partition(", ")[2].split()) < _MAIN_CLAUSE_WORDS:
            continue
        if len(prefix.split()) >= 6 and _balanced(prefix) and _safe_cut(text, match):
            best = prefix
    if best and len(best) >= min(60, max_chars // 3):
        return _end_with(best, ".")
    return None


def _word_cut(text: str, max_chars: int) -> str:
    """Step 4 of `trim_sentence`: cut at the last word boundary that fits, dangling function
    words dropped, "…" appended."""
    budget = max_chars - len(_ELLIPSIS)
    kept: list[str] = []
    length = 0
    for token in text.split(" "):
        extra = len(token) + (1 if kept else 0)
        if length + extra > budget:
            break
        kept.append(token)
        length += extra
    while len(kept) > 1 and (
        kept[-1].lower().strip(",;:\"'“”‘’()") in _DANGLING or kept[-1] in {"—", "–", "-"}
    ):
        kept.pop()
    if not kept:
        return _ELLIPSIS if max_chars >= 1 else ""
    out = " ".join(kept).rstrip(' ,;:—–-"“‘(')
    return out + _ELLIPSIS if out else _ELLIPSIS
