"""The questionnaire's lifecycle, in one place (DESIGN §5).

The states of a questionnaire, of an outbox item and of a Caf notice, with their French labels and
badge colours; the transitions as one table saying who may do what in which state; and the few
derived rules every layer needs (what the user sees, whether a receipt exists, what a take-back
returns to). The store, the sync engine, the server, the PDF, the CLI, the console and the desktop
ask this module; none of them compares status strings or re-decides what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

__all__ = [
    "EDITABLE",
    "SERVER_STATES",
    "Action",
    "Actor",
    "Badge",
    "NotAllowed",
    "NoticeState",
    "OutboxState",
    "Receipt",
    "ReplyState",
    "Status",
    "allowed",
    "allowed_actions",
    "display",
    "next_state",
    "receipt",
    "refusal",
    "server_next_state",
    "states_allowing",
    "taken_back_to",
]


class Status(StrEnum):
    """A questionnaire's state, the same word on the partner's computer and on the server."""

    EN_COURS = "en_cours"
    A_ENVOYER = "a_envoyer"
    TRANSMIS = "transmis"
    A_CORRIGER = "a_corriger"
    VALIDE = "valide"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def editable(self) -> bool:
        """The partner may change the answers (drafts, and questionnaires the Caf returned)."""
        return allowed(self, Action.EDIT)

    @property
    def final(self) -> bool:
        """Locked for good: nothing may happen to it any more (Validé)."""
        return not any(state is self for state, _ in TRANSITIONS)

    @property
    def badge(self) -> Badge:
        return _BADGES[self]


class OutboxState(StrEnum):
    """A frozen transmission in the local outbox: waiting, accepted, refused for good, replaced, withdrawn."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    SUPERSEDED = "superseded"  # replaced by a merged version after a conflict, or done on a former server
    CANCELLED = "cancelled"  # the user took the questionnaire back

    @property
    def waiting(self) -> bool:
        """Still the user's or the network's business: it keeps its questionnaire « À envoyer »."""
        return self in _WAITING


_WAITING = frozenset({OutboxState.PENDING, OutboxState.FAILED})
OUTBOX_WAITING: tuple[str, ...] = tuple(s.value for s in _WAITING)


class NoticeState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return "ouverte" if self is NoticeState.OPEN else "résolue"


