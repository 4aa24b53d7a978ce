"""Imports point down (docs/architecture.md): a small AST walk over bot/ and storage/.

Every import statement counts, wherever it stands: at the top, inside a function (a "lazy"
import is still a dependency), under `if TYPE_CHECKING:`. Fails when
- bot/slack, bot/jobs or bot/cli.py import `storage` or SQLAlchemy (they call the services);
- bot/jobs imports bot/slack (posting is handed to the jobs);
- two units import each other, directly or round a longer loop. A unit is a package under
  bot/ (bot/slack with everything below it), a module directly under bot/, or storage/.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "storage")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import in the file, relative ones resolved."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from storage import articles` imports storage.articles (or a name of storage)
                yield (f"{base}.{alias.name}" if alias.name != "*" else base), node.lineno


def import_graph(root: Path = ROOT) -> dict[str, list[tuple[str, int]]]:
    """Module name → what it imports (with line numbers), for every module of bot/ and storage/."""
    graph: dict[str, list[tuple[str, int]]] = {}
    for top in PACKAGES:
        for path in sorted((root / top).rglob("*.py")):
            graph[str(path.relative_to(root))] = list(_imports(path, root))
    return graph


def unit_of(module: str) -> str | None:
    """The unit a module belongs to; None outside bot/ and storage/ (libraries)."""
    parts = module.split(".")
    if parts[0] == "storage":
        return "storage"
    if parts[0] != "bot" or len(parts) == 1:
        return None
    return f"bot.{parts[1]}"


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violations(root: Path = ROOT) -> list[str]:
    found: list[str] = []
    edges: dict[str, dict[str, str]] = defaultdict(dict)  # unit → unit → where
    for file, imported in import_graph(root).items():
        source = unit_of(_module_name(root / file, root))
        faces = file.startswith(("bot/slack/", "bot/jobs/")) or file == "bot/cli.py"
        for name, line in imported:
            where = f"{file}:{line} imports {name}"
            if faces and (_under(name, "storage") or _under(name, "sqlalchemy")):
                found.append(f"{where} (Slack, jobs and the CLI call the services instead)")
            if file.startswith("bot/jobs/") and _under(name, "bot.slack"):
                found.append(f"{where} (jobs are handed their posting path)")
            target = unit_of(name)
            if source and target and target != source:
                edges[source].setdefault(target, where)
    found += [f"import cycle: {' -> '.join(loop)}" for loop in _cycles(edges)]
    return found


def _cycles(edges: dict[str, dict[str, str]]) -> list[list[str]]:
    """Every strongly connected group of units larger than one, as one loop to show."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    loops = []
    for group in groups:
        loop = [f"{a} ({edges[a][b]})" for a in group for b in group if b in edges[a]]
        loops.append(loop)
    return loops


def test_imports_point_down() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("file", "source", "rule"),
    [
        ("bot/slack/x.py", "from storage import deliveries\n", "call the services"),
        ("bot/jobs/x.py", "def f():\n    from sqlalchemy import text\n", "call the services"),
        ("bot/cli.py", "import storage.db\n", "call the services"),
        ("bot/jobs/x.py", "from bot.slack.pacing import ChannelPacer\n", "handed their posting"),
        ("bot/render/x.py", "from bot.answer import result\n", "import cycle"),
    ],
)
def test_the_check_catches(tmp_path: Path, file: str, source: str, rule: str) -> None:
    """Each rule fails on a tree that breaks it (an import inside a function included)."""
    for top in PACKAGES:
        (tmp_path / top).mkdir()
        (tmp_path / top / "__init__.py").write_text("")
    for folder in ("bot/slack", "bot/jobs", "bot/render", "bot/answer"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "bot/answer/result.py").write_text("from bot.render import x\n")
    (tmp_path / file).write_text(source)
    assert any(rule in v for v in violations(tmp_path)), violations(tmp_path)
