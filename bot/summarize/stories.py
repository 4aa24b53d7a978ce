"""Stories: the window's articles grouped by the event they report. Pure, deterministic.

`cluster_stories(articles)` is average-linkage agglomerative clustering over the articles'
TF-IDF vectors (content words, sublinear term frequency, IDF over the articles): the two
groups whose articles are, on average, most alike merge first, until no two groups are more
alike than `MIN_STORY_SIMILARITY`. Average linkage, because a story's reports share vocabulary
with each other as a group: single linkage chains unrelated stories through one article that
mentions both, and a fixed number of clusters (k-means) must be known in advance. On
WikiRef220 (220 articles, 16 stories) this scores NMI 0.85 against k-means's 0.80 with the true
k given to k-means (`python bench/eval_summarizer.py --only clustering`).

Similarities come from an inverted index (only articles that share a term are paired), added
up with numpy one term at a time, and kept as an n x n matrix whose rows merge by addition;
merges are taken from a heap with lazy invalidation. 1,000 articles cluster about 9x faster
than with the previous dict-per-pair Python loops, with the same groups (n x n float64 memory:
8 MB at 1,000 articles, 200 MB at 5,000).
"""

from __future__ import annotations

import heapq
import itertools
import math
import operator
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from bot.summarize.model import ArticleInput
from bot.summarize.sentences import content_words

__all__ = [
    "LEDE_SENTENCES",
    "MAX_ARTICLES_READ",
    "MIN_STORY_SIMILARITY",
    "Story",
    "cluster_counts",
    "cluster_matrix",
    "cluster_stories",
    "first_pass_groups",
    "largest_stories",
    "read_budget",
    "stored_counts",
    "stored_counts_and_terms",
    "story_of",
    "term_counts",
]

# Average cosine similarity two groups need to be one story. Measured on WikiRef220
# (bench/eval_summarizer.py): 0.1 separates its 16 stories best; news reports of one event
# share names, places and numbers, so their average similarity stays above it.
MIN_STORY_SIMILARITY = 0.1
# Terms in more than this share of the articles say nothing about which story an article
# belongs to ("said", "government"); skipping them keeps the pair search near-linear.
_MAX_DF_SHARE = 0.5
_PREFIX = 6
_BLOCK = 512  # rows of the similarity matrix computed (and scanned) at a time


@dataclass(frozen=True)
class Story:
    """Articles reporting one event; `article_ids` in input order, the first is its lead."""

    article_ids: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.article_ids)


def term_counts(article: ArticleInput) -> dict[str, int]:
    """Content-word counts of an article's title and text (the clustering's input)."""
    counts: dict[str, int] = {}
    for word in content_words(f"{article.title}\n{article.text}"):
        term = word[:_PREFIX]
        counts[term] = counts.get(term, 0) + 1
    return counts


def _vectors(
    counts: Sequence[dict[str, int]], max_df_share: float = _MAX_DF_SHARE
) -> list[dict[str, float]]:
    df: dict[str, int] = {}
    for c in counts:
        for term in c:
            df[term] = df.get(term, 0) + 1
    n = len(counts)
    max_df = max(2, int(max_df_share * n))
    vectors: list[dict[str, float]] = []
    for c in counts:
        vec = {
            t: (1.0 + math.log(k)) * (math.log((n + 1) / (df[t] + 1)) + 1.0)
            for t, k in c.items()
            if df[t] <= max_df or n < 4
        }
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        vectors.append({t: w / norm for t, w in vec.items()})
    return vectors


