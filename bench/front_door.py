"""Issue 11's front-door and slow-LLM figures, against `briefbot serve --http` in its own
process (so its RSS is measured alone).

    .venv/bin/python bench/front_door.py [--src DIR] [--json]

- idle: 150 connections that each send a request line and then one header line every 10 s;
  then `/healthz` and a signed `/brief list` are timed (limit 10 s each).
- big-post: an unsigned POST declaring 500 MB (Content-Length), its body streamed as fast as
  the server takes it; the time to the first response byte and the server's RSS growth
  (VmRSS sampled every 20 ms, limit 30 s).
- slow-llm: OPENAI_TIMEOUT=5 and an LLM server sending a valid answer one byte every 2 s;
  six `/brief`s and one `/brief list` at once: when the list is answered and when all six
  briefs are posted (limit 60 s).

`--src DIR` runs the server from another copy of the code (e.g. `git archive <commit>`
unpacked) for the before figure; the fake Slack and the load always come from this checkout.
Goals: /healthz within 1 s; 413 within 1 s and RSS growth < 20 MB; briefs within
OPENAI_TIMEOUT + 5 s with the list answered before them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

import httpx  # noqa: E402

from testkit.articles import write_articles  # noqa: E402
from testkit.hostile_llm import TricklingLLM, wait_until  # noqa: E402
from testkit.slackfake.server import FakeSlack  # noqa: E402
from testkit.slackfake.signing import post_signed, slash_command_body  # noqa: E402

SECRET = "bench-signing-secret-0123456789"
OPENAI_TIMEOUT = 5.0
STOPPED: list[float | None] = []  # seconds from SIGTERM to exit, per server run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@contextlib.contextmanager
def _serve(src: Path, fake: FakeSlack, workdir: Path, **env: str) -> Iterator[tuple[str, int]]:
    port = _free_port()
    environ = {
        **os.environ,
        "PYTHONPATH": str(src),
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "BRIEFBOT_DATA_DIR": str(workdir),
        "SLACK_BOT_TOKEN": "xoxb-bench-front-door",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url,
        "NEWS_SEARCH_FEED_URL": fake.base_url + "nosuchfeed?q={query}",
        "FETCH_ALLOW_PRIVATE": "true",
        "LOG_LEVEL": "INFO",
        **env,
    }
    articles = write_articles(
        workdir / "articles", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    )
    subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(articles), "--topic", "river plan"],
        env=environ,
        cwd=src,
        check=True,
        capture_output=True,
    )
    log = open(workdir / "serve.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=environ,
        cwd=src,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: _up(base), timeout=60, step=0.2):
            raise RuntimeError(f"serve did not start: see {workdir / 'serve.log'}")
        yield base, process.pid
    finally:
        stopping = time.monotonic()
        process.terminate()
        try:
            process.wait(timeout=15)
            STOPPED.append(round(time.monotonic() - stopping, 3))
        except subprocess.TimeoutExpired:
            STOPPED.append(None)  # still running 15 s after SIGTERM
            process.kill()
        log.close()


def _r(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def _up(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _slash(base: str, fake: FakeSlack, text: str, response: str) -> int:
    body = slash_command_body(
        text=text,
        team_id="T1",
        channel_id="C1",
        user_id="U1",
        response_url=fake.response_url(response),
    )
    try:
        return post_signed(base + "/slack/events", body, SECRET, timeout=10).status_code
    except httpx.HTTPError:
        return 0


def idle(base: str, fake: FakeSlack, count: int = 150) -> dict[str, Any]:
    stop = threading.Event()
    socks: list[socket.socket] = []
    host, port = base.removeprefix("http://").split(":")
    for _ in range(count):
        try:
            sock = socket.create_connection((host, int(port)), timeout=2)
            sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
            socks.append(sock)
        except OSError:
            break

    def drip() -> None:
        while not stop.wait(10):
            for sock in socks:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-Drip: 1\r\n")

    threading.Thread(target=drip, daemon=True).start()
    time.sleep(2)
    started = time.monotonic()
    try:
        health: float | None = (
            time.monotonic() - started
            if httpx.get(base + "/healthz", timeout=10).status_code == 200
            else None
        )
    except httpx.HTTPError:
        health = None
    started = time.monotonic()
    status = _slash(base, fake, "list", "idle-list")
    listed = wait_until(lambda: fake.response_posts("idle-list"), timeout=10)
    list_s = time.monotonic() - started if status == 200 and listed else None
    stop.set()
    for sock in socks:
        sock.close()
    return {"connections": len(socks), "healthz_s": _r(health), "brief_list_s": _r(list_s)}


def big_post(base: str, pid: int, declared: int = 500_000_000) -> dict[str, Any]:
    host, port = base.removeprefix("http://").split(":")
    before = _rss_kib(pid)
    peak = before
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n" % declared
    )
    started = time.monotonic()
    sent = [0]

    def send() -> None:
        chunk = b"a" * 65536
        with contextlib.suppress(OSError):
            while sent[0] < declared and time.monotonic() - started < 30:
                sock.sendall(chunk)
                sent[0] += len(chunk)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    head = b""
    while time.monotonic() - started < 30 and not head:
        peak = max(peak, _rss_kib(pid))
        # select, not a socket timeout: that would apply to the sender's sendall too
        if select.select([sock], [], [], 0.02)[0]:
            with contextlib.suppress(OSError):
                head = sock.recv(64)
            head = head or b"(closed)"
    took = time.monotonic() - started
    for _ in range(25):  # half a second more: what did the server do with what it read?
        peak = max(peak, _rss_kib(pid))
        time.sleep(0.02)
    sock.close()
    sender.join(timeout=5)
    return {
        "status": head.split(b"\r\n")[0].decode(errors="replace") or "no answer in 30 s",
        "answered_s": round(took, 3) if head else None,
        "body_sent_mb": round(sent[0] / 1e6, 1),
        "rss_growth_mb": round((peak - before) / 1024, 1),
    }


def slow_llm(base: str, fake: FakeSlack) -> dict[str, Any]:
    started = time.monotonic()
    for i in range(6):
        _slash(base, fake, "river plan", f"brief-{i}")
    _slash(base, fake, "list", "slow-list")
    listed = wait_until(lambda: fake.response_posts("slow-list"), timeout=60)
    list_s = time.monotonic() - started if listed else None
    briefed = wait_until(lambda: len(fake.calls_to("chat.postMessage")) >= 6, timeout=60)
    brief_s = time.monotonic() - started if briefed else None
    return {
        "brief_list_s": _r(list_s),
        "six_briefs_s": _r(brief_s),
        "briefs_posted": len(fake.calls_to("chat.postMessage")),
    }


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--src", type=Path, default=PROJECT, help="code to serve (default: this)")
    args.add_argument("--json", action="store_true")
    opts = args.parse_args()
    src = opts.src.resolve()
    results: dict[str, Any] = {"src": str(src)}
    with tempfile.TemporaryDirectory() as tmp:
        with FakeSlack() as fake, _serve(src, fake, Path(tmp) / "a") as (base, pid):
            results["big_post"] = big_post(base, pid)  # first: on a server with nothing open
            results["idle"] = idle(base, fake)
        with (
            FakeSlack() as fake,
            TricklingLLM(interval=2.0) as llm,
            _serve(
                src,
                fake,
                Path(tmp) / "b",
                OPENAI_BASE_URL=llm.base_url,
                OPENAI_TIMEOUT=str(OPENAI_TIMEOUT),
            ) as (base, _pid),
        ):
            results["slow_llm"] = slow_llm(base, fake)
            # SIGTERM while briefs are still stuck on the trickling LLM
            _slash(base, fake, "river plan", "at-exit")
            time.sleep(0.5)
    results["sigterm_s"] = STOPPED
    if opts.json:
        print(json.dumps(results, indent=2))
        return 0
    idle_r, big, slow = results["idle"], results["big_post"], results["slow_llm"]
    print(f"server code: {src}")
    print(
        f"idle: {idle_r['connections']} idle connections: /healthz {idle_r['healthz_s']} s, "
        f"signed /brief list {idle_r['brief_list_s']} s   (goal: /healthz within 1 s)"
    )
    print(
        f"big-post: 500 MB unsigned: {big['status']} after {big['answered_s']} s, "
        f"{big['body_sent_mb']} MB sent, server RSS +{big['rss_growth_mb']} MB   "
        "(goal: 413 within 1 s, RSS < 20 MB)"
    )
    print(
        f"slow-llm: OPENAI_TIMEOUT={OPENAI_TIMEOUT:g}, 1 byte / 2 s: "
        f"/brief list {slow['brief_list_s']} s, "
        f"{slow['briefs_posted']}/6 briefs posted after {slow['six_briefs_s']} s   "
        f"(goal: within {OPENAI_TIMEOUT + 5:g} s, list first)"
    )
    print(f"sigterm: seconds to exit after SIGTERM, per run (None: not in 15 s): {STOPPED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
