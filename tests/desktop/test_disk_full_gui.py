"""A full disk while typing (issue 10, item 11): a French banner, the text kept on screen, nothing
written, and the edit saved at the next focus change once space is freed. A real small tmpfs as
root (ENOSPC), SQLite's max_page_count otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.bindings import QuestionnaireBinding
from desktop.questionnaire_view import QuestionnaireView
from forms.registry import FormRegistry
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.conftest import show
from tests.desktop.driver import leave, type_into
from tests.support.tight_disk import TightDisk

TEXT = "Association « Les Écureuils » — un bilan saisi quand le disque était plein"


@pytest.fixture
def tight(tmp_path: Path, registry: FormRegistry) -> Iterator[tuple[TightDisk, Store]]:
    disk = TightDisk(tmp_path / "disque")
    store = Store.open(disk.root / "data", registry)
    yield disk, store
    store.close()
    disk.close()


def test_a_full_disk_while_typing(qtbot: QtBot, tight: tuple[TightDisk, Store]) -> None:
    disk, store = tight
    uuid = store.create(form_id=OFFICIAL_FORM, title="Disque plein").uuid
    view = QuestionnaireView(QuestionnaireBinding(store, uuid))
    show(qtbot, view)
    try:
        disk.fill(store)
        edit = view.form.widgets["nom_structure"].edit  # type: ignore[attr-defined]
        type_into(edit, TEXT)
        leave(edit)
        assert view.error_banner.isVisible()
        assert "est plein" in view.error_banner.text(), disk.how
        assert "Votre saisie reste affichée" in view.error_banner.text()
        assert edit.text() == TEXT
        assert store.answers(uuid) == {}

        disk.free(store)
        edit.setFocus()
        leave(edit)
        assert store.answers(uuid) == {"nom_structure": TEXT}
        assert not view.error_banner.isVisible()
    finally:
        view.form._timer.stop()
