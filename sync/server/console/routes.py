"""The Caf console's pages under /caf/: server-rendered HTML, plain links and forms, French.

Every page but the sign-in needs a signed-in agent of a Caf; every questionnaire is looked up within
the agent's Caf (anything else is the same 404 as an unknown id); every POST checks the CSRF token.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from forms.definition import FormDefinition
from forms.display import answer_text
from forms.lifecycle import Action, Status, allowed
from sync import protocol as p
from sync.server import campaigns, partner, review, structure
from sync.server.context import ServerContext
from sync.server.problems import ApiProblem

from . import charts, documents, editing, listing, partners, sessions, views
from .sessions import COOKIE, CSRF_FIELD, LOGIN_COOKIE, Agent

PREFIX = "/caf"
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals["Status"] = Status
router = APIRouter(prefix=PREFIX, include_in_schema=False)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
DONE_MESSAGES = {
    "remarque": "Remarque ajoutée : le partenaire la verra à sa prochaine synchronisation.",
    "renvoye": "Questionnaire renvoyé pour correction.",
    "valide": "Questionnaire validé.",
    "modifie": "Réponses enregistrées : une nouvelle version de la Caf, que le partenaire recevra.",
    "sias": "Numéro Sias enregistré.",
    "structure": "Fiche Structure validée : ses réponses sont verrouillées dans toutes les actions de cette structure.",
    "financees": "Nombre d'actions financées enregistré.",
    "desactive": "Compte désactivé : il ne peut plus se connecter.",
}


class SignInRequired(Exception):
    pass


class NotFound(Exception):
    pass


class CsrfRefused(Exception):
    pass


def ctx_of(request: Request) -> ServerContext:
    found: ServerContext = request.app.state.ctx
    return found


def page(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.headers.update(SECURITY_HEADERS)
    return response


async def agent_of(request: Request) -> Agent:
    ctx = ctx_of(request)
    agent = await run_in_threadpool(sessions.current_agent, ctx, request.cookies.get(COOKIE))
    if agent is None:
        raise SignInRequired()
    request.state.agent = agent
    return agent


async def posted(request: Request) -> tuple[Agent, Any]:
    """The agent and the form of a POST whose CSRF token is the session's own."""
    agent = await agent_of(request)
    form = await request.form()
    given = form.get(CSRF_FIELD)
    if not sessions.csrf_ok(agent.csrf_token, given if isinstance(given, str) else None):
        raise CsrfRefused()
    return agent, form


def campaign_list(ctx: ServerContext) -> list[FormDefinition]:
    """The campaigns served, the open one first, then the newest."""
    today = campaigns.local_today(ctx.now())
    found = ctx.registry.latest()
    return sorted(
        found, key=lambda d: (not (d.campaign.opens <= today <= d.campaign.closes), d.campaign.opens.toordinal() * -1)
    )


def chosen_campaign(ctx: ServerContext, form_id: str | None) -> FormDefinition:
    found = campaign_list(ctx)
    if not found:
        raise NotFound()
    return next((d for d in found if d.id == form_id), found[0])


def load(ctx: ServerContext, agent: Agent, qid: str) -> p.ReviewDetail:
    try:
        parsed = uuid.UUID(qid)
    except ValueError:
        raise NotFound() from None
    try:
        return review.detail(ctx, agent.account.caf, parsed)
    except ApiProblem as problem:
        if problem.status == 404:
            raise NotFound() from None
        raise


def common(request: Request, agent: Agent, ctx: ServerContext, **values: Any) -> dict[str, Any]:
    done = request.query_params.get("fait")
    return {
        "agent": agent.account,
        "csrf": agent.csrf_token,
        "campaigns": campaign_list(ctx),
        "done": DONE_MESSAGES.get(done or ""),
        **values,
    }


# --- sign-in ------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    return redirect(f"{PREFIX}/tableau-de-bord")


@router.get("/connexion", response_class=HTMLResponse)
async def sign_in_form(request: Request) -> Response:
    return _sign_in_page(request, None, "")


def _sign_in_page(request: Request, error: str | None, email: str, status_code: int = 200) -> Response:
    token = sessions.secrets.token_urlsafe(32)
    expired = request.query_params.get("expiree") == "1"
    response = page(
        request, "login.html", status_code=status_code, csrf=token, error=error, email=email, expired=expired
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=sessions.secure_request(ctx_of(request), request),
        path=PREFIX,
        max_age=3600,
    )
    return response


