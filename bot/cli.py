"""`briefbot` command line: a thin face on `bot.core.Briefbot`.

Every command builds the settings once, turns user errors (`BriefbotError`) into one readable
line on stderr with exit status 2, and leaves tracebacks for real bugs.
"""

from __future__ import annotations

import argparse
import logging
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli_errors import FAILURES, RedactingWriter, failure_line, redact_all
from bot.errors import BriefbotError, UserInputError
from bot.logformat import configure_logging
from bot.settings import Settings

if TYPE_CHECKING:  # imported where used: `briefbot topic list` starts without them
    from bot.core import Briefbot
    from bot.ingest.report import IngestReport

log = logging.getLogger("briefbot")

DEMO_TOPIC = "ukraine"
DEMO_KEYWORDS = ("ukraine", "kyiv", "zelensky", "ceasefire")
DEMO_QUESTION = "What did Ukraine agree to in Jeddah?"

_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(value: str, now: datetime) -> datetime:
    """`24h`, `90m`, `7d`, `2w` (that long before now) or an ISO 8601 date/time (UTC if naive)."""
    match = _DURATION.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        try:
            return _in_range(now - timedelta(**{_UNITS[unit]: amount}), value)
        except OverflowError:  # 9999999999d: before the year 1
            raise _out_of_range(value) from None
    if len(value) > 64:  # no date is this long; don't echo a pasted page back
        value = value[:64] + "…"
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UserInputError(
            f"Cannot read {value!r} as a time: use a duration like 24h, 7d, 90m "
            "or a date like 2025-03-11 or 2025-03-11T18:00:00+00:00."
        ) from None
    return _in_range(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC), value)


# Times a window may start or end at: far enough from datetime's limits (years 1 and 9999)
# that the window arithmetic after (`until - 24h`, time zones) cannot overflow.
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def _in_range(when: datetime, value: str) -> datetime:
    if not _EARLIEST <= when <= _LATEST:
        raise _out_of_range(value)
    return when


