"""Follow-up answers on real stories: right answers, honest refusals, short replies.

Ingests six stories of the shared corpus (the seed article, the three MultiLing 2011 stories,
two WikiRef220 stories) through the product (Markdown files with front matter into a temporary
SQLite database, `briefbot ingest`'s path), asks the questions of
`bench/data/answer_questions.jsonl` (written for this project: our own words; gold answers are
regular expressions checked against the articles) with `Briefbot.ask`, and scores, beside a
baseline in the same run (the best BM25 sentence of the same articles, which always answers):

- answerable: share answered (found) with an answer matching the gold pattern;
- unanswerable: share declined (found: false);
- mean answer length in sentences (answered questions).

Held-out questions (`"holdout": true`, never used for tuning) are scored separately; the
"unseen" set (three stories the answerer had never been run on when it was written) is all
held out, and so is the "blind" set (five more such stories, written once the unseen set had
been studied and so no longer counted as held out). The "heldout" and "blind2" sets are in their
own files beside it (answer_questions_heldout.jsonl, answer_questions_blind.jsonl).

    python bench/eval_answers.py [--corpus DIR] [--nlp auto|none] [--set NAME] [--verbose] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import PROJECT, corpus_dir
from bench.corpora import load_bbc, load_multiling, load_seed, load_wikiref
from bot.answer.retrieve import rank_passages
from bot.summarize.model import ArticleInput
from bot.summarize.sentences import split_sentences

QUESTIONS = PROJECT / "bench" / "data" / "answer_questions.jsonl"
# Every question file: answer_questions.jsonl and the later held-out sets beside it.
QUESTION_FILES = "answer_questions*.jsonl"
# The stories the questions are about: our short name -> where in the corpus.
MULTILING = {"tsunami": "M000", "london": "M001", "sailors": "M002"}
WIKIREF = {
    "cyprus": "cypriot.financial.crisis",
    "tohoku": "tohoku.earthquake.tsunami",
    # The "fresh" set (written later, on stories the answer engine was not tuned on).
    "greekdebt": "debt.crisis.greece",
    "greekvote": "greek.elections",
    "mh370": "malaysia.airlines.flight",
    "galaxy": "samsung.galaxy.s5",
    # The "unseen" set (issue 13, second round): written from reading these stories' articles
    # before the answerer was ever run on them, and never tuned on: only reported.
    "premier": "premier.league",
    "paris": "ParisAttacks2015",
    "michelle": "michelle.obama",
    # The "blind" set (issue 13, third round, after the unseen set had been studied): five
    # stories no earlier set used; gold answers written from the articles before the answerer
    # was run on them. Only reported, never tuned on.
    "obama": "barack.obama",
    "smartphone": "smartphone",
    "hawking": "stephen.hawking",
    "maharishi": "wall.street",
    "nbadraft": "NBA.draft",
}
# The "heldout" set (issue 13, fourth round; its own file, answer_questions_heldout.jsonl):
# six multi-article stories of the BBC News Summary corpus (undated), written from the articles
# and run once before any change to the answerer; that first run is the generalisation figure.
BBC = {
    "worldcom": ("business", "059 087 100 114 196 246 403 465"),
    "parmalat": ("business", "017 048 312 458 492"),
    "lsebid": ("business", "203 220 264 279 316 319 392 421 454"),
    "glazer": ("business", "179 209 224 229 242 293"),
    "veritas": ("politics", "111 157 237 281 288 325 333"),
    "yukos": ("business", "025 127 314 318 332 444"),
    # The "blind2" set (issue 13, fifth round; answer_questions_blind.jsonl): five more
    # multi-article BBC stories no earlier set used, written from reading every article of each
    # before the answerer was run on them, by someone not working on the answerer. Only
    # reported, never tuned on: its first run is the figure.
    "fiatgm": ("business", "051 078 160 189 359"),
    "reliance": ("business", "352 379 486"),
    "psp": ("tech", "025 045 238 345 363"),
    "huntban": ("politics", "032 066 134 137 152 169 179 381"),
    "greeksprint": ("sport", "016 017 023 033 047 048 050 051 054 079 080 081 082 089"),
    # The "blind3" set (issue 13, sixth round; answer_questions_blind3.jsonl): five more
    # multi-article BBC stories no earlier set used, written blind (without reading the answerer
    # or the other sets' questions) and committed before the answerer was run on them.
    "elvis": ("entertainment", "112 144 233 234 240 242"),
    "wilkinson": ("sport", "345 373 388 415"),
    "terrorlaw": ("politics", "014 182 221 224 378 384"),
    "venezuela": ("business", "029 231 388"),
    "lycos": ("tech", "147 189 214"),
    # The "blind4" set (issue 13, seventh round; answer_questions_blind4.jsonl): six more
    # multi-article BBC stories no earlier set used, written blind like blind3 and committed
    # before the answerer was run on them. (tech 342 repeats 048, so is left out.)
    "mci": ("business", "162 188 202 251"),
    "bandaid": ("entertainment", "143 157 159 160"),
    "livingstone": ("politics", "075 154 186 232"),
    "chepkemei": ("sport", "013 019 021"),
    "swpatent": ("tech", "030 048 080 258"),
    "cairn": ("business", "198 307 433"),
    # The "blind5" set (issue 13, eighth round; answer_questions_blind5.jsonl): six more
    # multi-article BBC stories no earlier set used, written blind like blind3 and committed
    # before the answerer was run on them. (business 333 repeats 265, entertainment 308 repeats
    # 068, so both are left out.)
    "marsh": ("business", "060 103 265 401"),
    "bigbrother": ("entertainment", "180 187 203 221 225"),
    "guantanamo": ("politics", "065 100 151 192 205"),
    "balco": ("sport", "036 039 044 045 049 091"),
    "nintendods": ("tech", "084 153 351"),
    "davinci": ("entertainment", "009 068 098 376"),
    # The "blind6" set (issue 13, ninth round; answer_questions_blind6.jsonl): six more
    # multi-article BBC stories no earlier set used, written blind like blind3 and committed
    # before the answerer was run on them.
    "ukrsale": ("business", "136 197 217"),
    "blunkett": ("politics", "046 102 112 156 166 206"),
    "mutu": ("sport", "199 201 203"),
    "halo2": ("tech", "139 160 221"),
    "fockers": ("entertainment", "076 100 297"),
    "srilanka": ("business", "228 398 471"),
}
# What a user would call the fresh stories' topics (the older stories keep "story <name>").
TOPIC_NAMES = {
    "greekdebt": "Greek debt crisis",
    "greekvote": "Greek election",
    "mh370": "MH370",
    "galaxy": "Galaxy S5",
    "premier": "Premier League",
    "paris": "Paris attacks",
    "michelle": "Michelle Obama",
    "obama": "Barack Obama",
    "smartphone": "smartphones",
    "hawking": "Stephen Hawking",
    "maharishi": "Maharishi",
    "nbadraft": "NBA draft",
    "worldcom": "WorldCom trial",
    "parmalat": "Parmalat",
    "lsebid": "LSE takeover",
    "glazer": "Manchester United takeover",
    "veritas": "Veritas party",
    "yukos": "Yukos",
    "fiatgm": "Fiat and GM",
    "reliance": "Reliance feud",
    "psp": "Sony PSP",
    "huntban": "hunting ban",
    "greeksprint": "Greek sprinters",
    "elvis": "Elvis reissues",
    "wilkinson": "Jonny Wilkinson",
    "terrorlaw": "anti-terror law",
    "venezuela": "Venezuela land reform",
    "lycos": "Lycos anti-spam screensaver",
    "mci": "MCI takeover",
    "bandaid": "Band Aid single",
    "livingstone": "Livingstone Nazi jibe",
    "chepkemei": "Chepkemei ban",
    "swpatent": "EU software patents",
    "cairn": "Cairn Energy",
    "marsh": "Marsh insurance probe",
    "bigbrother": "Celebrity Big Brother",
    "guantanamo": "Guantanamo Britons",
    "balco": "Balco case",
    "nintendods": "Nintendo DS launch",
    "davinci": "Da Vinci Code film",
    "ukrsale": "Ukraine privatisation review",
    "blunkett": "Blunkett visa row",
    "mutu": "Mutu sacking",
    "halo2": "Halo 2 launch",
    "fockers": "Fockers box office",
    "srilanka": "Sri Lanka tsunami costs",
}
# The parts scored separately: (label, question set, held out?).
PARTS = (
    ("tuned", "original", False),
    ("holdout", "original", True),
    ("fresh-tuned", "fresh", False),
    ("fresh-holdout", "fresh", True),
    ("unseen-holdout", "unseen", True),
    ("blind-holdout", "blind", True),
    ("heldout", "heldout", True),
    ("blind2-holdout", "blind2", True),
    ("blind3-holdout", "blind3", True),
    ("blind4-holdout", "blind4", True),
    ("blind5-holdout", "blind5", True),
    ("blind6-holdout", "blind6", True),
)


@dataclass(frozen=True)
class StoryDoc:
    title: str
    text: str
    published: datetime | None


def load_stories(root: Path) -> dict[str, list[StoryDoc]]:
    stories: dict[str, list[StoryDoc]] = {}
    path, text = load_seed(root)
    date = re.search(r"(\d{4})-(\d\d)-(\d\d)", path.name)
    stories["seed"] = [
        StoryDoc(
            "US and Ukraine joint statement in Jeddah",
            text,
            datetime(*map(int, date.groups())) if date else None,  # type: ignore[arg-type]
        )
    ]
    by_id = {s.id: s for s in load_multiling(root)}
    for name, story_id in MULTILING.items():
        stories[name] = [StoryDoc(d.title, d.body, d.date) for d in by_id[story_id].docs]
    wikiref = load_wikiref(root)
    for name, label in WIKIREF.items():
        stories[name] = [StoryDoc(a.title, a.text, None) for a in wikiref if a.story == label]
    bbc = {(a.category, a.name): a for a in load_bbc(root)[0]}
    for name, (category, numbers) in BBC.items():
        picked = [bbc[(category, f"{n}.txt")] for n in numbers.split()]
        stories[name] = [StoryDoc(a.title, a.body, None) for a in picked]
    return stories


def load_questions(path: Path | None = None) -> list[dict[str, Any]]:
    paths = [path] if path else sorted(QUESTIONS.parent.glob(QUESTION_FILES))
    return [
        json.loads(line)
        for p in paths
        for line in p.read_text(encoding="utf-8").splitlines()
        if line
    ]


def _front_matter(doc: StoryDoc, n: int) -> str:
    title = doc.title.replace("\n", " ").replace('"', "'")
    lines = ["---", f"title: {title}", f"outlet: Corpus {n}"]
    if doc.published:
        lines.append(f"published: {doc.published:%Y-%m-%dT%H:%M:%S}+00:00")
    return "\n".join(lines) + "\n---\n" + doc.text + "\n"


def _topic(story: str) -> str:
    return TOPIC_NAMES.get(story, f"story {story}")


def verify_gold(
    stories: dict[str, list[StoryDoc]], questions: Sequence[dict[str, Any]]
) -> list[str]:
    """Questions whose gold pattern matches none of their story's articles (data errors)."""
    bad = []
    for item in questions:
        if item["answerable"]:
            texts = [d.text for d in stories[item["story"]]]
            if not any(re.search(item["gold"], t) for t in texts):
                bad.append(item["id"])
    return bad


