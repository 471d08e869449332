"""Request body limits, enforced before a route reads the body (pure ASGI, so nothing is buffered twice)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sync import protocol as p
from sync.server.problems import ApiProblem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """413 for bodies over the limit: max_attachment_bytes for attachment uploads, max_body_bytes otherwise."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_attachment_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_attachment_bytes = max_attachment_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        attachment = "/attachments/" in scope["path"]
        limit = self.max_attachment_bytes if attachment else self.max_body_bytes
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit():
            if int(declared) > limit:
                await self._refuse(scope, receive, send, attachment, limit)
                return
            await self.app(scope, receive, send)
            return
        # No length announced (chunked): read up to the limit, then hand the buffered body on.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, receive, send, attachment, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}]), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, attachment: bool, limit: int) -> None:
        megabytes = f"{limit / 1_048_576:.0f}"
        if attachment:
            problem = ApiProblem(
                413, p.ATTACHMENT_TOO_LARGE, f"Pièce jointe trop volumineuse : {megabytes} Mo au maximum"
            )
        else:
            problem = ApiProblem(413, p.PAYLOAD_TOO_LARGE, f"Requête trop volumineuse : {megabytes} Mo au maximum")
        response = problem.response()
        # Read the rest of the body (up to a cap) before answering: a client still sending when the
        # connection closes sees a reset, not the 413, and would retry a request that can never pass.
        if not await _drain(receive, DRAIN_CAP_BYTES):
            response.headers["Connection"] = "close"
        await response(scope, receive, send)


DRAIN_CAP_BYTES = 64 * 1024 * 1024


async def _drain(receive: Receive, cap: int) -> bool:
    """Discard the request body; True if it ended within `cap` bytes."""
    drained = 0
    while drained <= cap:
        message = await receive()
        if message["type"] != "http.request":
            return False
        drained += len(message.get("body", b""))
        if not message.get("more_body", False):
            return True
    return False


def _replay(messages: list[Message]) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return {"type": "http.disconnect"}

    return receive