@router.post("/connexion", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    ctx = ctx_of(request)
    form = await request.form()
    email = str(form.get("email") or "")
    expected = request.cookies.get(LOGIN_COOKIE)
    given = form.get(CSRF_FIELD)
    if not expected or not sessions.csrf_ok(expected, given if isinstance(given, str) else None):
        return _sign_in_page(
            request, "La page de connexion a expiré : saisissez à nouveau vos identifiants.", email, 403
        )
    try:
        token = await run_in_threadpool(sessions.sign_in, ctx, email, str(form.get("password") or ""))
    except sessions.SignInError as refused:
        return _sign_in_page(request, str(refused), email, 401)
    old = request.cookies.get(COOKIE)
    if old:  # a session cookie present before signing in is never reused (session fixation)
        await run_in_threadpool(sessions.sign_out, ctx, old)
    response = redirect(f"{PREFIX}/tableau-de-bord")
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=sessions.secure_request(ctx, request),
        path=PREFIX,
    )
    response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
    return response


@router.post("/deconnexion")
async def sign_out(request: Request) -> Response:
    await posted(request)
    await run_in_threadpool(sessions.sign_out, ctx_of(request), request.cookies.get(COOKIE) or "")
    response = redirect(f"{PREFIX}/connexion")
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


# --- dashboard and list -------------------------------------------------------------------------


@router.get("/tableau-de-bord", response_class=HTMLResponse)
async def dashboard(request: Request, campagne: str | None = None) -> Response:
    agent = await agent_of(request)
    ctx = ctx_of(request)
    definition = chosen_campaign(ctx, campagne)
    cache: listing.RowsCache = request.app.state.console_rows
    board = await run_in_threadpool(cache.dashboard, ctx, agent.account.caf, definition)
    return page(
        request,
        "dashboard.html",
        **common(
            request,
            agent,
            ctx,
            campaign=definition,
            board=board,
            per_day_chart=charts.bars_per_day(board.per_day),
            states_chart=charts.states(board.counts),
            french_date=campaigns.french_date,
            remind_emails=", ".join(a.email for a in board.to_remind),
        ),
    )


@router.post("/tableau-de-bord/actions-financees")
async def set_funded(request: Request) -> Response:
    agent, form = await posted(request)
    ctx = ctx_of(request)
    definition = chosen_campaign(ctx, str(form.get("campagne") or ""))
    try:
        count = int(str(form.get("nombre") or "").strip())
        if count < 0 or count > 100_000:
            raise ValueError
    except ValueError:
        return redirect(f"{PREFIX}/tableau-de-bord?{urlencode({'campagne': definition.id, 'erreur': 'financees'})}")
    await run_in_threadpool(listing.set_funded, ctx, agent.account.caf, definition.id, count)
    return redirect(f"{PREFIX}/tableau-de-bord?{urlencode({'campagne': definition.id, 'fait': 'financees'})}")


@router.get("/questionnaires", response_class=HTMLResponse)
async def questionnaire_list(request: Request) -> Response:
    agent = await agent_of(request)
    ctx = ctx_of(request)
    params = request.query_params
    definition = chosen_campaign(ctx, params.get("campagne"))
    state = params.get("etat") or ""
    if state not in {s.value for s in Status}:
        state = ""
    search = (params.get("q") or "")[:200]
    sort = params.get("tri") or "updated"
    if sort not in listing.SORTS:
        sort = "updated"
    descending = params.get("ordre", "desc" if sort in ("updated", "notices") else "asc") == "desc"
    try:
        number = int(params.get("page") or 1)
    except ValueError:
        number = 1
    cache: listing.RowsCache = request.app.state.console_rows
    rows = await run_in_threadpool(cache.rows, ctx, agent.account.caf, definition.id)
    result = listing.page_of(rows, state=state or None, search=search, sort=sort, descending=descending, page=number)
    base = {"campagne": definition.id, "etat": state, "q": search}

    def url(**changes: Any) -> str:
        query = {**base, "tri": sort, "ordre": "desc" if descending else "asc", "page": result.page, **changes}
        return f"{PREFIX}/questionnaires?{urlencode({k: v for k, v in query.items() if v not in ('', None)})}"

    def sort_url(column: str) -> str:
        flip = "asc" if (column == sort and descending) else "desc" if column == sort else "asc"
        return url(tri=column, ordre=flip, page=1)

    return page(
        request,
        "list.html",
        **common(
            request,
            agent,
            ctx,
            campaign=definition,
            result=result,
            state=state,
            search=search,
            sort=sort,
            descending=descending,
            url=url,
            sort_url=sort_url,
            when=views.when,
        ),
    )


