"""A fault-injecting TCP proxy on 127.0.0.1, between the sync client and the real server.

One HTTP exchange per connection (the proxy asks the server for `Connection: close` and passes it
on to the client), so it always knows where a request and its reply start and end. A seeded RNG
picks, for each request, nothing or one fault:

before the server sees the request (nothing committed)
    before_500      a 500 from "the network" instead of the server's reply
    before_503      a 503 with Retry-After: 1
    before_reset    the connection reset (RST) at once
    request_cut     the request forwarded up to byte k, then both sides cut
    before_slow     no answer at all: held until the client gives up (its read timeout)
after the server answered (the version, if any, is committed)
    after_500       the server's reply replaced by a 500
    after_cut       the reply cut after byte k (in the status line, the headers or the body)
    after_slow      the reply held until the client gives up
    slow_body       the status line and headers sent, the body held until the client gives up

"Held until the client gives up" waits on the client's socket, not on a clock: the fault costs
exactly the client's read timeout. Hooks let a test stop the world at a precise moment (the kill -9
test kills the client while the proxy holds its request or its reply).
"""

from __future__ import annotations

import random
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

BEFORE_COMMIT = ("before_500", "before_503", "before_reset", "request_cut", "before_slow")
AFTER_COMMIT = ("after_500", "after_cut", "after_slow", "slow_body")
ALL_FAULTS = BEFORE_COMMIT + AFTER_COMMIT
HOLD_LIMIT = 30.0  # seconds a held exchange waits for the client at most (a safety net, not a timing)

# A hook gets (phase, n, method, target) where phase is "request" (read from the client, not yet
# forwarded) or "response" (the server's reply read, not yet delivered) and n numbers the exchange
# (from 1, never reused). It may block; it returns False to drop the exchange there (the client's
# connection is reset: no forward, or no delivery).
Hook = Callable[[str, int, str, str], bool]


@dataclass
class Exchange:
    method: str
    target: str
    fault: str | None
    status: int | None = None  # the server's status, when it answered


@dataclass
class ProxyStats:
    requests: Counter[str] = field(default_factory=Counter)  # by method
    faults: Counter[str] = field(default_factory=Counter)  # by kind
    attempts: Counter[str] = field(default_factory=Counter)  # PUT target -> deliveries tried
    statuses: Counter[int] = field(default_factory=Counter)  # the server's own statuses
    log: list[Exchange] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def retries(self) -> int:
        """PUTs sent again with the same target (same version id, so the same idempotency key)."""
        return sum(n - 1 for n in self.attempts.values())


class FaultProxy:
    def __init__(
        self,
        upstream_port: int,
        *,
        seed: int = 0,
        fault_rate: float = 0.0,
        faults: tuple[str, ...] = ALL_FAULTS,
        on_request: Hook | None = None,
        on_response: Hook | None = None,
    ) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.rng = random.Random(seed)
        self.fault_rate = fault_rate
        self.faults = faults
        self.on_request = on_request
        self.on_response = on_response
        self.stats = ProxyStats()
        self._lock = threading.Lock()
        self._count = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port: int = self.listener.getsockname()[1]
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, name=f"fault-proxy-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closed.set()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self._thread.join(10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- plumbing -------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(HOLD_LIMIT)
        try:
            self._exchange(conn)
        except OSError:
            pass  # the client went away (killed, timed out): nothing to do
        finally:
            conn.close()

    def _exchange(self, conn: socket.socket) -> None:
        request = _read_request(conn)
        if request is None:
            return None
        method, target = _request_line(request)
        with self._lock:
            self._count += 1
            n = self._count
            fault = self.rng.choice(self.faults) if self.rng.random() < self.fault_rate else None
            cut_at = self.rng.random()
            exchange = Exchange(method, target, fault)
            self.stats.log.append(exchange)
            self.stats.requests[method] += 1
            if fault:
                self.stats.faults[fault] += 1
            if method == "PUT":
                self.stats.attempts[target] += 1
        if self.on_request is not None and not self.on_request("request", n, method, target):
            return _reset(conn)
        if fault == "before_500":
            return conn.sendall(_reply(500, "Internal Server Error"))
        if fault == "before_503":
            return conn.sendall(_reply(503, "Service Unavailable", "Retry-After: 1\r\n"))
        if fault == "before_reset":
            return _reset(conn)
        if fault == "before_slow":
            return _until_client_leaves(conn)
        if fault == "request_cut":
            upstream = socket.create_connection(self.upstream, timeout=HOLD_LIMIT)
            try:
                upstream.sendall(request[: int(cut_at * len(request))])
            finally:
                upstream.close()
            return _reset(conn)
        response = self._forward(request)
        exchange.status = _status(response)
        with self._lock:
            if exchange.status is not None:
                self.stats.statuses[exchange.status] += 1
        if self.on_response is not None and not self.on_response("response", n, method, target):
            return _reset(conn)
        if fault == "after_500":
            return conn.sendall(_reply(500, "Internal Server Error"))
        if fault == "after_cut":
            conn.sendall(response[: int(cut_at * len(response))])
            return _reset(conn) if cut_at < 0.5 else None  # RST or a plain close (FIN)
        if fault == "after_slow":
            return _until_client_leaves(conn)
        if fault == "slow_body":
            head = response.find(b"\r\n\r\n") + 4
            conn.sendall(response[:head])
            return _until_client_leaves(conn)
        conn.sendall(response)
        return None

    def _forward(self, request: bytes) -> bytes:
        upstream = socket.create_connection(self.upstream, timeout=HOLD_LIMIT)
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            upstream.sendall(request)
            chunks = []
            while chunk := upstream.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            upstream.close()


def _read_request(conn: socket.socket) -> bytes | None:
    """One request, with `Connection: close` instead of whatever the client asked."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        if name.strip().lower() not in (b"connection", b"keep-alive"):
            kept.append(line)
    kept.append(b"Connection: close")
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


def _request_line(request: bytes) -> tuple[str, str]:
    method, target, _ = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
    return method, target.split("?", 1)[0]


def _status(response: bytes) -> int | None:
    try:
        return int(response.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def _reply(status: int, reason: str, extra: str = "") -> bytes:
    return f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\n{extra}Connection: close\r\n\r\n".encode()


def _reset(conn: socket.socket) -> None:
    """Close with an RST rather than a FIN: the client sees "connection reset by peer"."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _until_client_leaves(conn: socket.socket) -> None:
    """Say nothing until the client closes its side (it timed out) or HOLD_LIMIT passes."""
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass
