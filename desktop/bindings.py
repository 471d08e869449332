"""Where a form view reads and writes its answers: a questionnaire in the store, or the structure profile.

The view only knows this small interface; the rules stay in forms/.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from forms.answers import Answers
from forms.definition import FormDefinition, Page
from forms.store import NoticeInfo, QuestionnaireInfo, Store
from forms.store.locks import StructureLockInfo


class Binding(Protocol):
    definition: FormDefinition
    pages: list[Page]

    def load(self) -> Answers: ...
    def save(self, question_id: str, value: Any) -> dt.datetime: ...
    def editable(self) -> bool: ...


class QuestionnaireBinding:
    """A questionnaire of the store: every answer saved at once, durably."""

    def __init__(self, store: Store, questionnaire_uuid: str) -> None:
        self.store = store
        self.uuid = questionnaire_uuid
        self.definition = store.definition(questionnaire_uuid)
        self.pages = list(self.definition.pages)

    def info(self) -> QuestionnaireInfo:
        return self.store.get(self.uuid)

    def load(self) -> Answers:
        return self.store.answers(self.uuid)

    def save(self, question_id: str, value: Any) -> dt.datetime:
        return self.store.set_answer(self.uuid, question_id, value)

    def editable(self) -> bool:
        return self.info().status.editable and not self.store.definition_missing(self.uuid)

    def structure_lock(self) -> StructureLockInfo | None:
        return self.store.structure_lock(self.uuid)

    def notices(self) -> list[NoticeInfo]:
        return self.store.notices(self.uuid)

    def remember_page(self, page_id: str) -> None:
        self.store.set_current_page(self.uuid, page_id)


class ProfileBinding:
    """The structure profile: the fiche Structure pages of a definition, saved as the profile."""

    def __init__(self, store: Store, definition: FormDefinition) -> None:
        self.store = store
        self.definition = definition
        self.pages = [p for p in definition.pages if p.part == "structure"]
        self._answers = store.profile()

    def load(self) -> Answers:
        return dict(self._answers)

    def save(self, question_id: str, value: Any) -> dt.datetime:
        if value is None:
            self._answers.pop(question_id, None)
        else:
            self._answers[question_id] = value
        self.store.save_profile(self._answers)
        return dt.datetime.now(dt.UTC)

    def editable(self) -> bool:
        return True
