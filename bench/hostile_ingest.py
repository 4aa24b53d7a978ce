"""Issue 11, ingest side: how long and how much memory hostile sources cost ingestion.

    .venv/bin/python bench/hostile_ingest.py            # FETCH_TIMEOUT=3, as in the issue
    .venv/bin/python bench/hostile_ingest.py --quick    # FETCH_TIMEOUT=1, fewer pages

Three figures, each through `Briefbot.ingest` against local hostile servers on 127.0.0.1:
- a feed whose server sends its status line, then one header byte every 0.5 s (for ever);
- a feed behind six redirect hops, each hop's headers trickled just inside the read timeout;
- eight feed entries linking to 4.5 MB pages of 100,000 links (peak RSS of this process,
  extraction in the ingest threads, and the longest text stored).
Then `clean_text` on LLM bullets of "aa." * n (the ReDoS finding). Goals: each slow source
fails within 3 × FETCH_TIMEOUT; link pages are refused before extraction; clean_text is linear.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core import Briefbot
from bot.llm.model_output import clean_text
from bot.settings import Settings
from testkit.hostile_http import (
    HostileServer,
    endless_headers,
    slow_redirects,
)


def _core(timeout: float) -> tuple[Briefbot, str]:
    db = tempfile.mktemp(suffix=".db")
    settings = Settings.from_env(
        environ={
            "DATABASE_URL": f"sqlite:///{db}",
            "FETCH_TIMEOUT": str(timeout),
            "FETCH_ALLOW_PRIVATE": "true",
            "INGEST_PROCESSES": "0",
        },
        dotenv_path=None,
    )
    return Briefbot(settings), db


def _timed_ingest(core: Briefbot, url: str, cap: float) -> str:
    out: dict[str, object] = {}

    def run() -> None:
        started = time.monotonic()
        report = core.ingest([url], topic="hostile")
        out["line"] = f"{time.monotonic() - started:.1f} s: {'; '.join(report.failures())}"

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(cap)
    if "line" not in out:
        core.stop_ingesting()
        return f"still running after {cap:g} s"
    return str(out["line"])


def _link_pages(pages: int) -> ThreadingHTTPServer:
    """A feed of `pages` entries, each linking to a 4.5 MB page of 100,000 links."""
    links = "".join(f"<a href='/l{i}'>link number {i} text</a> " for i in range(100_000))
    page = f"<html><body><article><p>{'word ' * 50}</p>{links}</article></body></html>".encode()
    served: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            is_feed = self.path == "/feed.xml"
            body = served["feed"] if is_feed else page
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml" if is_feed else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = httpd.server_port
    items = "".join(
        f"<item><title>Story {i}</title><link>http://127.0.0.1:{port}/page/{i}</link>"
        f"<description>Teaser number {i} about the harbour cranes.</description></item>"
        for i in range(pages)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}'
    served["feed"] = (feed + "</channel></rss>").encode()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="FETCH_TIMEOUT=1, 4 link pages")
    args = parser.parse_args()
    timeout = 1.0 if args.quick else 3.0
    cap = 20 * timeout
    print(f"FETCH_TIMEOUT={timeout:g} (total deadline per fetch: {3 * timeout:g} s)")

    core, _ = _core(timeout)
    hostile = HostileServer(endless_headers(0.5))
    print("slow headers:", _timed_ingest(core, hostile.url("/feed.xml"), cap))
    hostile.close()
    hostile = HostileServer(slow_redirects(6, 3 * timeout, b"<rss/>"))
    print("6 slow redirect hops:", _timed_ingest(core, hostile.url("/hop/0"), cap))
    hostile.close()
    core.close()

    core, db = _core(timeout)
    httpd = _link_pages(4 if args.quick else 8)
    started = time.monotonic()
    report = core.ingest([f"http://127.0.0.1:{httpd.server_port}/feed.xml"], topic="links")
    took = time.monotonic() - started
    longest = sqlite3.connect(db).execute("select max(length(text)) from articles").fetchone()[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"link-stuffed pages: {took:.1f} s, {report.summary_line()}; peak RSS {peak} MB; "
        f"longest stored text {longest} characters"
    )
    httpd.shutdown()
    core.close()

    for n in (4000, 30000):
        started = time.perf_counter()
        clean_text("aa." * n, limit=300)
        print(f"clean_text('aa.' * {n}): {time.perf_counter() - started:.3f} s")


if __name__ == "__main__":
    main()
