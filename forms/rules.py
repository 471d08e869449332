"""Cross-field rules declared in a definition (DESIGN §4): evaluated on valid, visible answers only."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from forms.answers import is_answered
from forms.conditions import holds
from forms.definition import ChoiceCountRule, CompareRule, Operand, Rule

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
    "!=": operator.ne,
}
_EPSILON = 1e-9  # decimals such as 0.1 + 0.2 must still compare equal to 0.3


def _operand(operand: Operand, answers: Mapping[str, Any]) -> float | None:
    """The operand's value, or None when what it reads is not answered yet (the rule then waits)."""
    if operand.value is not None:
        return operand.value * operand.times
    if operand.question is not None:
        value: Any = answers.get(operand.question)
        return float(value) * operand.times if is_answered(value) else None
    if operand.product is not None:
        factors: list[Any] = [answers.get(q) for q in operand.product]
        return math.prod(float(f) for f in factors) * operand.times if all(map(is_answered, factors)) else None
    terms: list[Any] = [answers.get(q) for q in operand.sum or []]
    return float(sum(terms)) * operand.times if all(map(is_answered, terms)) else None


def _compare(rule: CompareRule, answers: Mapping[str, Any]) -> bool:
    left, right = _operand(rule.left, answers), _operand(rule.right, answers)
    if left is None or right is None:
        return True
    if rule.op in ("==", "!="):
        return (abs(left - right) <= _EPSILON) == (rule.op == "==")
    if rule.op in ("<=", ">="):
        return _OPERATORS[rule.op](left - _EPSILON if rule.op == "<=" else left + _EPSILON, right)
    return _OPERATORS[rule.op](left, right)


def broken(rule: Rule, answers: Mapping[str, Any]) -> bool:
    """Whether `rule` is violated by `answers` (valid, visible answers only)."""
    if rule.when is not None and not holds(rule.when, answers):
        return False
    if isinstance(rule, CompareRule):
        return not _compare(rule, answers)
    if isinstance(rule, ChoiceCountRule):
        return _choice_count_broken(rule, answers)
    siren: Any = answers.get(rule.siren)
    siret: Any = answers.get(rule.siret)
    if not (is_answered(siren) and is_answered(siret)):
        return False
    return stdnum_siret.compact(siret)[:9] != stdnum_siren.compact(siren)


def _choice_count_broken(rule: ChoiceCountRule, answers: Mapping[str, Any]) -> bool:
    ticked: Any = answers.get(rule.question)
    if not is_answered(ticked):
        return False  # an unanswered question is reported as missing, not counted
    among = set(rule.among) or set(ticked)
    count = len(among & set(ticked))
    return count < rule.min or (rule.max is not None and count > rule.max)
