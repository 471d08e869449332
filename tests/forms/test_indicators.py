"""Mes indicateurs (issue 12 items 6, 7, 9): the figures equal the sums of the answers, per campaign,
sent ones apart from drafts; three campaigns charted; the « Indicateurs » PDF page reads back."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.cli import main
from forms.indicators import DECLARED, indicators
from forms.lifecycle import Status
from forms.pdf.indicators import render_indicators
from forms.registry import FormRegistry
from forms.store import Store
from tests.conftest import OFFICIAL_FORM, TEST_FORMS
from tests.forms.sample_answers import complete_answers

CAMPAIGNS = TEST_FORMS / "campagnes"


@pytest.fixture
def years(data_dir: Path) -> Iterator[Store]:
    opened = Store.open(data_dir, FormRegistry.load(CAMPAIGNS))
    yield opened
    opened.close()


def _answers(elementary: int, sessions: int) -> dict[str, object]:
    """A complete answer set with `elementary` + 12 children enrolled and `sessions` séances."""
    answers = complete_answers()
    answers |= {"nb_enfants_elementaire": elementary, "nb_enfants_inscrits": elementary + 12, "nb_seances": sessions}
    return answers


def test_indicators_equal_the_sums_of_the_answers(years: Store) -> None:
    sent = []
    for children, sessions in ((18, 204), (20, 210)):
        uuid = years.create(
            form_id=OFFICIAL_FORM, title=f"Action {children}", answers=_answers(children, sessions)
        ).uuid
        years.transmit(uuid)
        sent.append(years.answers(uuid))
    years.create(form_id="clas-essai-2025-2026", form_version=1, title="Brouillon", answers=_answers(15, 200))
    validated = years.create(
        form_id="clas-essai-2025-2026", title="Validé", answers=_answers(16, 204), form_version=1
    ).uuid
    years.transmit(validated)
    with years._write() as c:
        c.exec_driver_sql("UPDATE questionnaire SET status = ? WHERE uuid = ?", (Status.VALIDE.value, validated))

    found = {c.school_year: c for c in indicators(years)}
    assert list(found) == ["2024-2025", "2025-2026"]  # oldest first
    official = years.registry.get(OFFICIAL_FORM)
    for key in DECLARED:
        questions = [q.id for q in official.questions() if q.indicator == key]
        assert questions, key
        expected = sum(a[q] for a in sent for q in questions)
        assert found["2024-2025"].sent.value(key) == expected, key
    assert found["2024-2025"].sent.value("children_enrolled") == 30 + 32
    assert found["2024-2025"].sent.value("hours") == sum(
        a["heures_salaries"] + a["heures_benevoles"]
        for a in sent  # type: ignore[operator]
    )
    assert found["2024-2025"].drafts.questionnaires == 0
    assert found["2025-2026"].sent.value("children_enrolled") == 28  # the validated one
    assert found["2025-2026"].drafts.value("children_enrolled") == 27  # the draft, counted apart
    s = found["2024-2025"].sent
    rate = 100 * s.sums["presences"] * s.sums["collectifs"] / (s.sums["children_enrolled"] * s.sums["sessions"])
    assert s.value("attendance_rate") == round(rate, 1)


def test_the_indicateurs_pdf_page_and_the_cli(
    years: Store, data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (data_dir / "forms").mkdir(exist_ok=True)
    for path in CAMPAIGNS.glob("*.json"):
        (data_dir / "forms" / path.name).write_bytes(path.read_bytes())
    years.create(form_id=OFFICIAL_FORM, title="A", answers=_answers(18, 204))
    years.create(form_id="clas-essai-2025-2026", form_version=1, title="B", answers=_answers(3, 204))
    pdf = io.BytesIO()
    render_indicators(
        pdf, indicators(years), organisation="Association des Lilas", generated_at=dt.datetime.now(dt.UTC)
    )
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.getvalue())).pages)
    for fragment in ("Indicateurs", "Enfants inscrits", "Taux de présence", "Heures d'intervention", "2025-2026"):
        assert fragment in text
    capsys.readouterr()
    assert main(["indicators", "--json", "--pdf", str(tmp_path / "indicateurs.pdf")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [c["school_year"] for c in printed] == ["2024-2025", "2025-2026"]
    assert printed[1]["drafts"]["children_enrolled"] == 15
    assert (tmp_path / "indicateurs.pdf").read_bytes().startswith(b"%PDF")