# --- one questionnaire --------------------------------------------------------------------------


def _questionnaire_values(
    request: Request, agent: Agent, ctx: ServerContext, detail: p.ReviewDetail, **extra: Any
) -> dict[str, Any]:
    view = views.build(ctx, detail)
    state = view.state
    replies: dict[Any, list[p.ReplyView]] = {}
    for reply in detail.replies:  # the partner's replies, under the notice they answer
        replies.setdefault(reply.notice_id, []).append(reply)
    return common(
        request,
        agent,
        ctx,
        q=view,
        summary=detail.summary,
        when=views.when,
        can_notice=allowed(state, Action.NOTICE, on_server=True),
        can_edit=allowed(state, Action.CAF_EDIT, on_server=True),
        can_return=allowed(state, Action.RETURN, on_server=True),
        can_validate=allowed(state, Action.VALIDATE, on_server=True),
        structure_validated=review.structure_validated(ctx, agent.account.caf, detail.summary.questionnaire_id),
        has_receipt=any(v.author_role == "partner" for v in detail.versions),
        field_name=editing.field_name,
        replies=replies,
        **extra,
    )


@router.get("/questionnaires/{qid}", response_class=HTMLResponse)
async def questionnaire(request: Request, qid: str) -> Response:
    agent = await agent_of(request)
    ctx = ctx_of(request)
    detail = await run_in_threadpool(load, ctx, agent, qid)
    return page(request, "questionnaire.html", **_questionnaire_values(request, agent, ctx, detail))


@router.post("/questionnaires/{qid}/remarques", response_class=HTMLResponse)
async def add_notice(request: Request, qid: str) -> Response:
    agent, form = await posted(request)
    ctx = ctx_of(request)
    detail = await run_in_threadpool(load, ctx, agent, qid)
    question = str(form.get("question") or "") or None
    message = str(form.get("message") or "")
    try:
        await run_in_threadpool(
            review.add_notice,
            ctx,
            agent.account,
            detail.summary.questionnaire_id,
            p.NoticeCreate(question_id=question, message=message),
        )
    except (ApiProblem, ValueError) as refused:
        text = refused.title if isinstance(refused, ApiProblem) else "Remarque invalide."
        if isinstance(refused, ApiProblem) and refused.errors:
            text = " ".join(e.message for e in refused.errors)
        values = _questionnaire_values(request, agent, ctx, detail, notice_error=text, notice_message=message)
        return page(request, "questionnaire.html", status_code=422, **values)
    return redirect(f"{PREFIX}/questionnaires/{qid}?fait=remarque#remarques")


_TRANSITIONS = {
    "renvoyer": (Action.RETURN, review.return_for_correction, "renvoye"),
    "valider": (Action.VALIDATE, review.validate, "valide"),
    "valider-structure": (Action.VALIDATE, review.validate_structure, "structure"),
}


@router.get("/questionnaires/{qid}/{step}", response_class=HTMLResponse)
async def confirm(request: Request, qid: str, step: str) -> Response:
    if step == "modifier":
        return await edit_form(request, qid)
    if step not in _TRANSITIONS:
        raise NotFound()
    agent = await agent_of(request)
    ctx = ctx_of(request)
    detail = await run_in_threadpool(load, ctx, agent, qid)
    return page(request, "confirm.html", **_questionnaire_values(request, agent, ctx, detail, step=step))


@router.post("/questionnaires/{qid}/{step}", response_class=HTMLResponse)
async def transition(request: Request, qid: str, step: str) -> Response:
    if step == "modifier":
        return await edit_save(request, qid)
    if step == "sias":
        return await sias_save(request, qid)
    if step not in _TRANSITIONS:
        raise NotFound()
    agent, _form = await posted(request)
    ctx = ctx_of(request)
    detail = await run_in_threadpool(load, ctx, agent, qid)
    _action, service, done = _TRANSITIONS[step]
    try:
        await run_in_threadpool(service, ctx, agent.account, detail.summary.questionnaire_id)
    except ApiProblem as refused:
        values = _questionnaire_values(request, agent, ctx, detail, action_error=refused.title)
        return page(request, "questionnaire.html", status_code=409, **values)
    return redirect(f"{PREFIX}/questionnaires/{qid}?fait={done}")


