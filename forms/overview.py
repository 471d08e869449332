"""What a questionnaire's views show, computed once from the store: the Qt-free view model.

The desktop's header, banners, notices panel and PDF menu, the CLI and the PDF read one
`QuestionnaireState`; none of them re-derives which status to show, which notices go where,
whether a receipt exists or why a transmission failed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from forms.campaign import window_of
from forms.lifecycle import Action, Badge, NoticeState, OutboxState, Receipt, Status, allowed, display, receipt
from forms.store import NoticeInfo, QuestionnaireInfo, Store
from forms.store.outbox import Outbox
from forms.store.remote import Remote

__all__ = ["Failure", "QuestionnaireState", "ShownNotice", "questionnaire_state"]

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
class ShownNotice:
    notice_id: str
    question_id: str | None  # None: a remark on the whole questionnaire
    message: str  # plain text
    state: NoticeState
    created_at: dt.datetime

    @property
    def resolved(self) -> bool:
        return self.state is NoticeState.RESOLVED

    @property
    def prefix(self) -> str:
        """Before its text in a list: « (résolue) » when it is."""
        return "(résolue) " if self.resolved else ""

    @property
    def under_field(self) -> str:
        """The line under its question."""
        return f"Remarque de la Caf{' (résolue)' if self.resolved else ''} : {self.message}"


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


def _shown(notice: NoticeInfo) -> ShownNotice:
    return ShownNotice(
        notice.notice_id, notice.question_id, notice.message, NoticeState(notice.status), notice.created_at
    )


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
    notices = [_shown(n) for n in store.notices(questionnaire_uuid)]
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