class ReplyState(StrEnum):
    """A partner's reply to a notice on this computer: queued, held by the server, or refused for good."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _REPLY_LABELS[self]


_REPLY_LABELS = {ReplyState.PENDING: "à envoyer", ReplyState.SENT: "envoyée", ReplyState.FAILED: "refusée"}


class Actor(StrEnum):
    PARTNER = "partner"  # the organisation, on its computer
    SERVER = "server"  # the server's answer to a transmission, seen by the sync
    CAF = "caf"  # a reviewer of the partner's Caf


class Receipt(StrEnum):
    """What an accusé may say: the server accepted the version, or it is frozen and waiting to leave."""

    SENT = "sent"  # « atteste la transmission à la Caf … Transmis le … »
    READY = "ready"  # « prêt à partir »: never « transmis »


class Action(StrEnum):
    # the partner, locally
    EDIT = "edit"
    TRANSMIT = "transmit"
    TAKE_BACK = "take_back"  # « Reprendre la saisie » of a questionnaire waiting to be sent
    RETRY = "retry"  # « Réessayer » a refused transmission
    DELETE = "delete"
    REPLY_NOTICE = "reply_notice"
    MIGRATE = "migrate"  # move a draft to a newer version of its definition (forms/upgrade.py)
    REQUEUE = "requeue"  # sent again to a new server, which has never seen it (login to another server)
    # the server's answer to a transmission
    ACCEPT = "accept"
    # the Caf
    NOTICE = "notice"
    CAF_EDIT = "caf_edit"
    RETURN = "return"
    VALIDATE = "validate"

    @property
    def actor(self) -> Actor:
        return _ACTORS[self]


_ACTORS = {
    Action.EDIT: Actor.PARTNER,
    Action.TRANSMIT: Actor.PARTNER,
    Action.TAKE_BACK: Actor.PARTNER,
    Action.RETRY: Actor.PARTNER,
    Action.DELETE: Actor.PARTNER,
    Action.REPLY_NOTICE: Actor.PARTNER,
    Action.MIGRATE: Actor.PARTNER,
    Action.REQUEUE: Actor.PARTNER,
    Action.ACCEPT: Actor.SERVER,
    Action.NOTICE: Actor.CAF,
    Action.CAF_EDIT: Actor.CAF,
    Action.RETURN: Actor.CAF,
    Action.VALIDATE: Actor.CAF,
}

S = Status
A = Action
# Who may do what in which state, and the state it leads to (None: the questionnaire is gone).
# Anything absent is refused. Seen from the partner's computer; the server's own table is below.
TRANSITIONS: dict[tuple[Status, Action], Status | None] = {
    (S.EN_COURS, A.EDIT): S.EN_COURS,
    (S.EN_COURS, A.TRANSMIT): S.A_ENVOYER,
    (S.EN_COURS, A.MIGRATE): S.EN_COURS,  # a frozen or transmitted version never changes definition
    (S.EN_COURS, A.DELETE): None,  # and only if never transmitted: Store.can_delete
    (S.A_ENVOYER, A.TAKE_BACK): S.EN_COURS,  # or À corriger when the server had it: taken_back_to()
    (S.A_ENVOYER, A.RETRY): S.A_ENVOYER,
    (S.A_ENVOYER, A.ACCEPT): S.TRANSMIS,
    (S.A_ENVOYER, A.REPLY_NOTICE): S.A_ENVOYER,
    (S.TRANSMIS, A.REPLY_NOTICE): S.TRANSMIS,
    (S.TRANSMIS, A.NOTICE): S.TRANSMIS,
    (S.TRANSMIS, A.CAF_EDIT): S.TRANSMIS,
    (S.TRANSMIS, A.RETURN): S.A_CORRIGER,
    (S.TRANSMIS, A.VALIDATE): S.VALIDE,
    (S.TRANSMIS, A.REQUEUE): S.A_ENVOYER,
    (S.A_CORRIGER, A.EDIT): S.A_CORRIGER,
    (S.A_CORRIGER, A.TRANSMIT): S.A_ENVOYER,
    (S.A_CORRIGER, A.MIGRATE): S.A_CORRIGER,  # the versions already sent keep theirs
    (S.A_CORRIGER, A.REPLY_NOTICE): S.A_CORRIGER,
    (S.A_CORRIGER, A.NOTICE): S.A_CORRIGER,
    (S.A_CORRIGER, A.CAF_EDIT): S.A_CORRIGER,
    # Validé: locked for good, nothing is allowed.
}

# On the server a questionnaire exists from its first accepted version; None = not there yet.
SERVER_TRANSITIONS: dict[tuple[Status | None, Action], Status] = {
    (None, A.TRANSMIT): S.TRANSMIS,
    (S.A_CORRIGER, A.TRANSMIT): S.TRANSMIS,
    (S.TRANSMIS, A.NOTICE): S.TRANSMIS,
    (S.A_CORRIGER, A.NOTICE): S.A_CORRIGER,
    (S.TRANSMIS, A.CAF_EDIT): S.TRANSMIS,
    (S.A_CORRIGER, A.CAF_EDIT): S.A_CORRIGER,
    (S.TRANSMIS, A.RETURN): S.A_CORRIGER,
    (S.TRANSMIS, A.VALIDATE): S.VALIDE,
    (S.TRANSMIS, A.REPLY_NOTICE): S.TRANSMIS,
    (S.A_CORRIGER, A.REPLY_NOTICE): S.A_CORRIGER,
}
del S, A

SERVER_STATES: tuple[Status, ...] = (Status.TRANSMIS, Status.A_CORRIGER, Status.VALIDE)
EDITABLE = frozenset(s for s in Status if (s, Action.EDIT) in TRANSITIONS)


class NotAllowed(Exception):
    """An action the lifecycle refuses in this state; the message is French, for the user."""


def allowed(state: Status | None, action: Action, *, on_server: bool = False) -> bool:
    table: dict = SERVER_TRANSITIONS if on_server else TRANSITIONS  # type: ignore[type-arg]
    return (state, action) in table


def allowed_actions(state: Status, actor: Actor | None = None) -> frozenset[Action]:
    return frozenset(a for (s, a) in TRANSITIONS if s is state and (actor is None or a.actor is actor))


def states_allowing(action: Action) -> tuple[str, ...]:
    """The stored values of the states where `action` is allowed, for a SQL `IN`."""
    return tuple(s.value for s in Status if (s, action) in TRANSITIONS)


def next_state(state: Status, action: Action) -> Status | None:
    """The state after `action` on the partner's computer; NotAllowed if the table refuses it."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise NotAllowed(refusal(state, action)) from None


def server_next_state(state: Status | None, action: Action) -> Status:
    try:
        return SERVER_TRANSITIONS[(state, action)]
    except KeyError:
        raise NotAllowed(refusal(state, action)) from None


