"""Dependencies point one way (DESIGN §3): desktop -> sync -> forms, desktop -> forms.

forms/ imports no Qt, no network library, no keyring, and nothing of sync/ or desktop/;
sync/ never imports Qt or desktop/. Checked twice: statically over every module's source, and by
importing every forms module in a fresh interpreter and looking at what got loaded.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

QT = ("PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "shiboken2", "pytestqt")
NETWORK = ("requests", "urllib3", "httpx", "aiohttp", "http.client", "fastapi", "uvicorn", "starlette", "socket")
FORBIDDEN = {
    "forms": (*QT, *NETWORK, "keyring", "sync", "desktop"),
    "sync": (*QT, "desktop"),
}


def _matches(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def imported_modules(source: str, package: str) -> set[str]:
    """Every absolute module name a source imports, statically or through importlib/__import__ with a literal."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside the same package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def _modules(top: str) -> list[Path]:
    return sorted((ROOT / top).rglob("*.py"))


def _package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts if path.name == "__init__.py" else parts[:-1]).removesuffix(".__init__")


@pytest.mark.parametrize("top", sorted(FORBIDDEN))
def test_no_forbidden_import_in_the_source(top: str) -> None:
    files = _modules(top)
    assert files, f"{top}/ has no module"
    offences = []
    for path in files:
        source = path.read_text(encoding="utf-8")
        for module in sorted(imported_modules(source, _package_of(path))):
            if _matches(module, FORBIDDEN[top]):
                offences.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offences == []


def test_the_static_check_sees_every_kind_of_import() -> None:
    source = (
        "import PySide6.QtCore\n"
        "from requests import Session\n"
        "from ..sync import client\n"
        "import importlib\n"
        "importlib.import_module('keyring')\n"
        "if TYPE_CHECKING:\n    from desktop.app import run\n"
    )
    found = imported_modules(source, "forms.store")
    assert {"PySide6.QtCore", "requests", "forms.sync", "keyring", "desktop.app"} <= found
    assert [m for m in sorted(found) if _matches(m, FORBIDDEN["forms"])] == [
        "PySide6.QtCore",
        "desktop.app",
        "desktop.app.run",
        "keyring",
        "requests",
        "requests.Session",
    ]
    # "forms.sync" (a relative import) is not the top-level sync package: no false alarm.
    assert not _matches("forms.sync", FORBIDDEN["forms"])
    # The walk reads the real tree too: forms.store does use SQLAlchemy.
    store_source = (ROOT / "forms" / "store" / "store.py").read_text(encoding="utf-8")
    assert any(m.startswith("sqlalchemy") for m in imported_modules(store_source, "forms.store"))


_IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys
import forms
names = ["forms"] + [m.name for m in pkgutil.walk_packages(forms.__path__, "forms.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": names, "loaded": sorted(sys.modules)}))
"""


def test_importing_every_forms_module_loads_no_forbidden_package() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERYTHING], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert "forms.store.store" in report["imported"]
    assert "forms.validators" in report["imported"]
    forbidden = (*QT, "requests", "urllib3", "httpx", "fastapi", "uvicorn", "keyring", "sync", "desktop")
    assert [m for m in report["loaded"] if _matches(m, forbidden)] == []


def test_only_the_pdf_package_loads_reportlab() -> None:
    """The definition, the evaluation, the store and the display of answers never pull the PDF library in."""
    code = (
        "import sys, forms.display, forms.evaluation, forms.lifecycle, forms.overview, forms.store, forms.exchange;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('reportlab', 'forms') and "
        "(m.startswith('reportlab') or m.startswith('forms.pdf'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert loaded.stdout.strip() == "[]"
