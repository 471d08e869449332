"""The import/export file (DESIGN §8): the answers plus uuid, form_id, form_version, title, status."""

from __future__ import annotations

import json
import uuid as uuidlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from forms.jsonsafe import UnsafeJson, loads_bounded
from forms.pydantic_french import describe
from forms.store import NotFound, QuestionnaireInfo, Store, StoreError
from forms.store.carried import archived_answers


class ExchangeError(StoreError):
    """A file that cannot be imported; the message says why, in French."""


class ExchangeDocument(BaseModel):
    model_config = ConfigDict(extra="ignore")

    uuid: uuidlib.UUID | None = None
    form_id: str = Field(min_length=1)
    form_version: int | None = Field(default=None, ge=1)
    title: str | None = None
    status: str | None = None  # informative: an import never changes a status
    answers: dict[str, Any]


def export_document(store: Store, questionnaire_uuid: str) -> dict[str, Any]:
    info = store.get(questionnaire_uuid)
    return {
        "uuid": info.uuid,
        "form_id": info.form_id,
        "form_version": info.form_version,
        "title": info.title,
        "status": info.status.value,
        "status_label": info.status.label,
        "updated_at": info.updated_at.isoformat(),
        "answers": store.answers(questionnaire_uuid),
        # Answers whose question a newer version of the definition dropped: kept, never lost (forms/upgrade.py).
        "archived_answers": archived_answers(store, questionnaire_uuid),
    }


def read_document(path: Path) -> ExchangeDocument:
    try:
        data = loads_bounded(path.read_text(encoding="utf-8"))
    except UnsafeJson as exc:
        raise ExchangeError(f"Fichier d'import refusé ({path.name}) : {exc}.") from None
    except FileNotFoundError:
        raise ExchangeError(f"Fichier introuvable : {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExchangeError(f"Fichier illisible : {path} ({exc}).") from None
    except json.JSONDecodeError as exc:
        raise ExchangeError(f"Fichier JSON mal formé : {path.name}, ligne {exc.lineno}, colonne {exc.colno}.") from None
    try:
        return ExchangeDocument.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "racine"
        what = describe(first["type"], "valeur de type inattendu")
        raise ExchangeError(f"Fichier d'import invalide ({path.name}) : {where} : {what}.") from None


def import_document(store: Store, document: ExchangeDocument) -> QuestionnaireInfo:
    """Replace the answers of the editable questionnaire the document names, or create a new one
    (always with a new uuid: the file's own is kept only for a questionnaire of this computer)."""
    if document.uuid is not None:
        try:
            existing = store.get(str(document.uuid))
        except NotFound:
            existing = None
        if existing is not None:
            if existing.form_id != document.form_id:
                raise ExchangeError(
                    f"Le fichier concerne le formulaire {document.form_id}, mais le questionnaire "
                    f"{existing.uuid} suit le formulaire {existing.form_id}."
                )
            store.replace_answers(existing.uuid, document.answers, title=document.title)
            return store.get(existing.uuid)
    return store.create(
        form_id=document.form_id,
        form_version=document.form_version,
        title=document.title or "Action sans titre",
        answers=document.answers,
        # A uuid that names no questionnaire here came from another computer (or a file passed around
        # as a template): reusing it would give several organisations one id on the server.
        questionnaire_uuid=None,
    )
