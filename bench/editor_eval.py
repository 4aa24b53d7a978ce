"""The editor-style evaluation: the product's briefs of labelled stories, graded by
`bench.editor_checks` (definitions in docs/quality.md).

Stories and their key facts are in bench/data/key_facts.json; fragment labels used to
validate the fragment checker are in bench/data/fragment_labels.jsonl.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.corpora import load_multiling, load_seed, read_text
from bench.editor_checks import (
    SUPPORT_MIN_OVERLAP,
    KeyFact,
    Outdated,
    fact_in_text,
    fragment_reasons,
    section_errors,
    sentences_of,
    support,
)
from bench.product_briefs import EvalArticle, ProductBrief, safe_brief_story
from bench.tokenizer import paragraphs

__all__ = [
    "FACTS_PATH",
    "GOALS",
    "LABELS_PATH",
    "Story",
    "bullet_id",
    "load_stories",
    "run_editor",
    "verify_facts",
]

PROJECT = Path(__file__).resolve().parents[1]
_WORDS = re.compile(r"[^\W\d_]+")
FACTS_PATH = PROJECT / "bench" / "data" / "key_facts.json"
LABELS_PATH = PROJECT / "bench" / "data" / "fragment_labels.jsonl"
# The goal lines of issue 12 (percent).
GOALS = {
    "key_fact_recall": (">=", 80.0),
    "citation_support": (">=", 95.0),
    "fragment_rate": ("<=", 5.0),
    "section_error_rate": ("<=", 5.0),
}
SENSITIVITY = (0.6, SUPPORT_MIN_OVERLAP, 0.9)


@dataclass(frozen=True)
class Story:
    id: str
    topic: str
    keywords: tuple[str, ...]
    articles: tuple[EvalArticle, ...]
    facts: tuple[KeyFact, ...]
    outdated: tuple[Outdated, ...]
    lead: tuple[str, ...]  # fact ids the story's lead must hold (the seed's lead check)

    @property
    def terms(self) -> frozenset[str]:
        """Lower-cased words of the story's headlines, topic and keywords."""
        text = " ".join([self.topic, *self.keywords, *(a.title for a in self.articles)])
        return frozenset(w.lower() for w in _WORDS.findall(text))


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _articles(root: Path, spec: dict[str, Any]) -> list[EvalArticle]:
    corpus = spec["corpus"]
    if corpus == "multiling":
        story = next(s for s in load_multiling(root) if s.id == spec["instance"])
        return [
            EvalArticle(d.filename, d.title, d.body, d.date, "WikiNews")
            for d in story.docs
            if d.date is not None
        ]
    if corpus == "seed":
        _, text = load_seed(root)
        # The first line is the dateline ("14 Mar 2025, Fri"): the date goes into front matter.
        body = text.strip().partition("\n")[2].strip()
        return [EvalArticle("seed", spec["title"], body, _parse_time(spec["published"]), "seed")]
    if corpus == "wikiref":
        start = _parse_time(spec["start"])
        step = timedelta(hours=spec["step_hours"])
        out = []
        for index, name in enumerate(spec["files"]):
            text = read_text(root / "wikiref220" / name).replace("\x85", "\n").strip()
            title, _, body = text.partition("\n")
            out.append(
                EvalArticle(
                    name, title.strip(), body.strip(), start + index * step, f"WikiRef220 {name}"
                )
            )
        return out
    raise ValueError(f"unknown corpus {corpus!r} in {spec['id']}")


def load_stories(root: Path, path: Path = FACTS_PATH) -> list[Story]:
    data = json.loads(path.read_text(encoding="utf-8"))
    stories = []
    for spec in data["stories"]:
        stories.append(
            Story(
                id=spec["id"],
                topic=spec["topic"],
                keywords=tuple(spec.get("keywords", ())),
                articles=tuple(_articles(root, spec)),
                facts=tuple(KeyFact.from_dict(f) for f in spec["facts"]),
                outdated=tuple(Outdated.from_dict(o) for o in spec.get("outdated", ())),
                lead=tuple(spec.get("lead", ())),
            )
        )
    return stories


def verify_facts(story: Story) -> dict[str, list[str]]:
    """For each key fact (and outdated claim), the articles with a paragraph that holds it.

    A key fact no article states is a labelling error: the check keeps the labels honest."""
    found: dict[str, list[str]] = {}
    for item in (*story.facts, *story.outdated):
        keys = []
        for article in story.articles:
            texts = [article.title, *paragraphs(article.body)]
            if any(all(p.search(t) for p in item.patterns) for t in texts):
                keys.append(article.key)
        found[item.id] = keys
    return found


