"""Thread-question retrieval at 100,000 stored articles: SQLite FTS5 or PostgreSQL tsvector.

    .venv/bin/python bench/retrieval.py [--quick] [--json] [--articles N] [--queries N]
    .venv/bin/python bench/retrieval.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_db

- Data: synthetic articles (sentences generated from the demo articles' vocabulary) over 50
  topics, published over the last 30 days, bulk-inserted with SQLAlchemy Core (the FTS5
  triggers, the per-topic index's triggers and the generated tsvector column index them as
  the product's inserts would).
  PostgreSQL: the database's public schema is reset first (its name must contain "bench" or
  "test"), and ANALYZE runs after loading. SQLite: a file in a temporary folder.
- What is timed, per question (`--queries`, default 200, after 10 untimed):
  * thread question: `Briefbot.ask(topic, question, prefer_ids=...)` exactly as the Slack
    thread handler calls it (`bot.slack.questions`): the thread's brief articles (the
    topic's newest 100) searched first, prefiltered by their ids, the topic's articles
    too when those do not answer (the share is printed), then candidate loading, sentence
    ranking and the offline answer;
  * every search `ask` ran for the question, timed inside it and summed: what a thread
    question costs in the search step, the goal's figure;
  * the same searches (arguments recorded inside `ask`) run again right after it by ours
    and by the code before the per-topic index (`search_before`: migration 0015's
    predecessor, whole-store FTS5 / tsvector matching kept to the topic), in alternating
    order: the step before and after on the same calls;
  * each search alone: the thread's ids, and the topic-wide search, ours and before.
  Questions: 80% use 2-3 content words of a sentence in one of the thread's articles, 20%
  random vocabulary words (often "not found").
- Baselines, same run: the code before (above); the same queries at 5,000 articles
  (measured first, then the database is filled up to N; 5,000 is the smallest store where
  every topic's thread holds 100 articles, as at N); and a naive LIKE scan
  (`lower(text) LIKE '%word%'` OR-ed per question word over the same articles, no index) in
  place of the full-text search: a search step beside each search step, and inside the very
  same whole thread question. All systems take turns on each question (rotated order), so
  load changes fall on all of them alike.
- Goal: a thread question's retrieval (every search it runs, summed) p95 <= 30 ms at N
  articles; the whole question is printed beside it (its answer step is issue 13's).
"""

from __future__ import annotations

import hashlib
import itertools
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    Bench,
    SyntheticText,
    corpus_dir,
    database_url_for,
    fmt_stats,
    interleaved,
    parser,
    quiet_logging,
    reset_database,
    settings_for,
    stats_ms,
)

GOAL_MS = 30.0
TOPICS = 50
CANDIDATES = 25  # the best articles a question's search returns (MAX_CANDIDATES_PER_QUESTION)
THREAD_ARTICLES = 100  # a brief's articles (the product reads at most 200 per brief)
# The baseline size: the smallest store where every topic has a full thread of 100 articles.
SMALL = TOPICS * THREAD_ARTICLES
CHUNK = 2_000
OUTLETS = ["Meridian Wire", "Harbour Post", "Valley Times", "Northern Ledger", "Civic Daily"]