async def edit_form(request: Request, qid: str) -> Response:
    agent = await agent_of(request)
    ctx = ctx_of(request)
    detail = await run_in_threadpool(load, ctx, agent, qid)
    return _edit_page(request, agent, ctx, detail, None, {}, None)


def _edit_page(
    request: Request,
    agent: Agent,
    ctx: ServerContext,
    detail: p.ReviewDetail,
    answers: dict[str, Any] | None,
    errors: dict[str, str],
    general: str | None,
    status_code: int = 200,
) -> Response:
    values = _questionnaire_values(request, agent, ctx, detail)
    view: views.QuestionnairePage = values["q"]
    shown = answers if answers is not None else view.answers
    locked = {q.id for q in structure.locked_questions(view.definition)} if values["structure_validated"] else set()
    editable = {q.id for q in editing.editable_questions(view.definition)} - locked
    return page(
        request,
        "edit.html",
        status_code=status_code,
        **values,
        values=shown,
        errors=errors,
        general_error=general,
        editable=editable,
        locked=locked,
        answer_text=answer_text,
    )


async def edit_save(request: Request, qid: str) -> Response:
    agent, form = await posted(request)
    ctx = ctx_of(request)
    detail = await run_in_threadpool(load, ctx, agent, qid)
    view = views.build(ctx, detail)
    editable = editing.editable_questions(view.definition)
    if review.structure_validated(ctx, agent.account.caf, detail.summary.questionnaire_id):
        # Read-only on the page: whatever is posted for them is ignored, the current answers are kept.
        locked = {q.id for q in structure.locked_questions(view.definition)}
        editable = [q for q in editable if q.id not in locked]
    answers, errors = editing.read_form(view.definition, form, view.answers, only=editable)
    if errors:
        return _edit_page(request, agent, ctx, detail, answers, errors, "Corrigez les champs signalés.", 422)
    accepted, errors, general = await run_in_threadpool(
        editing.save, ctx, agent.account, detail, view.definition, answers
    )
    if accepted is None:
        return _edit_page(request, agent, ctx, detail, answers, errors, general or "Corrigez les champs signalés.", 422)
    return redirect(f"{PREFIX}/questionnaires/{qid}?fait=modifie")


async def sias_save(request: Request, qid: str) -> Response:
    agent, form = await posted(request)
    ctx = ctx_of(request)
    detail = await run_in_threadpool(load, ctx, agent, qid)
    view = views.build(ctx, detail)
    answers, errors = editing.read_form(view.definition, form, view.answers, only=view.caf_questions)
    general = None
    if not errors:
        accepted, errors, general = await run_in_threadpool(
            editing.save, ctx, agent.account, detail, view.definition, answers
        )
        if accepted is not None:
            return redirect(f"{PREFIX}/questionnaires/{qid}?fait=sias")
    message = general or " ".join(errors.values())
    values = _questionnaire_values(request, agent, ctx, detail, sias_error=message)
    return page(request, "questionnaire.html", status_code=422, **values)


