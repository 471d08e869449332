"""Fixtures of the PDF tests: questionnaires built through the real Store, rendered to files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from forms.lifecycle import Status
from forms.pdf import bilan_from_store, render_bilan
from forms.store import Store
from tests.forms.sample_answers import FORM_ID, TITLE, complete_answers
from tests.pdf.helpers import GENERATED_AT, set_status

Make = Callable[..., str]


@pytest.fixture
def make(store: Store) -> Make:
    """Create a questionnaire (complete answers by default), optionally transmitted to a given status."""

    def create(
        answers: dict[str, Any] | None = None,
        *,
        title: str = TITLE,
        form_id: str = FORM_ID,
        status: Status = Status.EN_COURS,
    ) -> str:
        values = complete_answers() if answers is None else answers
        info = store.create(form_id=form_id, title=title, answers=values)
        if status != Status.EN_COURS:
            store.transmit(info.uuid)
            if status != Status.A_ENVOYER:
                set_status(store, info.uuid, status)
        return info.uuid

    return create


@pytest.fixture
def render(store: Store, tmp_path: Path) -> Callable[[str], Path]:
    """Render one questionnaire's bilan to a file; return its path."""

    def run(questionnaire_uuid: str) -> Path:
        path = tmp_path / f"{questionnaire_uuid}.pdf"
        render_bilan(path, bilan_from_store(store, questionnaire_uuid), generated_at=GENERATED_AT)
        return path

    return run
