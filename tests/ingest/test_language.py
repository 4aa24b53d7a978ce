"""Language detection at ingestion (bot/nlp/language.py) on made-up text: a confident code
for an article, None for a headline too short to tell; and the codes people type."""

from __future__ import annotations

from bot.nlp.language import detect_language, language_code
from bot.service.languages import brief_language


def test_articles_get_their_language_and_a_bare_headline_none() -> None:
    assert (
        detect_language(
            "Council approves flood banks",
            "The city council approved the plan on Thursday by seven votes to two.",
        )
        == "en"
    )
    assert (
        detect_language(
            "Stadtrat beschließt Deiche",
            "Der Stadtrat hat am Donnerstag den Plan mit sieben zu zwei Stimmen beschlossen.",
        )
        == "de"
    )
    assert detect_language("Kyiv talks", "OK") is None


def test_language_codes_and_the_default() -> None:
    assert [language_code(t) for t in ("de", "DE", "de-DE", "pt_BR", "german", "", None)] == [
        "de",
        "de",
        "de",
        "pt",
        None,
        None,
        None,
    ]
    assert brief_language(None, "en") == "en"
    assert brief_language("de", "en") == "de"
    assert brief_language("any", "en") is None
    assert brief_language(None, "any") is None
