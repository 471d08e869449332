"""A whole-request deadline and a way to stop a request at once (requests only bounds each read).

A reply trickling one byte every few seconds never trips a read timeout: each read gets its byte.
The adapter here remembers the sockets it opens; a watchdog thread shuts them down when the
request's total deadline passes or when the caller asks to cancel (the app's *Annuler*), which
wakes the blocked read at once. The client then reports a timeout or an interruption.
"""

from __future__ import annotations

import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

WATCH_INTERVAL = 0.05  # seconds between two looks at the deadline and the cancel flag


class SocketRegistry:
    """The sockets a client opened, so that a watchdog can cut them."""

    def __init__(self) -> None:
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, sock: socket.socket | None) -> None:
        if sock is not None:
            with self._lock:
                self._sockets.add(sock)

    def cut_all(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a read blocked in another thread, unlike close()
            except OSError:
                pass  # already closed


class TrackingAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections register their socket in `registry`."""

    def __init__(self, registry: SocketRegistry, **kwargs: Any) -> None:
        self.registry = registry
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        registry = self.registry

        class Http(HTTPConnection):
            def connect(self) -> None:
                super().connect()
                registry.add(self.sock)

        class Https(HTTPSConnection):
            def connect(self) -> None:
                super().connect()
                registry.add(self.sock)

        class HttpPool(HTTPConnectionPool):
            ConnectionCls = Http

        class HttpsPool(HTTPSConnectionPool):
            ConnectionCls = Https

        self.poolmanager.pool_classes_by_scheme = {"http": HttpPool, "https": HttpsPool}  # type: ignore[assignment]


class Watch:
    """What stopped a request: None while it runs, then "deadline" or "cancelled" if we cut it."""

    def __init__(self) -> None:
        self.reason: str | None = None


@contextmanager
def watched(registry: SocketRegistry, deadline: float | None, cancelled: Callable[[], bool]) -> Iterator[Watch]:
    """Run the body under a watchdog that cuts the sockets at `deadline` seconds or on cancel."""
    watch = Watch()
    done = threading.Event()
    lock = threading.Lock()
    until = None if deadline is None else time.monotonic() + deadline

    def guard() -> None:
        while not done.wait(WATCH_INTERVAL):
            with lock:
                if done.is_set():
                    return  # the request ended meanwhile: never cut a connection another request may reuse
                if watch.reason is None:
                    if cancelled():
                        watch.reason = "cancelled"
                    elif until is not None and time.monotonic() > until:
                        watch.reason = "deadline"
                if watch.reason is not None:
                    registry.cut_all()  # again at each look: a transport retry's new connection is cut too

    thread = threading.Thread(target=guard, name="request-watchdog", daemon=True)
    thread.start()
    try:
        yield watch
    finally:
        with lock:
            done.set()
        thread.join()
