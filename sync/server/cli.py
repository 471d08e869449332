"""`bilan-clas-server`: serve the reference server, manage accounts and campaigns, drive the Caf review.

Every command works on the database directly through the same service functions as the HTTP routes.
Exit status: 0 success; 1 refused or failed (one French line on stderr); 2 usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import json
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from forms.cli_french import FrenchArgumentParser
from forms.definition import DefinitionError
from forms.lifecycle import SERVER_STATES, NoticeState, Status
from sync import protocol as p
from sync.server import accounts, campaigns, mail, review
from sync.server.context import ServerContext
from sync.server.db import Database
from sync.server.problems import ApiProblem
from sync.server.request_log import log_to_stderr
from sync.server.schema import SchemaOutdated, upgrade
from sync.server.settings import (
    DATABASE_ENV,
    DEFAULT_SQLITE_FILE,
    FORMS_ENV,
    SMTP_ENV,
    TRUST_PROXY_ENV,
    Settings,
    database_url_from,
    default_database_url,
    default_forms_dirs,
)

PASSWORD_ENV = "BILAN_CLAS_PASSWORD"


class CliError(Exception):
    """A refusal to report as one French line."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date attendue au format AAAA-MM-JJ : {text!r}") from None


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"identifiant de questionnaire invalide : {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchArgumentParser(prog="bilan-clas-server", description="Serveur de référence de Bilan Clas.")
    db = FrenchArgumentParser(add_help=False)
    db.add_argument(
        "--database-url",
        help=f"URL SQLAlchemy (sqlite:///… ou postgresql+psycopg://…) ; défaut : ${DATABASE_ENV} "
        f"ou ./{DEFAULT_SQLITE_FILE}",
    )
    db.add_argument(
        "--forms-dir",
        action="append",
        default=[],
        type=Path,
        help="dossier de définitions de formulaire en plus de celles livrées (répétable)",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMANDE", parser_class=FrenchArgumentParser
    )

    serve = commands.add_parser("serve", parents=[db], help="démarre le serveur HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--access-log", action="store_true", help="journalise chaque requête")
    serve.add_argument(
        "--trust-proxy",
        action="store_true",
        help="derrière un proxy inverse HTTPS : croire son en-tête X-Forwarded-Proto (cookies Secure)",
    )
    serve.add_argument(
        "--workers", type=int, default=1, help="processus serveurs (plusieurs : avec PostgreSQL ; défaut 1)"
    )
    serve.add_argument(
        "--smtp-url",
        help=f"serveur d'envoi des courriels (smtp://, smtp+starttls:// ou smtps://…) ; défaut : ${SMTP_ENV} ; "
        "sans lui, aucun courriel",
    )

    cafs = commands.add_parser("caf", help="réglages d'une Caf").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=FrenchArgumentParser
    )
    caf_set = cafs.add_parser("set", parents=[db], help="adresse de la Caf pour le récapitulatif quotidien")
    caf_set.add_argument("code", metavar="CODE", help="code de la Caf")
    caf_set.add_argument("--email", required=True, help="adresse électronique de la Caf (vide : plus de récapitulatif)")

    mails = commands.add_parser("mail", help="file des courriels").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=FrenchArgumentParser
    )
    mail_list = mails.add_parser("list", parents=[db], help="affiche la file des courriels (envoyés et en attente)")
    mail_list.add_argument("--pending", action="store_true", help="seulement ceux qui attendent")
    mail_list.add_argument("--json", action="store_true")

    commands.add_parser(
        "migrate", parents=[db], help="met à jour le schéma de la base (après une mise à jour du serveur)"
    )

    for role, text in ((accounts.PARTNER, "partenaire"), (accounts.REVIEWER, "agent de Caf")):
        add = commands.add_parser(
            f"add-{role}", parents=[db], help=f"crée un compte {text} (mot de passe : ${PASSWORD_ENV} ou demandé)"
        )
        add.add_argument("--email", required=True)
        add.add_argument("--caf", required=True, help="code de la Caf")
        if role == accounts.PARTNER:
            add.add_argument("--name", help="nom de l'organisation")

    campaign = commands.add_parser("campaign", help="fenêtres de campagne").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=FrenchArgumentParser
    )
    set_ = campaign.add_parser("set", parents=[db], help="prolonge ou avance une campagne")
    set_.add_argument("form_id", metavar="FORM_ID")
    set_.add_argument("--opens", type=_date)
    set_.add_argument("--closes", type=_date)
    set_.add_argument("--caf", help="code de la Caf : sa propre fenêtre de collecte (sinon la fenêtre nationale)")
    listing_ = campaign.add_parser("list", parents=[db], help="affiche les campagnes en vigueur")
    listing_.add_argument("--caf", help="les fenêtres vues par les partenaires de cette Caf")
    publish = campaign.add_parser(
        "publish", parents=[db], help="valide une définition et la publie comme version en vigueur de sa campagne"
    )
    publish.add_argument("file", type=Path, metavar="FICHIER")

    reviews = commands.add_parser("review", help="relecture par la Caf").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=FrenchArgumentParser
    )
    listing = reviews.add_parser("list", parents=[db], help="liste les questionnaires")
    listing.add_argument("--caf")
    listing.add_argument("--state", choices=[s.value for s in SERVER_STATES])
    listing.add_argument("--json", action="store_true")
    show = reviews.add_parser("show", parents=[db], help="affiche un questionnaire")
    show.add_argument("id", type=_uuid, metavar="ID")
    show.add_argument("--json", action="store_true")
    notice = reviews.add_parser("notice", parents=[db], help="ajoute une notice")
    notice.add_argument("id", type=_uuid, metavar="ID")
    notice.add_argument("--message", required=True)
    notice.add_argument("--question", help="identifiant de la question concernée")
    notice.add_argument("--reviewer", required=True, help="e-mail de l'agent de Caf")
    for action, text in (
        ("return", "renvoie pour correction"),
        ("validate-structure", "valide la fiche Structure de l'organisation (avant ses actions)"),
        ("validate", "valide (définitif)"),
    ):
        command = reviews.add_parser(action, parents=[db], help=text)
        command.add_argument("id", type=_uuid, metavar="ID")
        command.add_argument("--reviewer", required=True, help="e-mail de l'agent de Caf")
    return parser


