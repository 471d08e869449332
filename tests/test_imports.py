"""Each `bilan-clas` command imports only what it uses: a start-up regression fails here, not in a timing.

Every command runs in a fresh child interpreter (the real entry point, a real data folder); the
child reports which heavy packages ended up in sys.modules.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import OFFICIAL_FORM

HEAVY = ("PySide6", "requests", "reportlab", "keyring", "sync.engine", "sync.client", "sync.server", "fastapi")
STORE = ("sqlalchemy", "pydantic", "sqlmodel")

_CHILD = """
import json, sys
from desktop.cli import main
sys.argv = ["bilan-clas", *sys.argv[1:]]
try:
    status = main()
except SystemExit as exit_:
    status = exit_.code
heavy = json.loads(sys.stdin.read())
found = sorted(name for name in heavy if name in sys.modules)
print("\\nIMPORTED " + json.dumps({"status": status, "found": found}))
"""


def run_command(data_dir: Path, *args: str, names: tuple[str, ...] = HEAVY + STORE) -> tuple[int, list[str]]:
    """Run `bilan-clas *args` in a child; its exit status and which of `names` it imported."""
    env = {**os.environ, "BILAN_CLAS_HOME": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        input=json.dumps(names),
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("IMPORTED "))
    report = json.loads(line.removeprefix("IMPORTED "))
    return report["status"], report["found"]


@pytest.fixture
def one_questionnaire(tmp_path: Path) -> tuple[Path, str]:
    from forms.registry import FormRegistry
    from forms.store import Store

    store = Store.open(tmp_path, FormRegistry.load(tmp_path / "forms"))
    try:
        uuid = store.create(form_id=OFFICIAL_FORM, title="Coup de pouce").uuid
    finally:
        store.close()
    return tmp_path, uuid


def test_help_loads_neither_the_store_nor_the_network(tmp_path: Path) -> None:
    status, found = run_command(tmp_path, "--help")
    assert status == 0
    assert found == []  # not even sqlalchemy or pydantic: the help is argparse alone


@pytest.mark.parametrize(
    "command",
    [
        ["forms"],
        ["forms", "show", OFFICIAL_FORM],
        ["list"],
        ["list", "--json"],
        ["check", "{uuid}"],
        ["export", "{uuid}"],
    ],
)
def test_local_commands_load_no_qt_network_pdf_or_engine(
    one_questionnaire: tuple[Path, str], command: list[str]
) -> None:
    data_dir, uuid = one_questionnaire
    status, found = run_command(data_dir, *(part.format(uuid=uuid) for part in command))
    assert status in (0, 1)  # check says 1 for an incomplete questionnaire
    assert [name for name in found if name in HEAVY] == []


def test_the_pdf_command_loads_reportlab_but_not_the_network(one_questionnaire: tuple[Path, str]) -> None:
    data_dir, uuid = one_questionnaire
    status, found = run_command(data_dir, "pdf", uuid, "-o", str(data_dir / "bilan.pdf"))
    assert status == 0
    assert "reportlab" in found  # the control: the child does see what a command imports
    assert [name for name in found if name in HEAVY and name != "reportlab"] == []


def test_a_list_of_fresh_summaries_loads_not_even_the_store(one_questionnaire: tuple[Path, str]) -> None:
    data_dir, _uuid = one_questionnaire
    status, found = run_command(data_dir, "list")  # the first list builds the summaries
    assert status == 0
    assert "sqlalchemy" in found  # the control: the store's path, then
    status, found = run_command(data_dir, "list", "--json")
    assert status == 0
    assert found == []  # one sqlite3 query: neither sqlalchemy nor pydantic


# What `list` used to pay at start-up for nothing: xml.sax.saxutils pulled urllib.request, http.client
# and OpenSSL in through forms.formatting; the log's rotating handler pulled socket and pickle; the
# version line, importlib.metadata and platform.
STARTUP = ("urllib.request", "http.client", "logging.handlers", "importlib.metadata", "platform")


def test_a_list_loads_no_network_stdlib_rotating_log_or_metadata(one_questionnaire: tuple[Path, str]) -> None:
    data_dir, _uuid = one_questionnaire
    run_command(data_dir, "list")  # builds the summaries
    status, found = run_command(data_dir, "list", names=STARTUP)
    assert status == 0
    assert found == []
    status, found = run_command(data_dir, "backup", names=STARTUP)  # the control: a full command does set up the log
    assert "logging.handlers" in found
