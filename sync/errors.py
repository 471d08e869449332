"""What can go wrong when syncing, as a tree the callers catch at the right level.

SyncError                  every failure; str() is a French sentence for the user
├── NotConfigured          no server or no account yet: log in first
├── InsecureServer         http:// to another host than this computer
├── ServerChanged          login to another server than the one holding the questionnaires
├── WeakKeyring            no secure keychain to keep the token in
├── AuthRequired           401: log in again (nothing is lost)
├── ClientTooOld           the server needs a newer Bilan Clas
├── Transient              the outcome is unknown: retry later, same key, same body
│   ├── Offline            no connection, refused, timed out, reset
│   │   ├── Interrupted    the user cancelled (Annuler) while a request ran
│   │   └── TooSlow        a reply that outlived the request's total deadline (a trickle)
│   ├── ServerBusy         5xx, 429, 503 (retry_after in seconds when the server said)
│   └── BrokenReply        a reply we cannot trust: not JSON, wrong types, too large, a redirect
└── Refused                a final answer about this item: kept, shown with the server's reason
    └── StaleBase          409 stale_base: the Caf changed it since our base (carries the problem)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sync.protocol import Problem


class SyncError(Exception):
    pass


class NotConfigured(SyncError):
    pass


class InsecureServer(SyncError):
    pass


class ServerChanged(SyncError):
    """Login to another server than the one that holds this computer's questionnaires: confirm first."""


class WeakKeyring(SyncError):
    pass


class AuthRequired(SyncError):
    pass


class ClientTooOld(SyncError):
    pass


class Transient(SyncError):
    code = "transient"


class Offline(Transient):
    code = "offline"


class Interrupted(Offline):
    code = "interrupted"


class TooSlow(Offline):
    code = "too_slow"


class TimedOut(Transient):
    code = "timed_out"


class ServerBusy(Transient):
    code = "server_busy"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BrokenReply(Transient):
    code = "broken_reply"


class Refused(SyncError):
    def __init__(self, problem: Problem) -> None:
        detail = f" ({problem.detail})" if problem.detail else ""
        super().__init__(f"{problem.title}{detail}")
        self.problem = problem
        self.code = problem.code


class BatchUnsupported(SyncError):
    """The server has no batch call (`POST /sync/push`, an older server): send one version at a time."""


class StaleBase(Refused):
    pass
