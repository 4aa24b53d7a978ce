"""Load prompt templates from TOML files and render them with exactly their declared variables.

A template file holds:

    name = "brief"                 # must match the file name
    version = "1"                  # a string; bump it whenever the wording changes
    description = "..."
    variables = ["topic", ...]     # every placeholder, and nothing else
    system = "...${topic}..."      # string.Template syntax: ${var}; "$$" is a literal "$"
    user = "..."

`string.Template` (not str.format) keeps the JSON braces that prompts are full of safe, and never
re-expands a `$` that arrives inside a value (article text is substituted verbatim).

Everything is checked when the file is loaded, so a broken template fails at start-up or in the
tests, not in the middle of a digest round: placeholders used must equal the declared variables,
exactly. Rendering then requires every declared variable and refuses any other.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from bot.errors import PromptError

_PACKAGE = "prompts"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TEXT_FIELDS = ("system", "user")


@dataclass(frozen=True)
class RenderedPrompt:
    """A prompt ready to send: the system message and the user message."""

    system: str
    user: str

    def __len__(self) -> int:
        return len(self.system) + len(self.user)


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: str
    description: str
    variables: tuple[str, ...]
    system: str
    user: str

    def render(self, **values: object) -> RenderedPrompt:
        """Substitute every declared variable; a missing or unexpected one is a PromptError."""
        missing = [v for v in self.variables if v not in values]
        extra = sorted(k for k in values if k not in self.variables)
        problems = []
        if missing:
            problems.append(f"missing variable(s) {', '.join(missing)}")
        if extra:
            problems.append(f"unexpected variable(s) {', '.join(extra)}")
        if problems:
            raise PromptError(f"prompt {self.name!r} v{self.version}: {'; '.join(problems)}")
        strings = {k: "" if v is None else str(v) for k, v in values.items()}
        return RenderedPrompt(
            system=Template(self.system).substitute(strings),
            user=Template(self.user).substitute(strings),
        )


def load_prompt(name: str) -> PromptTemplate:
    """The shipped template `prompts/<name>.toml`, validated (cached: templates never change)."""
    if not _NAME.match(name):
        raise PromptError(f"invalid prompt name {name!r}: use lowercase letters, digits and _")
    return _load_shipped(name)


@cache
def _load_shipped(name: str) -> PromptTemplate:
    resource = resources.files(_PACKAGE).joinpath(f"{name}.toml")
    if not resource.is_file():
        raise PromptError(f"prompt {name!r} not found: no {name}.toml in the prompts package")
    return parse_prompt(resource.read_text(encoding="utf-8"), source=f"{name}.toml", name=name)


def load_prompt_file(path: str | Path) -> PromptTemplate:
    """A template from any file (tests, experiments); its `name` must match the file name."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise PromptError(f"cannot read prompt file {path}: {err.strerror or err}") from None
    return parse_prompt(text, source=str(path), name=path.stem)


def parse_prompt(text: str, *, source: str, name: str | None = None) -> PromptTemplate:
    """Parse and validate a template's TOML text. `source` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PromptError(f"{source}: not valid TOML: {err}") from None
    return _validate(data, source=source, expected_name=name)


def _validate(data: Mapping[str, Any], *, source: str, expected_name: str | None) -> PromptTemplate:
    def string_field(key: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or (key != "description" and not value.strip()):
            raise PromptError(f"{source}: {key!r} must be a non-empty string")
        return value

    unknown = sorted(set(data) - {"name", "version", "description", "variables", *_TEXT_FIELDS})
    if unknown:
        raise PromptError(f"{source}: unknown key(s) {', '.join(unknown)}")
    name = string_field("name")
    if expected_name is not None and name != expected_name:
        raise PromptError(f"{source}: name {name!r} does not match the file name {expected_name!r}")
    version = string_field("version")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise PromptError(f"{source}: 'description' must be a string")
    declared = data.get("variables")
    if not isinstance(declared, list) or not all(isinstance(v, str) for v in declared):
        raise PromptError(f"{source}: 'variables' must be a list of names")
    duplicates = sorted({v for v in declared if declared.count(v) > 1})
    if duplicates:
        raise PromptError(f"{source}: variable(s) declared twice: {', '.join(duplicates)}")

    used: set[str] = set()
    texts = {key: string_field(key) for key in _TEXT_FIELDS}
    for key, body in texts.items():
        template = Template(body)
        if not template.is_valid():
            raise PromptError(
                f"{source}: {key!r} has a malformed placeholder near {_bad_dollar(body)!r} "
                "(use ${name}, or $$ for a literal $)"
            )
        used.update(template.get_identifiers())

    undeclared = sorted(used - set(declared))
    unused = [v for v in declared if v not in used]
    problems = []
    if undeclared:
        problems.append(f"undeclared placeholder(s) {', '.join(undeclared)}")
    if unused:
        problems.append(f"declared but unused variable(s) {', '.join(unused)}")
    if problems:
        raise PromptError(f"{source}: {'; '.join(problems)}")
    return PromptTemplate(
        name=name,
        version=version,
        description=description.strip(),
        variables=tuple(declared),
        system=texts["system"],
        user=texts["user"],
    )


def _bad_dollar(body: str) -> str:
    for match in Template.pattern.finditer(body):
        if match.group("invalid") is not None:
            start = match.start("invalid")
            return body[max(0, start - 10) : start + 15]
    return "$"
