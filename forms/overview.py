"""What a questionnaire's views show, computed once from the store: the Qt-free view model.

The desktop's header, banners, notices panel and PDF menu, the CLI and the PDF read one
`QuestionnaireState`; none of them re-derives which status to show, which notices go where,
whether a receipt exists or why a transmission failed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from forms.campaign import window_of
from forms.lifecycle import (
    Action,
    Badge,
    NoticeState,
    OutboxState,
    Receipt,
    ReplyState,
    Status,
    allowed,
    display,
    receipt,
)
from forms.store import NoticeInfo, QuestionnaireInfo, Store
from forms.store.outbox import Outbox
from forms.store.remote import Remote
from forms.store.replies import Replies, ReplyInfo

__all__ = [
    "ACCOUNT_CAF_KEY",
    "Failure",
    "QuestionnaireState",
    "ShownNotice",
    "ShownReply",
    "all_notices",
    "notice_author",
    "notice_document",
    "questionnaire_state",
]

_EXPLANATIONS = {
    Status.EN_COURS: "",
    Status.A_ENVOYER: "Transmis sur cet ordinateur : il partira vers la Caf à la prochaine synchronisation. "
    "Lecture seule.",
    Status.TRANSMIS: "Reçu par la Caf, qui va le vérifier. Lecture seule.",
    Status.A_CORRIGER: "La Caf vous a renvoyé ce questionnaire : corrigez les points signalés, puis transmettez-le "
    "de nouveau.",
    Status.VALIDE: "Validé par la Caf : il ne peut plus être modifié.",
}


@dataclass(frozen=True)
class Failure:
    """A transmission the server refused for good: its code and its French reason."""

    code: str | None
    message: str


@dataclass(frozen=True)
class ShownReply:
    """The partner's reply under a notice, with its state (« à envoyer », « envoyée », « refusée »)."""

    reply_id: str
    message: str  # plain text
    state: ReplyState
    created_at: dt.datetime
    error: str | None = None  # the server's French reason when refused

    @property
    def line(self) -> str:
        reason = f" — {self.error}" if self.state is ReplyState.FAILED and self.error else ""
        return f"Votre réponse ({self.state.label}{reason}) : {self.message}"


def _shown_reply(reply: ReplyInfo) -> ShownReply:
    return ShownReply(reply.reply_id, reply.message, reply.state, reply.created_at, reply.last_error_message)


ACCOUNT_CAF_KEY = "account_caf"
"""Store setting: the code of the partner's Caf, as the server's login told it (written by sync/account.py)."""


def notice_author(store: Store) -> str:
    """Who wrote the notices: the partner's Caf, by its code when a login told it (« la Caf 73 »).

    The wire's notice carries no author, and a reviewer only ever annotates the questionnaires of
    their own Caf: the partner's Caf is the author, and the server's own name for it is « Caf CODE ».
    """
    code = store.setting(ACCOUNT_CAF_KEY)
    return f"la Caf\u00a0{code}" if code else "la Caf"


@dataclass(frozen=True)
class ShownNotice:
    notice_id: str
    question_id: str | None  # None: a remark on the whole questionnaire
    message: str  # plain text
    state: NoticeState
    created_at: dt.datetime
    replies: tuple[ShownReply, ...] = ()  # the partner's, oldest first
    author: str = "la Caf"  # notice_author()

    @property
    def resolved(self) -> bool:
        return self.state is NoticeState.RESOLVED

    @property
    def prefix(self) -> str:
        """Before its text in a list: « (résolue) » when it is."""
        return "(résolue) " if self.resolved else ""

    @property
    def signed(self) -> str:
        """Who and when, after its text: « (la Caf 73, le 02/12/2026) »."""
        return f"({self.author}, le {self.created_at.astimezone():%d/%m/%Y})"

    @property
    def under_field(self) -> str:
        """The line under its question."""
        day = f"{self.created_at.astimezone():%d/%m/%Y}"
        return f"Remarque de {self.author} du {day}{' (résolue)' if self.resolved else ''} : {self.message}"


