"""Articles: storing with dedup (canonical URL, then content hash), and window queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.idlists import id_in, text_in
from storage.models import Article, ArticleBand, ArticleTopic, ArticleUrl, utcnow


@dataclass(frozen=True)
class NewArticle:
    """An article ready to store. `url` is already canonical; `content_hash` is computed by
    the caller from normalised text so that dedup rules live with the ingest code."""

    url: str
    title: str
    text: str
    content_hash: str
    outlet: str | None = None
    published_at: datetime | None = None
    source_id: int | None = None
    # Near-duplicate detection (optional): a MinHash signature and its LSH band keys.
    minhash: bytes | None = None
    band_keys: tuple[int, ...] = ()
    language: str | None = None  # ISO 639-1, detected by the ingest code


# Decides whether two stored signatures are copies of one text (injected by the ingest code,
# which owns the similarity rule).
NearDuplicateRule = Callable[[bytes, bytes], bool]


@dataclass(frozen=True)
class StoreResult:
    article: Article
    created: bool
    # "new", "same-url" (seen before under this URL), "same-content" (another URL, same
    # text), "near-duplicate" (another URL, a lightly edited copy of a stored text)
    reason: str


def known_url(session: Session, url: str) -> Article | None:
    """The article stored under this canonical URL (its own or a syndicated copy's)."""
    alias = session.scalar(select(ArticleUrl).where(ArticleUrl.url == url))
    return alias.article if alias is not None else None


def known_urls(session: Session, urls: Iterable[str], *, chunk: int = 500) -> dict[str, int]:
    """`known_url` for many URLs in a few queries: {url: article id} for the known ones."""
    return _ids_by(session, ArticleUrl.url, ArticleUrl.article_id, urls, chunk)


def _ids_by(
    session: Session, key: Any, article_id: Any, values: Iterable[str], chunk: int
) -> dict[str, int]:
    """{value: article id} for the stored `values` of column `key`, `chunk` values a query."""
    unique = list(dict.fromkeys(values))
    found: dict[str, int] = {}
    for start in range(0, len(unique), chunk):
        rows = session.execute(
            select(key, article_id).where(text_in(session, key, unique[start : start + chunk]))
        )
        found.update((value, int(i)) for value, i in rows)
    return found


def near_duplicate(
    session: Session, new: NewArticle, rule: NearDuplicateRule | None
) -> Article | None:
    """The earliest stored article `rule` calls a copy of `new`, found through shared bands."""
    if rule is None or new.minhash is None or not new.band_keys:
        return None
    candidates = session.scalars(
        select(Article)
        .where(
            Article.id.in_(
                select(ArticleBand.article_id).where(ArticleBand.band_key.in_(new.band_keys))
            )
        )
        .order_by(Article.id)
    )
    for article in candidates:
        if article.minhash is not None and rule(new.minhash, article.minhash):
            return article
    return None


def add(
    session: Session, new: NewArticle, *, near_duplicates: NearDuplicateRule | None = None
) -> StoreResult:
    """Store `new` unless its URL or content is already known. Never overwrites stored text.

    With `near_duplicates`, a lightly edited copy of a stored article (another outlet's
    syndicated version) becomes an alias of it instead of a new article.
    """
    existing = known_url(session, new.url)
    if existing is not None:
        return StoreResult(existing, False, "same-url")
    same_text = session.scalar(select(Article).where(Article.content_hash == new.content_hash))
    if same_text is not None:
        _add_alias(session, same_text, new.url, new.outlet)
        return StoreResult(same_text, False, "same-content")
    copy_of = near_duplicate(session, new, near_duplicates)
    if copy_of is not None:
        _add_alias(session, copy_of, new.url, new.outlet)
        return StoreResult(copy_of, False, "near-duplicate")
    article = _new_row(new)
    try:
        # A savepoint: if a concurrent ingest stored the same URL/hash first, only this insert
        # is undone, not the caller's batch.
        with session.begin_nested():
            session.add(article)
            session.flush()
            session.add(ArticleUrl(url=new.url, article_id=article.id, outlet=article.outlet))
            session.add_all(
                ArticleBand(band_key=key, article_id=article.id)
                for key in dict.fromkeys(new.band_keys)
            )
            session.flush()
    except IntegrityError:
        winner = known_url(session, new.url) or session.scalar(
            select(Article).where(Article.content_hash == new.content_hash)
        )
        if winner is None:
            raise
        return StoreResult(winner, False, "same-content")
    return StoreResult(article, True, "new")


def add_many(
    session: Session,
    news: Sequence[NewArticle],
    *,
    near_duplicates: NearDuplicateRule | None = None,
) -> list[StoreResult]:
    """`add` of each of `news` in turn, with the same results, in a few statements for the
    whole batch instead of about eight per article: the URLs, content hashes and LSH bands
    are looked up together, then the new articles, their URLs, the aliases and the bands are
    inserted together (multi-row inserts) under one savepoint. Ingest stores every article
    this way, and statements per article are most of PostgreSQL's CPU per page (issue 18).

    A concurrent writer that stored one of the same URLs or texts first undoes the batch's
    savepoint only; the batch is then stored one `add` at a time, as before.
    """
    if not news:
        return []
    by_url: dict[str, int | Article] = dict(known_urls(session, [n.url for n in news]))
    by_hash: dict[str, int | Article] = dict(_known_hashes(session, [n.content_hash for n in news]))
    bands, signatures = _band_candidates(session, news, near_duplicates)
    # Each article's outcome: (stored article id, or the new Article of this batch; reason).
    outcomes: list[tuple[int | Article, str]] = []
    aliases: list[tuple[str, int | Article, str | None]] = []
    fresh: list[tuple[Article, NewArticle]] = []
    for new in news:
        if new.url in by_url:
            outcomes.append((by_url[new.url], "same-url"))
            continue
        target, reason = by_hash.get(new.content_hash), "same-content"
        if target is None:
            target = _first_copy(new, bands, signatures, fresh, near_duplicates)
            reason = "near-duplicate"
        if target is not None:
            aliases.append((new.url, target, new.outlet))
            by_url[new.url] = target
            outcomes.append((target, reason))
            continue
        article = _new_row(new)
        fresh.append((article, new))
        by_url[new.url] = by_hash[new.content_hash] = article
        outcomes.append((article, "new"))
    try:
        with session.begin_nested():
            session.add_all(article for article, _ in fresh)
            session.flush()  # one multi-row INSERT ... RETURNING id
            url_rows = [
                {"url": new.url, "article_id": article.id, "outlet": article.outlet}
                for article, new in fresh
            ]
            url_rows += [
                {"url": url, "article_id": _id(target), "outlet": outlet}
                for url, target, outlet in aliases
            ]
            if url_rows:
                session.execute(insert(ArticleUrl), url_rows)
            band_rows = [
                {"band_key": key, "article_id": article.id}
                for article, new in fresh
                for key in dict.fromkeys(new.band_keys)
            ]
            if band_rows:
                session.execute(insert(ArticleBand), band_rows)
    except IntegrityError:
        return [add(session, new, near_duplicates=near_duplicates) for new in news]
    # The stored articles the batch's duplicates are of, read in one query.
    earlier = {t for t, _ in outcomes if isinstance(t, int)}
    stored = (
        {
            a.id: a
            for a in session.scalars(select(Article).where(id_in(session, Article.id, earlier)))
        }
        if earlier
        else {}
    )
    return [
        StoreResult(stored[t] if isinstance(t, int) else t, reason == "new", reason)
        for t, reason in outcomes
    ]


def _id(target: int | Article) -> int:
    return target if isinstance(target, int) else target.id


def _new_row(new: NewArticle) -> Article:
    return Article(
        url=new.url,
        title=new.title[:1024],
        text=new.text,
        content_hash=new.content_hash,
        outlet=new.outlet[:256] if new.outlet else None,
        published_at=new.published_at,
        fetched_at=utcnow(),
        source_id=new.source_id,
        minhash=new.minhash,
        language=new.language,
    )


def _known_hashes(session: Session, hashes: Sequence[str], *, chunk: int = 500) -> dict[str, int]:
    return _ids_by(session, Article.content_hash, Article.id, hashes, chunk)


def _band_candidates(
    session: Session,
    news: Sequence[NewArticle],
    rule: NearDuplicateRule | None,
    *,
    chunk: int = 500,
) -> tuple[dict[int, set[int]], dict[int, bytes | None]]:
    """({band key: ids of stored articles with it}, {id: signature}) for the batch's bands."""
    if rule is None:
        return {}, {}
    keys = list(dict.fromkeys(k for n in news if n.minhash is not None for k in n.band_keys))
    bands: dict[int, set[int]] = {}
    for start in range(0, len(keys), chunk):
        rows = session.execute(
            select(ArticleBand.band_key, ArticleBand.article_id).where(
                id_in(session, ArticleBand.band_key, keys[start : start + chunk])
            )
        )
        for key, article_id in rows:
            bands.setdefault(int(key), set()).add(int(article_id))
    ids = sorted({i for found in bands.values() for i in found})
    signatures: dict[int, bytes | None] = {}
    for start in range(0, len(ids), chunk):
        rows = session.execute(
            select(Article.id, Article.minhash).where(
                id_in(session, Article.id, ids[start : start + chunk])
            )
        )
        signatures.update((int(i), m) for i, m in rows)
    return bands, signatures


def _first_copy(
    new: NewArticle,
    bands: Mapping[int, set[int]],
    signatures: Mapping[int, bytes | None],
    fresh: Sequence[tuple[Article, NewArticle]],
    rule: NearDuplicateRule | None,
) -> int | Article | None:
    """`near_duplicate` over what the batch looked up and what it adds before `new`: the
    stored candidates by id, then the batch's (stored after them, so with higher ids)."""
    if rule is None or new.minhash is None or not new.band_keys:
        return None
    keys = set(new.band_keys)
    stored = sorted({i for key in keys for i in bands.get(key, ())})
    for article_id in stored:
        minhash = signatures.get(article_id)
        if minhash is not None and rule(new.minhash, minhash):
            return article_id
    for article, earlier in fresh:
        if (
            keys.intersection(earlier.band_keys)
            and article.minhash is not None
            and rule(new.minhash, article.minhash)
        ):
            return article
    return None


def _add_alias(session: Session, article: Article, url: str, outlet: str | None) -> None:
    try:
        with session.begin_nested():
            session.add(ArticleUrl(url=url, article_id=article.id, outlet=outlet))
            session.flush()
    except IntegrityError:
        pass  # another process recorded the same alias first


def link_topic(
    session: Session, article_ids: Iterable[int], topic_id: int, *, new: Iterable[int] = ()
) -> int:
    """Link articles to a topic; returns how many links are new. `new`: those of
    `article_ids` this transaction inserted, which no link can refer to yet (they are not
    looked for: ingest links each stored batch, mostly of new articles)."""
    ids = set(article_ids)
    if not ids:
        return 0
    inserted = ids.intersection(new)
    stored = ids - inserted
    already = (
        set(
            session.scalars(
                select(ArticleTopic.article_id).where(
                    ArticleTopic.topic_id == topic_id,
                    id_in(session, ArticleTopic.article_id, stored),
                )
            )
        )
        if stored
        else set()
    )
    fresh = sorted(ids - already)
    if fresh:
        # One multi-row INSERT without ORM objects: ingest links every stored batch to its
        # source's topics, and the unit of work cost more CPU than the statement.
        session.execute(
            insert(ArticleTopic),
            [{"article_id": i, "topic_id": topic_id, "linked_at": utcnow()} for i in fresh],
        )
    return len(fresh)


def for_topic(
    session: Session,
    topic_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    arrived_since: datetime | None = None,
    arrived_except: Sequence[int] = (),
    language: str | None = None,
) -> list[Article]:
    """The topic's articles in the window, newest first (`language`: only those in it, or
    whose language is unknown; applied before `limit`).

    With `arrived_since` (wall-clock time), also the articles linked to the topic since then
    whatever their publication time (up to `until`), except the ids in `arrived_except`: a
    digest's late arrivals, published before its window but fetched after the last digest.
    """
    # An article without a publication date counts from when we fetched it.
    when = func.coalesce(Article.published_at, Article.fetched_at)
    query = _in_window(
        session,
        select(Article).order_by(when.desc(), Article.id.desc()),
        topic_id,
        since=since,
        until=until,
        arrived_since=arrived_since,
        arrived_except=arrived_except,
        language=language,
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_for_topic(
    session: Session,
    topic_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    arrived_since: datetime | None = None,
    arrived_except: Sequence[int] = (),
    language: str | None = None,
) -> int:
    """How many articles `for_topic` would return without a limit (a brief over a capped
    window says how many it left out)."""
    query = _in_window(
        session,
        select(func.count(Article.id)),
        topic_id,
        since=since,
        until=until,
        arrived_since=arrived_since,
        arrived_except=arrived_except,
        language=language,
    )
    return int(session.scalar(query) or 0)


def _in_window(
    session: Session,
    query: Select[Any],
    topic_id: int,
    *,
    since: datetime | None,
    until: datetime | None,
    arrived_since: datetime | None,
    arrived_except: Sequence[int],
    language: str | None = None,
) -> Select[Any]:
    when = func.coalesce(Article.published_at, Article.fetched_at)
    query = query.join(ArticleTopic, ArticleTopic.article_id == Article.id).where(
        ArticleTopic.topic_id == topic_id
    )
    if language is not None:
        query = query.where(or_(Article.language.is_(None), Article.language == language))
    if until is not None:
        query = query.where(when <= until)
    if since is not None and arrived_since is not None:
        late = ArticleTopic.linked_at >= arrived_since
        if arrived_except:
            late = and_(late, ~id_in(session, Article.id, arrived_except))
        query = query.where(or_(when >= since, late))
    elif since is not None:
        query = query.where(when >= since)
    return query


def set_languages(session: Session, languages: Mapping[int, str | None]) -> None:
    """Store detected languages by article id (None: unknown, left as it is): one UPDATE per
    language, not per article (a batch of new articles is mostly in one language)."""
    by_language: dict[str, list[int]] = {}
    for article_id, language in languages.items():
        if language is not None:
            by_language.setdefault(language, []).append(article_id)
    for language, ids in sorted(by_language.items()):
        session.execute(
            update(Article)
            .where(id_in(session, Article.id, ids))
            .values(language=language)
            .execution_options(synchronize_session=False)
        )


def without_language(
    session: Session, *, after_id: int, limit: int, chars: int
) -> list[tuple[int, str, str]]:
    """(id, title, opening of the text) of articles whose language is unknown, by id above
    `after_id`: a bounded page, `chars` of each text at most."""
    rows = session.execute(
        select(Article.id, Article.title, func.substr(Article.text, 1, chars))
        .where(Article.language.is_(None), Article.id > after_id)
        .order_by(Article.id)
        .limit(limit)
    )
    return [(int(i), title or "", text or "") for i, title, text in rows]


def by_ids(session: Session, ids: Sequence[int]) -> list[Article]:
    if not ids:
        return []
    rows = {
        a.id: a for a in session.scalars(select(Article).where(id_in(session, Article.id, ids)))
    }
    return [rows[i] for i in ids if i in rows]


def outlets_of(session: Session, article_ids: Sequence[int]) -> dict[int, list[str]]:
    """Every outlet each article was seen in (its own first)."""
    result: dict[int, list[str]] = {i: [] for i in article_ids}
    if not article_ids:
        return result
    rows = session.execute(
        select(ArticleUrl.article_id, ArticleUrl.outlet)
        .where(id_in(session, ArticleUrl.article_id, article_ids), ArticleUrl.outlet.is_not(None))
        .order_by(ArticleUrl.id)
    )
    for article_id, outlet in rows:
        if outlet and outlet not in result[article_id]:
            result[article_id].append(outlet)
    return result


def count(session: Session, topic_id: int | None = None, since: datetime | None = None) -> int:
    when = func.coalesce(Article.published_at, Article.fetched_at)
    query = select(func.count(Article.id))
    conditions = []
    if topic_id is not None:
        query = query.join(ArticleTopic, ArticleTopic.article_id == Article.id)
        conditions.append(ArticleTopic.topic_id == topic_id)
    if since is not None:
        conditions.append(when >= since)
    if conditions:
        query = query.where(and_(*conditions))
    return int(session.scalar(query) or 0)
