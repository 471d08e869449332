"""One bad definition in DATA/forms never bricks the app (issue 12 item 8): the window opens, the
warning names the file in the status bar, and a questionnaire on the missing definition opens read-only."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from desktop.main_window import MainWindow
from forms.registry import FormRegistry
from forms.store import Store


def test_the_app_opens_warns_and_shows_the_orphan_read_only(
    essai_in_data_dir: Path, open_window: Callable[[], MainWindow]
) -> None:
    forms = essai_in_data_dir / "forms"
    with closing(Store.open(essai_in_data_dir, FormRegistry.load(forms))) as store:
        orphan = store.create(form_id="clas-essai", title="Action des Lilas").uuid
        store.set_answer(orphan, "q_text", "Association des Lilas")
        healthy = store.create(form_id="clas-2024-2025", title="Action du Centre").uuid
    (forms / "clas-essai-v1.json").write_text("{ abîmé", encoding="utf-8")

    window = open_window()
    assert set(window.home.rows) == {orphan, healthy}
    warning = window.definitions_warning.text()
    assert "clas-essai-v1.json" in warning
    assert warning.startswith("Définition mise de côté")

    window.open_questionnaire(orphan)
    view = window.questionnaire_view
    assert view is not None
    assert not view.transmit_button.isVisible()
    assert "lecture seule" in view.info_banner.text()
    assert view.form.widgets
    assert all(w._read_only for w in view.form.widgets.values())

    window.open_questionnaire(healthy)  # the other definitions keep working, editable
    assert window.questionnaire_view is not None
    assert window.questionnaire_view.transmit_button.isVisible()
