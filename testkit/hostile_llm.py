"""A hostile OpenAI-compatible server on 127.0.0.1: it answers a chat completion with a valid
body, but sends it (or its status line and headers) one byte at a time, `interval` apart, so
no single read ever waits long enough to time out.

    with TricklingLLM(interval=0.5, part="body") as llm:
        settings = {"OPENAI_BASE_URL": llm.base_url, "OPENAI_TIMEOUT": "2"}
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import threading
import time
from typing import Any, Literal

VALID = json.dumps(
    {
        "id": "chatcmpl-slow",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": '{"key_provisions": []}'},
                "finish_reason": "stop",
            }
        ],
    }
).encode()


class TricklingLLM:
    def __init__(
        self,
        *,
        interval: float,
        part: Literal["head", "body"] = "body",
        body: bytes = VALID,
        headers: bytes = b"",
    ) -> None:
        """`interval` 0 sends at once (for a canned `body` with extra `headers`)."""
        self.interval = interval
        self.part = part
        self.body = body
        self.headers = headers
        self.requests = 0
        self._stop = threading.Event()
        owner = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                sock.settimeout(5)
                data = b""
                with contextlib.suppress(OSError):
                    while b"\r\n\r\n" not in data:
                        chunk = sock.recv(65536)
                        if not chunk:
                            return
                        data += chunk
                    head, _, body = data.partition(b"\r\n\r\n")
                    length = next(
                        (
                            int(line.split(b":", 1)[1])
                            for line in head.split(b"\r\n")
                            if line.lower().startswith(b"content-length:")
                        ),
                        0,
                    )
                    while len(body) < length:
                        body += sock.recv(65536)
                    owner.requests += 1
                    status = (
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n%s\r\n" % (len(owner.body), owner.headers)
                    )
                    if owner.part == "head":
                        owner._drip(sock, status)
                        sock.sendall(owner.body)
                    else:
                        sock.sendall(status)
                        owner._drip(sock, owner.body)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        # shutdown() waits for the loop's next poll: 0.5 s by default, at every test's end
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _drip(self, sock: socket.socket, data: bytes) -> None:
        if not self.interval:
            sock.sendall(data)
            return
        for i in range(len(data)):
            if self._stop.wait(self.interval):
                return
            sock.sendall(data[i : i + 1])

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> TricklingLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()


def wait_until(predicate: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
