"""What an edit can affect, derived from a definition's visibility conditions and cross-field rules.

After one answer changes, only these can change: the question itself; every question whose
visibility condition reads it, and so on transitively (a question that appears or disappears
brings its answer into, or out of, what later conditions read); every rule that reads one of
those (or targets one), and the question the rule's message is shown on; and the pages holding
them. `forms.evaluation.reevaluate` re-checks just that. Nothing here names a question: the graph
comes from the definition, so a new definition gets its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from forms.definition import FormDefinition
from forms.rule_model import Rule


def rule_reads(rule: Rule) -> set[str]:
    """Every question `rule` reads: its inputs, its target, the figures its message names."""
    return {*rule.questions(), rule.target, *rule.placeholders()}


@dataclass(frozen=True)
class Affected:
    """What an edit can change: questions whose visibility or own check may change, rules to run again,
    questions whose message may change (those, plus the rules' targets), and their pages."""

    questions: frozenset[str]
    rules: tuple[int, ...]  # indexes into definition.rules, in the definition's order
    shown: frozenset[str]
    pages: frozenset[str]


class Dependencies:
    """The dependency graph of one definition (build it once per definition: `dependencies`)."""

    def __init__(self, definition: FormDefinition) -> None:
        self.order = {q.id: n for n, q in enumerate(definition.questions())}
        self.page = {q.id: page.id for page in definition.pages for q in page.questions}
        readers: dict[str, set[str]] = {}
        for q in definition.questions():
            if q.visible_if is not None:
                for read in q.visible_if.questions():
                    readers.setdefault(read, set()).add(q.id)
        self.readers = {k: frozenset(v) for k, v in readers.items()}
        self.inputs = [frozenset(rule.questions()) for rule in definition.rules]  # what each rule checks
        rules: dict[str, list[int]] = {}
        for index, rule in enumerate(definition.rules):
            for read in rule_reads(rule):
                rules.setdefault(read, []).append(index)
        self.rules = {k: tuple(v) for k, v in rules.items()}
        self.targets = [rule.target for rule in definition.rules]

    def reach(self, changed: Iterable[str]) -> frozenset[str]:
        """The changed questions and every question whose visibility may follow from them."""
        found: set[str] = set()
        waiting = [q for q in changed if q in self.order]
        while waiting:
            question_id = waiting.pop()
            if question_id in found:
                continue
            found.add(question_id)
            waiting.extend(self.readers.get(question_id, ()))
        return frozenset(found)

    def affected(self, changed: Iterable[str]) -> Affected:
        questions = self.reach(changed)
        rules = sorted({index for q in questions for index in self.rules.get(q, ())})
        shown = questions | {self.targets[index] for index in rules}
        return Affected(questions, tuple(rules), frozenset(shown), frozenset(self.page[q] for q in shown))


_BUILT: dict[int, tuple[FormDefinition, Dependencies]] = {}


def dependencies(definition: FormDefinition) -> Dependencies:
    """The graph of `definition`, built on first use and kept (definitions are immutable once loaded)."""
    found = _BUILT.get(id(definition))
    if found is None or found[0] is not definition:  # the definition is kept too: its id is never reused
        found = (definition, Dependencies(definition))
        _BUILT[id(definition)] = found
    return found[1]