def _migrate(args: argparse.Namespace) -> None:
    settings = _settings(args)
    db = Database(settings.database_url, pool_size=1, max_overflow=0)
    try:
        before, after = upgrade(db.write_engine)
    finally:
        db.dispose()
    if before == after:
        print(f"Base {_safe_url(settings)} : déjà à jour (révision {after}).")
    else:
        print(f"Base {_safe_url(settings)} : révision {before or 'vide'} → {after}.")


def _settings(args: argparse.Namespace) -> Settings:
    url = database_url_from(args.database_url) if args.database_url else default_database_url()
    settings = Settings(database_url=url, forms_dirs=tuple(args.forms_dir) or default_forms_dirs())
    if getattr(args, "smtp_url", None):
        mail.SmtpTarget.parse(args.smtp_url)  # a bad URL is refused before the server starts
        settings = dataclasses.replace(settings, smtp_url=args.smtp_url)
    return settings


def _caf(ctx: ServerContext, args: argparse.Namespace) -> None:
    address = args.email.strip() or None
    mail.set_caf_email(ctx, args.code, address)
    if address is None:
        print(f"Caf {args.code} : plus de récapitulatif quotidien.")
    else:
        print(f"Caf {args.code} : récapitulatif quotidien des transmissions envoyé à {address.lower()}.")