def _out_of_range(value: str) -> UserInputError:
    return UserInputError(
        f"{value.strip()!r} is out of range: use a time between 1900 and 9000, "
        "e.g. a duration like 7d or a date like 2025-03-11."
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefbot",
        description="Brief a team on a news topic: key provisions, open questions, next steps.",
    )
    parser.add_argument(
        "--env-file",
        default=None,
        help="read settings from this file too (default: .env, if there is one)",
    )
    parser.add_argument(
        "--version", action=_Version, help="print the version and where the data lives, then exit"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="fresh database + bundled sample articles: brief and answer")
    demo.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or JSON"
    )

    ingest = sub.add_parser(
        "ingest",
        help="fetch and store articles",
        description="Fetch and store articles. Without SOURCE: refresh every topic's sources "
        "(a topic without sources searches NEWS_SEARCH_FEED_URL for its name).",
    )
    ingest.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="feed or article URL, a .md/.txt/.html file, or a folder of them "
        "(default: every topic's sources)",
    )
    ingest.add_argument(
        "--topic",
        help="attach the sources to this topic (created if needed); without SOURCE, refresh "
        "only this topic's sources (or search the news for it when it has none)",
    )
    ingest.add_argument(
        "--no-wait",
        action="store_true",
        help="exit once the articles are stored, without waiting for their sentence analysis "
        "(a running `briefbot serve`/`worker` catches up on it; a brief analyses what it needs)",
    )

    topic = sub.add_parser("topic", help="manage topics")
    topic_sub = topic.add_subparsers(dest="topic_command", required=True, metavar="ACTION")
    add = topic_sub.add_parser("add", help="create or update a topic")
    add.add_argument("name")
    add.add_argument(
        "--keywords",
        default="",
        help='comma-separated, e.g. "ukraine, kyiv": any newly stored article (from any '
        "source) that mentions one joins the topic (default: none; only the topic's own "
        "sources' articles)",
    )
    add.add_argument(
        "--feed",
        action="append",
        default=[],
        metavar="URL",
        help="an RSS/Atom feed (or article page) URL to fetch for this topic; repeat for more",
    )
    topic_sub.add_parser("list", help="list topics")
    show = topic_sub.add_parser(
        "show", help="a topic's keywords, sources with their health, articles, subscriptions"
    )
    show.add_argument("name")
    sources = topic_sub.add_parser("sources", help="list a topic's sources and their errors")
    sources.add_argument("name")
    remove = topic_sub.add_parser(
        "remove", help="remove a topic (stored articles stay; its subscriptions go)"
    )
    remove.add_argument("name")
    remove.add_argument(
        "--yes", action="store_true", help="also when Slack channels subscribe to it"
    )

    source = sub.add_parser("source", help="manage a topic's sources")
    source_sub = source.add_subparsers(dest="source_command", required=True, metavar="ACTION")
    source_remove = source_sub.add_parser(
        "remove", help="stop fetching a source for a topic (its stored articles stay)"
    )
    source_remove.add_argument("topic")
    source_remove.add_argument(
        "location", metavar="URL_OR_PATH", help="as `briefbot topic show` lists it"
    )

    brief = sub.add_parser("brief", help="print the brief of a topic")
    brief.add_argument("topic")
    brief.add_argument(
        "--since",
        default=None,
        help="start of the window: a duration back from --until (90m, 24h, 7d, 2w) or an ISO "
        "date (default: BRIEF_WINDOW_HOURS, 24h)",
    )
    brief.add_argument("--until", default=None, help="end of the window, ISO date (default: now)")
    brief.add_argument(
        "--format",
        choices=("text", "json", "blocks"),
        default="text",
        help="text (default), the JSON contract, or Slack Block Kit",
    )

    ask = sub.add_parser("ask", help="answer a question from a topic's stored articles")
    ask.add_argument("topic")
    ask.add_argument("question")
    ask.add_argument(
        "--since",
        default=None,
        help="only articles since then (24h, 7d, ISO date; default: all the topic's articles)",
    )
    ask.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or JSON"
    )

    serve = sub.add_parser("serve", help="run the Slack app (HTTP or Socket Mode)")
    mode = serve.add_mutually_exclusive_group(required=True)
    mode.add_argument("--http", action="store_true", help="serve /slack/events over HTTP")
    mode.add_argument("--socket", action="store_true", help="connect with Socket Mode")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=None, help="HTTP port (default: PORT)")
    serve.add_argument(
        "--no-scheduler", action="store_true", help="do not run digests and scheduled ingest here"
    )

    sub.add_parser("worker", help="run scheduled ingest and digests (no HTTP)")

    workspace = sub.add_parser("workspace", help="manage installed Slack workspaces")
    ws_sub = workspace.add_subparsers(dest="workspace_command", required=True, metavar="ACTION")
    ws_delete = ws_sub.add_parser(
        "delete", help="delete a workspace's subscriptions, deliveries and installation"
    )
    ws_delete.add_argument("team_id", help="the workspace's team id (T…)")
    ws_delete.add_argument("--yes", action="store_true", help="delete (without: only show)")

    sub.add_parser(
        "doctor",
        help="check the database, NLP model, Slack token, LLM and fetch guard; one line each",
    )
    manifest = sub.add_parser("manifest", help="print the Slack app manifest (YAML) to paste")
    manifest.add_argument(
        "--http",
        metavar="https://YOUR-HOST",
        help="HTTP mode with the request URLs at this public URL (default: Socket Mode)",
    )

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply all migrations")
    reindex = db_sub.add_parser(
        "reindex",
        help="re-analyse articles whose sentence analysis is missing or outdated, and detect"
        " the language of those without one",
    )
    reindex.add_argument("--all", action="store_true", help="re-analyse every article")
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run one command. Exit status: 0 done, 1 failed (database, Slack, files), 2 usage or
    configuration error, 130 interrupted. Every failure a user can cause or fix ends in one
    line on stderr, with secrets masked; a traceback means a bug."""
    args = build_parser().parse_args(_attach_dash_values(sys.argv[1:] if argv is None else argv))
    secrets: list[str] = []
    try:
        settings = _settings(args.env_file)
        secrets = settings.secrets()
        # Everything the CLI prints goes through redaction: a source URL, an error quoting a
        # server, a stored title can all carry a token.
        out = RedactingWriter(stdout or sys.stdout, secrets)
        quiet = args.command not in ("serve", "worker")
        configure_logging("WARNING" if quiet else settings.log_level, secrets, settings.log_format)
        _quiet_libraries(settings.log_level)
        handler = _COMMANDS[args.command]
        return handler(args, settings, out)
    except BriefbotError as err:
        _say(str(err), secrets)
        return 1 if isinstance(err, FAILURES) else 2
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        line = failure_line(err)
        if line is None:
            raise  # a bug: keep its traceback
        _say(line, secrets)
        return 1


def _settings(env_file: str | None) -> Settings:
    if env_file is not None:
        if not Path(env_file).exists():
            raise UserInputError(f"--env-file {env_file!r}: no such file")
        if Path(env_file).is_dir():
            raise UserInputError(f"--env-file {env_file!r} is a directory, not a file")
    return Settings.from_env(dotenv_path=env_file if env_file is not None else ".env")


def _say(line: str, secrets: Sequence[str]) -> None:
    print(f"briefbot: {redact_all(' '.join(line.split()), secrets)}", file=sys.stderr)


# Libraries whose INFO lines (alembic's plugin set-up, Bolt's start-up, every HTTP request) and
# whose own ERROR lines for what we report ourselves (trafilatura on an empty page) are noise in
# a terminal. Their detail comes back with LOG_LEVEL=DEBUG.
_CHATTY_LIBRARIES = (
    "alembic",
    "apscheduler",
    "httpx",
    "httpcore",
    "slack_bolt",
    "slack_sdk",
    "trafilatura",
    "urllib3",
    "waitress",
    "openai",
    "procrastinate",
)


def _quiet_libraries(level: str) -> None:
    if level == "DEBUG":
        return
    for name in _CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.CRITICAL if name == "trafilatura" else "WARNING")


# Options whose value may start with "-" (a user writing "--since -5d"): argparse would take
# the value for an option and answer "expected one argument".
_VALUE_OPTIONS = ("--since", "--until")


def _attach_dash_values(argv: Sequence[str]) -> list[str]:
    """`--since -5d` as `--since=-5d`, so both get the same (helpful) message."""
    out: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        if items[i] in _VALUE_OPTIONS and i + 1 < len(items) and items[i + 1].startswith("-"):
            out.append(f"{items[i]}={items[i + 1]}")
            i += 2
            continue
        out.append(items[i])
        i += 1
    return out


class _Version(argparse.Action):
    """`--version`: the version and where this set-up's data lives (needs the settings)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from importlib.metadata import version

        from bot.doctor import where

        try:
            settings = Settings.from_env(dotenv_path=".env")
        except BriefbotError as err:
            parser.exit(2, f"briefbot: {err}\n")
        print(f"briefbot {version('briefbot')}: {where(settings)}")
        parser.exit(0)


