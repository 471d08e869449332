"""The rule language of a form definition: expressions, conditions, rules and their sources (DESIGN §4).

Everything is data validated by pydantic; forms.conditions and forms.rules walk these trees, and
nothing is ever handed to `eval`. References to questions are checked by forms.rule_checks at load.
"""

from __future__ import annotations

import string
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Scalar = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Expr(_Strict):
    """A number computed from answers (never evaluated with `eval`): exactly one source, times a factor.

    Sources: a numeric `question`, a constant `value`, `sum` or `product` over numeric questions,
    `add` / `sub` / `mul` / `div` / `min` / `max` over sub-expressions, `count_rows` (how many rows of
    a matrix hold one of some choices) and `count_choices` (how many of some choices a multiple choice
    ticks). An expression whose inputs are not all answered, or a division by zero, has no value.
    """

    question: Identifier | None = None
    value: float | None = None
    sum: list[Identifier] | None = Field(default=None, min_length=1)
    product: list[Identifier] | None = Field(default=None, min_length=1)
    add: list[Expr] | None = Field(default=None, min_length=1)
    sub: list[Expr] | None = Field(default=None, min_length=2, max_length=2)
    mul: list[Expr] | None = Field(default=None, min_length=1)
    div: list[Expr] | None = Field(default=None, min_length=2, max_length=2)
    min_: list[Expr] | None = Field(default=None, alias="min", min_length=1)
    max_: list[Expr] | None = Field(default=None, alias="max", min_length=1)
    count_rows: RowCount | None = None
    count_choices: ChoiceTally | None = None
    times: float = 1.0

    @model_validator(mode="after")
    def _one_source(self) -> Expr:
        if len(self.model_fields_set & _EXPR_SOURCES) != 1:
            raise ValueError(
                "une expression a exactement une source : question, value, sum, product, add, sub, mul, div, "
                "min, max, count_rows ou count_choices"
            )
        return self

    def children(self) -> list[Expr]:
        return [*(self.add or []), *(self.sub or []), *(self.mul or []), *(self.div or []), *(self.min_ or []),
                *(self.max_ or [])]  # fmt: skip

    def numeric_questions(self) -> set[str]:
        """The questions read as numbers (they must be integer or decimal questions)."""
        found = {self.question} if self.question else set()
        found |= set(self.sum or []) | set(self.product or [])
        for child in self.children():
            found |= child.numeric_questions()
        return found

    def questions(self) -> set[str]:
        found = self.numeric_questions()
        for child in self.children():
            found |= child.questions()
        if self.count_rows is not None:
            found.add(self.count_rows.question)
        if self.count_choices is not None:
            found.add(self.count_choices.question)
        return found

    def tallies(self) -> list[RowCount | ChoiceTally]:
        found: list[RowCount | ChoiceTally] = [t for t in (self.count_rows, self.count_choices) if t is not None]
        for child in self.children():
            found += child.tallies()
        return found

    def constants(self) -> set[float]:
        """Every number written in the expression (for the check that messages state only these)."""
        found = {self.value} if self.value is not None else set()
        if self.times != 1.0:
            found.add(self.times)
        for child in self.children():
            found |= child.constants()
        return found


_EXPR_SOURCES = frozenset(
    {"question", "value", "sum", "product", "add", "sub", "mul", "div", "min_", "max_", "count_rows", "count_choices"}
)
Operand = Expr  # the name the first rule kinds used


class RowCount(_Strict):
    """How many rows of a matrix (`rows`, default: all of them) hold one of `choices`."""

    question: Identifier
    choices: list[Identifier] = Field(min_length=1)
    rows: list[Identifier] = []


class ChoiceTally(_Strict):
    """How many of `among` (default: every choice) a multiple choice answer ticks."""

    question: Identifier
    among: list[Identifier] = []


class Comparison(_Strict):
    left: Expr
    op: Literal["<=", "<", ">=", ">", "==", "!="]
    right: Expr


