"""An error nobody expected: logged with its traceback, told in French in a dialog; the app goes on."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.app import _unexpected
from forms.logs import configure, log_path


def test_an_unexpected_error_is_logged_and_told_in_french(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, qapp: object
) -> None:
    root = configure(data_dir, "tests")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))  # the modal click
    try:
        raise ValueError("quelque chose d'imprévu")
    except ValueError as error:
        _unexpected(data_dir, ValueError, error, error.__traceback__)
    for handler in list(root.handlers):
        handler.flush()
        root.removeHandler(handler)
        handler.close()
    (text,) = shown
    assert text.startswith("Une erreur inattendue est survenue. Vos réponses déjà enregistrées sont conservées.")
    assert str(log_path(data_dir)) in text
    logged = log_path(data_dir).read_text(encoding="utf-8")
    assert "unexpected error" in logged
    assert "Traceback" in logged
    assert "ValueError: quelque chose d'imprévu" in logged
    assert logging.getLogger("bilan_clas").handlers == []
