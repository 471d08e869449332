"""What a bilan prints, gathered from the store once: a frozen snapshot the renderer reads.

Rendering reads nothing else, so a bilan can be built from a store, a test, or a worker thread
holding a snapshot taken on another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from forms.attachments import attachment_problem
from forms.definition import FormDefinition
from forms.formatting import NOT_ANSWERED
from forms.lifecycle import Receipt, Status, display, receipt
from forms.store import NoticeInfo, QuestionnaireInfo, Store, VersionInfo
from forms.store.outbox import Outbox

# "Anything not transmitted" carries the BROUILLON mark: a draft, a frozen version still in the
# outbox, and a questionnaire the Caf sent back for correction.
NOT_TRANSMITTED = frozenset({Status.EN_COURS, Status.A_ENVOYER, Status.A_CORRIGER})
# Statuses whose content is the last version (frozen), not the editable answers.
_FROZEN = frozenset({Status.A_ENVOYER, Status.TRANSMIS, Status.VALIDE})


@dataclass(frozen=True)
class BilanData:
    """Everything one printed bilan shows."""

    definition: FormDefinition
    info: QuestionnaireInfo
    answers: Mapping[str, Any]
    notices: tuple[NoticeInfo, ...] = ()
    versions: tuple[VersionInfo, ...] = ()  # oldest first
    # question id -> French note printed next to a file answer whose stored copy does not check out
    attachment_notes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    outbox_states: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # version id -> state

    @property
    def organisation(self) -> str:
        return self.definition.text_for_role(self.answers, "organisation_name") or NOT_ANSWERED

    @property
    def status(self) -> Status:
        return self.info.status

    @property
    def status_label(self) -> str:
        """The status as the app and the CLI show it (« Échec d'envoi » included)."""
        return display(self.info.status, self.outbox_states.values()).label

    @property
    def draft(self) -> bool:
        return self.info.status in NOT_TRANSMITTED

    @property
    def _partner_versions(self) -> list[VersionInfo]:
        return [v for v in self.versions if v.author == "partner"]  # Caf edits are not transmissions

    @property
    def receipt(self) -> Receipt | None:
        """What the accusé may say (forms.lifecycle.receipt), None when there is none."""
        found = receipt(self.info.status, self.versions, self.outbox_states)
        return found[0] if found else None

    @property
    def transmission(self) -> VersionInfo | None:
        """The version the accusé describes: the latest the server accepted, else the one ready to leave."""
        found = receipt(self.info.status, self.versions, self.outbox_states)
        return found[1] if found else None

    @property
    def transmission_number(self) -> int | None:
        """1 for the first transmission, 2 for the next (after a correction), and so on."""
        version = self.transmission
        return self._partner_versions.index(version) + 1 if version is not None else None


def check_attachment(store: Store, value: Any) -> str | None:
    """A French note when the stored copy of a file answer is missing or altered; None when it checks out."""
    digest = value.get("sha256") if isinstance(value, dict) else None
    if not isinstance(digest, str) or not digest:
        return None  # nothing to check against; the value itself is printed as it is
    return attachment_problem(store, digest)


def bilan_from_store(store: Store, questionnaire_uuid: str) -> BilanData:
    """Snapshot one questionnaire; raises the store's NotFound / UnknownForm."""
    info = store.get(questionnaire_uuid)
    definition = store.definition(questionnaire_uuid)
    versions: tuple[VersionInfo, ...] = tuple(store.versions(questionnaire_uuid))
    # Once frozen, what counts is what was transmitted (or what the Caf made of it).
    current = store.answers(questionnaire_uuid)
    answers = dict(versions[-1].answers) if info.status in _FROZEN and versions else current
    # Auto-diagnostic answers are never in a version but stay on this computer: the local bilan shows them.
    answers |= {q.id: current[q.id] for q in definition.questions() if q.local and q.id in current}
    notes = {}
    for question in definition.questions():
        if question.type == "file" and question.id in answers:
            note = check_attachment(store, answers[question.id])
            if note:
                notes[question.id] = note
    return BilanData(
        definition=definition,
        info=info,
        answers=MappingProxyType(answers),
        notices=tuple(store.notices(questionnaire_uuid)),
        versions=versions,
        attachment_notes=MappingProxyType(notes),
        outbox_states=MappingProxyType({i.op_id: i.state for i in Outbox(store).items(questionnaire_uuid)}),
    )
