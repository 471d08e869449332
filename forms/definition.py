"""The form-definition model: one JSON file per campaign, validated at load.

The shape follows DESIGN §4. Everything that renders, validates, prints or transmits a
questionnaire reads these objects; no question is described anywhere else.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

QuestionType = Literal[
    "text",
    "long_text",
    "integer",
    "decimal",
    "email",
    "phone",
    "date",
    "siret",
    "siren",
    "postal_code",
    "insee_code",
    "single_choice",
    "multiple_choice",
    "yes_no",
    "matrix",
    "file",
]
NUMERIC_TYPES = frozenset({"integer", "decimal"})
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice", "matrix"})

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
# What generic code needs to find in any definition (a title, a heading, a search), so that no code
# names a question id: the PDF header, a questionnaire received from the server, the console's list.
Role = Literal["organisation_name", "action_place", "commune", "contact_email", "siret"]
Scalar = str | int | float | bool


class DefinitionError(ValueError):
    """A form definition that cannot be used; the message names the file and the fault, in French."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Option(_Strict):
    """A choice of a choice question, a column of a matrix, or a row of a matrix."""

    id: Identifier
    label: str = Field(min_length=1)


class Condition(_Strict):
    """A declarative, side-effect-free test on earlier answers (never evaluated with `eval`).

    Leaf forms name a `question` and exactly one operator; `all`, `any` and `not` combine.
    """

    question: Identifier | None = None
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
        combined = [n for n in ("all", "any", "not_") if n in self.model_fields_set]
        if len(leaf) + len(combined) != 1:
            raise ValueError("une condition porte exactement un opérateur")
        if leaf and self.question is None:
            raise ValueError("une condition simple nomme la question qu'elle teste")
        if combined and self.question is not None:
            raise ValueError("all / any / not ne nomment pas de question")
        return self

    def questions(self) -> set[str]:
        """Every question id this condition reads."""
        found = {self.question} if self.question else set()
        for child in (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else []):
            found |= child.questions()
        return found


class Question(_Strict):
    id: Identifier
    type: QuestionType
    label: str = Field(min_length=1)
    required: bool = False
    help: str | None = None
    section: str | None = None
    choices: list[Option] = []
    rows: list[Option] = []
    visible_if: Condition | None = None
    min: float | None = None
    max: float | None = None
    decimals: int | None = Field(default=None, ge=0, le=6)
    unit: str | None = None
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    placeholder: str | None = None
    accept: list[str] = []
    max_size_bytes: int | None = Field(default=None, ge=1)
    role: Role | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.type in CHOICE_TYPES and not self.choices:
            raise ValueError(f"la question {self.id} ({self.type}) doit proposer des choix")
        if self.type not in CHOICE_TYPES and self.choices:
            raise ValueError(f"la question {self.id} ({self.type}) ne propose pas de choix")
        if (self.type == "matrix") != bool(self.rows):
            raise ValueError(f"seule une matrice a des lignes ({self.id})")
        for kind, options in (("choix", self.choices), ("lignes", self.rows)):
            ids = [o.id for o in options]
            if len(ids) != len(set(ids)):
                raise ValueError(f"identifiants de {kind} en double dans {self.id}")
        if self.type not in NUMERIC_TYPES and (self.min, self.max, self.decimals) != (None, None, None):
            raise ValueError(f"min, max et decimals ne valent que pour un nombre ({self.id})")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min dépasse max ({self.id})")
        if self.type != "file" and (self.accept or self.max_size_bytes):
            raise ValueError(f"accept et max_size_bytes ne valent que pour un fichier ({self.id})")
        return self

    def choice_label(self, choice_id: str) -> str:
        return next((o.label for o in self.choices if o.id == choice_id), choice_id)


class Page(_Strict):
    id: Identifier
    title: str = Field(min_length=1)
    part: Literal["structure", "action"]
    intro: str | None = None
    questions: list[Question] = Field(min_length=1)


