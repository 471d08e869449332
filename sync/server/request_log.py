"""A request id on every exchange (X-Request-ID, echoed to the client and in the log) and one log line each.

The line holds the method, the path, the status and the time: never a header or a body (tokens,
passwords and answers travel there). Pure ASGI, so it costs one dict lookup and a clock read.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from sync.server.limits import ASGIApp, Message, Receive, Scope, Send

_log = logging.getLogger("bilan_clas.server")
_CLIENT_ID = re.compile(rb"^[A-Za-z0-9._-]{8,64}$")


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"")
        request_id = given.decode() if _CLIENT_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _log.info(
                "%s %s -> %s in %.1f ms (request %s)",
                scope["method"], scope["path"], status, (time.perf_counter() - started) * 1000, request_id,
            )  # fmt: skip


def log_to_stderr() -> None:
    """`serve` and its worker processes: the server's lines beside uvicorn's, once per process."""
    root = logging.getLogger("bilan_clas")
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