def _unit_tfidf(
    counts: sparse.csr_matrix, max_df_share: float = _MAX_DF_SHARE
) -> sparse.csr_matrix:
    """`_vectors` as one sparse matrix, computed in numpy from an articles x terms matrix of
    term counts (no entry repeated within a row)."""
    n = counts.shape[0]
    counts = counts.tocsr()
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    max_df = max(2, int(max_df_share * n))
    keep = counts.copy()
    if n >= 4:
        keep.data[df[keep.indices] > max_df] = 0.0
        keep.eliminate_zeros()
    idf = np.log((n + 1) / (df + 1.0)) + 1.0
    keep.data = (1.0 + np.log(keep.data)) * idf[keep.indices]
    lengths = np.diff(keep.indptr)
    # (bincount adds each row's squares in order, as `_vectors` does; empty rows get 0.)
    norms = np.sqrt(np.bincount(np.repeat(np.arange(n), lengths), keep.data**2, minlength=n))
    norms[norms == 0.0] = 1.0
    keep.data /= np.repeat(norms, lengths)
    return keep


def _similarity_matrix(vectors: list[dict[str, float]]) -> np.ndarray:
    """Cosine similarity of every pair of articles (zero diagonal): one sparse matrix product
    (articles x terms, times its transpose) computed by scipy in C, so only articles that
    share a term are ever multiplied and no Python loop runs per term or per pair."""
    n = len(vectors)
    column: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for vec in vectors:
        for t, w in vec.items():
            indices.append(column.setdefault(t, len(column)))
            data.append(w)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
        shape=(n, max(1, len(column))),
    )
    return _similarities(matrix)


def _similarities(matrix: sparse.csr_matrix) -> np.ndarray:
    """Every pair's dot product of the unit rows of `matrix` (zero diagonal)."""
    n = matrix.shape[0]
    # In blocks of rows: nearly every pair of articles shares some term, so the whole product
    # as a sparse matrix would take 1.5x the dense result's memory on top of it (~300 MB at
    # 5,000 articles); a block's product is dense-ified into its rows and dropped.
    sims = np.empty((n, n))
    transposed = matrix.T.tocsc()
    for start in range(0, n, _BLOCK):
        sims[start : start + _BLOCK] = (matrix[start : start + _BLOCK] @ transposed).toarray()
    np.fill_diagonal(sims, 0.0)
    return sims


def cluster_stories(
    articles: Sequence[ArticleInput], *, min_similarity: float = MIN_STORY_SIMILARITY
) -> list[Story]:
    """The articles grouped into stories, largest first (ties: earliest first article)."""
    groups = cluster_counts([term_counts(a) for a in articles], min_similarity=min_similarity)
    return [Story(tuple(articles[i].id for i in g)) for g in groups]


def cluster_counts(
    counts: Sequence[dict[str, int]],
    *,
    min_similarity: float = MIN_STORY_SIMILARITY,
    max_df_share: float = _MAX_DF_SHARE,
) -> list[list[int]]:
    """`cluster_stories` over precomputed term counts (callers that tokenized already):
    groups of indexes, largest first."""
    if len(counts) == 0:
        return []
    return _average_linkage(_similarity_matrix(_vectors(counts, max_df_share)), min_similarity)


def cluster_matrix(
    counts: sparse.csr_matrix,
    *,
    min_similarity: float = MIN_STORY_SIMILARITY,
    max_df_share: float = _MAX_DF_SHARE,
) -> list[list[int]]:
    """`cluster_counts` over an articles x terms sparse matrix of term counts (the brief has
    one: its sentences' counts summed per article), weighted in numpy rather than per entry."""
    if counts.shape[0] == 0:
        return []
    return _average_linkage(_similarities(_unit_tfidf(counts, max_df_share)), min_similarity)


# Heap entries are single ints ordered as the tuples (-similarity, id_a, id_b) are: the
# similarity's float bits made order-preserving above two 32-bit cluster ids. Popping a heap
# of ints is about 2.5x faster than of tuples, and a large window pops hundreds of thousands
# (most of them stale).
_SIGN = 1 << 63
_MASK = (1 << 64) - 1


def _ordinals(values: np.ndarray) -> list[int]:
    """Unsigned ints ordered as the float64 `values` are (no NaN)."""
    bits = values.astype(np.float64).view(np.uint64)
    negative = (bits >> np.uint64(63)).astype(bool)
    out = np.where(negative, ~bits, bits | np.uint64(_SIGN))
    return out.tolist()  # type: ignore[no-any-return]


