"""Mes indicateurs in the app (issue 12 item 6): a chart and a table per figure, the tables equal to
the sums, the PDF page saved from the dialog."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.indicators_view import IndicatorsDialog
from forms.indicators import FIGURES
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.forms.sample_answers import complete_answers


def test_a_chart_and_a_table_per_figure(store: Store, qtbot: QtBot, tmp_path: Path) -> None:
    for title in ("A", "B"):
        store.transmit(store.create(form_id=OFFICIAL_FORM, title=title, answers=complete_answers()).uuid)
    store.create(form_id=OFFICIAL_FORM, title="Brouillon", answers=complete_answers())
    dialog = IndicatorsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    assert set(dialog.tables) == {key for key, _, _ in FIGURES}
    children = dialog.tables["children_enrolled"]
    assert [children.item(0, c).text() for c in range(3)] == ["2024-2025", str(2 * 30), "30"]
    hours = dialog.tables["hours"].item(0, 1).text()
    assert hours.startswith("1\u202f837")  # 2 × (612 + 306.5)
    assert dialog.charts["children_enrolled"].bars == [("2024-2025", 60, 30)]
    assert "2024-2025 : 60" in dialog.charts["children_enrolled"].accessibleDescription()
    dialog.charts["children_enrolled"].grab()  # paints without error
    saved = dialog.export_pdf(str(tmp_path / "indicateurs.pdf"))
    assert saved is not None
    assert saved.read_bytes().startswith(b"%PDF")
