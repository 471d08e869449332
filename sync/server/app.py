"""The FastAPI application: routes under /api/v1, problem+json errors, body limits, OpenAPI at /openapi.json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from sync import protocol as p
from sync.server import console, mail, routes_meta, routes_partner, routes_review
from sync.server.context import ServerContext
from sync.server.limits import BodyLimit
from sync.server.problems import install_handlers
from sync.server.request_log import RequestLog, log_to_stderr
from sync.server.settings import Settings

DESCRIPTION = (
    "Serveur de référence de Bilan Clas : transmissions des partenaires, relecture par la Caf, "
    "flux de changements. Erreurs au format application/problem+json (RFC 9457), avec un `code` stable "
    "et un `title` en français."
)


def create_app(settings: Settings | None = None, *, ctx: ServerContext | None = None) -> FastAPI:
    """The application, connected to its database (schema created now, connections closed at shutdown)."""
    context = ctx or ServerContext.open(settings or Settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        sender = mail.start_sender(context)  # the durable queue's background sender (None: no SMTP)
        app.state.mail_sender = sender
        try:
            yield
        finally:
            if sender is not None:
                sender.stop()
            if ctx is None:  # a context passed in belongs to the caller
                context.close()

    app = FastAPI(
        title="Bilan Clas — serveur de référence",
        version=f"{p.API_VERSION}",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.ctx = context
    install_handlers(app)
    for router in (routes_meta.router, routes_partner.router, routes_review.router):
        app.include_router(router, prefix=p.API_PREFIX)
    console.mount(app)  # the Caf's web console under /caf/
    app.add_middleware(
        BodyLimit,  # type: ignore[arg-type]
        max_body_bytes=context.settings.max_body_bytes,
        max_attachment_bytes=context.settings.max_attachment_bytes,
    )
    app.add_middleware(RequestLog)  # type: ignore[arg-type]  # outermost: times and tags every request
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory` and worker processes: settings from the environment."""
    log_to_stderr()
    return create_app(Settings())


_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_COMMON_ERRORS = {
    "401": "Jeton absent, inconnu ou expiré",
    "403": "Rôle non autorisé",
    "404": "Introuvable (ou hors de votre périmètre)",
    "409": "Conflit : stale_base, not_editable ou campaign_closed",
    "413": "Corps trop volumineux",
    "415": "Type de document non accepté",
    "422": "Requête ou réponses invalides",
    "429": "Trop de tentatives (Retry-After)",
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's description, with every error documented as problem+json (FastAPI says application/json)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = p.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in components["Problem"].pop("$defs", {}).items():
        components.setdefault(name, sub)
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, text in _COMMON_ERRORS.items():
                responses.setdefault(status, {"description": text})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {p.PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
    app.openapi_schema = schema
    return schema