STRUCTURE_FIRST = "Validez d'abord la fiche Structure de cette structure"


def check_validation_order(action: Action, structure_validated: bool) -> None:
    """Seed 001 §2.2: the Caf validates an action only once the fiche Structure it belongs to is validated."""
    if action == Action.VALIDATE and not structure_validated:
        raise NotAllowed(STRUCTURE_FIRST)


def taken_back_to(known_to_server: bool) -> Status:
    """« Reprendre la saisie »: a draft again, or « À corriger » when the server already holds a version."""
    return Status.A_CORRIGER if known_to_server else next_state(Status.A_ENVOYER, Action.TAKE_BACK)  # type: ignore[return-value]


_VERBS = {
    Action.EDIT: "modifié",
    Action.TRANSMIT: "transmis",
    Action.TAKE_BACK: "repris pour modification",
    Action.RETRY: "renvoyé",
    Action.DELETE: "supprimé",
    Action.REPLY_NOTICE: "l'objet d'une réponse",
    Action.MIGRATE: "passé à une nouvelle version du formulaire",
    Action.REQUEUE: "renvoyé au nouveau serveur",
    Action.ACCEPT: "accepté",
    Action.NOTICE: "annoté",
    Action.CAF_EDIT: "modifié par la Caf",
    Action.RETURN: "renvoyé pour correction",
    Action.VALIDATE: "validé",
}


def refusal(state: Status | None, action: Action) -> str:
    if state is None:
        return f"Ce questionnaire n'a pas encore été transmis : il ne peut pas être {_VERBS[action]}."
    if action is Action.EDIT:
        return f"Ce questionnaire est « {state.label} » : il ne peut plus être modifié."
    return f"Ce questionnaire est « {state.label} » : il ne peut pas être {_VERBS[action]}."


# --- what the user sees -----------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    """A status as shown: French label and badge colours (background, text; contrast ≥ 4.5:1)."""

    key: str
    label: str
    background: str
    text: str


_LABELS = {
    Status.EN_COURS: "En cours",
    Status.A_ENVOYER: "À envoyer",
    Status.TRANSMIS: "Transmis",
    Status.A_CORRIGER: "À corriger",
    Status.VALIDE: "Validé",
}
_BADGES = {
    Status.EN_COURS: Badge("en_cours", _LABELS[Status.EN_COURS], "#e8eef7", "#1f3d6d"),
    Status.A_ENVOYER: Badge("a_envoyer", _LABELS[Status.A_ENVOYER], "#fff1d6", "#7a4b00"),
    Status.TRANSMIS: Badge("transmis", _LABELS[Status.TRANSMIS], "#dceefb", "#0b4f7c"),
    Status.A_CORRIGER: Badge("a_corriger", _LABELS[Status.A_CORRIGER], "#fde2e1", "#8c1d18"),
    Status.VALIDE: Badge("valide", _LABELS[Status.VALIDE], "#def5e3", "#1d5e2d"),
}
SEND_FAILED = Badge("echec_envoi", "Échec d'envoi", "#fde2e1", "#8c1d18")


def display(status: Status, outbox_states: Iterable[str] = ()) -> Badge:
    """The one status a person sees, everywhere: « Échec d'envoi » when a refused transmission waits."""
    if status is Status.A_ENVOYER and OutboxState.FAILED in {OutboxState(s) for s in outbox_states}:
        return SEND_FAILED
    return status.badge


class VersionLike(Protocol):
    @property
    def version_id(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def server_rev(self) -> int | None: ...


V = TypeVar("V", bound=VersionLike)


def receipt(status: Status, versions: Sequence[V], outbox_states: Mapping[str, str]) -> tuple[Receipt, V] | None:
    """Whether an accusé exists, and of which version: the one rule for « a receipt exists ».

    ("sent", v): the latest partner version the server accepted. ("ready", v): the frozen version
    waiting in the outbox of a questionnaire the server never accepted (it says « prêt à partir »,
    never « transmis »). None: never transmitted, or only versions refused or taken back. Caf edits
    are not transmissions. `outbox_states`: version id -> OutboxState value.
    """
    partner = [v for v in versions if v.author == Actor.PARTNER]
    accepted = [v for v in partner if v.server_rev is not None]
    if accepted:
        return Receipt.SENT, accepted[-1]
    if partner and status is Status.A_ENVOYER and outbox_states.get(partner[-1].version_id) == OutboxState.PENDING:
        return Receipt.READY, partner[-1]
    return None
