"""`bilan-clas pdf` end to end, in a subprocess on a private data folder (BILAN_CLAS_HOME)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from forms.lifecycle import Status
from tests.pdf.conftest import Make
from tests.pdf.helpers import pdf_text

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "BILAN_CLAS_HOME": str(data_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args], capture_output=True, env=env, cwd=ROOT, timeout=60
    )


def err(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stderr.decode("utf-8")


def test_one_bilan_and_its_receipt(make: Make, data_dir: Path, tmp_path: Path) -> None:
    uuid = make(status=Status.TRANSMIS)
    bilan, receipt = tmp_path / "bilan.pdf", tmp_path / "accusé.pdf"
    done = cli("pdf", uuid, "-o", str(bilan), data_dir=data_dir)
    assert done.returncode == 0, err(done)
    assert done.stdout.decode() == f"Bilan enregistré : {bilan}\n"
    assert "Réussir Ensemble" in pdf_text(bilan)
    done = cli("pdf", uuid, "-o", str(receipt), "--receipt", data_dir=data_dir)
    assert done.returncode == 0, err(done)
    assert "Accusé de transmission" in pdf_text(receipt)


def test_bilan_to_standard_output(make: Make, data_dir: Path) -> None:
    done = cli("pdf", make(), "-o", "-", data_dir=data_dir)
    assert done.returncode == 0, err(done)
    assert done.stdout.startswith(b"%PDF-")
    assert "BROUILLON" in pdf_text(done.stdout)


def test_all_bilans_into_a_folder(make: Make, data_dir: Path, tmp_path: Path) -> None:
    make(title="Premier")
    make(title="Second", status=Status.A_ENVOYER)
    out = tmp_path / "bilans"
    done = cli("pdf", "--all", "--out-dir", str(out), "--form", "clas-2024-2025", "--json", data_dir=data_dir)
    assert done.returncode == 0, err(done)
    report = json.loads(done.stdout)
    assert report["failures"] == []
    assert sorted(Path(p).name for p in report["written"]) == [
        "Premier - bilan 2024-2025.pdf",
        "Second - bilan 2024-2025.pdf",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(Path(p).name for p in report["written"])


def test_errors_are_one_french_line(make: Make, data_dir: Path, tmp_path: Path) -> None:
    draft = make()
    cases = [
        (("pdf", "00000000-0000-0000-0000-000000000000", "-o", str(tmp_path / "x.pdf")), "Aucun questionnaire"),
        (("pdf", draft, "-o", str(tmp_path / "absent" / "x.pdf")), "Écriture impossible"),
        (("pdf", draft, "-o", str(tmp_path)), "Écriture impossible"),
        (("pdf", draft, "-o", str(tmp_path / "a.pdf"), "--receipt"), "n'a jamais été transmis"),
    ]
    for args, message in cases:
        done = cli(*args, data_dir=data_dir)
        assert (done.returncode, message in err(done)) == (3, True), (args, err(done))
        assert len(err(done).strip().splitlines()) == 1
        assert "Traceback" not in err(done)
    assert not (tmp_path / "x.pdf").exists()
    assert not (tmp_path / "a.pdf").exists()


def test_usage_errors(make: Make, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """In-process (same code path as the subprocess, without its second of start-up)."""
    draft = make()
    cases = [
        (("pdf", draft), 2, "indiquez le fichier de sortie"),
        (("pdf",), 2, "indiquez un questionnaire"),
        (("pdf", "--all"), 2, "indiquez le dossier de sortie"),
        (("pdf", "--all", "--out-dir", str(tmp_path), "-o", "x.pdf"), 2, "avec --all"),
        (("pdf", draft, "-o", "x.pdf", "--out-dir", str(tmp_path)), 2, "ne valent qu'avec --all"),
        (("pdf", "--all", "--out-dir", str(tmp_path), "--form", "inconnu"), 3, "Formulaire inconnu"),
    ]
    for args, status, message in cases:
        assert main(list(args)) == status
        assert message in capsys.readouterr().err