def bullet_id(text: str) -> str:
    """A label's key: the first 16 hex digits of the SHA-256 of the bullet's words."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def load_fragment_labels(path: Path = LABELS_PATH) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {r["id"]: r for r in rows}


def _pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def time_errors(story: Story, section: str, text: str, cited: Sequence[str]) -> list[str]:
    """Section-by-time errors of one bullet: the generic rules, then the story's labelled
    outdated claims (shown while a newer article of the window overtakes them)."""
    by_key = {a.key: a for a in story.articles}
    newest = max(a.published for a in story.articles)
    cited_published = [by_key[k].published for k in cited if k in by_key]
    errors = section_errors(section, text, cited_published=cited_published, newest=newest)
    for item in story.outdated:
        if section in item.sections and all(p.search(text) for p in item.patterns):
            overtaking = by_key.get(item.by)
            if overtaking is not None and all(overtaking.published > p for p in cited_published):
                errors.append(f"outdated:{item.id}")
    return errors


def grade_story(story: Story, brief: ProductBrief) -> dict[str, Any]:
    """All four measures for one story's brief, with the evidence behind each."""
    by_key = {a.key: a for a in story.articles}
    sentences = {a.key: sentences_of(f"{a.title}.\n\n{a.body}") for a in story.articles}
    flat = {a.key: " ".join(f"{a.title}. {a.body}".split()) for a in story.articles}
    bullets_out = []
    pairs = 0
    supported = Counter[float]()
    for b in brief.bullets:
        reasons = fragment_reasons(
            b.text, b.section, [flat[k] for k in b.cited if k in flat], story.terms
        )
        errors = time_errors(story, b.section, b.text, b.cited)
        citations = []
        for key in b.cited:
            article = by_key[key]
            verdicts = {
                t: support(b.text, sentences[key], published=article.published, min_overlap=t)
                for t in SENSITIVITY
            }
            pairs += 1
            for t, v in verdicts.items():
                supported[t] += v.supported
            main = verdicts[SUPPORT_MIN_OVERLAP]
            citations.append(
                {
                    "article": key,
                    "supported": main.supported,
                    "overlap": round(main.overlap, 2),
                    "missing_numbers": list(main.missing_numbers),
                    "missing_entities": list(main.missing_entities),
                    "dateline_ok": main.dateline_ok,
                }
            )
        bullets_out.append(
            {
                "id": bullet_id(b.text),
                "section": b.section,
                "text": b.text,
                "facts": [f.id for f in story.facts if fact_in_text(f, b.text)],
                "fragment": reasons,
                "section_errors": errors,
                "citations": citations,
            }
        )
    present = {f for b in bullets_out for f in b["facts"]}
    lead_text = brief.bullets[0].text if brief.bullets else ""
    return {
        "id": story.id,
        "topic": story.topic,
        "articles": len(story.articles),
        "ingested": brief.articles_ingested,
        "summarizer": brief.summarizer,
        "error": brief.error,
        "bullets": bullets_out,
        "facts_total": len(story.facts),
        "facts_found": sorted(present),
        "facts_missing": [{"id": f.id, "fact": f.fact} for f in story.facts if f.id not in present],
        "pairs": pairs,
        "pairs_supported": {str(t): supported[t] for t in SENSITIVITY},
        "fragments": sum(1 for b in bullets_out if b["fragment"]),
        "section_errors": sum(1 for b in bullets_out if b["section_errors"]),
        "lead_check": {
            fid: {
                "in_brief": fid in present,
                "in_lead": any(f.id == fid and fact_in_text(f, lead_text) for f in story.facts),
            }
            for fid in story.lead
        },
    }


def labelled_bullets(
    stories: Sequence[Story], labels: dict[str, dict[str, Any]]
) -> list[tuple[dict[str, Any], str, list[str]]]:
    """(label, bullet text, cited article text) for every label whose bullet can be rebuilt
    from the corpus: its `span` in the `source` article's "title. body" text (whitespace
    normalised), capitalised and with the product's closing ellipsis where the label says so.
    The labels hold no text; this is how the checker is re-validated on every run."""
    flat = {
        (story.id, a.key): " ".join(f"{a.title}. {a.body}".split())
        for story in stories
        for a in story.articles
    }
    out = []
    for label in labels.values():
        source = flat.get((label.get("story", ""), label.get("source", "")))
        if source is None or "span" not in label:
            continue
        start, end = label["span"]
        text = source[start:end]
        if label.get("capitalize"):
            text = text[:1].upper() + text[1:]
        if label.get("ellipsis"):
            text += "…"
        if bullet_id(text) == label["id"]:  # the corpus is the one labelled
            out.append((label, text, [source]))
    return out


