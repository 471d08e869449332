"""French display of values, and safe file names."""

from __future__ import annotations

import datetime as dt

import pytest

from forms.formatting import escape, file_size, french_date, french_number, scalar_text, with_unit
from forms.pdf import safe_file_name

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0"),
        (12, "12"),
        (1234, f"1{NNBSP}234"),
        (1234.5, f"1{NNBSP}234,5"),
        (-1234567.25, f"-1{NNBSP}234{NNBSP}567,25"),
        (3.0, "3"),
        (0.1, "0,1"),
        (1e-05, "0,00001"),
        (float("nan"), "nan"),
    ],
)
def test_french_number(value: float, shown: str) -> None:
    assert french_number(value) == shown


def test_units_and_types() -> None:
    assert with_unit("1", "enfants", 1) == "1\u00a0enfant"
    assert with_unit("2", "enfants", 2) == "2\u00a0enfants"
    assert with_unit("1", "mois", 1) == "1\u00a0mois"
    assert with_unit("1", "ETP", 1) == "1\u00a0ETP"
    assert scalar_text("yes_no", True) == "Oui"
    assert scalar_text("yes_no", False) == "Non"
    assert scalar_text("date", "2025-03-14") == "14/03/2025"
    assert french_date("pas une date") == "pas une date"
    assert scalar_text("integer", "ill-shaped") == "ill-shaped"  # printed as it is, never a crash


def test_identifiers_are_grouped_however_typed() -> None:
    grouped = "732\u00a0829\u00a0320\u00a000074"
    assert scalar_text("siret", "73282932000074") == grouped
    assert scalar_text("siret", " 732 829 320 00074 ") == grouped
    assert scalar_text("siren", "732.829.320") == "732\u00a0829\u00a0320"
    assert scalar_text("siret", "7328293200007A") == "7328293200007A"  # not a SIRET: printed as it is


def test_sizes() -> None:
    assert file_size(1) == "1\u00a0octet"
    assert file_size(512) == "512\u00a0octets"
    assert file_size(12_400) == "12,1\u00a0ko"
    assert file_size(5 * 1024 * 1024) == "5\u00a0Mo"
    assert file_size("?") == "?"


def test_escape_markup_and_controls() -> None:
    assert escape("a & b <i>c</i>\x07") == "a &amp; b &lt;i&gt;c&lt;/i&gt;"


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Clas « Élan » — collège", "Clas « Élan » — collège"),
        ("../../etc/passwd", "etc-passwd"),
        ('a/b\\c:d*e?f"g<h>i|j', "a-b-c-d-e-f-g-h-i-j"),
        ("  ...  ", "Action sans titre"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("ligne\nsuivante", "ligne-suivante"),
    ],
)
def test_safe_file_name(title: str, name: str) -> None:
    assert safe_file_name(title) == name


def test_safe_file_name_bounds_bytes_not_characters() -> None:
    name = safe_file_name("é" * 200)
    assert len(name.encode("utf-8")) <= 150
    assert set(name) == {"é"}


def test_dates_are_local_time() -> None:
    from forms.formatting import french_datetime

    moment = dt.datetime(2025, 3, 14, 9, 5, 7)
    assert french_datetime(moment) == "14/03/2025 à 09:05"
    assert french_datetime(moment, seconds=True) == "14/03/2025 à 09:05:07"
