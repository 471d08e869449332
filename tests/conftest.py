"""Fixtures shared by every test: test definitions, a private data folder, a store, an in-memory keyring."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything creates a QApplication

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from forms.registry import FormRegistry
from forms.store import Store
from tests.support.memkeyring import MemoryKeyring

TEST_FORMS = Path(__file__).parent / "data" / "forms"
OFFICIAL_FORM = "clas-2024-2025"


@pytest.fixture(scope="session")
def registry() -> FormRegistry:
    """The shipped definitions plus the test-only clas-essai v1 and v2."""
    return FormRegistry.load(TEST_FORMS)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data folder; BILAN_CLAS_HOME points at it so subprocesses and the CLI use it too."""
    folder = tmp_path / "data"
    monkeypatch.setenv("BILAN_CLAS_HOME", str(folder))
    return folder


@pytest.fixture
def store(data_dir: Path, registry: FormRegistry) -> Iterator[Store]:
    opened = Store.open(data_dir, registry)
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Headless machines have no keyring backend: every test gets a fresh in-memory one."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
