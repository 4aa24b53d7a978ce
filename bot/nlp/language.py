"""Which language an article is written in, detected once at ingestion (issue 16 item 9) with
py3langid: a maintained fork of langid.py, a 4.6 MB wheel on numpy (already installed).
Measured beside lingua-language-detector on the 181 real article bodies of
`corpus/article-extraction` (load ~14 on 2 cores): the two agree on 180 of 181 (161 English,
20 in nine other languages), py3langid at ~17 ms an article against ~56 ms, loading in ~2 s
against ~69 s and 1.3 GB for lingua with every model preloaded, from a 96 MB wheel.

The answer is an ISO 639-1 code ("en", "de"), or None when the text is too short or the model
is unsure: an article of unknown language is kept in every brief rather than dropped.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = [
    "MAX_CHARS",
    "MIN_CONFIDENCE",
    "MIN_WORDS",
    "detect_language",
    "language_code",
    "load_identifier",
]

# The opening of a long article says its language as well as the whole of it, at a bounded
# cost (py3langid is linear in the text). 1,000 characters (title and about 150 words) gave
# the same answer as 3,000 on all 434 articles of the shared corpus's extraction pages,
# MultiLing and a tenth of the BBC set (nine languages), at a fifth of the CPU (0.29 ms an
# article against 1.47; 600 characters lost one answer); it is detected for every page.
MAX_CHARS = 1000
MIN_WORDS = 8  # fewer words (a bare headline) are too few to tell
MIN_CONFIDENCE = 0.9  # normalised probability of the best language

_identifier: Any = None
_lock = threading.Lock()


def _model() -> Any:
    """The identifier, loaded on first use (about a second): `briefbot --help` never loads it."""
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


def load_identifier() -> None:
    """Load the identifier now (`briefbot serve` at start-up: not in the middle of acks)."""
    _model()


def detect_language(title: str, text: str) -> str | None:
    """The language of an article (title and opening), or None when unsure."""
    sample = f"{title}\n{text}"[:MAX_CHARS]
    if len(sample.split()) < MIN_WORDS:
        return None
    code, confidence = _model().classify(sample)
    return str(code) if confidence >= MIN_CONFIDENCE else None


def language_code(text: str | None) -> str | None:
    """A language as typed (`de`, `DE`, `de-DE`, `de_DE`) → its ISO 639-1 code; None if the
    text is not one."""
    raw = (text or "").strip().lower().replace("_", "-")
    code = raw.split("-", 1)[0]
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None