def _scores(pairs: Sequence[tuple[bool, list[str]]]) -> dict[str, Any]:
    tp = sum(1 for gold, said in pairs if gold and said)
    fp = sum(1 for gold, said in pairs if said and not gold)
    fn = sum(1 for gold, said in pairs if gold and not said)
    tn = sum(1 for gold, said in pairs if not gold and not said)
    n = len(pairs)
    return {
        "checked": n,
        "agreement": _pct(tp + tn, n),
        "precision": _pct(tp, tp + fp),
        "recall": _pct(tp, tp + fn),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def validate_fragments(
    stories: Sequence[Story],
    labels: dict[str, dict[str, Any]],
    graded: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The fragment checker against our hand labels (bench/data/fragment_labels.jsonl), per
    label set: "tuned" (the checker was adjusted after seeing them) and "holdout" (labelled
    after the checker was frozen). A labelled bullet is checked when it can be rebuilt from the
    corpus, or when this run's briefs show it."""
    by_story = {story.id: story for story in stories}
    checked: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for label, text, sources in labelled_bullets(stories, labels):
        terms = by_story[label["story"]].terms
        checked[label["id"]] = (label, fragment_reasons(text, label["section"], sources, terms))
    for story in graded:
        for b in story["bullets"]:
            if b["id"] in labels and b["id"] not in checked:
                checked[b["id"]] = (labels[b["id"]], b["fragment"])
    sets: dict[str, list[tuple[bool, list[str]]]] = {}
    disagreements = []
    for label, said in checked.values():
        gold = bool(label["fragment"])
        sets.setdefault(label.get("set", "tuned"), []).append((gold, said))
        if gold != bool(said):
            disagreements.append(
                {
                    "id": label["id"],
                    "set": label.get("set", "tuned"),
                    "gold": label["why"],
                    "checker": said,
                }
            )
    return {
        "labels": len(labels),
        "sets": {name: _scores(pairs) for name, pairs in sorted(sets.items())},
        "disagreements": disagreements,
    }


def validate_sections(
    stories: Sequence[Story],
    labels: dict[str, dict[str, Any]],
    graded: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The section-by-time checker against our hand labels (`time_error`, given for bullets
    filed under open questions or next steps)."""
    by_story = {story.id: story for story in stories}
    timed = {i: label for i, label in labels.items() if "time_error" in label}
    checked: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for label, text, _ in labelled_bullets(stories, timed):
        story = by_story[label["story"]]
        cited = [label["source"]] if "source" in label else []
        checked[label["id"]] = (label, time_errors(story, label["section"], text, cited))
    for story in graded:
        for b in story["bullets"]:
            if b["id"] in timed and b["id"] not in checked:
                checked[b["id"]] = (timed[b["id"]], b["section_errors"])
    pairs = [(bool(label["time_error"]), said) for label, said in checked.values()]
    misses = sorted(
        {label["section"] for label, said in checked.values() if label["time_error"] and not said}
    )
    return {"labels": len(timed), **_scores(pairs), "missed_in_sections": misses}


def run_editor(
    root: Path, *, story_ids: Sequence[str] | None = None, facts_path: Path = FACTS_PATH
) -> dict[str, Any]:
    started = time.perf_counter()
    all_stories = load_stories(root, facts_path)
    labels = load_fragment_labels()
    stories = [s for s in all_stories if not story_ids or s.id in story_ids]
    graded = []
    unverified = []
    brief_seconds = []
    for story in stories:
        for fact_id, keys in verify_facts(story).items():
            if not keys:
                unverified.append(f"{story.id}/{fact_id}")
        t = time.perf_counter()
        brief = safe_brief_story(story.topic, story.keywords, story.articles)
        brief_seconds.append(time.perf_counter() - t)
        graded.append(grade_story(story, brief))
    bullets = sum(len(g["bullets"]) for g in graded)
    facts = sum(g["facts_total"] for g in graded)
    found = sum(len(g["facts_found"]) for g in graded)
    pairs = sum(g["pairs"] for g in graded)
    measures = {
        "key_fact_recall": _pct(found, facts),
        "citation_support": _pct(
            sum(g["pairs_supported"][str(SUPPORT_MIN_OVERLAP)] for g in graded), pairs
        ),
        "fragment_rate": _pct(sum(g["fragments"] for g in graded), bullets),
        "section_error_rate": _pct(sum(g["section_errors"] for g in graded), bullets),
    }
    sensitivity = {
        str(t): _pct(sum(g["pairs_supported"][str(t)] for g in graded), pairs) for t in SENSITIVITY
    }
    reasons = Counter(r for g in graded for b in g["bullets"] for r in b["fragment"])
    errors = Counter(
        e.split(":")[0] for g in graded for b in g["bullets"] for e in b["section_errors"]
    )
    return {
        "stories": len(graded),
        "bullets": bullets,
        "facts": facts,
        "facts_found": found,
        "pairs": pairs,
        "measures": measures,
        "goals": {k: list(v) for k, v in GOALS.items()},
        "support_threshold": SUPPORT_MIN_OVERLAP,
        "support_sensitivity": sensitivity,
        "fragment_reasons": dict(reasons.most_common()),
        "section_error_kinds": dict(errors.most_common()),
        "unverified_facts": unverified,
        "fragment_validation": validate_fragments(all_stories, labels, graded),
        "section_validation": validate_sections(all_stories, labels, graded),
        "per_story": graded,
        "ms_per_brief": 1000.0 * statistics.fmean(brief_seconds) if brief_seconds else 0.0,
        "elapsed_s": time.perf_counter() - started,
    }
