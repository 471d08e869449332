"""A real uvicorn serving an ASGI app on 127.0.0.1, in a daemon thread, for tests that use `requests`.

The socket is bound before the thread starts (port 0: the kernel picks a free port, no bind race);
`start()` returns once uvicorn is listening, `stop()` shuts it down gracefully and joins the thread.
See shared/research/env-spike.md §8.

    with ThreadedUvicorn(create_app(settings)) as server:
        requests.get(server.url + "/api/v1/meta", timeout=5)
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import Any

import uvicorn


class _Server(uvicorn.Server):
    """uvicorn.Server that signals readiness through an Event instead of a flag to poll."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.ready.set()


class ThreadedUvicorn:
    def __init__(self, app: Any, *, log_level: str = "warning") -> None:
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when proto says TCP,
        # and without it every response pays Nagle + delayed ACK (about 40 ms).
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on", timeout_graceful_shutdown=2)
        self.server = _Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, name=f"uvicorn-{self.port}", daemon=True
        )

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. http://127.0.0.1:43125."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15) -> ThreadedUvicorn:
        self.thread.start()
        waited = 0.0
        while not self.server.ready.wait(0.05):
            waited += 0.05
            if not self.thread.is_alive() or waited > timeout:
                self.sock.close()
                raise RuntimeError("uvicorn n'a pas démarré")
        return self

    def stop(self, timeout: float = 10) -> None:
        self.server.should_exit = True  # graceful: uvicorn checks about every 0.1 s
        self.thread.join(timeout)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(timeout)
        self.sock.close()
        if self.thread.is_alive():
            raise RuntimeError("uvicorn ne s'est pas arrêté")

    def __enter__(self) -> ThreadedUvicorn:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