class Operand(_Strict):
    """One side of a comparison: a question, a sum or a product of questions, or a constant; times a factor."""

    question: Identifier | None = None
    sum: list[Identifier] | None = None
    product: list[Identifier] | None = None
    value: float | None = None
    times: float = 1.0

    @model_validator(mode="after")
    def _one_source(self) -> Operand:
        if sum(x is not None for x in (self.question, self.sum, self.product, self.value)) != 1:
            raise ValueError("un opérande est une question, une somme, un produit ou une valeur")
        return self

    def questions(self) -> list[str]:
        return [self.question] if self.question else list(self.sum or self.product or [])


class CompareRule(_Strict):
    """A numeric comparison between answers, e.g. children by level <= children enrolled."""

    kind: Literal["compare"] = "compare"
    id: Identifier
    left: Operand
    op: Literal["<=", "<", ">=", ">", "==", "!="]
    right: Operand
    target: Identifier
    message: str
    severity: Literal["error", "advice"] = "error"
    when: Condition | None = None

    def questions(self) -> set[str]:
        return {*self.left.questions(), *self.right.questions(), self.target}


class SirenOfSiretRule(_Strict):
    """The SIREN is the first nine digits of the SIRET."""

    kind: Literal["siren_of_siret"]
    id: Identifier
    siren: Identifier
    siret: Identifier
    target: Identifier
    message: str
    severity: Literal["error", "advice"] = "error"
    when: Condition | None = None

    def questions(self) -> set[str]:
        return {self.siren, self.siret, self.target}


class ChoiceCountRule(_Strict):
    """How many of `among` (default: every choice) a multiple choice answer must tick, e.g. bonus criteria."""

    kind: Literal["choice_count"]
    id: Identifier
    question: Identifier
    among: list[Identifier] = []
    min: int = Field(default=0, ge=0)
    max: int | None = Field(default=None, ge=0)
    target: Identifier
    message: str
    severity: Literal["error", "advice"] = "error"
    when: Condition | None = None

    def questions(self) -> set[str]:
        return {self.question, self.target}


Rule = Annotated[CompareRule | SirenOfSiretRule | ChoiceCountRule, Field(discriminator="kind")]


class Campaign(_Strict):
    school_year: str = Field(pattern=r"^\d{4}-\d{4}$")
    opens: dt.date
    closes: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Campaign:
        if self.closes < self.opens:
            raise ValueError("la campagne se clôt avant d'ouvrir")
        return self


