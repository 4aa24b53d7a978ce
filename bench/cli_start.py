"""CPU of a CLI start: `briefbot topic list` and `briefbot --help`, beside what they compare to.

    .venv/bin/python bench/cli_start.py [--runs 7] [--before DIR] [--database-url URL] [--json]

- Each command is a fresh interpreter (`python -m bot ...`) on a SQLite file migrated once
  (one topic), or on `--database-url`; its CPU is user + system time of the child
  (`resource.getrusage(RUSAGE_CHILDREN)`), so other work on the machine inflates it less
  than wall time. Wall time is printed too.
- Baselines, interleaved with ours in every round: `python -c "import sqlalchemy"` (what any
  command that reads the database through SQLAlchemy must pay) and `python -c pass`;
  with `--before DIR` (a checkout of older code, e.g. `git archive <commit> | tar -x -C DIR`)
  the same `topic list` run from it (PYTHONPATH=DIR), so a change is measured in one run.
- Figures: medians over `--runs` rounds (alternating, in a rotated order).
- Goal (issue 14): `topic list` and `--help` each <= 300 ms of CPU.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Bench, parser

ROOT = Path(__file__).resolve().parents[1]
GOAL_CPU_S = 0.3


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[1:])} failed: {done.stderr.strip()[-300:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=None, help="alternating rounds (7)")
    p.add_argument("--before", help="a checkout of the code before, measured beside ours")
    p.add_argument("--database-url", help="instead of a new SQLite file")
    args = p.parse_args(argv)
    runs = args.runs or (2 if args.quick else 7)
    bench = Bench("cli_start", args)
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'briefbot.db'}"
        base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATABASE_URL")}
        env = {**base, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        os.chdir(tmp)  # no .env file of the caller's
        # Migrates the new database (not timed): `topic list` then finds it up to date.
        timed([python, "-m", "bot", "topic", "add", "ukraine", "--keywords", "ukraine,kyiv"], env)
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "topic list": ([python, "-m", "bot", "topic", "list"], env),
            "--help": ([python, "-m", "bot", "--help"], env),
            "import sqlalchemy": ([python, "-c", "import sqlalchemy"], env),
            "python -c pass": ([python, "-c", "pass"], env),
        }
        if args.before:
            before_env = {**env, "PYTHONPATH": str(Path(args.before).resolve())}
            commands["before: topic list"] = (commands["topic list"][0], before_env)
        bench.params(runs=runs, database=url.split(":", 1)[0], before=args.before)
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        wall: dict[str, list[float]] = {name: [] for name in commands}
        names = list(commands)
        for n in range(runs):
            for name in names[n % len(names) :] + names[: n % len(names)]:
                c, w = timed(*commands[name])
                cpu[name].append(c)
                wall[name].append(w)
    median = {name: statistics.median(values) for name, values in cpu.items()}
    for name in names:
        bench.say(
            f"{name:22} CPU median {median[name] * 1000:6.0f} ms "
            f"(runs {', '.join(f'{x * 1000:.0f}' for x in cpu[name])}); "
            f"wall median {statistics.median(wall[name]) * 1000:.0f} ms"
        )
    bench.ours(
        topic_list_cpu_ms=round(median["topic list"] * 1000, 1),
        help_cpu_ms=round(median["--help"] * 1000, 1),
    )
    bench.baseline(
        **{
            name.replace(" ", "_").replace(":", "").replace("-", ""): round(value * 1000, 1)
            for name, value in median.items()
            if name not in ("topic list", "--help")
        }
    )
    for name in ("topic list", "--help"):
        bench.goal(
            f"`briefbot {name}` <= {GOAL_CPU_S * 1000:.0f} ms CPU",
            median[name] <= GOAL_CPU_S,
            f"median {median[name] * 1000:.0f} ms; import sqlalchemy alone "
            f"{median['import sqlalchemy'] * 1000:.0f} ms"
            + (
                f"; the code before {median['before: topic list'] * 1000:.0f} ms"
                if "before: topic list" in median and name == "topic list"
                else ""
            ),
        )
    bench.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
