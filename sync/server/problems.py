"""RFC 9457 problem responses with a stable code and a French title, for every error the server gives,
including FastAPI's own 404, 405 and request-validation errors."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from forms.pydantic_french import sentence
from sync import protocol as p

log = logging.getLogger(__name__)

TITLES: dict[str, str] = {
    p.VALIDATION: "Réponses invalides",
    p.IDEMPOTENCY_MISMATCH: "Cet identifiant de version a déjà servi pour un autre contenu",
    p.STALE_BASE: "Le questionnaire a changé sur le serveur depuis votre dernière synchronisation",
    p.NOT_EDITABLE: "Le questionnaire ne peut pas être modifié dans son état actuel",
    p.CAMPAIGN_CLOSED: "La campagne est close",
    p.UNKNOWN_FORM: "Formulaire inconnu du serveur",
    p.ATTACHMENT_MISSING: "Pièce jointe non reçue par le serveur",
    p.ATTACHMENT_TOO_LARGE: "Pièce jointe trop volumineuse",
    p.UNSUPPORTED_MEDIA_TYPE: "Type de document non accepté",
    p.PAYLOAD_HASH_MISMATCH: "L'empreinte du contenu ne correspond pas",
    p.UNAUTHORIZED: "Authentification requise",
    p.FORBIDDEN: "Accès refusé",
    p.NOT_FOUND: "Ressource introuvable",
    p.RATE_LIMITED: "Trop de tentatives : réessayez plus tard",
    p.CURSOR_INVALID: "Curseur de synchronisation inconnu : reprenez depuis le début",
    p.PAYLOAD_TOO_LARGE: "Requête trop volumineuse",
    p.METHOD_NOT_ALLOWED: "Méthode non permise",
    p.INTERNAL_ERROR: "Erreur interne du serveur",
    p.ID_TAKEN: "Cet identifiant de questionnaire appartient à une autre organisation",
    p.QUOTA_EXCEEDED: "Quota de pièces jointes en attente atteint",
    p.STRUCTURE_LOCKED: "La fiche Structure est validée par la Caf : ses réponses ne peuvent plus être modifiées",
}

_STATUS_CODES = {404: p.NOT_FOUND, 405: p.METHOD_NOT_ALLOWED, 401: p.UNAUTHORIZED, 403: p.FORBIDDEN}


class ApiProblem(Exception):
    """An error answer: raised by the services, turned into problem+json by the handlers (or a CLI line)."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str | None = None,
        *,
        detail: str | None = None,
        errors: list[p.FieldError] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.status = status
        self.code = code
        self.title = title or TITLES[code]
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra
        super().__init__(self.title)

    def model(self) -> p.Problem:
        return p.Problem(
            type=p.problem_type(self.code),
            title=self.title,
            status=self.status,
            code=self.code,
            detail=self.detail,
            errors=self.errors,
            **self.extra,
        )

    def response(self) -> JSONResponse:
        return problem_response(self.model(), self.headers)

    def message(self) -> str:
        """One line for the CLI: the title, then the detail or the first field errors."""
        parts = [self.title]
        if self.detail:
            parts.append(self.detail)
        for error in (self.errors or [])[:5]:
            parts.append(f"{error.field_path} : {error.message}")
        return " — ".join(parts)


def problem_response(problem: p.Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=p.PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def id_taken() -> ApiProblem:
    """The id was first written under by another organisation: the client re-keys and sends again."""
    return ApiProblem(
        409,
        p.ID_TAKEN,
        detail="Donnez un nouvel identifiant au questionnaire (un nouvel uuid) et envoyez-le de nouveau.",
    )


def not_found() -> ApiProblem:
    return ApiProblem(404, p.NOT_FOUND)


def not_editable(state: str) -> ApiProblem:
    from forms.lifecycle import Status

    return ApiProblem(
        409,
        p.NOT_EDITABLE,
        f"Le questionnaire est « {Status(state).label} » : il ne peut pas être modifié",
        state=state,
    )


def _request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in list(exc.errors())[:1000]:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:] or loc
        kind = str(error.get("type", "invalid"))
        errors.append(
            p.FieldError(
                field_path=".".join(loc)[:200] or "body",
                code=kind[:64],
                message=sentence(kind),
            )
        )
    return ApiProblem(422, p.VALIDATION, "Requête invalide", errors=errors).response()


def _http_exception(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code)
    if code is None:
        code = p.INTERNAL_ERROR if exc.status_code >= 500 else p.VALIDATION
    problem = ApiProblem(exc.status_code, code, TITLES[code] if code != p.VALIDATION else "Requête invalide")
    return problem_response(problem.model(), dict(exc.headers or {}))


def _api_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return exc.response()


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return ApiProblem(500, p.INTERNAL_ERROR).response()


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(Exception, _unexpected)
