"""Answers read each stored sentence's kind and entities only (`load_entities`): the database
extracts them, and they are what `load` gives for those two features, on both engines."""

from __future__ import annotations

from storage import articles
from storage import sentences as sentence_store
from storage.db import transaction
from tests.conftest import Database

ROWS = [
    (
        0,
        0,
        "Crews met in Oslo on Monday.",
        {
            "kind": "prose",
            "ents": [["Oslo", "GPE"], ["Monday", "DATE"]],
            "terms": [["crew", 1], ["oslo", 1]],
            "cues": [0.5, 0.0, 0.0, 0.0],
        },
    ),
    (1, 0, "More soon.", {"kind": "dependent", "terms": [["soon", 1]]}),
    (2, 1, "Untyped.", {}),
]


def test_load_entities_reads_kind_and_entities_only(db: Database) -> None:
    with transaction(db.factory) as session:
        stored = articles.add(
            session,
            articles.NewArticle(
                url="https://news.example.com/1",
                title="Crews",
                text=" ".join(text for _, _, text, _ in ROWS),
                content_hash="1" * 64,
            ),
        ).article
        sentence_store.replace(session, stored.id, "v1", ROWS)
    with db.factory() as session:
        got = sentence_store.load_entities(session, [stored.id, stored.id + 1])
        full = sentence_store.load(session, [stored.id])
    assert got == {
        stored.id: [
            (
                0,
                0,
                "Crews met in Oslo on Monday.",
                {"kind": "prose", "ents": [["Oslo", "GPE"], ["Monday", "DATE"]]},
            ),
            (1, 0, "More soon.", {"kind": "dependent"}),
            (2, 1, "Untyped.", {}),
        ]
    }
    # the same as the whole features read for those two keys
    assert [
        (p, g, t, {k: f[k] for k in ("kind", "ents") if k in f}) for p, g, t, f in full[stored.id]
    ] == got[stored.id]
