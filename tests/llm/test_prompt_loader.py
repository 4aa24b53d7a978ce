"""Prompt templates: validated at load, rendered with exactly their declared variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import PromptError
from prompts import load_prompt, load_prompt_file
from prompts.loader import parse_prompt

GOOD = """
name = "demo"
version = "3"
description = "A demo."
variables = ["topic", "articles"]
system = 'Answer as JSON: {"a": [1, 2]} about ${topic}. Costs $$5.'
user = "${articles}"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_template_renders_and_keeps_json_braces(tmp_path: Path) -> None:
    template = load_prompt_file(write(tmp_path, "demo", GOOD))
    assert (template.name, template.version) == ("demo", "3")
    assert template.variables == ("topic", "articles")
    rendered = template.render(topic="Ukraine", articles="text with ${topic} and $5 inside")
    assert rendered.system == 'Answer as JSON: {"a": [1, 2]} about Ukraine. Costs $5.'
    # A value is substituted verbatim: a "$" inside article text is never expanded.
    assert rendered.user == "text with ${topic} and $5 inside"


def test_missing_variable_names_it(tmp_path: Path) -> None:
    template = load_prompt_file(write(tmp_path, "demo", GOOD))
    with pytest.raises(PromptError, match=r"missing variable.*articles"):
        template.render(topic="x")


def test_unexpected_variable_names_it(tmp_path: Path) -> None:
    template = load_prompt_file(write(tmp_path, "demo", GOOD))
    with pytest.raises(PromptError, match=r"unexpected variable.*colour"):
        template.render(topic="x", articles="y", colour="red")


def test_undeclared_placeholder_fails_at_load(tmp_path: Path) -> None:
    text = GOOD.replace('user = "${articles}"', 'user = "${articles} ${window}"')
    with pytest.raises(PromptError, match=r"undeclared placeholder.*window"):
        load_prompt_file(write(tmp_path, "demo", text))


def test_unused_declared_variable_fails_at_load(tmp_path: Path) -> None:
    text = GOOD.replace('"articles"]', '"articles", "tone"]')
    with pytest.raises(PromptError, match=r"unused variable.*tone"):
        load_prompt_file(write(tmp_path, "demo", text))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('version = "3"', "version = 3"), "'version' must be a non-empty string"),
        (('name = "demo"', 'name = "other"'), "does not match the file name"),
        (("Costs $$5.", "Costs $5."), "malformed placeholder"),
        (('user = "${articles}"', 'user = "${articles}"\ntemperature = 1'), "unknown key"),
        (
            ('variables = ["topic", "articles"]', 'variables = ["topic", "articles", "topic"]'),
            "declared twice",
        ),
        (('name = "demo"', 'name = "demo'), "not valid TOML"),
    ],
)
def test_malformed_templates_fail_at_load(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(PromptError, match=message):
        load_prompt_file(write(tmp_path, "demo", GOOD.replace(*change)))


def test_unknown_prompt_name() -> None:
    with pytest.raises(PromptError, match="not found"):
        load_prompt("no_such_prompt")
    with pytest.raises(PromptError, match="invalid prompt name"):
        load_prompt("../brief")


def test_parse_prompt_names_its_source() -> None:
    with pytest.raises(PromptError, match=r"inline\.toml"):
        parse_prompt("name = 1", source="inline.toml")


def test_shipped_brief_template_loads_and_renders() -> None:
    template = load_prompt("brief")
    assert template.name == "brief" and template.version
    rendered = template.render(
        topic="Ukraine",
        window="2025-03-13 to 2025-03-14",
        article_ids="a1, a2",
        articles='<article id="a1">...</article>',
        max_bullets=5,
        max_chars=280,
        max_quote_chars=200,
        language="German",
    )
    assert "in German, whatever language the articles are in." in rendered.system
    assert "200 characters" in rendered.system and "never\n  translated" in rendered.system
    for section in ("key_provisions", "open_questions", "next_steps"):
        assert section in rendered.system
    assert "at most 5 bullets" in rendered.system.lower() and "280 characters" in rendered.system
    assert "a1, a2" in rendered.system
    assert "<<<BEGIN ARTICLES>>>" in rendered.user and "<<<END ARTICLES>>>" in rendered.user
    assert "DATA" in rendered.system and "ignore previous instructions" in rendered.system


def test_shipped_answer_template_loads_and_renders() -> None:
    template = load_prompt("answer")
    rendered = template.render(
        question="When?",
        history="user: hi",
        passage_ids="a1",
        passages='<passage id="a1">...</passage>',
        max_chars=700,
    )
    assert '"found"' in rendered.system and '"source_ids"' in rendered.system
    assert "user: hi" in rendered.user and "Question: When?" in rendered.user
    assert "<<<BEGIN PASSAGES>>>" in rendered.user


def test_templates_are_package_data() -> None:
    from importlib import resources

    names = {p.name for p in resources.files("prompts").iterdir()}
    assert {"brief.toml", "answer.toml"} <= names