def _download(content: bytes, media_type: str, filename: str) -> Response:
    response = Response(content, media_type=media_type)
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", filename) or "document"
    response.headers["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    response.headers.update({k: v for k, v in SECURITY_HEADERS.items() if k != "Content-Security-Policy"})
    return response


@router.get("/documents/{qid}/bilan.pdf")
async def bilan_pdf(request: Request, qid: str) -> Response:
    agent = await agent_of(request)
    ctx = ctx_of(request)
    detail = await run_in_threadpool(load, ctx, agent, qid)
    content = await run_in_threadpool(documents.bilan_pdf, ctx, detail)
    return _download(content, "application/pdf", f"bilan-{detail.summary.questionnaire_id}.pdf")


@router.get("/documents/{qid}/accuse.pdf")
async def receipt_pdf(request: Request, qid: str) -> Response:
    agent = await agent_of(request)
    ctx = ctx_of(request)
    detail = await run_in_threadpool(load, ctx, agent, qid)
    try:
        content = await run_in_threadpool(documents.receipt_pdf, ctx, detail)
    except ValueError:
        raise NotFound() from None
    return _download(content, "application/pdf", f"accuse-{detail.summary.questionnaire_id}.pdf")


@router.get("/documents/{qid}/pieces/{sha256}")
async def attachment(request: Request, qid: str, sha256: str) -> Response:
    agent = await agent_of(request)
    ctx = ctx_of(request)
    detail = await run_in_threadpool(load, ctx, agent, qid)
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise NotFound()
    try:
        row = await run_in_threadpool(
            partner.read_attachment, ctx, agent.account, detail.summary.questionnaire_id, sha256
        )
    except ApiProblem:
        raise NotFound() from None
    current = next(v for v in detail.versions if v.version_id == detail.summary.current_version_id)
    name = next((a.name for a in current.attachments if a.sha256 == sha256), sha256)
    safe = re.sub(r"[^\w.\- ]+", "_", name)[:120] or "document"
    return _download(row.data, row.media_type, safe)


# --- exports ------------------------------------------------------------------------------------


@router.get("/exports", response_class=HTMLResponse)
async def exports(request: Request, campagne: str | None = None) -> Response:
    agent = await agent_of(request)
    ctx = ctx_of(request)
    return page(request, "exports.html", **common(request, agent, ctx, campaign=chosen_campaign(ctx, campagne)))


@router.get("/exports/{form_id}/{name}")
async def export_file(request: Request, form_id: str, name: str) -> Response:
    agent = await agent_of(request)
    ctx = ctx_of(request)
    definition = chosen_campaign(ctx, form_id)
    if definition.id != form_id:
        raise NotFound()
    caf = agent.account.caf
    if name == "questionnaires.csv":
        content = await run_in_threadpool(documents.csv_bytes, ctx, caf, definition)
        return _download(content, "text/csv; charset=utf-8", f"questionnaires-{form_id}.csv")
    if name == "questionnaires.xlsx":
        content = await run_in_threadpool(documents.xlsx_bytes, ctx, caf, definition)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return _download(content, media, f"questionnaires-{form_id}.xlsx")
    if name == "bilans.zip":
        content = await run_in_threadpool(documents.zip_of_pdfs, ctx, caf, definition)
        return _download(content, "application/zip", f"bilans-{form_id}.zip")
    raise NotFound()


# --- partner accounts ---------------------------------------------------------------------------


@router.get("/partenaires", response_class=HTMLResponse)
async def partner_list(request: Request) -> Response:
    agent = await agent_of(request)
    ctx = ctx_of(request)
    return await _partners_page(request, agent, ctx)


async def _partners_page(
    request: Request, agent: Agent, ctx: ServerContext, status_code: int = 200, **extra: Any
) -> Response:
    rows = await run_in_threadpool(partners.list_partners, ctx, agent.account.caf)
    return page(
        request, "partners.html", status_code=status_code, **common(request, agent, ctx, partners=rows, **extra)
    )


@router.post("/partenaires", response_class=HTMLResponse)
async def partner_create(request: Request) -> Response:
    agent, form = await posted(request)
    ctx = ctx_of(request)
    email, name = str(form.get("email") or ""), str(form.get("nom") or "")
    try:
        account, password = await run_in_threadpool(partners.create_partner, ctx, agent.account.caf, email, name)
    except partners.PartnerError as refused:
        return await _partners_page(
            request, agent, ctx, 422, create_error=str(refused), form_email=email, form_name=name
        )
    return await _partners_page(request, agent, ctx, shown_account=account, shown_password=password, created=True)


@router.post("/partenaires/{account_id}/{step}", response_class=HTMLResponse)
async def partner_step(request: Request, account_id: int, step: str) -> Response:
    agent, _form = await posted(request)
    ctx = ctx_of(request)
    caf = agent.account.caf
    try:
        if step == "mot-de-passe":
            account, password = await run_in_threadpool(partners.reset_password, ctx, caf, account_id)
            return await _partners_page(request, agent, ctx, shown_account=account, shown_password=password)
        if step == "desactiver":
            await run_in_threadpool(partners.deactivate, ctx, caf, account_id)
            return redirect(f"{PREFIX}/partenaires?fait=desactive")
    except partners.PartnerError:
        raise NotFound() from None
    raise NotFound()
