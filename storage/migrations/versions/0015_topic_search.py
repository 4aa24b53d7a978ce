"""A full-text index per topic (issue 14 item 5): a topic's articles searched without
matching the whole store.

Before, a topic-wide search matched every stored article holding the question's words and
then kept the topic's: at 100,000 articles over 50 topics that was 5,000-23,000 rows (and
their BM25 scores) for ~2,000 of the topic's. Now each (topic, article) link has its own
index entry, kept in sync by triggers, so a search of one topic reads only that topic's:

- SQLite: `topic_fts`, a contentless FTS5 table whose rowid is
  `topic_id * 2^32 + article_id`. A topic's entries are one rowid range, which FTS5 answers by
  seeking each word's doclist to it (`storage.search`), as a thread's ids are searched.
  Contentless: it holds the index only (the text stays in `articles`); entries are removed
  with FTS5's 'delete' command and the article's text, which is why unlinking reads the
  article, and an article being deleted removes its links' entries first (its links'
  cascade runs after the article row is gone, when that text can no longer be read).
- PostgreSQL: `topic_search (topic_id, article_id, search_vector)`, the article's vector plus
  one lexeme naming the topic (`~t<id>`, which no query text can produce: the parser drops
  the `~`), under a GIN index: `vector @@ (question & topic)` intersects the words' and the
  topic's posting lists inside the index, whatever the planner thinks of the topic's size.
  Its rows go with their link (foreign key, ON DELETE CASCADE); a statement trigger copies
  the vectors when links are added (a batch of links is one INSERT … SELECT), a row trigger
  when an article's title or text changes.

Filled from the existing links: about a minute per 100,000 links on a busy two-core machine.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# storage.search.TOPIC_ROWIDS: a topic's entries are rowids topic_id * 2^32 + article_id.
_KEY = "{topic} * 4294967296 + {article}"

_SQLITE_TRIGGERS = {
    "topic_fts_link": "AFTER INSERT ON article_topics BEGIN "
    "INSERT INTO topic_fts(rowid, title, text) "
    f"SELECT {_KEY.format(topic='new.topic_id', article='a.id')}, a.title, a.text "
    "FROM articles a WHERE a.id = new.article_id; END",
    "topic_fts_unlink": "AFTER DELETE ON article_topics BEGIN "
    "INSERT INTO topic_fts(topic_fts, rowid, title, text) "
    f"SELECT 'delete', {_KEY.format(topic='old.topic_id', article='a.id')}, a.title, a.text "
    "FROM articles a WHERE a.id = old.article_id; END",
    "topic_fts_article_delete": "BEFORE DELETE ON articles BEGIN "
    "INSERT INTO topic_fts(topic_fts, rowid, title, text) "
    f"SELECT 'delete', {_KEY.format(topic='t.topic_id', article='old.id')}, old.title, old.text "
    "FROM article_topics t WHERE t.article_id = old.id; END",
    "topic_fts_article_update": "AFTER UPDATE OF title, text ON articles BEGIN "
    "INSERT INTO topic_fts(topic_fts, rowid, title, text) "
    f"SELECT 'delete', {_KEY.format(topic='t.topic_id', article='old.id')}, old.title, old.text "
    "FROM article_topics t WHERE t.article_id = old.id; "
    "INSERT INTO topic_fts(rowid, title, text) "
    f"SELECT {_KEY.format(topic='t.topic_id', article='new.id')}, new.title, new.text "
    "FROM article_topics t WHERE t.article_id = new.id; END",
}

_PG_VECTOR = "a.search_vector || array_to_tsvector(ARRAY['~t' || {topic}::text])"

_PG_FUNCTIONS = {
    "topic_search_link": "INSERT INTO topic_search (topic_id, article_id, search_vector) "
    f"SELECT n.topic_id, n.article_id, {_PG_VECTOR.format(topic='n.topic_id')} "
    "FROM added n JOIN articles a ON a.id = n.article_id "
    "ON CONFLICT (article_id, topic_id) DO NOTHING",
    "topic_search_article_update": "UPDATE topic_search s "
    "SET search_vector = NEW.search_vector || array_to_tsvector(ARRAY['~t' || s.topic_id::text]) "
    "WHERE s.article_id = NEW.id",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
        return
    op.execute(
        "CREATE VIRTUAL TABLE topic_fts USING fts5("
        "title, text, content='', tokenize='porter unicode61')"
    )
    for name, body in _SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(
        "INSERT INTO topic_fts(rowid, title, text) "
        f"SELECT {_KEY.format(topic='t.topic_id', article='a.id')}, a.title, a.text "
        "FROM article_topics t JOIN articles a ON a.id = t.article_id "
        "ORDER BY t.topic_id, t.article_id"
    )
    # One segment instead of the many a large backfill leaves (each adds a step per query).
    op.execute("INSERT INTO topic_fts(topic_fts) VALUES('optimize')")


def _upgrade_postgresql() -> None:
    op.execute(
        "CREATE TABLE topic_search ("
        " topic_id INTEGER NOT NULL, article_id INTEGER NOT NULL,"
        " search_vector TSVECTOR NOT NULL,"
        " PRIMARY KEY (article_id, topic_id),"
        " FOREIGN KEY (article_id, topic_id) REFERENCES article_topics (article_id, topic_id)"
        " ON DELETE CASCADE)"
    )
    op.execute(
        "INSERT INTO topic_search (topic_id, article_id, search_vector) "
        f"SELECT t.topic_id, t.article_id, {_PG_VECTOR.format(topic='t.topic_id')} "
        "FROM article_topics t JOIN articles a ON a.id = t.article_id"
    )
    op.execute("CREATE INDEX ix_topic_search ON topic_search USING gin (search_vector)")
    for name, body in _PG_FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body}; RETURN NULL; END $$"
        )
    op.execute(
        "CREATE TRIGGER topic_search_link AFTER INSERT ON article_topics "
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
        "EXECUTE FUNCTION topic_search_link()"
    )
    # Per row, and only when the words changed: other updates of an article (its language)
    # must not rewrite its entries and their GIN postings.
    op.execute(
        "CREATE TRIGGER topic_search_article_update AFTER UPDATE OF title, text ON articles "
        "FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title"
        " OR OLD.text IS DISTINCT FROM NEW.text) "
        "EXECUTE FUNCTION topic_search_article_update()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS topic_search_article_update ON articles")
        op.execute("DROP TRIGGER IF EXISTS topic_search_link ON article_topics")
        for name in _PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        op.execute("DROP TABLE IF EXISTS topic_search")
        return
    for name in _SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS topic_fts")