@dataclass(frozen=True)
class QuestionnaireState:
    info: QuestionnaireInfo
    badge: Badge  # the one status shown everywhere (« Échec d'envoi » included)
    explanation: str  # one French sentence under the header, or ""
    editable: bool
    deletable: bool
    failure: Failure | None
    # What to show: the open ones while the partner corrects (resolved ones are not in the way),
    # every notice with its state once read-only; in the order the Caf wrote them.
    notices: tuple[ShownNotice, ...]
    receipt: Receipt | None  # None: no accusé
    conflicts: int  # answers both sides changed, waiting for the partner's choice
    last_sync: dt.datetime | None = None
    # The partner's campaign window (forms.campaign): the header's line, and what to say before
    # *Transmettre* when the Caf's server would refuse it (closed, or not open yet).
    campaign: str = ""
    transmit_warning: str | None = None

    @property
    def open_notices(self) -> tuple[ShownNotice, ...]:
        return tuple(n for n in self.notices if not n.resolved)

    @property
    def pages_with_notices(self) -> frozenset[str]:
        """Question ids carrying an open notice (the page list marks their pages)."""
        return frozenset(n.question_id for n in self.open_notices if n.question_id)

    @property
    def can_transmit(self) -> bool:
        return self.editable and allowed(self.info.status, Action.TRANSMIT)

    @property
    def can_reply(self) -> bool:
        return allowed(self.info.status, Action.REPLY_NOTICE)


def _shown(
    notice: NoticeInfo, replies: dict[str, list[ReplyInfo]] | None = None, author: str = "la Caf"
) -> ShownNotice:
    return ShownNotice(
        notice.notice_id, notice.question_id, notice.message, NoticeState(notice.status), notice.created_at,
        tuple(_shown_reply(r) for r in (replies or {}).get(notice.notice_id, [])), author,
    )  # fmt: skip


def all_notices(store: Store, questionnaire_uuid: str) -> tuple[ShownNotice, ...]:
    """Every notice of a questionnaire, open or resolved, with the partner's replies (CLI, export)."""
    replies = Replies(store).by_notice(questionnaire_uuid)
    author = notice_author(store)
    return tuple(_shown(n, replies, author) for n in store.notices(questionnaire_uuid))


def notice_document(store: Store, questionnaire_uuid: str, notice: ShownNotice) -> dict[str, object]:
    """A notice as scripts read it (`bilan-clas notices --json`, `check --json`, `export`)."""
    labels = {q.id: q.label for q in store.definition(questionnaire_uuid).questions()}
    return {
        "notice_id": notice.notice_id,
        "question_id": notice.question_id,
        "question": labels.get(notice.question_id, "") if notice.question_id else "Remarque générale",
        "message": notice.message,
        "state": notice.state.value,
        "state_label": notice.state.label,
        "created_at": notice.created_at.isoformat(),
        "replies": [
            {"reply_id": r.reply_id, "message": r.message, "state": r.state.value, "state_label": r.state.label,
             "created_at": r.created_at.isoformat(), "error": r.error}
            for r in notice.replies
        ],
    }  # fmt: skip


def questionnaire_state(store: Store, questionnaire_uuid: str) -> QuestionnaireState:
    """Everything the views of one questionnaire show, read once (NotFound if it does not exist)."""
    info = store.get(questionnaire_uuid)
    items = Outbox(store).items(questionnaire_uuid)
    states = [i.state for i in items]
    badge = display(info.status, states)
    failed = [i for i in items if i.state == OutboxState.FAILED] if allowed(info.status, Action.RETRY) else []
    failure = (
        Failure(failed[-1].last_error_code, failed[-1].last_error_message or "refusé par le serveur")
        if failed
        else None
    )
    found = receipt(info.status, store.versions(questionnaire_uuid), {i.op_id: i.state for i in items})
    missing = store.definition_missing(questionnaire_uuid)
    today = dt.date.today()
    window = None if missing else window_of(store, store.definition(questionnaire_uuid))
    editable = info.status.editable and not missing
    replies = Replies(store).by_notice(questionnaire_uuid)
    author = notice_author(store)
    notices = [_shown(n, replies, author) for n in store.notices(questionnaire_uuid)]
    notices = [n for n in notices if not (editable and n.resolved)]
    return QuestionnaireState(
        info=info,
        badge=badge,
        explanation=(
            store.stand_in_reason(questionnaire_uuid) if missing else "" if failure else _EXPLANATIONS[info.status]
        ),
        editable=editable,
        deletable=store.can_delete(questionnaire_uuid),
        failure=failure,
        notices=tuple(notices),
        receipt=found[0] if found else None,
        conflicts=len(Remote(store).conflicts(questionnaire_uuid)),
        campaign=window.label(today) if window else "",
        transmit_warning=window.transmit_warning(today) if window else None,
    )
