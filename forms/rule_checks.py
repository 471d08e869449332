"""Load-time checks of a definition's conditions and rules: every reference resolves, every type fits.

Each fault is raised as a French ValueError naming the rule (or the question) and what is wrong;
parse_definition turns it into a DefinitionError naming the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from forms.rule_model import ChoiceCountRule, ChoiceTally, CompareRule, Condition, Expr, RowCount, Rule

if TYPE_CHECKING:
    from forms.definition import Question

_NUMERIC = frozenset({"integer", "decimal"})


def check_condition(condition: Condition, seen: Mapping[str, Question], where: str) -> None:
    """`where` says whose condition it is (« la condition de q » / « la règle r »)."""
    unknown = condition.questions() - seen.keys()
    if unknown:
        raise ValueError(f"{where} cite une question inconnue : {', '.join(sorted(unknown))}")
    for leaf in condition.leaves():
        if leaf.compare is not None:
            for expr in (leaf.compare.left, leaf.compare.right):
                check_expr(expr, seen, where)
            continue
        assert leaf.question is not None
        question = seen[leaf.question]
        if leaf.row is not None:
            if question.type != "matrix":
                raise ValueError(f"{where} lit la ligne {leaf.row} de {question.id}, qui n'est pas une matrice")
            if leaf.row not in {r.id for r in question.rows}:
                raise ValueError(f"{where} cite une ligne inconnue de {question.id} : {leaf.row}")
        elif question.type == "matrix" and "answered" not in leaf.model_fields_set:
            raise ValueError(f"{where} teste la matrice {question.id} sans nommer de ligne (row)")
        if question.type in ("single_choice", "multiple_choice", "matrix"):
            wanted = [v for v in (leaf.equals, leaf.not_equals, leaf.contains, *(leaf.in_ or [])) if v is not None]
            known = {c.id for c in question.choices}
            strange = [str(v) for v in wanted if v not in known]
            if strange:
                raise ValueError(f"{where} cite un choix inconnu de {question.id} : {', '.join(strange)}")


def check_expr(expr: Expr, seen: Mapping[str, Question], where: str) -> None:
    unknown = expr.questions() - seen.keys()
    if unknown:
        raise ValueError(f"{where} cite des questions inconnues : {', '.join(sorted(unknown))}")
    for qid in expr.numeric_questions():
        if seen[qid].type not in _NUMERIC:
            raise ValueError(f"{where} calcule avec {qid}, qui n'est pas un nombre")
    for tally in expr.tallies():
        _check_tally(tally, seen[tally.question], where)


def _check_tally(tally: RowCount | ChoiceTally, question: Question, where: str) -> None:
    if isinstance(tally, RowCount):
        if question.type != "matrix":
            raise ValueError(f"{where} compte les lignes de {question.id}, qui n'est pas une matrice")
        if set(tally.rows) - {r.id for r in question.rows}:
            raise ValueError(f"{where} cite une ligne inconnue de {question.id}")
        if set(tally.choices) - {c.id for c in question.choices}:
            raise ValueError(f"{where} cite un choix inconnu de {question.id}")
        return
    if question.type != "multiple_choice":
        raise ValueError(f"{where} compte les choix de {question.id}, qui n'est pas à choix multiple")
    if set(tally.among) - {c.id for c in question.choices}:
        raise ValueError(f"{where} cite un choix inconnu de {question.id}")


def check_rule(rule: Rule, seen: Mapping[str, Question]) -> None:
    where = f"la règle {rule.id}"
    when_only = rule.when.questions() if rule.when is not None else set()
    own = rule.questions() - (when_only - _own_questions(rule))
    unknown = own - seen.keys()
    if unknown:
        raise ValueError(f"{where} cite des questions inconnues : {', '.join(sorted(unknown))}")
    if rule.when is not None:
        check_condition(rule.when, seen, f"la condition de {where}")
    if isinstance(rule, CompareRule):
        for qid in sorted(rule.left.numeric_questions() | rule.right.numeric_questions()):
            if seen[qid].type not in _NUMERIC:
                raise ValueError(f"{where} compare {qid}, qui n'est pas un nombre")
    for condition in rule.conditions():
        if condition is not rule.when:
            check_condition(condition, seen, where)
    for expr in rule.expressions():
        check_expr(expr, seen, where)
    if isinstance(rule, ChoiceCountRule):
        _check_tally(ChoiceTally(question=rule.question, among=rule.among), seen[rule.question], where)
    for name in rule.placeholders():
        if name not in rule.values and not (name in seen and seen[name].type in _NUMERIC):
            raise ValueError(
                f"{where} affiche {{{name}}} dans son message : ce n'est ni une de ses valeurs (values) "
                "ni une question numérique"
            )
    if any(spec for _, name, spec, conv in _fields(rule.message) if name is not None and (spec or conv)):
        raise ValueError(f"{where} : son message ne met en forme ses valeurs qu'avec {{nom}}, sans format")
    local = sorted(q for q in rule.questions() if seen[q].local)
    if local and rule.severity == "error":
        raise ValueError(
            f"{where} est bloquante (error) mais lit une réponse d'auto-diagnostic ({', '.join(local)}) : "
            "une réponse qui reste sur l'ordinateur ne bloque jamais une transmission"
        )


def _own_questions(rule: Rule) -> set[str]:
    """What the rule reads outside its `when`."""
    found = {rule.target}
    for condition in rule.conditions():
        if condition is not rule.when:
            found |= condition.questions()
    skip = set(map(id, rule.when.expressions())) if rule.when is not None else set()
    for expr in rule.expressions():
        if id(expr) not in skip:
            found |= expr.questions()
    for name in ("siren", "siret", "question"):
        value = getattr(rule, name, None)
        if isinstance(value, str):
            found.add(value)
    return found


def _fields(message: str) -> list[tuple[str, str | None, str | None, str | None]]:
    import string

    try:
        return list(string.Formatter().parse(message))
    except ValueError as exc:
        raise ValueError(f"message mal formé (accolades) : {message[:60]}") from exc
