"""Numbers computed from answers by walking an Expr tree (never `eval`).

`value_of` returns None when an input is not answered or a division has a zero divisor: a rule
built on it then stays silent instead of judging partial data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from forms.answers import is_answered
from forms.rule_model import ChoiceTally, Expr, RowCount


def value_of(expr: Expr, answers: Mapping[str, Any]) -> float | None:
    raw = _raw(expr, answers)
    if raw is None:
        return None
    try:
        result = raw * expr.times
    except OverflowError:
        return math.inf
    return result if not math.isnan(result) else None


def _number(answers: Mapping[str, Any], qid: str) -> float | None:
    value: Any = answers.get(qid)
    if not is_answered(value) or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _all(values: list[float | None]) -> list[float] | None:
    return None if any(v is None for v in values) else [v for v in values if v is not None]


def _raw(expr: Expr, answers: Mapping[str, Any]) -> float | None:  # noqa: PLR0911 - one branch per source
    if expr.value is not None:
        return expr.value
    if expr.question is not None:
        return _number(answers, expr.question)
    if expr.sum is not None or expr.product is not None:
        terms = _all([_number(answers, q) for q in expr.sum or expr.product or []])
        if terms is None:
            return None
        return _fsum(terms) if expr.sum is not None else math.prod(terms)
    if expr.count_rows is not None:
        return _count_rows(expr.count_rows, answers)
    if expr.count_choices is not None:
        return _count_choices(expr.count_choices, answers)
    operands = _all([value_of(child, answers) for child in expr.children()])
    if operands is None:
        return None
    if expr.add is not None:
        return _fsum(operands)
    if expr.mul is not None:
        return math.prod(operands)
    if expr.sub is not None:
        return operands[0] - operands[1]
    if expr.div is not None:
        return operands[0] / operands[1] if operands[1] != 0 else None
    return min(operands) if expr.min_ is not None else max(operands)


def _fsum(terms: list[float]) -> float | None:
    try:
        return math.fsum(terms)
    except (OverflowError, ValueError):  # inf - inf has no value
        return None


def _count_rows(tally: RowCount, answers: Mapping[str, Any]) -> float | None:
    matrix: Any = answers.get(tally.question)
    if not is_answered(matrix) or not isinstance(matrix, dict):
        return None
    rows = tally.rows or list(matrix)
    if any(row not in matrix for row in rows):
        return None  # a row the count needs is not answered: the count is not known yet
    return float(sum(1 for row in rows if matrix[row] in tally.choices))


def _count_choices(tally: ChoiceTally, answers: Mapping[str, Any]) -> float | None:
    ticked: Any = answers.get(tally.question)
    if not is_answered(ticked) or not isinstance(ticked, list):
        return None
    among = set(tally.among) or set(ticked)
    return float(len(among & set(ticked)))
