"""Answer values as plain JSON data (DESIGN §4), and what counts as answered."""

from __future__ import annotations

from typing import Any

Answers = dict[str, Any]


def is_answered(value: Any) -> bool:
    """False for None, blank text, and empty lists or mappings; True otherwise (False and 0 are answers)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return True
