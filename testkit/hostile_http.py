"""A raw-socket HTTP server on 127.0.0.1 that answers as slowly as a hostile server can.

http.server writes a whole status line and header block at once; the attacks here need control
of every byte: a status line and headers trickled one byte at a time, redirect hops that each
dawdle just under a per-read timeout. Each connection gets its own thread; `close()` ends them
all (a sleeping sender notices within one interval).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

# What to send for a request path: (bytes sent at once, bytes trickled, seconds between bytes).
Plan = Callable[[str], tuple[bytes, bytes, float]]


def endless_headers(interval: float = 0.1) -> Plan:
    """A status line at once, then header bytes forever, each just inside any read timeout."""

    def plan(path: str) -> tuple[bytes, bytes, float]:
        return b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"a" * 1_000_000, interval

    return plan


class HostileServer:
    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2.0)
            request = b""
            try:
                while b"\r\n\r\n" not in request and len(request) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
            except OSError:
                return
            line = request.split(b"\r\n", 1)[0].decode("latin-1")
            path = line.split(" ")[1] if line.count(" ") >= 2 else "/"
            with self._lock:
                self.requests.append(path)
            head, tail, interval = self._plan(path)
            try:
                conn.sendall(head)
                for i in range(len(tail)):
                    if self._stop.wait(interval):
                        return
                    conn.sendall(tail[i : i + 1])
            except OSError:
                return  # the client gave up: what a bounded fetch must do

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=2)


def slow_redirects(hops: int, per_hop: float, final_body: bytes) -> Plan:
    """`/hop/0` → `/hop/1` → … → `/hop/<hops>`, each redirect's headers taking `per_hop`
    seconds to arrive (one byte at a time, every byte well inside a per-read timeout)."""

    def plan(path: str) -> tuple[bytes, bytes, float]:
        n = int(path.rsplit("/", 1)[-1] or 0)
        if n >= hops:
            head = (
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                + f"Content-Length: {len(final_body)}\r\n\r\n".encode()
                + final_body
            )
            return head, b"", 0.0
        headers = f"Location: /hop/{n + 1}\r\nContent-Length: 0\r\n\r\n".encode()
        return b"HTTP/1.1 302 Found\r\n", headers, per_hop / len(headers)

    return plan


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
