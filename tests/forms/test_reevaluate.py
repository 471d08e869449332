"""The partial re-evaluation after an edit (forms.evaluation.reevaluate) equals a full evaluation.

After any sequence of edits, each re-evaluated from the previous partial result (so that a mistake
would accumulate), the result is exactly `evaluate` of the same answers: visibility, every issue in
order, every page's progress. On the official form and on clas-essai (a chained condition, each kind
of rule). Negative control: a graph that forgets the visibility dependants gives a wrong result.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.definition import FormDefinition, load_definition
from forms.dependencies import Dependencies, dependencies
from forms.evaluation import evaluate, reevaluate
from tests.forms.conftest import ESSAI_V1_PATH, OFFICIAL_PATH
from tests.forms.sample_answers import complete_answers

_OFFICIAL = load_definition(OFFICIAL_PATH)
_ESSAI = load_definition(ESSAI_V1_PATH)
_SAMPLE = complete_answers()


def _values(definition: FormDefinition, question_id: str) -> st.SearchStrategy[Any]:
    """Plausible and broken answers for one question: unanswered, blank, its type's values, out of range,
    the sample's value, anything else."""
    q = definition.question(question_id)
    common: list[st.SearchStrategy[Any]] = [st.none(), st.just(""), st.text(max_size=4)]
    if question_id in _SAMPLE:
        common.append(st.just(copy.deepcopy(_SAMPLE[question_id])))
    if q.type in ("integer", "decimal"):
        common += [st.integers(-3, 400), st.floats(-1, 60, allow_nan=False), st.just(10**12)]
    elif q.type == "yes_no":
        common += [st.booleans(), st.booleans()]
    elif q.type in ("single_choice", "multiple_choice"):
        ids = [c.id for c in q.choices] or ["x"]
        common += [st.sampled_from(ids), st.lists(st.sampled_from(ids), max_size=len(ids), unique=True)]
    elif q.type == "matrix":
        rows = [r.id for r in q.rows] or ["r"]
        columns = [c.id for c in q.choices] or ["c"]
        common.append(st.dictionaries(st.sampled_from(rows), st.sampled_from(columns), max_size=len(rows)))
    return st.one_of(common)


def _edits(definition: FormDefinition) -> st.SearchStrategy[list[dict[str, Any]]]:
    ids = [q.id for q in definition.questions()]
    one = st.sampled_from(ids).flatmap(lambda qid: _values(definition, qid).map(lambda v: {qid: v}))
    # Mostly one answer at a time (a keystroke), sometimes two together (a SIRET and its SIREN).
    return st.lists(st.one_of(one, st.tuples(one, one).map(lambda t: t[0] | t[1])), min_size=1, max_size=25)


def _replay(
    definition: FormDefinition, start: dict[str, Any], edits: list[dict[str, Any]], graph: Dependencies
) -> None:
    answers = dict(start)
    current = evaluate(definition, answers)
    for edit in edits:
        for question_id, value in edit.items():
            if value is None:
                answers.pop(question_id, None)
            else:
                answers[question_id] = value
        current = reevaluate(definition, current, answers, list(edit), graph)
        assert current == evaluate(definition, answers), edit


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=_edits(_OFFICIAL), start=st.sampled_from(["empty", "half", "complete"]))
def test_partial_equals_full_on_the_official_form(edits: list[dict[str, Any]], start: str) -> None:
    answers = {"empty": {}, "half": dict(list(_SAMPLE.items())[: len(_SAMPLE) // 2]), "complete": _SAMPLE}[start]
    _replay(_OFFICIAL, answers, edits, dependencies(_OFFICIAL))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=_edits(_ESSAI))
def test_partial_equals_full_on_clas_essai(edits: list[dict[str, Any]]) -> None:
    _replay(_ESSAI, {}, edits, dependencies(_ESSAI))


def test_the_graph_comes_from_the_definition() -> None:
    """Every question a visibility condition reads has its dependants; a rule is reached by each input."""
    graph = dependencies(_OFFICIAL)
    for q in _OFFICIAL.questions():
        if q.visible_if is not None:
            for read in q.visible_if.questions():
                assert q.id in graph.affected([read]).questions
    for index, rule in enumerate(_OFFICIAL.rules):
        for read in rule.questions():
            affected = graph.affected([read])
            assert index in affected.rules
            assert rule.target in affected.shown
    assert dependencies(_OFFICIAL) is graph  # built once per definition


def test_an_edit_affects_little() -> None:
    """A text answer nothing reads affects itself only; a figure many rules read, those rules' targets."""
    graph = dependencies(_OFFICIAL)
    readers = [q for q in _OFFICIAL.questions() if q.id not in graph.readers and q.id not in graph.rules]
    assert readers
    assert graph.affected([readers[0].id]).shown == {readers[0].id}
    assert len(graph.affected([readers[0].id]).pages) == 1


def test_negative_control_a_graph_without_dependants_goes_wrong() -> None:
    """Forget which questions a condition reads: showing a question's dependants is then missed."""
    graph = dependencies(_OFFICIAL)
    broken = Dependencies(_OFFICIAL)
    broken.readers = {}
    shown_by = next(q for q in _OFFICIAL.questions() if q.visible_if is not None)
    trigger = sorted(shown_by.visible_if.questions())[0]  # type: ignore[union-attr]
    answers = {k: v for k, v in _SAMPLE.items() if k not in (trigger, shown_by.id)}
    before = evaluate(_OFFICIAL, answers)
    for value in (True, False, "autre", ["autre"], *[c.id for c in _OFFICIAL.question(trigger).choices]):
        after = {**answers, trigger: value}
        if evaluate(_OFFICIAL, after).visible != before.visible:
            break
    else:
        raise AssertionError(f"no value of {trigger} shows {shown_by.id}")
    assert reevaluate(_OFFICIAL, before, after, [trigger], graph) == evaluate(_OFFICIAL, after)
    assert reevaluate(_OFFICIAL, before, after, [trigger], broken) != evaluate(_OFFICIAL, after)