def _value(ordinal: int) -> float:
    """The float64 of an ordinal of `_ordinals`."""
    bits = ordinal ^ _SIGN if ordinal & _SIGN else ~ordinal & _MASK
    return float(np.array([bits], dtype=np.uint64).view(np.float64)[0])


def _average_linkage(links: np.ndarray, min_similarity: float) -> list[list[int]]:
    """Groups of row indexes of the pairwise similarity matrix `links` (changed in place)."""
    n = links.shape[0]
    # Cluster state: the *sum* of pairwise similarities between clusters, one row and column
    # per cluster (the average is sum / (size_a * size_b); sums merge by addition:
    # Lance-Williams). A merged cluster takes the first one's row; heap entries name clusters
    # by id (a new id per merge) so an entry of a cluster merged since is known to be stale.
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}  # by row
    row_of: dict[int, int] = {i: i for i in range(n)}  # cluster id -> row
    id_of = list(range(n))  # row -> cluster id
    heap: list[int] = []  # (-similarity, id a, id b) packed: see `_ordinals`
    for start in range(0, n, _BLOCK):  # pairs i < j above the threshold, a block at a time
        block = links[start : start + _BLOCK]
        first, second = np.nonzero(np.triu(block >= min_similarity, 1 + start))
        heap.extend(
            (o << 64) | ((i + start) << 32) | j
            for o, i, j in zip(
                _ordinals(-block[first, second]), first.tolist(), second.tolist(), strict=True
            )
        )
    heapq.heapify(heap)
    next_id = n
    while heap:
        entry = heapq.heappop(heap)
        a, b = (entry >> 32) & 0xFFFFFFFF, entry & 0xFFFFFFFF
        ra, rb = row_of.get(a), row_of.get(b)
        if ra is None or rb is None:
            continue  # stale: one side has merged since
        current = links[ra, rb] / (size[ra] * size[rb])
        if abs(current + _value(entry >> 64)) > 1e-12:
            continue  # stale: recomputed entry is in the heap
        merged = next_id
        next_id += 1
        del row_of[a], row_of[b]
        row_of[merged], id_of[ra] = ra, merged
        members[ra] = members[ra] + members.pop(rb)
        joined = links[ra] + links[rb]
        joined[ra] = joined[rb] = 0.0
        links[ra], links[:, ra] = joined, joined
        links[rb], links[:, rb] = 0.0, 0.0
        alive[rb] = False
        size[ra] += size[rb]
        average = joined / (size[ra] * size)
        others = np.nonzero(alive & (joined != 0.0) & (average >= min_similarity))[0]
        for o, other in zip(_ordinals(-average[others]), others.tolist(), strict=True):
            other_id = id_of[other]
            heapq.heappush(heap, (o << 64) | (min(merged, other_id) << 32) | max(merged, other_id))
    groups = [sorted(m) for m in members.values()]
    groups.sort(key=lambda g: (-len(g), g[0]))
    return groups


def story_of(stories: Sequence[Story]) -> dict[str, int]:
    """Article id -> index of its story in `stories`."""
    return {article_id: index for index, s in enumerate(stories) for article_id in s.article_ids}


