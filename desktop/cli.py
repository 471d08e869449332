"""`bilan-clas`: the desktop app with no argument, scripting and support commands otherwise (DESIGN §8).

Exit status: 0 success; 1 the questionnaire is not transmittable (check, transmit); 2 usage error;
3 any other refusal or error (unknown questionnaire, bad file, store refusal). Errors are one
French line on stderr, never a traceback. Qt is imported only to open the app.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from desktop.cli_french import FrenchArgumentParser
from forms.definition import DefinitionError, FormDefinition
from forms.evaluation import Evaluation
from forms.exchange import export_document, import_document, read_document
from forms.paths import data_dir
from forms.registry import FormRegistry
from forms.store import NotTransmittable, Store, StoreError

EXIT_OK, EXIT_NOT_TRANSMITTABLE, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3


class CommandError(Exception):
    """A refusal to report as one line, with its exit status."""

    def __init__(self, message: str, status: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.status = status


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _registry(args: argparse.Namespace) -> FormRegistry:
    return FormRegistry.load(data_dir(args.data_dir) / "forms")


def _store(args: argparse.Namespace) -> Store:
    return Store.open(data_dir(args.data_dir), _registry(args))


# --- commands ---------------------------------------------------------------------------


def cmd_forms(args: argparse.Namespace) -> int:
    registry = _registry(args)
    if args.action == "show":
        if not args.form_id:
            raise CommandError("indiquez l'identifiant du formulaire : bilan-clas forms show ID", EXIT_USAGE)
        try:
            definition = registry.get(args.form_id, args.version)
        except KeyError:
            raise CommandError(f"Formulaire inconnu : {args.form_id}.") from None
        if args.json:
            _print_json(definition.model_dump(mode="json", by_alias=True, exclude_defaults=True))
        else:
            _print_definition(definition)
        return EXIT_OK
    forms = registry.all()
    if args.json:
        _print_json(
            [
                {
                    "id": d.id,
                    "version": d.version,
                    "title": d.title,
                    "school_year": d.campaign.school_year,
                    "opens": d.campaign.opens,
                    "closes": d.campaign.closes,
                }
                for d in forms
            ]
        )
    else:
        for d in forms:
            print(f"{d.id}\tversion {d.version}\t{d.campaign.school_year}\t{d.title}")
    return EXIT_OK


def _print_definition(definition: FormDefinition) -> None:
    print(f"{definition.title} ({definition.id}, version {definition.version})")
    print(
        f"Campagne {definition.campaign.school_year} : du {definition.campaign.opens:%d/%m/%Y} "
        f"au {definition.campaign.closes:%d/%m/%Y}"
    )
    for number, page in enumerate(definition.pages, 1):
        part = "fiche Structure" if page.part == "structure" else "fiche Action"
        print(f"\n{number}. {page.title} ({part})")
        for q in page.questions:
            mark = " *" if q.required else ""
            print(f"   - {q.id} [{q.type}]{mark} {q.label}")


def cmd_new(args: argparse.Namespace) -> int:
    with _closing(_store(args)) as store:
        info = store.create(form_id=args.form, form_version=args.version, title=args.title)
    print(info.uuid)
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    with _closing(_store(args)) as store:
        rows = []
        for info in store.list():
            try:
                pages = store.evaluate(info.uuid).pages
                progress = f"{sum(p.state == 'complete' for p in pages)}/{len(pages)}"
            except StoreError:
                progress = "?"
            rows.append(
                {
                    "uuid": info.uuid,
                    "title": info.title,
                    "form_id": info.form_id,
                    "form_version": info.form_version,
                    "status": info.status.value,
                    "status_label": info.status.label,
                    "pages_complete": progress,
                    "updated_at": info.updated_at.isoformat(),
                }
            )
    if args.json:
        _print_json(rows)
    elif not rows:
        print('Aucun questionnaire. Créez-en un : bilan-clas new --form clas-2024-2025 --title "Nom de l\'action"')
    else:
        for r in rows:
            print(
                f"{r['uuid']}  {r['status_label']:<10}  pages complètes {r['pages_complete']:>5}  "
                f"{r['updated_at'][:16].replace('T', ' ')}  {r['title']}"
            )
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    document = read_document(Path(args.file))
    with _closing(_store(args)) as store:
        info = import_document(store, document)
    print(info.uuid)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    with _closing(_store(args)) as store:
        document = export_document(store, args.uuid)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Écriture impossible dans {args.output} : {exc.strerror}.") from None
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _problems(store: Store, questionnaire_uuid: str, evaluation: Evaluation) -> list[dict[str, Any]]:
    definition = store.definition(questionnaire_uuid)
    titles = {p.id: p.title for p in definition.pages}
    return [
        {
            "page_id": i.page_id,
            "page": titles[i.page_id],
            "question_id": i.question_id,
            "question": definition.question(i.question_id).label,
            "code": i.code,
            "message": i.message,
            "severity": i.severity,
        }
        for i in evaluation.issues
    ]


def _report(problems: list[dict[str, Any]]) -> None:
    for p in problems:
        prefix = "Conseil" if p["severity"] == "advice" else "À faire"
        print(f"- {prefix} · {p['page']} › {p['question']} : {p['message']}")


def cmd_check(args: argparse.Namespace) -> int:
    with _closing(_store(args)) as store:
        info = store.get(args.uuid)
        evaluation = store.evaluate(args.uuid)
        problems = _problems(store, args.uuid, evaluation)
    status = EXIT_OK if evaluation.transmittable else EXIT_NOT_TRANSMITTABLE
    if args.json:
        _print_json(
            {
                "uuid": info.uuid,
                "status": info.status.value,
                "status_label": info.status.label,
                "transmittable": evaluation.transmittable,
                "pages": [
                    {
                        "page_id": p.page_id,
                        "title": p.title,
                        "state": p.state.value,
                        "answered": p.answered,
                        "visible": p.visible,
                        "required_missing": p.required_missing,
                        "errors": p.errors,
                    }
                    for p in evaluation.pages
                ],
                "problems": problems,
            }
        )
        return status
    blocking = [p for p in problems if p["severity"] == "error"]
    print(
        "Questionnaire complet : il peut être transmis."
        if evaluation.transmittable
        else f"Questionnaire incomplet : {len(blocking)} point(s) à compléter ou corriger."
    )
    _report(problems)
    return status


def cmd_transmit(args: argparse.Namespace) -> int:
    with _closing(_store(args)) as store:
        try:
            version_id = store.transmit(args.uuid)
        except NotTransmittable as refusal:
            print(str(refusal), file=sys.stderr)
            _report([p for p in _problems(store, args.uuid, refusal.evaluation) if p["severity"] == "error"])
            return EXIT_NOT_TRANSMITTABLE
    print(f"Questionnaire placé dans « À envoyer » (version {version_id}). Il partira à la prochaine synchronisation.")
    return EXIT_OK


# --- plumbing ---------------------------------------------------------------------------


class _closing:
    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> Store:
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def build_parser() -> FrenchArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DOSSIER",
        default=argparse.SUPPRESS,
        help="dossier des données (sinon BILAN_CLAS_HOME, sinon le dossier de l'utilisateur)",
    )
    parser = FrenchArgumentParser(
        prog="bilan-clas",
        description="Bilan Clas : sans argument, ouvre l'application ; sinon, une commande ci-dessous.",
    )
    parser.add_argument("--data-dir", metavar="DOSSIER", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--self-test", action="store_true", help="vérifie l'installation et quitte")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=FrenchArgumentParser)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("forms", cmd_forms, "liste les formulaires, ou affiche l'un d'eux (forms show ID)")
    p.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    p.add_argument("form_id", nargs="?", metavar="ID")
    p.add_argument("--version", type=int, help="version précise (sinon la dernière)")
    p.add_argument("--json", action="store_true", help="sortie JSON")

    p = command("new", cmd_new, "crée un questionnaire (fiche Structure préremplie) et affiche son uuid")
    p.add_argument("--form", required=True, metavar="ID", help="identifiant du formulaire (voir bilan-clas forms)")
    p.add_argument("--version", type=int, help="version du formulaire (sinon la dernière)")
    p.add_argument("--title", required=True, metavar="TITRE", help="nom de l'action")

    p = command("list", cmd_list, "liste les questionnaires")
    p.add_argument("--json", action="store_true", help="sortie JSON")

    p = command("import", cmd_import, "importe un fichier de réponses (crée ou remplace) et affiche l'uuid")
    p.add_argument("file", metavar="FICHIER")

    p = command("export", cmd_export, "exporte un questionnaire en JSON")
    p.add_argument("uuid", metavar="UUID")
    p.add_argument("-o", "--output", metavar="FICHIER", help="fichier de sortie (sinon la sortie standard)")

    p = command("check", cmd_check, "vérifie un questionnaire ; code 0 seulement s'il peut être transmis")
    p.add_argument("uuid", metavar="UUID")
    p.add_argument("--json", action="store_true", help="sortie JSON")

    p = command("transmit", cmd_transmit, "transmet un questionnaire complet (il passe « À envoyer »)")
    p.add_argument("uuid", metavar="UUID")
    return parser


def run_gui(args: argparse.Namespace) -> int:
    from desktop.app import run  # Qt is loaded only here

    return run(data_dir_override=args.data_dir, self_test=args.self_test)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            return run_gui(args)
        return int(handler(args))
    except CommandError as error:
        print(f"bilan-clas : {error}", file=sys.stderr)
        return error.status
    except (StoreError, DefinitionError) as error:
        print(f"bilan-clas : {error}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        print(f"bilan-clas : accès impossible à {error.filename or 'un fichier'} : {error.strerror}.", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("bilan-clas : interrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
