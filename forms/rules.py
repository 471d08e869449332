"""Cross-field rules declared in a definition (DESIGN §4): evaluated on valid, visible answers only.

`finding(rule, answers)` is the rule's verdict: None when it holds or cannot be decided yet (an input
missing: silent), else the French message with the rule's own figures filled in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from forms.answers import is_answered
from forms.conditions import compare_numbers, holds, truth
from forms.expressions import value_of
from forms.rule_model import CheckRule, ChoiceCountRule, CompareRule, Expr, Rule, SirenOfSiretRule


def broken(rule: Rule, answers: Mapping[str, Any]) -> bool:
    """Whether `rule` is violated by `answers` (valid, visible answers only)."""
    if rule.when is not None and not holds(rule.when, answers):
        return False
    if isinstance(rule, CompareRule):
        left, right = value_of(rule.left, answers), value_of(rule.right, answers)
        return left is not None and right is not None and not compare_numbers(left, rule.op, right)
    if isinstance(rule, CheckRule):
        return truth(rule.test, answers) is False
    if isinstance(rule, ChoiceCountRule):
        return _choice_count_broken(rule, answers)
    siren: Any = answers.get(rule.siren)
    siret: Any = answers.get(rule.siret)
    if not (is_answered(siren) and is_answered(siret)):
        return False
    return stdnum_siret.compact(siret)[:9] != stdnum_siren.compact(siren)


def finding(rule: Rule, answers: Mapping[str, Any]) -> str | None:
    """The rule's message with its figures, when the rule is broken; None otherwise.

    A message never shows a figure it does not have: if one of its values is not known, the rule
    stays silent (the inputs are then incomplete, and rules never judge partial data)."""
    if not broken(rule, answers):
        return None
    figures: dict[str, str] = {}
    for name in rule.placeholders():
        expr = rule.values.get(name) or Expr(question=name)
        number = value_of(expr, answers)
        if number is None:
            return None
        figures[name] = format_number(number)
    return rule.message.format_map(figures)


def format_number(number: float) -> str:
    """French figures: 1 607, 7,5, 0,25 (two decimals at most; narrow no-break space between thousands)."""
    if not math.isfinite(number):
        return "∞" if number > 0 else "-∞"
    rounded = round(float(number), 2)
    if rounded.is_integer():
        return f"{int(rounded):,}".replace(",", "\u202f")
    return f"{rounded:,.2f}".rstrip("0").replace(",", "\u202f").replace(".", ",")


def _choice_count_broken(rule: ChoiceCountRule, answers: Mapping[str, Any]) -> bool:
    ticked: Any = answers.get(rule.question)
    if not is_answered(ticked):
        return False  # an unanswered question is reported as missing, not counted
    among = set(rule.among) or set(ticked)
    count = len(among & set(ticked))
    return count < rule.min or (rule.max is not None and count > rule.max)


def prefilled(rules: Iterable[Rule], answers: Mapping[str, Any], answered: str) -> dict[str, Any]:
    """Answers that follow from having just answered `answered`: the SIREN, the first nine digits of a
    valid SIRET, while the SIREN is still empty. Never a value over one the person typed."""
    found: dict[str, Any] = {}
    for rule in rules:
        if not isinstance(rule, SirenOfSiretRule) or rule.siret != answered or is_answered(answers.get(rule.siren)):
            continue
        siret = answers.get(rule.siret)
        if isinstance(siret, str) and stdnum_siret.is_valid(siret):
            siren = stdnum_siret.compact(siret)[:9]
            if stdnum_siren.is_valid(siren):
                found[rule.siren] = siren
    return found