# --- Windows larger than a brief reads in full --------------------------------------------
#
# The brief's own clustering (above) compares every pair of articles, and the rest of the
# brief works sentence by sentence: both grow with the window. Past `MAX_ARTICLES_READ`
# articles a brief reads the articles of the window's largest stories (the most widely
# reported events: a news aggregator's front page), found by a cheap first pass over every
# article, and says so; up to it, every article is read as before.
MAX_ARTICLES_READ = 1000
# Past the bound, the first pass's work grows with the window: grouping an article costs about
# a tenth of what reading it costs the brief (2 Dec: 0.09 s for the first pass over 2,000
# articles, 0.26 s over 5,000, against 0.8 s to read 1,000). So each article over the bound
# takes a tenth of an article off what the brief reads (`read_budget`: 900 of 2,000, 600 of
# 5,000), and the brief's cost stays about that of 1,000 articles, down to half the bound
# (6,000 articles); a window just over the bound reads about the bound (no step at 1,000).
_GROUPING_COST = 0.1
# The first pass: an article is compared in full only with the articles it shares a rare term
# with (in at most `_RARE_DF` articles: names, places, the event's own words), enough of
# them to reach `_CANDIDATE` of similarity on those terms alone; pairs at least
# `_FIRST_PASS_SIMILARITY` alike (full TF-IDF cosine) are one story, transitively. A group
# larger than the brief reads is split again at a stricter similarity (single linkage chains
# stories through reports that mention two events); one that fits is read whole, and the
# brief's own clustering then separates its stories exactly.
_RARE_DF = 30
# The first pass reads an article's first sentences only: a report says what happened, to whom
# and where at the top (reading them all cost 3x the time at 5,000 articles). Shorter texts
# are less alike, hence a lower threshold than the brief's clustering on whole articles.
# On WikiRef220 (220 articles, 16 stories, `largest_stories` with 150 of them): the 4 largest
# stories' 36 + 33 + 32 + 31 articles and 13 of the 5th (first pass NMI 0.82, purity 0.94).
LEDE_SENTENCES = 8
_CANDIDATE = 0.08
_FIRST_PASS_SIMILARITY = 0.15
_PAIR_CHUNK = 4096  # candidate pairs whose frequent-term part is computed at a time
_first = operator.itemgetter(0)
_second = operator.itemgetter(1)


def stored_counts(
    articles: Sequence[ArticleInput], lede_sentences: int | None = LEDE_SENTENCES
) -> sparse.csr_matrix:
    """Articles x terms counts from the stored sentence analysis (the terms of its first
    `lede_sentences` prose sentences, no tokenizing; an article without one is tokenized here,
    whole): the first pass's input."""
    return stored_counts_and_terms(articles, lede_sentences)[0]


