"""Run every module-level regular expression in `bot` over long adversarial strings.

Used by test_redos.py in a child process (a regex holds the GIL, so only a process can be
stopped from outside). Prints one JSON object: the patterns that took longer than the budget
on some input shape, with that shape, and how many patterns were tried.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import sys
import time
from collections.abc import Iterator

# Shapes that make backtracking patterns rescan: runs of one class, separators repeated,
# openers never closed, URL-ish and markup-ish fragments.
SHAPES = (
    "aa.", "a", " ", "\n", "\u2003", "a ", "<", "<a", "&", "-", "A.", "1,", " \n", "http://",
    "a:", "—a", "'a", "a-", "#", "*", "a/", ". ", "A ", "a,", "x://a", "<think>", '"', "(",
    "[", "\t", "<p ", "---\n", "I. ", "by A ", "www.", "a.b/", ", according to a", "<a:b|",
    "[a](", "ing ", "— a", " - a",
)  # fmt: skip
SIZE = 10_000  # characters per adversarial string


def patterns() -> Iterator[tuple[str, re.Pattern[str] | re.Pattern[bytes]]]:
    import bot

    seen: set[int] = set()
    for info in pkgutil.walk_packages(bot.__path__, "bot."):
        if info.name.endswith("__main__") or ".demo" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            found = [value] if isinstance(value, re.Pattern) else []
            if isinstance(value, tuple):  # tables of (pattern, weight, …)
                found = [v[0] for v in value if isinstance(v, tuple) and v and _is_pattern(v[0])]
            for pattern in found:
                if id(pattern) not in seen:
                    seen.add(id(pattern))
                    yield f"{info.name}.{name}", pattern


def _is_pattern(value: object) -> bool:
    return isinstance(value, re.Pattern)


def main(budget: float) -> None:
    slow = []
    tried = 0
    for name, pattern in patterns():
        tried += 1
        worst = ("", 0.0)
        for shape in SHAPES:
            text = shape * (SIZE // len(shape))
            subject = text.encode() if isinstance(pattern.pattern, bytes) else text
            # CPU time of this thread: what the pattern costs, not what other processes on a
            # loaded machine took from it (a regex holds the GIL and does not wait).
            t = time.thread_time()
            pattern.search(subject)  # type: ignore[arg-type]
            pattern.sub(subject[:0], subject)  # type: ignore[arg-type]
            took = time.thread_time() - t
            if took > worst[1]:
                worst = (shape, took)
        if worst[1] > budget:
            slow.append({"pattern": name, "shape": worst[0], "seconds": round(worst[1], 2)})
    print(json.dumps({"tried": tried, "slow": slow}))


if __name__ == "__main__":
    main(float(sys.argv[1]))