class Condition(_Strict):
    """A declarative, side-effect-free test on answers (never evaluated with `eval`).

    Leaf forms name a `question` (and, for a matrix, a `row`) with exactly one operator, or hold a
    `compare` between two expressions; `all`, `any` and `not` combine.
    """

    question: Identifier | None = None
    row: Identifier | None = None
    compare: Comparison | None = None
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    contains: str | None = None
    answered: bool | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        leaf = [n for n in ("equals", "not_equals", "in_", "contains", "answered") if n in self.model_fields_set]
        combined = [n for n in ("all", "any", "not_", "compare") if n in self.model_fields_set]
        if len(leaf) + len(combined) != 1:
            raise ValueError("une condition porte exactement un opérateur")
        if leaf and self.question is None:
            raise ValueError("une condition simple nomme la question qu'elle teste")
        if combined and self.question is not None:
            raise ValueError("all / any / not / compare ne nomment pas de question")
        if self.row is not None and "contains" in self.model_fields_set:
            raise ValueError("une ligne de matrice ne se teste pas avec contains")
        return self

    def children(self) -> list[Condition]:
        return (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else [])

    def questions(self) -> set[str]:
        """Every question id this condition reads."""
        found = {self.question} if self.question else set()
        if self.compare is not None:
            found |= self.compare.left.questions() | self.compare.right.questions()
        for child in self.children():
            found |= child.questions()
        return found

    def leaves(self) -> list[Condition]:
        if self.question is not None or self.compare is not None:
            return [self]
        return [leaf for child in self.children() for leaf in child.leaves()]

    def expressions(self) -> list[Expr]:
        found = [self.compare.left, self.compare.right] if self.compare is not None else []
        for child in self.children():
            found += child.expressions()
        return found

    def constants(self) -> set[float]:
        found: set[float] = set()
        for expr in self.expressions():
            found |= expr.constants()
        for leaf in self.leaves():
            for v in (leaf.equals, leaf.not_equals, *(leaf.in_ or [])):
                if isinstance(v, int | float) and not isinstance(v, bool):
                    found.add(float(v))
        return found


class Source(_Strict):
    """Where a rule comes from: a document of the seeds and its section, and the sentence itself."""

    document: str = Field(min_length=1)
    section: str = Field(min_length=1)
    quote: str | None = None

    @property
    def label(self) -> str:
        return f"{self.document}, {self.section}"


class _RuleBase(_Strict):
    id: Identifier
    target: Identifier  # the question a person would correct; the message is shown next to it
    message: str = Field(min_length=1)  # French; {name} is replaced by a value of `values` or a numeric answer
    severity: Literal["error", "advice"] = "error"
    when: Condition | None = None  # the rule applies only when this holds (unanswered: it does not)
    values: dict[Identifier, Expr] = {}  # the figures the message states, computed from the answers
    source: Source | None = None
    note: str | None = None  # why the rule is as it is; for maintainers, never shown

    def placeholders(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.message) if name is not None]

    def expressions(self) -> list[Expr]:
        return [*self.values.values(), *(self.when.expressions() if self.when else [])]

    def conditions(self) -> list[Condition]:
        return [self.when] if self.when is not None else []

    def questions(self) -> set[str]:
        found = {self.target}
        for expr in self.expressions():
            found |= expr.questions()
        for condition in self.conditions():
            found |= condition.questions()
        return found

    def constants(self) -> set[float]:
        """Every number the rule checks (its thresholds and factors)."""
        found: set[float] = set()
        for expr in self.expressions():
            found |= expr.constants()
        for condition in self.conditions():
            found |= condition.constants()
        return found


class CompareRule(_RuleBase):
    """A numeric comparison between answers, e.g. children by level <= children enrolled."""

    kind: Literal["compare"] = "compare"
    left: Expr
    op: Literal["<=", "<", ">=", ">", "==", "!="]
    right: Expr

    def expressions(self) -> list[Expr]:
        return [self.left, self.right, *super().expressions()]


class SirenOfSiretRule(_RuleBase):
    """The SIREN is the first nine digits of the SIRET."""

    kind: Literal["siren_of_siret"]
    siren: Identifier
    siret: Identifier

    def questions(self) -> set[str]:
        return {self.siren, self.siret, *super().questions()}

    def constants(self) -> set[float]:
        return {9.0, *super().constants()}  # the SIREN is the SIRET's first 9 digits


class ChoiceCountRule(_RuleBase):
    """How many of `among` (default: every choice) a multiple choice answer must tick, e.g. bonus criteria."""

    kind: Literal["choice_count"]
    question: Identifier
    among: list[Identifier] = []
    min: int = Field(default=0, ge=0)
    max: int | None = Field(default=None, ge=0)

    def questions(self) -> set[str]:
        return {self.question, *super().questions()}

    def constants(self) -> set[float]:
        return {float(self.min), *([float(self.max)] if self.max is not None else []), *super().constants()}


class CheckRule(_RuleBase):
    """The general rule: `test` must hold. It fires only when the answers show it false; while an input
    it needs is missing the test is undecided and the rule stays silent (never fires on partial data)."""

    kind: Literal["check"]
    test: Condition

    def conditions(self) -> list[Condition]:
        return [self.test, *super().conditions()]

    def expressions(self) -> list[Expr]:
        return [*self.test.expressions(), *super().expressions()]


Rule = Annotated[CompareRule | SirenOfSiretRule | ChoiceCountRule | CheckRule, Field(discriminator="kind")]
