"""forms/pdf is pure Python: importing and using it loads no Qt and no network library (DESIGN §3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import datetime as dt, io, sys
import forms.pdf
from forms.formatting import french_number
assert french_number(1234.5)
banned = sorted(m for m in sys.modules if m.split(".")[0] in {"PySide6", "shiboken6", "requests", "urllib3", "sync"})
print(",".join(banned))
"""


def test_pdf_package_imports_no_qt_and_no_network() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_pdf_sources_name_no_banned_module() -> None:
    for path in (ROOT / "forms" / "pdf").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for banned in ("PySide6", "import requests", "from requests", "from sync", "import sync"):
            assert banned not in source, f"{path.name} : {banned}"
