"""The Caf console: the reviewer's web back office under /caf/ (server-rendered HTML, no build step)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from .listing import RowsCache
from .routes import HERE, PREFIX, CsrfRefused, NotFound, SignInRequired, page, redirect, router

__all__ = ["mount"]


def mount(app: FastAPI) -> None:
    """Add the console's pages, its static files and its error pages to the server's app."""
    app.state.console_rows = RowsCache()
    app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=str(HERE / "static")), name="console-static")

    async def sign_in_required(request: Request, _exc: Exception) -> Response:
        return redirect(
            f"{PREFIX}/connexion?expiree=1" if request.cookies.get("bilan_caf_session") else f"{PREFIX}/connexion"
        )

    async def not_found(request: Request, _exc: Exception) -> Response:
        agent = getattr(request.state, "agent", None)
        return page(
            request,
            "error.html",
            404,
            title="Page introuvable",
            agent=agent.account if agent else None,
            csrf=agent.csrf_token if agent else "",
            message="Ce questionnaire ou cette page n'existe pas, ou n'est pas de votre Caf.",
        )

    async def csrf_refused(request: Request, _exc: Exception) -> Response:
        agent = getattr(request.state, "agent", None)
        return page(
            request,
            "error.html",
            403,
            title="Action refusée",
            agent=agent.account if agent else None,
            csrf=agent.csrf_token if agent else "",
            message="Le jeton de sécurité du formulaire manque ou ne correspond pas à votre session : "
            "rien n'a été modifié. Rechargez la page et recommencez.",
        )

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(CsrfRefused, csrf_refused)