def _sentences(answer: dict[str, Any]) -> int:
    if answer.get("sentences"):
        return len(answer["sentences"])
    return max(1, len(split_sentences(answer["answer"])))


def score(rows: Sequence[dict[str, Any]], system: str) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    correct = sum(1 for r in answerable if r[system]["correct"])
    declined = sum(1 for r in unanswerable if not r[system]["found"])
    answered = [r[system] for r in rows if r[system]["found"]]
    return {
        "answerable": len(answerable),
        "answerable_correct": correct,
        "accuracy": correct / len(answerable) if answerable else None,
        "unanswerable": len(unanswerable),
        "declined": declined,
        "declined_share": declined / len(unanswerable) if unanswerable else None,
        "mean_sentences": (
            sum(a["sentences"] for a in answered) / len(answered) if answered else None
        ),
    }


def run(
    root: Path,
    nlp_model: str = "auto",
    sets: Sequence[str] = (),
    db_dir: Path | None = None,
    ids: Sequence[str] = (),
) -> dict[str, Any]:
    from bot.core import Briefbot
    from bot.settings import Settings

    started = time.perf_counter()
    stories = load_stories(root)
    questions = load_questions()
    if sets:  # only these question sets, and only their stories ingested (a quicker look)
        questions = [item for item in questions if item.get("set", "original") in sets]
        stories = {name: stories[name] for name in {item["story"] for item in questions}}
    if ids:  # only these questions (a look at a few misses)
        questions = [item for item in questions if item["id"] in ids]
    bad = verify_gold(stories, questions)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="eval-answers-") as scratch:
        # --db DIR keeps the ingested stories between runs (ingestion is most of a run's time
        # and does not change when only the answerer does); a story already there is reused.
        tmp = str(db_dir) if db_dir else scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        settings = Settings(
            database_url=f"sqlite:///{tmp}/eval.db",
            data_dir=Path(tmp),
            summarizer="extractive",
            nlp_model=nlp_model,
        )
        core = Briefbot(settings)
        inputs: dict[str, list[ArticleInput]] = {}
        for name, docs in stories.items():
            folder = Path(tmp) / name
            if not folder.exists():
                folder.mkdir()
                for n, doc in enumerate(docs, start=1):
                    (folder / f"{n:02d}.md").write_text(_front_matter(doc, n), encoding="utf-8")
                # "story tsunami", not "tsunami": a topic's name is its keyword, and new
                # articles join every topic whose keywords they match (the Japan story mentions
                # tsunamis).
                core.add_topic(_topic(name))
                core.ingest([str(folder)], topic=_topic(name))
            inputs[name] = [
                ArticleInput(str(n), d.title, d.text, published_at=d.published)
                for n, d in enumerate(docs, start=1)
            ]
        for item in questions:
            answer = core.ask(_topic(item["story"]), item["question"]).to_dict()
            ours = {
                "found": answer["found"],
                "answer": answer["answer"],
                "sentences": _sentences(answer),
            }
            ours["correct"] = bool(
                item["answerable"] and ours["found"] and re.search(item["gold"], answer["answer"])
            )
            passages = rank_passages(item["question"], inputs[item["story"]], limit=1)
            base_text = passages[0].text if passages else ""
            base = {"found": bool(passages), "answer": base_text, "sentences": 1 if passages else 0}
            base["correct"] = bool(
                item["answerable"] and passages and re.search(item["gold"], base_text)
            )
            rows.append({**item, "ours": ours, "baseline": base})
        core.close()
    parts = {
        label: [
            r for r in rows if r.get("set", "original") == qset and bool(r.get("holdout")) == held
        ]
        for label, qset, held in PARTS
    }
    return {
        "questions": len(rows),
        "stories": len({r["story"] for r in rows}),
        "nlp_model": nlp_model,
        "gold_not_in_articles": bad,
        **{
            label: {"ours": score(part, "ours"), "baseline": score(part, "baseline")}
            for label, part in parts.items()
        },
        "all": {"ours": score(rows, "ours"), "baseline": score(rows, "baseline")},
        "rows": rows,
        "elapsed_s": round(time.perf_counter() - started, 1),
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def render(results: dict[str, Any], verbose: bool = False) -> str:
    lines = [
        f"eval_answers: {results['questions']} questions over {results['stories']} stories "
        f"(NLP_MODEL={results['nlp_model']}), {results['elapsed_s']} s",
        "",
        "| set | system | answerable correct | unanswerable declined | mean sentences |",
        "|---|---|---|---|---|",
    ]
    for part in (*(label for label, _, _ in PARTS), "all"):
        for system in ("ours", "baseline"):
            s = results[part][system]
            mean = "—" if s["mean_sentences"] is None else f"{s['mean_sentences']:.2f}"
            lines.append(
                f"| {part} | {system} | {s['answerable_correct']}/{s['answerable']} "
                f"({_pct(s['accuracy'])}) | {s['declined']}/{s['unanswerable']} "
                f"({_pct(s['declined_share'])}) | {mean} |"
            )
    if results["gold_not_in_articles"]:
        lines.append(f"\nGold patterns found in no article: {results['gold_not_in_articles']}")
    # The goal is judged on every question and, separately, on the questions never tuned on:
    # a figure on the tuned set alone would flatter the answerer on stories it was built on.
    for part in ("all", *(label for label, _, _ in PARTS if "holdout" in label)):
        t, base = results[part]["ours"], results[part]["baseline"]
        met = (
            (t["accuracy"] or 0) >= 0.85
            and t["declined"] == t["unanswerable"]
            and (t["mean_sentences"] or 0) <= 2
            and (t["accuracy"] or 0) > (base["accuracy"] or 0)
            and (t["declined_share"] or 0) > (base["declined_share"] or 0)
        )
        lines.append(
            f"{'' if part != 'all' else chr(10)}goal on {part}: >= 85% answerable correct, every "
            f"unanswerable declined, mean <= 2 sentences, above the baseline on both: "
            f"{'MET' if met else 'NOT MET'}"
        )
    if verbose:
        lines.append("")
        for r in results["rows"]:
            ours = r["ours"]
            ok = ours["correct"] if r["answerable"] else not ours["found"]
            if not ok or verbose == 2:
                qset = r.get("set", "original")
                tag = (f"{qset.upper()} " if qset != "original" else "") + (
                    "HOLDOUT " if r.get("holdout") else ""
                )
                lines.append(
                    f"{'ok  ' if ok else 'MISS'} {tag}{r['id']} [{r['story']}] {r['question']}\n"
                    f"     -> {ours['answer'][:300]}"
                )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="shared corpus folder (default ../shared/corpus)")
    parser.add_argument("--nlp", default="auto", help="NLP_MODEL for the run (auto, none, …)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        help=(
            "only this question set (original, fresh, unseen, blind, heldout, blind2, blind3,"
            " blind4, blind5, blind6); repeatable"
        ),
    )
    parser.add_argument(
        "--db", type=Path, help="keep the ingested stories in this folder and reuse them"
    )
    parser.add_argument("--id", action="append", default=[], help="only this question id")
    parser.add_argument("--json", action="store_true", help="print all figures as JSON")
    parser.add_argument("--verbose", "-v", action="count", default=0, help="list misses (-vv: all)")
    args = parser.parse_args(argv)
    root = corpus_dir(args.corpus)
    if root is None:
        print("shared corpus not found (use --corpus DIR)", file=sys.stderr)
        return 2
    results = run(root, args.nlp, args.set, args.db, args.id)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    else:
        print(render(results, verbose=args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
