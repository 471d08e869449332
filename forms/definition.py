"""The form-definition model: one JSON file per campaign, validated at load.

The shape follows DESIGN §4. Everything that renders, validates, prints or transmits a
questionnaire reads these objects; no question is described anywhere else.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from forms.jsonsafe import UnsafeJson, loads_bounded
from forms.pydantic_french import describe
from forms.rule_checks import check_condition, check_rule
from forms.rule_model import (  # noqa: F401 - re-exported: the definition's public names
    CheckRule,
    ChoiceCountRule,
    ChoiceTally,
    CompareRule,
    Comparison,
    Condition,
    Expr,
    Identifier,
    Operand,
    RowCount,
    Rule,
    Scalar,
    SirenOfSiretRule,
    Source,
    _Strict,
)

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
TEXT_TYPES = frozenset({"text", "long_text"})
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice", "matrix"})

# What generic code needs to find in any definition (a title, a heading, a search), so that no code
# names a question id: the PDF header, a questionnaire received from the server, the console's list.
Role = Literal["organisation_name", "action_place", "commune", "contact_email", "siret"]
# What a question counts for the partner's own indicators (forms/indicators.py): several questions may
# add up to one figure (the weeks of both terms, the hours of salaried staff and volunteers).
Indicator = Literal["children_enrolled", "families", "collectifs", "sessions", "presences", "weeks", "hours"]
# Types whose answer is a count or a document of the year: never copied into next year's bilan.
NEVER_CARRIED = frozenset({"integer", "decimal", "file"})


class DefinitionError(ValueError):
    """A form definition that cannot be used; the message names the file and the fault, in French."""


class Option(_Strict):
    """A choice of a choice question, a column of a matrix, or a row of a matrix."""

    id: Identifier
    label: str = Field(min_length=1)


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
    # A sentence shown above the field, in full, not behind the « ? » (e.g. an official instruction).
    statement: str | None = None
    min_words: int | None = Field(default=None, ge=1)
    # "local": an auto-diagnostic answer that stays on this computer (never transmitted, never required).
    scope: Literal["transmitted", "local"] = "transmitted"
    # "caf": filled by the Caf (e.g. the Sias number), read-only for the partner, never required from it.
    filled_by: Literal["partner", "caf"] = "partner"
    # Why the question is as it is (fidelity to the source documents); for maintainers, never shown.
    note: str | None = None
    # Copied when a bilan is started from an earlier one (forms/carry.py): what does not change from
    # one year to the next (the place, the ages, the kind of activities); never a count or a document.
    carry_over: bool = False
    # The id this question had in an earlier version of the definition (forms/upgrade.py moves its answer).
    replaces: Identifier | None = None
    indicator: Indicator | None = None

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
        if self.type not in TEXT_TYPES and (self.min_length, self.min_words) != (None, None):
            raise ValueError(f"min_length et min_words ne valent que pour un texte ({self.id})")
        if self.required and self.scope == "local":
            raise ValueError(f"une question locale (auto-diagnostic) n'est jamais obligatoire ({self.id})")
        if self.required and self.filled_by == "caf":
            raise ValueError(f"une question remplie par la Caf n'est jamais obligatoire pour le partenaire ({self.id})")
        if self.carry_over and self.type in NEVER_CARRIED:
            raise ValueError(f"un nombre ou un fichier de l'année ne se reprend pas d'un bilan à l'autre ({self.id})")
        if self.carry_over and self.filled_by == "caf":
            raise ValueError(f"une question remplie par la Caf ne se reprend pas ({self.id})")
        if self.indicator is not None and self.type not in NUMERIC_TYPES:
            raise ValueError(f"un indicateur se calcule sur un nombre ({self.id})")
        if self.replaces == self.id:
            raise ValueError(f"une question ne peut pas se remplacer elle-même ({self.id})")
        if self.scope == "local" and self.filled_by == "caf":
            raise ValueError(f"une question remplie par la Caf se transmet : elle ne peut pas être locale ({self.id})")
        return self

    @property
    def local(self) -> bool:
        return self.scope == "local"

    @property
    def caf_only(self) -> bool:
        return self.filled_by == "caf"

    def choice_label(self, choice_id: str) -> str:
        return next((o.label for o in self.choices if o.id == choice_id), choice_id)


class Page(_Strict):
    id: Identifier
    title: str = Field(min_length=1)
    part: Literal["structure", "action"]
    intro: str | None = None
    note: str | None = None  # for maintainers, never shown
    questions: list[Question] = Field(min_length=1)


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
    note: str | None = None  # what the definition is and where it comes from; for maintainers
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
                    check_condition(q.visible_if, seen, f"la condition de {q.id}")
                seen[q.id] = q
        replaced = [q.replaces for q in seen.values() if q.replaces is not None]
        for old in replaced:
            if old in seen:
                raise ValueError(f"la question {old} est remplacée mais existe encore")
        if len(replaced) != len(set(replaced)):
            raise ValueError("deux questions remplacent la même ancienne question")
        for rule in self.rules:
            check_rule(rule, seen)
        ids = [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("identifiants de règle en double")
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


# Where a definition's author reads more than the generic words (forms/pydantic_french.py).
_DEFINITION_WORDS = {
    "string_pattern_mismatch": "identifiant mal formé",
    "string_too_short": "texte vide",
    "too_short": "liste vide",
}


def _describe(error: ValidationError, data: Any = None) -> str:
    first = error.errors()[0]
    where = " → ".join(str(p) for p in first["loc"]) or "racine"
    loc = first["loc"]
    named = ""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        # Name the rule by its id, which the author knows, rather than by its position alone.
        try:
            rule_id = data["rules"][loc[1]]["id"]
        except (KeyError, IndexError, TypeError):
            rule_id = None
        if isinstance(rule_id, str):
            named = f" (règle « {rule_id} »)"
    # Our own validators speak French (value_error); any other pydantic message would be English.
    own = str(first["msg"]).removeprefix("Value error, ") if first["type"] == "value_error" else "valeur invalide"
    what = describe(first["type"], own, _DEFINITION_WORDS)
    more = f" (et {error.error_count() - 1} autre(s) erreur(s))" if error.error_count() > 1 else ""
    return f"{where} : {what}{named}{more}"


def parse_definition(data: Any, source: str = "définition") -> FormDefinition:
    """Build a definition from decoded JSON; raise DefinitionError naming `source` and the fault."""
    try:
        return FormDefinition.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(f"Définition de formulaire invalide « {source} » : {_describe(exc, data)}") from exc


def load_definition(path: Path) -> FormDefinition:
    """Read and validate one definition file."""
    try:
        data = loads_bounded(path.read_text(encoding="utf-8"))
    except UnsafeJson as exc:
        raise DefinitionError(f"Définition de formulaire refusée « {path.name} » : {exc}") from exc
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
