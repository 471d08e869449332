"""Fixtures of the forms tests: the definitions themselves, loaded straight from their files."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.definition import FormDefinition, load_definition

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL_PATH = ROOT / "resources" / "forms" / "clas-2024-2025.json"
ESSAI_V1_PATH = ROOT / "tests" / "data" / "forms" / "clas-essai-v1.json"
ESSAI_V2_PATH = ROOT / "tests" / "data" / "forms" / "clas-essai-v2.json"


@pytest.fixture(scope="session")
def official() -> FormDefinition:
    return load_definition(OFFICIAL_PATH)


@pytest.fixture(scope="session")
def essai() -> FormDefinition:
    """clas-essai version 1: every question type, a chained condition and each rule kind."""
    return load_definition(ESSAI_V1_PATH)


@pytest.fixture(scope="session")
def essai_v2() -> FormDefinition:
    return load_definition(ESSAI_V2_PATH)