def stored_counts_and_terms(
    articles: Sequence[ArticleInput], lede_sentences: int | None = LEDE_SENTENCES
) -> tuple[sparse.csr_matrix, list[str]]:
    """`stored_counts`, and the term of each of its columns."""
    # Column numbers handed out in first-seen order by the dict itself (`map` over C callables:
    # this visits every term of every sentence of the window).
    column: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    lengths: list[int] = []
    names: list[str] = []
    values: list[int] = []
    for article in articles:
        before = len(names)
        if article.lede_terms is not None:  # read as just these (a large window's articles)
            names.extend(article.lede_terms[0])
            values.extend(article.lede_terms[1])
        elif article.sentences is None:
            counted = term_counts(article)
            names.extend(counted)
            values.extend(counted.values())
        else:
            for f in itertools.islice(
                (f for f in article.sentences if f.kind == "prose"), lede_sentences
            ):
                names.extend(map(_first, f.terms))
                values.extend(map(_second, f.terms))
        lengths.append(len(names) - before)
    indices = np.fromiter(map(column.__getitem__, names), dtype=np.int64, count=len(names))
    tf = np.fromiter(values, dtype=np.float64, count=len(values))
    indptr = np.zeros(len(articles) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    matrix = sparse.csr_matrix((tf, indices, indptr), shape=(len(articles), max(1, len(column))))
    matrix.sum_duplicates()  # a term in several sentences: one entry, counts added
    return matrix, list(column)  # (a dict keeps first-seen order: the columns' order)


def first_pass_groups(counts: sparse.csr_matrix, max_group: int = MAX_ARTICLES_READ) -> np.ndarray:
    """A story label per article (row of `counts`), in time about linear in the articles: see
    `_RARE_DF`. Coarser than `cluster_matrix` (single linkage over near pairs), and only used
    to choose which articles a large window's brief reads."""
    n = counts.shape[0]
    unit = _unit_tfidf(counts)
    df = np.bincount(unit.indices, minlength=unit.shape[1])
    rare = df <= _RARE_DF
    part = unit.copy()
    part.data[~rare[part.indices]] = 0.0
    part.eliminate_zeros()
    near = sparse.triu(part @ part.T, 1).tocsr()
    keep = near.data >= _CANDIDATE
    first = np.repeat(np.arange(n), np.diff(near.indptr))[keep]
    second = near.indices[keep]
    similarity = near.data[keep]
    # The candidates' cosines in full: the rare terms' part above plus the frequent terms'
    # part, the candidates' rows multiplied entry by entry (a chunk of pairs at a time; a
    # dense matrix of the frequent columns took n x their number: 46 MB at 5,000 articles).
    frequent = unit.copy()
    frequent.data[rare[frequent.indices]] = 0.0
    frequent.eliminate_zeros()
    for start in range(0, len(first), _PAIR_CHUNK):
        a = frequent[first[start : start + _PAIR_CHUNK]]
        b = frequent[second[start : start + _PAIR_CHUNK]]
        similarity[start : start + _PAIR_CHUNK] += np.asarray(a.multiply(b).sum(axis=1)).ravel()
    labels = np.zeros(n, dtype=np.int64)
    _components(np.arange(n), first, second, similarity, _FIRST_PASS_SIMILARITY, labels, max_group)
    return labels


def _components(
    nodes: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    similarity: np.ndarray,
    threshold: float,
    labels: np.ndarray,
    max_size: int,
) -> None:
    """Label `nodes` (global indexes) by the connected components of their pairs at least
    `threshold` alike, splitting a component over `max_size` again at a stricter threshold.
    Labels are set in `labels` (unique: each component's smallest member)."""
    strong = similarity >= threshold
    local = np.full(len(labels), -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    a, b = local[first[strong]], local[second[strong]]
    graph = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(len(nodes), len(nodes)))
    _, component = connected_components(graph, directed=False)
    order = np.argsort(component, kind="stable")
    bounds = np.flatnonzero(np.diff(component[order])) + 1
    for members in np.split(order, bounds):
        group = nodes[members]  # ascending: `nodes` is, and the sort is stable
        if len(group) > max_size and threshold < 0.9:
            inside = np.zeros(len(labels), dtype=bool)
            inside[group] = True
            pick = strong & inside[first] & inside[second]
            _components(
                group,
                first[pick],
                second[pick],
                similarity[pick],
                threshold + 0.1,
                labels,
                max_size,
            )
        else:
            labels[group] = group[0]


def read_budget(n: int, bound: int = MAX_ARTICLES_READ) -> int:
    """How many of a window's `n` articles its brief reads: all up to `bound`, then a tenth of
    an article fewer per article over it (`_GROUPING_COST`), never under half the bound."""
    if n <= bound:
        return n
    return max(bound // 2, round(bound - _GROUPING_COST * (n - bound)))


def largest_stories(
    counts: sparse.csr_matrix,
    newest_first: Sequence[int],
    budget: int = MAX_ARTICLES_READ,
    on_topic: np.ndarray | None = None,
) -> list[int]:
    """The articles (rows of `counts`, ascending) a brief reads when the window holds more
    than `budget`: whole stories of the first pass, those with the most reports on the topic
    first, then the largest (ties: the story with the newest report), each story's reports
    newest first, until `budget` articles. `newest_first`: the rows in order of publication,
    newest first; `on_topic`: per row, whether its lede names the brief's topic (None: all)."""
    n = counts.shape[0]
    if n <= budget:
        return list(range(n))
    labels = first_pass_groups(counts, budget)
    size = np.bincount(labels, minlength=n)
    topical = size if on_topic is None else np.bincount(labels, on_topic.astype(np.int64), n)
    recency = np.empty(n, dtype=np.int64)
    recency[np.asarray(newest_first, dtype=np.int64)] = np.arange(n)
    newest_of = np.full(n, n, dtype=np.int64)
    np.minimum.at(newest_of, labels, recency)
    # Rows ordered by (more reports on the topic, larger story, story with the newer newest
    # report, newer report).
    order = np.lexsort((recency, newest_of[labels], -size[labels], -topical[labels]))
    return sorted(order[:budget].tolist())
