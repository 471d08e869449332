"""What the eye relies on: page dots keep their colour when selected, matrix rows are shaded alternately."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QFrame

from desktop.questionnaire_view import QuestionnaireView
from desktop.theme import PROGRESS_COLOURS
from desktop.widgets.matrix import MatrixWidget
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.forms.sample_answers import structure_profile


def test_the_current_page_dot_keeps_its_colour(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    view = open_view(store.create(form_id=OFFICIAL_FORM, title="Points", answers=structure_profile()).uuid)
    navigator = view.form.navigator
    for row in range(navigator.count()):
        item = navigator.item(row)
        wanted = QColor(PROGRESS_COLOURS[item.data(Qt.ItemDataRole.UserRole)])
        for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected):
            assert item.icon().pixmap(14, 14, mode).toImage().pixelColor(7, 7) == wanted, (row, mode)
    assert navigator.item(0).data(Qt.ItemDataRole.UserRole) == "complete"
    assert navigator.item(1).data(Qt.ItemDataRole.UserRole) == "not_started"


def test_matrix_rows_are_shaded_alternately(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    view = open_view(store.create(form_id=OFFICIAL_FORM, title="Bandes").uuid)
    matrix = view.form.widgets["activites"]
    assert isinstance(matrix, MatrixWidget)
    bands = [f for f in matrix.findChildren(QFrame) if f.property("role") == "matrix-band"]
    assert len(bands) == (len(matrix.question.rows) + 1) // 2