class Corpus:
    """Deterministic articles: 5-8 sentences drawn from a pool, with about one word in eight
    replaced by a made-up name: 60% from the topic's own 200 names, 40% from a 20,000-name
    lexicon with Zipf frequencies. So, as in real news, some words are everywhere and others
    belong to one story. The pool is the BBC articles' sentences when the shared corpus is
    there (a real news vocabulary; the text only goes into the temporary database), else
    sentences generated from the demo articles' vocabulary (a small vocabulary: common words
    then match far more articles than in real news, which makes full-text search slower)."""

    def __init__(self, root: Path | None, seed: int = 5, lexicon: int = 20_000) -> None:
        self.rng = random.Random(seed)
        self.source = "synthetic (demo vocabulary)"
        self.sentences: list[str] = []
        self.titles: list[str] = []
        if root is not None and (root / "bbc-news-summary").is_dir():
            from bench.baselines import sentences_of
            from bench.corpora import load_bbc

            for article in load_bbc(root)[0]:
                self.titles.append(article.title)
                self.sentences.extend(s for s in sentences_of(article.body) if len(s) > 40)
            self.source = "BBC sentences (corpus) + made-up names"
        else:
            text = SyntheticText(seed)
            self.sentences = [text.sentence() for _ in range(20_000)]
            self.titles = [text.title() for _ in range(2_000)]
        names = sorted({_pseudo_word(self.rng) for _ in range(lexicon)})
        self.rng.shuffle(names)
        self.lexicon = names
        self.cum_weights = list(itertools.accumulate(1.0 / (r + 1) for r in range(len(names))))
        self.topic_words = {t: self.rng.sample(names, 200) for t in topic_names()}
        self.vocabulary = names[:2000]

    def _name(self, topic: str) -> str:
        rng = self.rng
        if rng.random() < 0.6:
            return rng.choice(self.topic_words[topic]).title()
        return rng.choices(self.lexicon, cum_weights=self.cum_weights)[0].title()

    def _vary(self, sentence: str, topic: str) -> str:
        words = sentence.split()
        for _ in range(max(1, len(words) // 8)):
            i = self.rng.randrange(1, len(words)) if len(words) > 1 else 0
            if len(words[i]) > 3 and words[i].isalpha():
                words[i] = self._name(topic)
        return " ".join(words)

    def article(self, n: int, topic: str) -> tuple[str, str]:
        rng = self.rng
        picked = [self._vary(s, topic) for s in rng.sample(self.sentences, rng.randint(5, 8))]
        # Two paragraphs, the topic named in the first sentence.
        body = f"{topic.title()}: " + " ".join(picked[:3]) + "\n\n" + " ".join(picked[3:])
        return f"{self._vary(rng.choice(self.titles), topic)} ({n})", body


_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["an", "or", "el", "is"]


def _pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def topic_names() -> list[str]:
    """50 made-up one-word topic names (each occurs only in its own topic's articles)."""
    rng = random.Random(99)
    names: list[str] = []
    while len(names) < TOPICS:
        name = _pseudo_word(rng) + "ia"
        if name not in names:
            names.append(name)
    return names


def load(core: Any, corpus: Corpus, start: int, stop: int, topic_ids: list[int]) -> float:
    """Insert articles start+1..stop (ids fixed), their URL rows and topic links. Seconds."""
    from sqlalchemy import insert, text

    from storage.models import Article, ArticleTopic, ArticleUrl

    now = core.clock()
    names = topic_names()
    started = time.perf_counter()
    for chunk_start in range(start, stop, CHUNK):
        articles, urls, links = [], [], []
        for i in range(chunk_start + 1, min(chunk_start + CHUNK, stop) + 1):
            t = i % TOPICS
            title, body = corpus.article(i, names[t])
            # Newest ids are the newest articles: spread over the last 30 days.
            published = now - timedelta(minutes=(stop * 10 - i * 10) % (30 * 24 * 60) + 5)
            url = f"https://news{i % 5}.example.com/{t}/{i}"
            outlet = OUTLETS[i % len(OUTLETS)]
            articles.append(
                {
                    "id": i,
                    "url": url,
                    "title": title,
                    "outlet": outlet,
                    "published_at": published,
                    "fetched_at": published,
                    "text": body,
                    "content_hash": hashlib.sha256(f"{i}:{body}".encode()).hexdigest(),
                    "source_id": None,
                }
            )
            urls.append({"id": i, "url": url, "article_id": i, "outlet": outlet, "seen_at": now})
            links.append({"article_id": i, "topic_id": topic_ids[t], "linked_at": now})
        with core.engine.begin() as connection:
            connection.execute(insert(Article.__table__), articles)
            connection.execute(insert(ArticleUrl.__table__), urls)
            connection.execute(insert(ArticleTopic.__table__), links)
    with core.engine.begin() as connection:
        if core.engine.dialect.name == "postgresql":
            for table in ("articles", "article_urls"):
                connection.execute(
                    text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
                )
            connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def stored_articles(url: str) -> int | None:
    """How many articles the store at `url` holds (None: no store there yet)."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("articles"):
                return None
            return int(connection.execute(text("SELECT count(*) FROM articles")).scalar() or 0)
    finally:
        engine.dispose()


def thread_ids(core: Any, topic_id: int) -> list[int]:
    from storage import articles as article_store

    with core.factory() as session:
        rows = article_store.for_topic(session, topic_id, limit=THREAD_ARTICLES)
        return [r.id for r in rows]


def make_questions(
    core: Any, corpus: Corpus, threads: dict[str, list[int]], n: int, seed: int
) -> list[tuple[str, str]]:
    """(topic, question) pairs; most quote words of an article in the thread."""
    from bot.answer.retrieve import question_terms
    from storage import articles as article_store

    rng = random.Random(seed)
    topics = sorted(threads)
    out = []
    with core.factory() as session:
        while len(out) < n:
            topic = rng.choice(topics)
            if rng.random() < 0.8 and threads[topic]:
                article = article_store.by_ids(session, [rng.choice(threads[topic])])[0]
                words = question_terms(rng.choice(article.text.split(". ")))
                words = [w for w in words if len(w) > 3] or words
                picked = rng.sample(words, min(len(words), rng.randint(2, 3)))
            else:
                picked = rng.sample(corpus.vocabulary, 2)
            if picked:
                out.append((topic, f"What did they say about {' and '.join(picked)}?"))
    return out


def like_search(session: Any, terms: list[str], topic_id: int, ids: list[int] | None) -> list[int]:
    """The naive baseline: case-insensitive LIKE per word, OR-ed, no full-text index."""
    from sqlalchemy import text

    params: dict[str, Any] = {"topic_id": topic_id}
    likes = []
    for n, term in enumerate(terms):
        params[f"w{n}"] = f"%{term.lower()}%"
        likes.append(f"lower(a.title) LIKE :w{n} OR lower(a.text) LIKE :w{n}")
    where = " OR ".join(likes) or "1=0"
    scope = "a.id IN (SELECT article_id FROM article_topics WHERE topic_id = :topic_id)"
    if ids is not None:
        names = []
        for n, article_id in enumerate(ids):
            params[f"id{n}"] = article_id
            names.append(f":id{n}")
        scope += f" AND a.id IN ({', '.join(names) or 'NULL'})"
    sql = f"SELECT a.id FROM articles a WHERE {scope} AND ({where}) ORDER BY a.id DESC LIMIT 25"
    return [row[0] for row in session.execute(text(sql), params)]


def search_before(
    session: Any,
    phrases: Any,
    *,
    topic_id: int | None = None,
    since: Any = None,
    article_ids: Any = None,
    limit: int = 50,
) -> list[Any]:
    """`storage.search.search` as it was before the per-topic index (migration 0015), for
    the searches a question runs (a topic, maybe known ids, no date): SQLite within known ids
    matched over their rowid ranges in the whole store's FTS5 index, then kept to the topic;
    otherwise one statement over the whole index (`bm25()` / `ts_rank_cd` over every stored
    article holding a word), kept to the topic's links. The baseline, run in the same
    process on the same database as ours."""
    from sqlalchemy import text

    from storage import search
    from storage.idlists import sql_id_in

    clean = [p for p in dict.fromkeys(" ".join(search._terms(p)) for p in phrases) if p]
    if not clean or (article_ids is not None and not article_ids):
        return []
    dialect = session.get_bind().dialect.name
    ids = None if article_ids is None else [int(i) for i in article_ids]
    if dialect == "sqlite" and ids is not None and len(ids) <= search.MAX_PREFILTER_IDS:
        hits = search._sqlite_ranges(session, clean, "articles_fts", 0, ids, since, len(ids))
        listed = ",".join(str(h.article_id) for h in hits) or "NULL"
        keep = {
            int(r)
            for (r,) in session.execute(
                text(
                    f"SELECT a.id FROM articles a WHERE a.id IN ({listed}) AND EXISTS "
                    "(SELECT 1 FROM article_topics t WHERE t.article_id = a.id"
                    " AND t.topic_id = :t)"
                ),
                {"t": topic_id},
            )
        }
        return [h for h in hits if h.article_id in keep][:limit]
    params: dict[str, Any] = {"limit": limit, "topic_id": topic_id}
    where = " AND a.id IN (SELECT article_id FROM article_topics WHERE topic_id = :topic_id)"
    if ids is not None:
        condition, params["ids"] = sql_id_in(dialect, "a.id", "ids", ids)
        where += f" AND {condition}"
    if dialect == "postgresql":
        query = search._pg_query(clean, params)
        sql = (
            "SELECT a.id, ts_rank_cd(a.search_vector, q) AS score "
            f"FROM articles a, (SELECT {query}) AS s(q) "
            f"WHERE a.search_vector @@ q{where} ORDER BY score DESC, a.id DESC LIMIT :limit"
        )
    else:
        params["match"] = " OR ".join(search._fts5_phrase(p) for p in clean)
        sql = (
            "SELECT a.id, -bm25(articles_fts, 2.0, 1.0) AS score "
            "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            f"WHERE articles_fts MATCH :match{where} ORDER BY score DESC, a.id DESC LIMIT :limit"
        )
    return [search.Hit(int(i), float(score)) for i, score in session.execute(text(sql), params)]


def like_ask(core: Any, topic: str, question: str, ids: list[int]) -> Any:
    """The naive baseline for the whole thread question: `Briefbot.ask` itself (the same
    candidates, ranking and answer), with its full-text search replaced by the LIKE scan."""
    from storage import search

    def like(session: Any, phrases: Any, **kw: Any) -> list[Any]:
        found = like_search(session, list(phrases), kw["topic_id"], kw.get("article_ids"))
        return [search.Hit(i, 1.0) for i in found]

    original = search.search
    search.search = like  # type: ignore[assignment]  # one thread: the bench's own
    try:
        return core.ask(topic, question, prefer_ids=ids)
    finally:
        search.search = original


def timed_in(session: Any, function: Any, *args: Any, **kwargs: Any) -> float:
    """Seconds `function(session, ...)` takes once the session's connection is checked out."""
    from sqlalchemy import text

    session.execute(text("SELECT 1"))
    started = time.perf_counter()
    function(session, *args, **kwargs)
    return time.perf_counter() - started


def measure(
    bench: Bench,
    core: Any,
    questions: list[tuple[str, str]],
    threads: dict[str, list[int]],
    topic_ids: dict[str, int],
    label: str,
) -> dict[str, Any]:
    """Every system on every question, taking turns (see `interleaved`)."""
    from bot.answer.retrieve import question_terms
    from storage import search

    found = {"ours": 0, "like": 0}
    # Per question, the searches `ask_thread` ran inside `Briefbot.ask` (seconds each): the
    # thread's ids first, then the topic's when the brief's articles did not answer.
    in_ask: dict[tuple[str, str], list[float]] = {}
    # The same searches (their arguments recorded inside `ask`) run again right after it,
    # by ours and by the code before (`search_before`), in alternating order: the search
    # step of a thread question before and after, on the same calls, same moment.
    replayed: dict[str, list[float]] = {"now": [], "before": []}
    original = search.search

    def ask_thread(item: tuple[str, str]) -> None:
        topic, question = item
        spent: list[float] = []
        calls: list[tuple[Any, dict[str, Any]]] = []

        def timed(*args: Any, **kwargs: Any) -> Any:
            calls.append((args[1:], kwargs))
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent.append(time.perf_counter() - started)

        search.search = timed  # type: ignore[assignment]  # one thread: the bench's own
        try:
            answer = core.ask(topic, question, prefer_ids=threads[topic])  # as the handler
        finally:
            search.search = original
        in_ask[item] = spent
        found["ours"] += int(answer.found)
        order = [("now", original), ("before", search_before)]
        for name, function in order if len(in_ask) % 2 else order[::-1]:
            spent_now = 0.0
            for args, kwargs in calls:
                with core.factory() as session:
                    spent_now += timed_in(session, function, *args, **kwargs)
            replayed[name].append(spent_now)

    def like_ask_thread(item: tuple[str, str]) -> None:
        topic, question = item
        answer = like_ask(core, topic, question, threads[topic])
        found["like"] += int(answer.found)

    # Each search step's own time, from a session whose connection is already checked out
    # (as `ask`'s searches run: after the topic's look-up), so that PostgreSQL's pool
    # pre-ping round trip is not counted as search; `interleaved` only orders the turns.
    inner: dict[str, list[float]] = {}

    def step(name: str, function: Any, thread: bool) -> Any:
        def run(item: tuple[str, str]) -> None:
            topic, question = item
            ids = threads[topic] if thread else None
            with core.factory() as session:
                inner.setdefault(name, []).append(
                    timed_in(
                        session,
                        function,
                        question_terms(question),
                        topic_id=topic_ids[topic],
                        article_ids=ids,
                        limit=CANDIDATES,
                    )
                )

        return run

    def like(name: str, thread: bool) -> Any:
        """The naive LIKE scan in the same step."""

        def search_like(s: Any, terms: list[str], **kw: Any) -> list[int]:
            return like_search(s, terms, kw["topic_id"], kw["article_ids"])

        return step(name, search_like, thread)

    times = interleaved(
        {
            "thread_ask": ask_thread,
            "like_thread_ask": like_ask_thread,
            # The thread's articles, prefiltered by their ids, best 25: `ask`'s first search.
            "thread_search": step("thread_search", original, thread=True),
            "before_thread_search": step("before_thread_search", search_before, thread=True),
            "like_thread": like("like_thread", thread=True),
            # The topic's articles, best 25: `ask`'s second search when the brief's articles
            # do not answer (and a mention's question's only one).
            "topic_search": step("topic_search", original, thread=False),
            "before_topic_search": step("before_topic_search", search_before, thread=False),
            "like_topic": like("like_topic", thread=False),
        },
        questions,
        warmup=10,
    )
    for name, values in inner.items():
        times[name] = values[10:]  # after the warm-up, as `interleaved` leaves out
    result: dict[str, Any] = {key: stats_ms(values) for key, values in times.items()}
    # Each system answered every question once (warm-up included).
    result["answers_found_share"] = round(found["ours"] / max(len(questions), 1), 2)
    result["like_answers_found_share"] = round(found["like"] / max(len(questions), 1), 2)
    timed = questions[10:]  # after the warm-up
    # Every search `ask` ran for a thread question (the topic-wide one too, when the brief's
    # articles did not answer it), summed per question: the goal's figure.
    result["ask_searches"] = stats_ms([sum(in_ask[item]) for item in timed])
    result["replayed_now"] = stats_ms(replayed["now"][10:])
    result["replayed_before"] = stats_ms(replayed["before"][10:])
    result["topic_fallback_share"] = round(
        sum(len(in_ask[item]) > 1 for item in timed) / max(len(timed), 1), 2
    )
    bench.say(f"{label}:")
    for key, text in (
        ("thread_ask", "thread question, Briefbot.ask"),
        ("like_thread_ask", "  same with a naive LIKE search"),
        ("ask_searches", "  every search it ran, summed"),
        ("replayed_now", "  the same searches again"),
        ("replayed_before", "  the same, code before"),
        ("thread_search", "  search of the thread's ids"),
        ("before_thread_search", "    code before"),
        ("like_thread", "    naive LIKE within them"),
        ("topic_search", "  topic-wide search"),
        ("before_topic_search", "    code before"),
        ("like_topic", "    naive LIKE over the topic"),
    ):
        if result[key] is not None:
            bench.say(f"  {text:34} {fmt_stats(result[key], ('p50', 'p95', 'max'))}")
    bench.say(
        f"  answers found: {result['answers_found_share']:.0%} "
        f"(naive LIKE: {result['like_answers_found_share']:.0%}); the brief's articles did "
        f"not answer {result['topic_fallback_share']:.0%} (the topic searched too)"
    )
    return result


def _ms(value: float | None) -> str:
    return "not measured (--reuse)" if value is None else f"{value:.1f} ms"


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--articles", type=int, default=None, help="articles stored (100000)")
    p.add_argument("--queries", type=int, default=None, help="timed questions per figure (200)")
    p.add_argument("--database-url", default=None, help="PostgreSQL URL (reset!); else SQLite")
    p.add_argument("--corpus", default=None, help="shared corpus folder (../shared/corpus)")
    p.add_argument("--synthetic", action="store_true", help="generated sentences even with corpus")
    p.add_argument("--nlp-model", default=None, help="NLP_MODEL for the app (default: auto)")
    p.add_argument(
        "--reuse",
        default=None,
        metavar="FILE",
        help="keep the SQLite store in FILE and reuse it when it already holds --articles "
        "(with --database-url: reuse that database when it does); the smaller store's "
        "baseline is then skipped",
    )
    args = p.parse_args(argv)
    quiet_logging()
    bench = Bench("retrieval", args)
    total = args.articles or (2_000 if args.quick else 100_000)
    small = min(SMALL, total // 2)
    queries = (args.queries or (30 if args.quick else 200)) + 10

    from bot.core import Briefbot
    from storage import topics as topic_store
    from storage.db import transaction

    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        path = Path(args.reuse).resolve() if args.reuse and not args.database_url else None
        url = database_url_for(args.database_url, path or Path(tmp) / "bench.db")
        reused = bool(args.reuse) and stored_articles(url) == total
        if not reused:
            reset_database(url)
        extra = {"NLP_MODEL": args.nlp_model} if args.nlp_model else {}
        core = Briefbot(settings_for(url, **extra))
        dialect = core.engine.dialect.name
        corpus = Corpus(None if args.synthetic else corpus_dir(args.corpus))
        bench.params(
            articles=total,
            topics=TOPICS,
            thread_articles=THREAD_ARTICLES,
            queries=queries - 10,
            database=dialect,
            text=corpus.source,
            nlp_model=core.settings.nlp_model,
        )
        with transaction(core.factory) as session:
            ids = [topic_store.get_or_create(session, name).id for name in topic_names()]
        topic_ids = dict(zip(topic_names(), ids, strict=True))

        results: dict[str, Any] = {}
        loaded = total if reused else 0
        if reused:
            bench.say(f"reused the store of {total} articles ({url}): no {small}-article baseline")
        for size in dict.fromkeys((total,) if reused else (small, total)):
            if size > loaded:
                seconds = load(core, corpus, loaded, size, ids)
                bench.say(
                    f"loaded {size - loaded} articles in {seconds:.1f} s "
                    f"({(size - loaded) / seconds:.0f}/s)"
                )
            loaded = size
            threads = {name: thread_ids(core, tid) for name, tid in topic_ids.items()}
            questions = make_questions(core, corpus, threads, queries, seed=size)
            results[size] = measure(
                bench, core, questions, threads, topic_ids, f"at {size} articles ({dialect})"
            )
        core.close()

    big, base = results[total], results.get(small)
    small_p95 = {
        key: None if base is None else base[key]["p95"]
        for key in ("ask_searches", "thread_search", "thread_ask")
    }
    bench.ours(
        database=dialect,
        ask_searches_p95_ms=big["ask_searches"]["p95"],
        thread_search_p95_ms=big["thread_search"]["p95"],
        topic_search_p95_ms=big["topic_search"]["p95"],
        thread_ask_p95_ms=big["thread_ask"]["p95"],
        at_articles=total,
        detail=big,
    )
    bench.baseline(
        replayed_before_p95_ms=big["replayed_before"]["p95"],
        before_thread_search_p95_ms=big["before_thread_search"]["p95"],
        before_topic_search_p95_ms=big["before_topic_search"]["p95"],
        small_store_articles=small,
        small_store_ask_searches_p95_ms=small_p95["ask_searches"],
        small_store_thread_search_p95_ms=small_p95["thread_search"],
        small_store_thread_ask_p95_ms=small_p95["thread_ask"],
        like_thread_p95_ms=big["like_thread"]["p95"],
        like_thread_ask_p95_ms=big["like_thread_ask"]["p95"],
        like_topic_p95_ms=big["like_topic"]["p95"],
        detail_small_store=base,
    )
    p95 = big["ask_searches"]["p95"]
    bench.goal(
        f"thread question's retrieval p95 <= {GOAL_MS:.0f} ms at {total} articles ({dialect})",
        p95 <= GOAL_MS,
        f"every search `ask` ran for a thread question, summed, p95 {p95:.1f} ms (the "
        f"topic's too for the {big['topic_fallback_share']:.0%} its brief did not answer); "
        f"the same searches replayed by ours {big['replayed_now']['p95']:.1f} ms and by the "
        f"code before {big['replayed_before']['p95']:.1f} ms; the thread's ids "
        f"{big['thread_search']['p95']:.1f} ms (before {big['before_thread_search']['p95']:.1f}"
        f", naive LIKE {big['like_thread']['p95']:.1f}); the topic-wide search "
        f"{big['topic_search']['p95']:.1f} ms (before {big['before_topic_search']['p95']:.1f}"
        f", LIKE {big['like_topic']['p95']:.1f}); at {small} articles "
        f"{_ms(small_p95['ask_searches'])}; whole question "
        f"{big['thread_ask']['p95']:.1f} ms (with the LIKE search "
        f"{big['like_thread_ask']['p95']:.1f} ms)",
    )
    bench.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
