"""Safe evaluation of declarative conditions: a tree walk over answers, never `eval`.

Two readings of the same Condition model:
- `holds` (visibility, a rule's `when`): an unanswered input makes a leaf false;
- `truth` (a rule's `test`): three-valued (Kleene) logic, None while the answers do not decide, so a
  rule never fires on partial data yet still fires when the answers it has already settle it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from forms.answers import is_answered
from forms.expressions import value_of
from forms.rule_model import Comparison, Condition

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "!=": operator.ne,
}
EPSILON = 1e-9  # decimals such as 0.1 + 0.2 must still compare equal to 0.3


def holds(condition: Condition, answers: Mapping[str, Any]) -> bool:
    """Whether `condition` is true for `answers` (absent and hidden answers count as unanswered)."""
    if condition.all is not None:
        return all(holds(c, answers) for c in condition.all)
    if condition.any is not None:
        return any(holds(c, answers) for c in condition.any)
    if condition.not_ is not None:
        return not holds(condition.not_, answers)
    return _leaf(condition, answers) is True


def truth(condition: Condition, answers: Mapping[str, Any]) -> bool | None:
    """True, False, or None when the answers given so far do not decide it."""
    if condition.all is not None:
        found = [truth(c, answers) for c in condition.all]
        return False if False in found else (None if None in found else True)
    if condition.any is not None:
        found = [truth(c, answers) for c in condition.any]
        return True if True in found else (None if None in found else False)
    if condition.not_ is not None:
        inner = truth(condition.not_, answers)
        return None if inner is None else not inner
    return _leaf(condition, answers)


def compare(comparison: Comparison, answers: Mapping[str, Any]) -> bool | None:
    left, right = value_of(comparison.left, answers), value_of(comparison.right, answers)
    if left is None or right is None:
        return None
    return compare_numbers(left, comparison.op, right)


def compare_numbers(left: float, op: str, right: float) -> bool:
    if op in ("==", "!="):
        return (abs(left - right) <= EPSILON) == (op == "==")
    if op in ("<=", ">="):
        return _OPERATORS[op](left - EPSILON if op == "<=" else left + EPSILON, right)
    return _OPERATORS[op](left, right)


def _leaf(condition: Condition, answers: Mapping[str, Any]) -> bool | None:
    if condition.compare is not None:
        return compare(condition.compare, answers)
    assert condition.question is not None  # guaranteed by the model's validator
    value: Any = answers.get(condition.question)
    if condition.row is not None:
        value = value.get(condition.row) if isinstance(value, dict) else None
    fields = condition.model_fields_set
    if "answered" in fields:
        return is_answered(value) == condition.answered
    if not is_answered(value):
        return None
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