class FormDefinition(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)
    version: int = Field(ge=1)
    title: str
    description: str | None = None
    campaign: Campaign
    pages: list[Page] = Field(min_length=1)
    rules: list[Rule] = []

    @model_validator(mode="after")
    def _references(self) -> FormDefinition:
        seen: dict[str, Question] = {}
        page_ids: set[str] = set()
        for page in self.pages:
            if page.id in page_ids:
                raise ValueError(f"page {page.id} en double")
            page_ids.add(page.id)
            for q in page.questions:
                if q.id in seen:
                    raise ValueError(f"question {q.id} en double")
                if q.role is not None and any(other.role == q.role for other in seen.values()):
                    raise ValueError(f"le rôle {q.role} est porté par deux questions (dont {q.id})")
                # A condition may only read earlier questions: no cycles, one pass evaluates.
                if q.visible_if is not None:
                    unknown = q.visible_if.questions() - seen.keys()
                    if unknown:
                        raise ValueError(
                            f"la condition de {q.id} lit une question absente ou placée après : "
                            + ", ".join(sorted(unknown))
                        )
                seen[q.id] = q
        for rule in self.rules:
            unknown = rule.questions() - seen.keys()
            if unknown:
                raise ValueError(f"la règle {rule.id} cite des questions inconnues : {', '.join(sorted(unknown))}")
            if rule.when is not None and rule.when.questions() - seen.keys():
                raise ValueError(f"la condition de la règle {rule.id} cite une question inconnue")
            if isinstance(rule, CompareRule):
                for qid in {*rule.left.questions(), *rule.right.questions()}:
                    if seen[qid].type not in NUMERIC_TYPES:
                        raise ValueError(f"la règle {rule.id} compare {qid}, qui n'est pas un nombre")
            if isinstance(rule, ChoiceCountRule):
                counted = seen[rule.question]
                if counted.type != "multiple_choice":
                    raise ValueError(
                        f"la règle {rule.id} compte les choix de {rule.question}, qui n'est pas à choix multiple"
                    )
                if set(rule.among) - {c.id for c in counted.choices}:
                    raise ValueError(f"la règle {rule.id} cite un choix inconnu de {rule.question}")
        return self

    # --- lookups -------------------------------------------------------------------------

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def questions(self) -> list[Question]:
        return [q for page in self.pages for q in page.questions]

    def question(self, question_id: str) -> Question:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def page_of(self, question_id: str) -> Page:
        for page in self.pages:
            if any(q.id == question_id for q in page.questions):
                return page
        raise KeyError(question_id)

    def part_questions(self, part: str) -> list[Question]:
        return [q for page in self.pages if page.part == part for q in page.questions]

    def question_for_role(self, role: Role) -> Question | None:
        return next((q for q in self.questions() if q.role == role), None)

    def text_for_role(self, answers: Mapping[str, Any], role: Role) -> str | None:
        """The trimmed text answer of the question holding `role`, if there is one and it is answered."""
        question = self.question_for_role(role)
        value = answers.get(question.id) if question is not None else None
        return value.strip() if isinstance(value, str) and value.strip() else None


_PYDANTIC_FR = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ inconnu",
    "literal_error": "valeur non permise",
    "string_pattern_mismatch": "identifiant mal formé",
    "string_too_short": "texte vide",
    "too_short": "liste vide",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "bool_type": "vrai ou faux attendu",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "string_type": "texte attendu",
    "list_type": "liste attendue",
    "model_type": "objet attendu",
    "union_tag_invalid": "type de règle inconnu",
    "union_tag_not_found": "type de règle (kind) manquant",
    "greater_than_equal": "valeur trop petite",
    "greater_than": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "less_than": "valeur trop grande",
    "int_from_float": "nombre entier attendu",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "bool_parsing": "vrai ou faux attendu",
    "string_too_long": "texte trop long",
    "too_long": "liste trop longue",
    "dict_type": "objet attendu",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
    "date_type": "date attendue (AAAA-MM-JJ)",
}


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = " → ".join(str(p) for p in first["loc"]) or "racine"
    # Our own validators speak French (value_error); any other pydantic message would be English.
    own = str(first["msg"]).removeprefix("Value error, ") if first["type"] == "value_error" else "valeur invalide"
    what = _PYDANTIC_FR.get(first["type"]) or own
    more = f" (et {error.error_count() - 1} autre(s) erreur(s))" if error.error_count() > 1 else ""
    return f"{where} : {what}{more}"


def parse_definition(data: Any, source: str = "définition") -> FormDefinition:
    """Build a definition from decoded JSON; raise DefinitionError naming `source` and the fault."""
    try:
        return FormDefinition.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(f"Définition de formulaire invalide « {source} » : {_describe(exc)}") from exc


def load_definition(path: Path) -> FormDefinition:
    """Read and validate one definition file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DefinitionError(f"Définition de formulaire illisible « {path.name} » : {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise DefinitionError(
            f"Définition de formulaire illisible « {path.name} » : le fichier n'est pas en UTF-8 (octet {exc.start})"
        ) from exc
    except json.JSONDecodeError as exc:
        raise DefinitionError(
            f"Définition de formulaire invalide « {path.name} » : JSON mal formé ligne {exc.lineno}, "
            f"colonne {exc.colno}"
        ) from exc
    return parse_definition(data, path.name)