def _cmd_doctor(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.doctor import report, run_checks, where

    print(f"briefbot: {where(settings)}", file=out)
    lines, status = report(run_checks(settings))
    for line in lines:
        print(line, file=out)
    return status


def _cmd_manifest(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.manifest import manifest_yaml

    print(manifest_yaml(args.http), end="", file=out)
    return 0


def _core(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.core import Briefbot

    return Briefbot(settings)


def _cmd_db(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if args.db_command == "reindex":
        core = _core(settings)
        try:
            from bot.nlp import pipeline_status

            status = pipeline_status(settings.nlp_model)
            if not status.available:
                print(f"briefbot: degraded sentence analysis: {status.reason}", file=sys.stderr)
            count = core.reindex(force=args.all)
            missing, detected = core.detect_missing_languages()
        finally:
            core.close()
        print(f"re-analysed {count} article{'s' if count != 1 else ''}", file=out)
        if missing:
            print(
                f"detected the language of {detected} of {missing} article"
                f"{'s' if missing != 1 else ''} without one (the rest: too short or unclear)",
                file=out,
            )
        return 0
    from bot.service.database import migrate

    migrate(settings)
    print("database is up to date", file=out)
    return 0


def _cmd_workspace(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    team_id = args.team_id.strip()
    if not re.fullmatch(r"[TE][A-Z0-9]{2,31}", team_id):
        raise UserInputError(f"{team_id!r} is not a Slack team id (like T0123ABCD)")
    core = _core(settings)
    try:
        if not args.yes:
            found = core.workspaces.counts(team_id)
            summary = ", ".join(_count(n, what) for what, n in found.items())
            print(f"workspace {team_id}: {summary}", file=out)
            print("nothing deleted; run again with --yes to delete", file=out)
            return 0
        deleted = core.workspaces.delete(team_id)
        summary = ", ".join(_count(n, what) for what, n in deleted.items())
        print(f"deleted workspace {team_id}: {summary}", file=out)
        return 0
    finally:
        core.close()


def _cmd_topic(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if args.topic_command in ("show", "remove"):
        return _topic_admin(args, settings, out)
    if args.topic_command == "add":
        for feed in args.feed:  # before the database is opened: nothing to undo
            if not feed.strip().lower().startswith(("http://", "https://")):
                raise UserInputError(
                    f"--feed needs a feed URL like https://example.com/feed.xml, not {feed!r}"
                )
    if args.topic_command == "list":
        return _topic_list(settings, out)
    core = _core(settings)
    if args.topic_command == "add":
        keywords = [k for k in args.keywords.split(",") if k.strip()]
        info = core.add_topic(args.name, keywords, args.feed)
        print(
            f"topic {info.name}: keywords {', '.join(info.keywords) or 'none'}; "
            f"{_plural(info.source_count, 'source')}, {_plural(info.article_count, 'article')}",
            file=out,
        )
    else:
        found = core.topic_sources(args.name)
        if not found:
            # Issue 16: an empty listing read as "nothing to see" rather than "no sources".
            print(
                f"topic {args.name} has no sources: ingest searches the news for its name. "
                f"Add a feed with `briefbot ingest https://example.com/feed.xml --topic "
                f"{shlex.quote(args.name)}`",
                file=out,
            )
        for source in found:
            last_ok = f"{source.last_ok_at:%Y-%m-%d %H:%M} UTC" if source.last_ok_at else "never"
            if source.last_error:
                since = (
                    f" since {source.failing_since:%Y-%m-%d %H:%M} UTC"
                    if source.failing_since
                    else ""
                )
                state = f"failing{since}: {source.last_error} (last success: {last_ok})"
            else:
                state = f"ok {last_ok}" if source.last_ok_at else "not fetched yet"
            count = _plural(source.article_count or 0, "article")
            print(f"{source.kind}\t{source.url}\t{state}\t{count}", file=out)
    return 0


def _topic_list(settings: Settings, out: TextIO) -> int:
    # One plain query, without building the core: the ORM and the services' imports alone
    # cost more CPU than the 300 ms this command may take (issue 14). A database that is
    # behind is opened the usual way, which migrates it.
    from bot.service.overview import topic_list

    topics = topic_list(settings)
    if topics is None:
        core = _core(settings)
        try:
            topics = core.list_topics()
        finally:
            core.close()
    if not topics:
        print("no topics yet: add one with `briefbot topic add NAME`", file=out)
    for info in topics:
        print(
            f"{info.name}\tkeywords: {', '.join(info.keywords)}\t"
            f"{_plural(info.source_count, 'source')}\t{_plural(info.article_count, 'article')}",
            file=out,
        )
    return 0


def _count(n: int, plural: str) -> str:
    """E.g. 1 delivery, 2 deliveries, from the plural a storage count is named by."""
    if n != 1:
        return f"{n} {plural}"
    singular = plural[:-3] + "y" if plural.endswith("ies") else plural.removesuffix("s")
    return f"1 {singular}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _topic_admin(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """`topic show` and `topic remove`."""
    core = _core(settings)
    try:
        if args.topic_command == "remove":
            gone = core.topics.remove(args.name, force=args.yes)
            print(
                f"removed topic {gone.name}: {_plural(len(gone.sources), 'source')} detached, "
                f"{_plural(len(gone.subscriptions), 'subscription')} deleted; "
                f"its {_plural(gone.article_count, 'stored article')} stay",
                file=out,
            )
            return 0
        found = core.topics.details(args.name)
    finally:
        core.close()
    print(f"topic {found.name}", file=out)
    print(f"  keywords: {', '.join(found.keywords) or 'none'}", file=out)
    print(f"  articles: {found.article_count}", file=out)
    print(f"  sources: {len(found.sources) or 'none (ingest searches the news for it)'}", file=out)
    for s in found.sources:
        if s.last_error:
            health = f"failing ({s.error_count}×): {_reason(s.url, s.last_error)}"
        elif s.last_ok_at:
            health = f"ok {s.last_ok_at:%Y-%m-%d %H:%M} UTC"
        else:
            health = "not fetched yet"
        print(f"    {s.kind}\t{s.url}\t{health}", file=out)
    print(f"  subscriptions: {len(found.subscriptions) or 'none'}", file=out)
    for sub in found.subscriptions:
        state = " (paused)" if sub.paused else ""
        print(f"    {sub.team_id} #{sub.channel_id} at {sub.at}{state}", file=out)
    return 0


def _cmd_source(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.service.topics import normalize_name

    core = _core(settings)
    try:
        url = core.topics.remove_source(args.topic, args.location)
    finally:
        core.close()

    print(f"removed {url} from topic {normalize_name(args.topic)}", file=out)
    return 0


def _cmd_ingest(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    # By default the articles' analysis is done before the command exits, so a brief right
    # after reads it; --no-wait leaves it all to a running bot's catch-up (nothing started
    # here that the exit would have to wait for).
    analysis = "queue" if args.no_wait else "wait"
    core = _core(settings)
    try:
        if args.sources:
            with _progress(_weights(args.sources)) as tick:
                report = core.ingest(
                    args.sources, topic=args.topic, progress=tick, analysis=analysis
                )
                reports = [("", report)]
        else:
            reports = _refresh(core, args.topic, analysis)
    finally:
        core.close()
    for prefix, report in reports:
        print(prefix + report.summary_line(), file=out)
        for result in report.sources:
            if not result.ok:
                print(f"  failed: {_failure(result.url, result.error or 'failed')}", file=out)
            for reason in result.skipped:  # files of a folder that were not read, and why
                print(f"  skipped: {_failure(result.url, reason)}", file=out)
    results = [r for _, report in reports for r in report.sources]
    return 0 if any(r.ok for r in results) or not results else 1


def _refresh(
    core: Briefbot, topic: str | None, analysis: str = "wait"
) -> list[tuple[str, IngestReport]]:
    """`ingest` without SOURCE: every topic's sources (or one topic's), and the news-search
    feed for each topic that has no sources of its own, as /brief does in Slack."""
    from bot.ingest.report import search_source_url
    from bot.redact import redact
    from bot.service.topics import normalize_name

    topics = core.list_topics()
    if topic is not None:
        wanted = normalize_name(topic)
        topics = [t for t in topics if t.name == wanted]
        if not topics:
            core.add_topic(topic)
            topics = core.list_topics()
            topics = [t for t in topics if t.name == wanted]
    with_sources = [t for t in topics if t.source_count]
    reports: list[tuple[str, IngestReport]] = []
    if with_sources or not topics:
        total = sum(t.source_count for t in with_sources)
        with _progress(total) as tick:
            report = core.ingest(None, topic=topic, progress=tick, analysis=analysis)
        reports.append(("", report))
    for info in topics:
        if info.source_count:
            continue
        feed = search_source_url(core.settings.news_search_feed_url, info.name)
        report = core.refresh_topic(info.name, analysis=analysis)
        shown = redact(feed, core.settings.secrets())
        reports.append((f"{info.name}: no sources of its own, searched {shown}: ", report))
    return reports


def _failure(url: str, error: str) -> str:
    """One failed source as "where: why", without the path said twice."""
    from bot.redact import redact

    return f"{redact(url)}: {_reason(url, error)}"


def _reason(url: str, error: str) -> str:
    """A source's error without its own URL or path in front (the line names it already)."""
    from urllib.parse import unquote, urlsplit

    for said in (url, unquote(urlsplit(url).path) if url.startswith("file://") else None):
        if said and error.startswith(said + ": "):
            error = error[len(said) + 2 :]
    return error


def _weights(locations: Sequence[str]) -> dict[str, int]:
    """What each source counts for in the progress total: a folder its readable files (the
    pipeline reads a folder as one source), anything else 1. Keyed by the URL progress names."""
    import os

    from bot.ingest.files import SUFFIXES

    weights: dict[str, int] = {}
    for location in dict.fromkeys(loc.strip() for loc in locations):
        path = Path(location).expanduser()
        if "://" in location or not path.is_dir():
            weights[location] = 1
            continue
        files = 0
        for _root, dirs, names in os.walk(path):  # as bot.ingest.files reads a folder
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            files += sum(
                1 for n in names if not n.startswith(".") and Path(n).suffix.lower() in SUFFIXES
            )
        weights[path.resolve().as_uri()] = max(files, 1)
    return weights


def _cmd_brief(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.render import blocks, json_out, terminal

    core = _core(settings)
    now = core.clock()
    until = parse_when(args.until, now) if args.until else None
    since = parse_when(args.since, until or now) if args.since else None
    result = core.brief(args.topic, since=since, until=until)
    if args.format == "json":
        print(json_out.brief_to_json(result.brief), file=out)
    elif args.format == "blocks":
        import json

        message = blocks.brief_to_message(result.brief)
        print(json.dumps(message.to_kwargs(), ensure_ascii=False, indent=2), file=out)
    else:
        print(terminal.brief_to_text(result.brief), file=out)
    return 0


def _cmd_ask(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.render import json_out, terminal

    core = _core(settings)
    since = parse_when(args.since, core.clock()) if args.since else None
    answer = core.ask(args.topic, args.question, since=since)
    if args.format == "json":
        print(json_out.answer_to_json(answer), file=out)
    else:
        print(terminal.answer_to_text(answer), file=out)
    return 0


def _cmd_demo(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """A fresh SQLite database, the bundled sample articles, the offline summarizer.

    The database is temporary (deleted at the end): the demo never touches the data of a real
    set-up, not even the user data directory's.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="briefbot-demo-") as folder:
        return _demo(args, replace(settings, data_dir=Path(folder)), out)


def _demo(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    import json

    from bot.core import Briefbot
    from bot.render import terminal

    path = Path(settings.data_dir) / "demo.db"
    demo_settings = replace(settings, database_url=f"sqlite:///{path}", summarizer="extractive")
    core = Briefbot(demo_settings)
    try:
        core.add_topic(DEMO_TOPIC, DEMO_KEYWORDS)
        with resources.as_file(resources.files("bot") / "demo" / "articles") as folder:
            # No --topic: the topic's keywords pick its articles, so the off-topic sample is
            # left out.
            report = core.ingest([str(folder)])
        span = core.article_span(DEMO_TOPIC)
        if span is None:
            raise UserInputError("The bundled sample articles did not load; reinstall briefbot.")
        # The sample story is from March 2025: brief its whole span, not the last 24 hours.
        since, until = span[0], span[1] + timedelta(minutes=1)
        result = core.brief(DEMO_TOPIC, since=since, until=until)
        answer = core.ask(DEMO_TOPIC, DEMO_QUESTION)
    finally:
        core.close()
    if args.format == "json":
        payload = {"brief": result.brief.to_dict(), "ask": answer.to_dict()}
        print(json.dumps(payload, ensure_ascii=False, indent=2), file=out)
        return 0
    picked = result.brief.article_count
    left_out = report.new_articles - picked
    print(
        f"Loaded {report.new_articles} bundled sample articles into a temporary database. "
        f"The topic {DEMO_TOPIC!r} (keywords: {', '.join(DEMO_KEYWORDS)}) picks {picked} of them"
        + (f"; its keywords leave out {left_out} off-topic article." if left_out == 1 else ".")
        + "\n",
        file=out,
    )
    print(terminal.brief_to_text(result.brief), file=out)
    print(f"\nQ: {DEMO_QUESTION}", file=out)
    print(terminal.answer_to_text(answer), file=out)
    print(
        "\nNext: `briefbot topic add NAME --feed FEED_URL`, `briefbot ingest`, then "
        "`briefbot brief NAME`. See README.md for Slack.",
        file=out,
    )
    return 0


class _progress:
    """A progress bar with the total (a folder counted by its files) on a terminal; silent when
    stderr is piped or redirected (the summary line that follows is the whole report then)."""

    def __init__(self, weights: dict[str, int] | int) -> None:
        self._weights = weights if isinstance(weights, dict) else {}
        self._total = sum(self._weights.values()) if isinstance(weights, dict) else weights

    def _advance(self, label: str) -> int:
        """How far one finished source moves the bar (its label names its URL)."""
        return next((w for url, w in self._weights.items() if w > 1 and url in label), 1)

    def __enter__(self) -> Callable[[str], None]:
        self._bar = None
        if not sys.stderr.isatty():
            return lambda _label: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        unit = "files and sources" if any(w > 1 for w in self._weights.values()) else "sources"
        self._bar = Progress(
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(unit + " · {task.description}"),
            TimeElapsedColumn(),
            transient=True,
        )
        self._bar.start()
        task = self._bar.add_task("starting", total=self._total or None)
        return (
            lambda label: self._bar.update(  # type: ignore[union-attr]
                task, advance=self._advance(label), description=label[:60]
            )
        )

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _cmd_serve(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.runtime import serve

    if args.port is not None and not 0 <= args.port <= 65535:
        raise UserInputError(f"--port must be a TCP port between 0 and 65535, got {args.port}")
    serve(
        settings,
        socket_mode=args.socket,
        host=args.host,
        port=args.port if args.port is not None else settings.port,
        with_scheduler=not args.no_scheduler,
    )
    return 0


def _cmd_worker(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.runtime import work

    work(settings)
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace, Settings, TextIO], int]] = {
    "doctor": _cmd_doctor,
    "manifest": _cmd_manifest,
    "db": _cmd_db,
    "workspace": _cmd_workspace,
    "topic": _cmd_topic,
    "source": _cmd_source,
    "ingest": _cmd_ingest,
    "brief": _cmd_brief,
    "ask": _cmd_ask,
    "demo": _cmd_demo,
    "serve": _cmd_serve,
    "worker": _cmd_worker,
}
