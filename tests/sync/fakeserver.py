"""A tiny scripted HTTP server on 127.0.0.1 (http.server in a thread) that answers what a test says.

It stands for what a client meets in the wild instead of the reference server: a captive portal,
a proxy's error page, a cut or endless body, a redirect. A script maps (method, path prefix) to a
`Reply`, or to a function writing raw bytes on the socket for replies no well-behaved server sends.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from sync.protocol import API_PREFIX


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: Any, status: int = 200, content_type: str = "application/json") -> Reply:
        return cls(status, json.dumps(value, ensure_ascii=False).encode(), content_type)


Raw = Callable[[BaseHTTPRequestHandler], None]
Script = dict[tuple[str, str], Reply | Raw]


class FakeServer:
    def __init__(self, script: Script | None = None, host: str = "127.0.0.1") -> None:
        # Like the real server, it serves a list of forms (empty): the client asks for it at each sync.
        # Unless a test scripts it, no batch call (an older server): `bilan-clas sync` then sends each
        # version by its own PUT, which most tests script.
        self.script: Script = {
            ("GET", "/forms"): Reply.json({"forms": []}),
            ("POST", "/sync/push"): Reply.json(
                {"type": "about:blank", "title": "Ressource introuvable", "status": 404, "code": "not_found"},
                404,
                "application/problem+json",
            ),
            **(script or {}),
        }
        self.requests: list[tuple[str, str]] = []
        self.unscripted: list[tuple[str, str]] = []  # requests nothing answers: a mistake in the test
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                owner.requests.append((self.command, path))
                reply = owner.reply_for(self.command, path)
                self.close_connection = True
                if callable(reply):
                    reply(self)
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.send_header("Connection", "close")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_PUT = do_POST = _handle  # noqa: N815

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.port: int = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name=f"fake-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reply_for(self, method: str, path: str) -> Reply | Raw:
        found = [
            (len(prefix), reply)
            for (m, prefix), reply in self.script.items()
            if m == method and path.startswith(API_PREFIX + prefix)
        ]
        if not found:
            self.unscripted.append((method, path))
            return Reply.json({"detail": "not scripted"}, 599)
        return max(found, key=lambda pair: pair[0])[1]

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)
