"""Safe evaluation of declarative conditions: a tree walk over answers, never `eval`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms.answers import is_answered
from forms.definition import Condition


def holds(condition: Condition, answers: Mapping[str, Any]) -> bool:
    """Whether `condition` is true for `answers` (absent and hidden answers count as unanswered)."""
    if condition.all is not None:
        return all(holds(c, answers) for c in condition.all)
    if condition.any is not None:
        return any(holds(c, answers) for c in condition.any)
    if condition.not_ is not None:
        return not holds(condition.not_, answers)
    assert condition.question is not None  # guaranteed by the model's validator
    value = answers.get(condition.question)
    fields = condition.model_fields_set
    if "answered" in fields:
        return is_answered(value) == condition.answered
    if not is_answered(value):
        return False
    if "equals" in fields:
        return _same(value, condition.equals)
    if "not_equals" in fields:
        return not _same(value, condition.not_equals)
    if "in_" in fields:
        return any(_same(value, option) for option in condition.in_ or [])
    if "contains" in fields:
        return isinstance(value, list) and condition.contains in value
    return False


def _same(value: Any, expected: Any) -> bool:
    # bool is an int in Python: keep True from matching 1, either way round.
    if isinstance(value, bool) or isinstance(expected, bool):
        return type(value) is type(expected) and value == expected
    return bool(value == expected)