def _mail(ctx: ServerContext, args: argparse.Namespace) -> None:
    rows = mail.listing(ctx, pending_only=args.pending)
    if args.json:
        print(
            json.dumps(
                [
                    {"id": r.id, "kind": r.kind, "to": r.to_address, "subject": r.subject,
                     "questionnaire_id": str(r.questionnaire_id) if r.questionnaire_id else None,
                     "created_at": r.created_at.isoformat(), "attempts": r.attempts,
                     "next_attempt_at": r.next_attempt_at.isoformat(),
                     "sent_at": r.sent_at.isoformat() if r.sent_at else None, "last_error": r.last_error}
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )  # fmt: skip
        return
    if not rows:
        print("Aucun courriel." if not ctx.settings.smtp_url else "Aucun courriel dans la file.")
    for r in rows:
        if r.sent_at:
            state = f"envoyé le {campaigns.local_time(r.sent_at):%d/%m/%Y %H:%M}"
        else:
            state = f"en attente ({r.attempts} essai(s)" + (f", dernier échec : {r.last_error}" if r.last_error else "")
            state += f", prochain essai {campaigns.local_time(r.next_attempt_at):%d/%m/%Y %H:%M})"
        print(f"{r.id:>5}  {mail.KIND_LABELS.get(r.kind, r.kind):<13}  {r.to_address}  {state}  {r.subject}")


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    from sync.server.app import create_app

    settings = _settings(args)
    if args.trust_proxy:
        settings = dataclasses.replace(settings, trust_forwarded_proto=True)
        os.environ[TRUST_PROXY_ENV] = "1"  # worker processes read their settings from the environment
    print(f"Serveur Bilan Clas : http://{args.host}:{args.port}{p.API_PREFIX} (base : {_safe_url(settings)})")
    print(f"Console de la Caf : http://{args.host}:{args.port}/caf/")
    log_to_stderr()
    options = {
        "host": args.host,
        "port": args.port,
        "log_level": "info",
        "access_log": args.access_log,
        # uvicorn believes X-Forwarded-Proto from 127.0.0.1 by default: only behind a proxy we were told of.
        "proxy_headers": settings.trust_forwarded_proto,
    }
    if args.workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    if make_url(settings.database_url).get_backend_name() == "sqlite":
        print("Attention : avec SQLite, les processus écrivent chacun leur tour ; préférez PostgreSQL.")
    # Worker processes build their own app from the environment.
    os.environ[DATABASE_ENV] = settings.database_url
    os.environ[FORMS_ENV] = os.pathsep.join(str(folder) for folder in settings.forms_dirs)
    if settings.smtp_url:
        os.environ[SMTP_ENV] = settings.smtp_url  # each worker's sender claims a message before sending it
    ServerContext.open(settings).close()  # create the schema once, before the workers race to it
    uvicorn.run("sync.server.app:app_from_environment", factory=True, workers=args.workers, **options)


def _safe_url(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


def _add_account(ctx: ServerContext, args: argparse.Namespace) -> None:
    role = accounts.PARTNER if args.command == "add-partner" else accounts.REVIEWER
    # Never on the command line (visible in ps and the shell history): the environment or a prompt.
    password = os.environ.get(PASSWORD_ENV) or getpass.getpass("Mot de passe : ")
    account = accounts.create_account(
        ctx, role=role, email=args.email, password=password, caf=args.caf, name=getattr(args, "name", None)
    )
    kind = "partenaire" if role == accounts.PARTNER else "agent de Caf"
    print(f"Compte {kind} créé : {account.email} (Caf {account.caf}, {account.name})")


def _campaign(ctx: ServerContext, args: argparse.Namespace) -> None:
    if args.action == "publish":
        definition = campaigns.publish(ctx, args.file)
        print(
            f"Publié : {definition.id} version {definition.version} ({definition.campaign.school_year}) ; "
            "les partenaires le recevront à leur prochaine synchronisation."
        )
        return
    if args.action == "set":
        if args.opens is None and args.closes is None:
            raise CliError("Indiquez --opens, --closes ou les deux.")
        opens, closes = campaigns.set_window(ctx, args.form_id, opens=args.opens, closes=args.closes, caf=args.caf)
        where = f" pour la Caf {args.caf}" if args.caf else ""
        print(f"Campagne {args.form_id}{where} : du {campaigns.french_date(opens)} au {campaigns.french_date(closes)}")
        return
    for ref in campaigns.form_refs(ctx, args.caf):
        assert ref.opens is not None
        assert ref.closes is not None
        print(
            f"{ref.form_id} v{ref.form_version} ({ref.school_year}) : "
            f"du {campaigns.french_date(ref.opens)} au {campaigns.french_date(ref.closes)}"
        )
    if not args.caf:
        for row in campaigns.caf_windows(ctx):
            start = campaigns.french_date(row.opens) if row.opens else "(date nationale)"
            end = campaigns.french_date(row.closes) if row.closes else "(date nationale)"
            print(f"  {row.form_id}, Caf {row.caf} : du {start} au {end}")


def _review(ctx: ServerContext, args: argparse.Namespace) -> None:
    if args.action == "list":
        found = review.list_questionnaires(ctx, args.caf, args.state)
        if args.json:
            print(found.model_dump_json(indent=2))
            return
        if not found.questionnaires:
            print("Aucun questionnaire.")
        for s in found.questionnaires:
            print(
                f"{s.questionnaire_id}  {Status(s.state).label:<10}  Caf {s.caf:<6}  rév. {s.server_rev:<3}  "
                f"notices ouvertes : {s.open_notices}  {s.organisation}"
            )
        return
    if args.action == "show":
        _show(review.detail(ctx, None, args.id), args.json)
        return
    reviewer = accounts.find_account(ctx, args.reviewer, accounts.REVIEWER)
    if args.action == "notice":
        _, view = review.add_notice(
            ctx, reviewer, args.id, p.NoticeCreate(question_id=args.question, message=args.message)
        )
        print(f"Notice {view.notice_id} ajoutée" + (f" sur la question {view.question_id}" if view.question_id else ""))
        return
    change: Callable[[ServerContext, accounts.Account, uuid.UUID], p.ReviewSummary] = {
        "return": review.return_for_correction,
        "validate-structure": review.validate_structure,
    }.get(args.action, review.validate)
    summary = change(ctx, reviewer, args.id)
    if args.action == "validate-structure":
        print(f"Fiche Structure de « {summary.organisation} » validée : ses actions peuvent être validées")
        return
    print(f"Questionnaire {summary.questionnaire_id} : {Status(summary.state).label}")


def _show(detail: p.ReviewDetail, as_json: bool) -> None:
    if as_json:
        print(detail.model_dump_json(indent=2))
        return
    s = detail.summary
    print(f"Questionnaire {s.questionnaire_id} — {Status(s.state).label}")
    print(f"  Organisation : {s.organisation} <{s.organisation_email}>, Caf {s.caf}")
    print(f"  Formulaire : {s.form_id} v{s.form_version}, révision {s.server_rev}")
    print("Versions :")
    for v in detail.versions:
        who = "Caf" if v.author_role == "caf" else "partenaire"
        when = campaigns.local_time(v.created_at)
        count = len(v.answers)
        print(f"  rév. {v.server_rev}  {v.version_id}  {who} ({v.author})  {when:%d/%m/%Y %H:%M}  {count} réponses")
    print("Notices :" if detail.notices else "Notices : aucune")
    for n in detail.notices:
        state = NoticeState(n.status).label
        where = n.question_id or "remarque générale"
        print(f"  [{state}] {where} : {n.message}")
        for r in (r for r in detail.replies if r.notice_id == n.notice_id):
            print(f"      ↳ réponse du {campaigns.local_time(r.created_at):%d/%m/%Y %H:%M} ({r.author}) : {r.message}")
    print("Journal :" if detail.audit else "Journal : vide")
    for e in detail.audit:
        detail_text = json.dumps(e.detail, ensure_ascii=False)
        print(f"  {campaigns.local_time(e.at):%d/%m/%Y %H:%M}  {e.actor}  {e.action}  {detail_text}")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            _serve(args)
            return 0
        if args.command == "migrate":
            _migrate(args)
            return 0
        ctx = ServerContext.open(_settings(args))
        try:
            if args.command in ("add-partner", "add-reviewer"):
                _add_account(ctx, args)
            elif args.command == "campaign":
                _campaign(ctx, args)
            elif args.command == "caf":
                _caf(ctx, args)
            elif args.command == "mail":
                _mail(ctx, args)
            else:
                _review(ctx, args)
        finally:
            ctx.close()
    except ApiProblem as problem:
        if problem.code == p.NOT_FOUND and getattr(args, "id", None):
            return _fail(f"Questionnaire introuvable (ou hors de la Caf de l'agent) : {args.id}")
        return _fail(problem.message())
    except (
        CliError, accounts.AccountError, campaigns.CampaignError, DefinitionError, SchemaOutdated, mail.MailError
    ) as exc:  # fmt: skip
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        return _fail(
            f"Base de données inaccessible ou invalide : {type(exc).__name__} ({str(exc).splitlines()[0][:200]})"
        )
    except KeyboardInterrupt:
        return _fail("Interrompu.")
    return 0


def _fail(message: str) -> int:
    print(f"bilan-clas-server : erreur : {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
