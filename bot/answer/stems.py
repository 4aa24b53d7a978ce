"""Word stems for matching a question to a sentence: Snowball (Porter 2) English stemming.

One stemmer per thread: a Snowball stemmer object keeps state while it works. An environment
installed before snowballstemmer became a dependency falls back to the summarizer's light
stemmer (answers still work, matching fewer word forms) until `pip install -e .` is rerun.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from bot.summarize.sentences import STOPWORDS, words
from bot.summarize.sentences import stem as light_stem

try:
    import snowballstemmer
except ImportError:  # pragma: no cover - an environment not yet reinstalled
    snowballstemmer = None

_local = threading.local()
_lock = threading.Lock()


def _stemmer():  # type: ignore[no-untyped-def]
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


# British and American spellings of the same verb ("analysed"/"analyzed", "organise"/"organize")
# stem alike: the -ize/-yze forms are read as -ise/-yse. Only endings of 6+ letter words, so
# "size" and "prize" keep theirs.
_IZE = re.compile(r"(?<=\w{3})([iy])z(e|es|ed|ing|ation|ations|er|ers)$")
# "co-ordinate" is "coordinate", "co-operation" is "cooperation", "re-drafted" is "redrafted":
# after these prefixes the hyphen is spelling only ("re-submit", "co-founder").
_CO_HYPHEN = re.compile(r"\b(co|re)-(?=[a-z])", re.IGNORECASE)


# One role whatever its holder: "Lycos spokeswoman" answers "who is the Lycos spokesman?".
_SAME_ROLE = {
    "spokeswoman": "spokesman",
    "spokeswomen": "spokesmen",
    "spokesperson": "spokesman",
    "spokespeople": "spokesmen",
    "chairwoman": "chairman",
    "chairwomen": "chairmen",
    "chairperson": "chairman",
    "congresswoman": "congressman",
    "businesswoman": "businessman",
}


@lru_cache(maxsize=65536)
def _cached(word: str) -> str:
    word = _SAME_ROLE.get(word, word)
    word = _IZE.sub(r"\1s\2", word)
    if snowballstemmer is None:
        return light_stem(word)
    return str(_stemmer().stemWord(word))


def stem(word: str) -> str:
    """The stem of one lower-cased word ("development" -> "develop")."""
    with _lock:  # the cache is shared by threads; the stemmer is per thread
        return _cached(word.lower())


# A role by its initials is the role: "Aon's CEO Greg Case" is Aon's chief executive, and "who
# is the CEO of Marsh?" asks for its chief executive. Capitals only ("md" is not a role).
_ROLE_INITIALS = {
    "CEO": "chief executive",
    "CFO": "chief financial officer",
    "COO": "chief operating officer",
    "VP": "vice president",
}
_ROLE_INITIALS_RE = re.compile(r"\b(" + "|".join(_ROLE_INITIALS) + r")(s?)\b")


def spell_out_roles(text: str) -> str:
    """ "Aon's CEO" as "Aon's chief executive", "two VPs" as "two vice presidents"."""
    return _ROLE_INITIALS_RE.sub(lambda m: _ROLE_INITIALS[m.group(1)] + m.group(2), text)


def normalize_spelling(text: str) -> str:
    """Text as the parser should see it ("co-ordinate" -> "coordinate")."""
    return _CO_HYPHEN.sub(r"\1", text)


# A country and its adjective where one is not the other's prefix ("Greek"/"Greece", "Dutch"/
# "Netherlands"): a name in a question matches either. Lower case, one word each.
_DEMONYM_GROUPS = (
    "greece greek greeks",
    "britain british briton britons uk",
    "france french",
    "netherlands dutch holland",
    "spain spanish spaniard spaniards",
    "switzerland swiss",
    "ireland irish",
    "denmark danish dane danes",
    "sweden swedish swede swedes",
    "finland finnish finn finns",
    "poland polish pole poles",
    "turkey turkish turk turks",
    "china chinese",
    "cyprus cypriot cypriots",
    "norway norwegian norwegians",
    "portugal portuguese",
    "thailand thai thais",
    "philippines filipino filipinos philippine",
    "u.s usa america american americans",
    "wales welsh",
    "scotland scottish scots",
    "england english",
    "iceland icelandic",
    "israel israeli israelis",
    "iraq iraqi iraqis",
    "pakistan pakistani pakistanis",
    "afghanistan afghan afghans",
    "kuwait kuwaiti",
    "yemen yemeni",
    "lebanon lebanese",
    "vietnam vietnamese",
    "belgium belgian belgians",
    "peru peruvian",
    "czech czechia",
    "saudi saudis",
    "uae emirati emiratis",
    "malaysia malaysian malaysians",
    "indonesia indonesian indonesians",
    "korea korean koreans",
    "egypt egyptian egyptians",
    "serbia serbian serb serbs",
    "croatia croatian croat croats",
    # Parties by their other names: "the Tory frontbencher" is a Conservative one.
    "tory tories conservative conservatives",
    # "The Sydney Games" are the Sydney Olympics.
    "games olympics olympic",
    # Continents: "the European launch" is a launch across Europe.
    "europe european europeans",
    "africa african africans",
    "asia asian asians",
)
NAME_FORMS: dict[str, frozenset[str]] = {
    word: frozenset(group.split()) for group in _DEMONYM_GROUPS for word in group.split()
}


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens, hyphenated words split ("fukushima-daiichi" -> two), except a
    "co-" prefix ("co-ordinate" -> "coordinate")."""
    text = spell_out_roles(_CO_HYPHEN.sub(r"\1", text))
    return [t for w in words(text) for t in w.replace("-", " ").split() if t]


def content_stems(text: str) -> list[str]:
    """Stems of the words of `text` that carry content, in order."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]
