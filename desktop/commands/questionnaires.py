"""Commands on forms and questionnaires: forms, new, list, import, export, check, transmit."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.commands.base import (
    EXIT_NOT_TRANSMITTABLE,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    Commands,
    open_store,
    print_json,
    registry,
)
from forms.formatting import plural

if TYPE_CHECKING:  # each command imports what it uses when it runs: `--help` loads none of it
    from forms.definition import FormDefinition
    from forms.evaluation import Evaluation
    from forms.store import Store


def cmd_forms(args: argparse.Namespace) -> int:
    forms = registry(args)
    if args.action == "show":
        if not args.form_id:
            raise CommandError("indiquez l'identifiant du formulaire : bilan-clas forms show ID", EXIT_USAGE)
        try:
            definition = forms.get(args.form_id, args.version)
        except KeyError:
            raise CommandError(f"Formulaire inconnu : {args.form_id}.") from None
        if args.json:
            print_json(definition.model_dump(mode="json", by_alias=True, exclude_unset=True))
        else:
            _print_definition(definition)
        return EXIT_OK
    if args.json:
        print_json([
            {"id": d.id, "version": d.version, "title": d.title, "school_year": d.campaign.school_year,
             "opens": d.campaign.opens, "closes": d.campaign.closes}
            for d in forms.all()
        ])  # fmt: skip
    else:
        for d in forms.all():
            print(f"{d.id}\tversion {d.version}\t{d.campaign.school_year}\t{d.title}")
    return EXIT_OK


def _print_definition(definition: FormDefinition) -> None:
    campaign = definition.campaign
    print(f"{definition.title} ({definition.id}, version {definition.version})")
    print(f"Campagne {campaign.school_year} : du {campaign.opens:%d/%m/%Y} au {campaign.closes:%d/%m/%Y}")
    for number, page in enumerate(definition.pages, 1):
        part = "fiche Structure" if page.part == "structure" else "fiche Action"
        print(f"\n{number}. {page.title} ({part})")
        for q in page.questions:
            mark = " *" if q.required else ""
            print(f"   - {q.id} [{q.type}]{mark} {q.label}")


def cmd_new(args: argparse.Namespace) -> int:
    from forms.carry import start_from

    if args.source is None and not args.form:
        raise CommandError("indiquez le formulaire : bilan-clas new --form ID --title TITRE", EXIT_USAGE)
    with open_store(args) as store:
        if args.source is None:
            info = store.create(form_id=args.form, form_version=args.version, title=args.title)
            carried = None
        else:
            form = args.form or store.get(args.source).form_id  # without --form: duplicate the action
            info, carried = start_from(store, args.source, form_id=form, title=args.title, form_version=args.version)
    if args.json:
        print_json(
            {"uuid": info.uuid, "form_id": info.form_id, "form_version": info.form_version}
            | ({"from": args.source, "carried": carried.carried, "dropped": carried.dropped} if carried else {})
        )
    else:
        print(info.uuid)
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    from forms.upgrade import migrate

    with open_store(args) as store:
        done = migrate(store, args.uuid, args.to_version)
    if args.json:
        print_json({"uuid": args.uuid, **done.as_json()})
    else:
        print(
            f"Questionnaire passé de la version {done.from_version} à la version {done.to_version} : "
            f"{plural(len(done.moved), 'réponse reprise', 'réponses reprises')}, "
            f"{plural(len(done.renamed), 'renommée')}, {plural(len(done.archived), 'archivée')} "
            "(conservées, visibles dans l'export)."
        )
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from forms.listing import DB_FILE, fresh_summaries
    from forms.paths import data_dir

    found = fresh_summaries(data_dir(args.data_dir) / DB_FILE)  # one query, no store to load
    if found is None:
        from forms.store.summary import summaries

        with open_store(args) as store:
            found = summaries(store)
    rows: list[dict[str, Any]] = [
        {"uuid": s.uuid, "title": s.title, "form_id": s.form_id, "form_version": s.form_version,
         "status": s.status.value, "status_label": s.badge.label, "pages_complete": s.progress,
         "updated_at": s.updated_at.isoformat()}
        for s in found
    ]  # fmt: skip
    if args.json:
        print_json(rows)
    elif not rows:
        print('Aucun questionnaire. Créez-en un : bilan-clas new --form clas-2024-2025 --title "Nom de l\'action"')
    else:
        for r in rows:
            when = r["updated_at"][:16].replace("T", " ")
            print(
                f"{r['uuid']}  {r['status_label']:<10}  pages complètes {r['pages_complete']:>5}  {when}  {r['title']}"
            )
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from forms.exchange import import_document, read_document

    document = read_document(Path(args.file))
    with open_store(args) as store:
        info = import_document(store, document)
    print(info.uuid)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from desktop.commands.notices import open_notices
    from forms.exchange import export_document

    with open_store(args) as store:
        document = export_document(store, args.uuid)
        document["open_notices"] = open_notices(store, args.uuid)  # informative: an import ignores them
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if not args.output:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Écriture impossible dans {args.output} : {exc.strerror}.") from None
    return EXIT_OK


def problems(store: Store, questionnaire_uuid: str, evaluation: Evaluation) -> list[dict[str, Any]]:
    """The evaluation's issues with their page and question labels, rule id and source, for people and scripts."""
    from forms.points import as_points

    definition = store.definition(questionnaire_uuid)
    lock = store.structure_lock(questionnaire_uuid)
    locked = lock.question_ids if lock else frozenset()
    return [
        {"page_id": p.page_id, "page": p.page_title, "question_id": p.question_id, "question": p.question_label,
         "code": p.code, "rule_id": p.rule_id, "message": p.message, "severity": p.severity, "source": p.source,
         "locked": p.question_id in locked}  # the Caf validated it: not the partner's to fix
        for p in as_points(definition, list(evaluation.issues))
    ]  # fmt: skip


def _report(found: list[dict[str, Any]], stream: Any = None) -> None:
    from forms.points import HELD_LABEL

    for p in found:
        prefix = "Conseil" if p["severity"] == "advice" else "À faire"
        if p["locked"]:
            prefix = HELD_LABEL
        source = f" (Source : {p['source']})" if p["source"] else ""
        print(f"- {prefix} · {p['page']} › {p['question']} : {p['message']}{source}", file=stream or sys.stdout)


def cmd_check(args: argparse.Namespace) -> int:
    from desktop.commands.notices import open_notices

    with open_store(args) as store:
        info = store.get(args.uuid)
        if store.definition_missing(args.uuid):  # nothing to check against: never called transmittable
            raise CommandError(store.stand_in_reason(args.uuid), EXIT_NOT_TRANSMITTABLE)
        evaluation = store.evaluate(args.uuid)
        found = problems(store, args.uuid, evaluation)
        notices = open_notices(store, args.uuid)
        lock = store.structure_lock(args.uuid)
    status = EXIT_OK if evaluation.transmittable else EXIT_NOT_TRANSMITTABLE
    if args.json:
        print_json({
            "uuid": info.uuid, "status": info.status.value, "status_label": info.status.label,
            "transmittable": evaluation.transmittable,
            "pages": [{"page_id": p.page_id, "title": p.title, "state": p.state.value, "answered": p.answered,
                       "visible": p.visible, "required_missing": p.required_missing, "errors": p.errors,
                       "local": p.local}
                      for p in evaluation.pages],
            "problems": found,
            "open_notices": notices,
            "structure_locked": {"validated_at": lock.validated_at.isoformat(),
                                 "question_ids": sorted(lock.question_ids)} if lock else None,
        })  # fmt: skip
        return status
    if lock:
        print(lock.sentence())
    blocking = [p for p in found if p["severity"] == "error" and not p["locked"]]
    held = [p for p in found if p["severity"] == "error" and p["locked"]]
    if evaluation.transmittable:
        print("Questionnaire complet : il peut être transmis.")
    else:
        advice = len(found) - len(blocking) - len(held)  # listed below too: the count says so, it never seems wrong
        also = ""
        if advice:
            also = f" (et {plural(advice, 'conseil')} du référentiel, non bloquant{'s' if advice > 1 else ''})"
        if held:
            also += f" ; {plural(len(held), 'réponse')} de la fiche Structure validée, à voir avec la Caf"
        print(f"Questionnaire incomplet : {plural(len(blocking), 'point')} à compléter ou corriger{also}.")
    _report(found)
    if notices:
        print(f"Remarques de la Caf ouvertes : {len(notices)}")
    for n in notices:
        replied = f" ({plural(len(n['replies']), 'réponse')})" if n["replies"] else ""  # type: ignore[arg-type]
        print(f"- Remarque de la Caf · {n['question']} : {n['message']}{replied}")
    return status


def cmd_transmit(args: argparse.Namespace) -> int:
    from forms.store import NotTransmittable

    with open_store(args) as store:
        try:
            version_id = store.transmit(args.uuid)
        except NotTransmittable as refusal:
            print(f"bilan-clas : {refusal}", file=sys.stderr)
            found = problems(store, args.uuid, refusal.evaluation)
            _report([p for p in found if p["severity"] == "error"], sys.stderr)
            return EXIT_NOT_TRANSMITTABLE
    print(f"Questionnaire placé dans « À envoyer » (version {version_id}). Il partira à la prochaine synchronisation.")
    return EXIT_OK


def register(commands: Commands) -> None:
    p = commands.add("forms", cmd_forms, "liste les formulaires, ou affiche l'un d'eux (forms show ID)")
    p.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    p.add_argument("form_id", nargs="?", metavar="ID")
    p.add_argument("--version", type=int, help="version précise (sinon la dernière)")
    p.add_argument("--json", action="store_true", help="sortie JSON")

    p = commands.add("new", cmd_new, "crée un questionnaire (fiche Structure préremplie) et affiche son uuid")
    p.add_argument("--form", metavar="ID", help="identifiant du formulaire (voir bilan-clas forms)")
    p.add_argument("--version", type=int, help="version du formulaire (sinon la dernière)")
    p.add_argument("--title", required=True, metavar="TITRE", help="nom de l'action")
    p.add_argument(
        "--from",
        dest="source",
        metavar="UUID",
        help="reprend les réponses d'un bilan précédent (celles que la définition déclare à reprendre) ; "
        "sans --form : duplique l'action dans sa campagne",
    )
    p.add_argument("--json", action="store_true", help="sortie JSON (avec --from : questions reprises et écartées)")

    p = commands.add("migrate", cmd_migrate, "passe un brouillon à une version plus récente de son formulaire")
    p.add_argument("uuid", metavar="UUID")
    p.add_argument("--to-version", type=int, metavar="N", help="version visée (sinon la dernière)")
    p.add_argument("--json", action="store_true", help="sortie JSON : questions reprises, renommées et archivées")

    p = commands.add("list", cmd_list, "liste les questionnaires")
    p.add_argument("--json", action="store_true", help="sortie JSON")

    p = commands.add("import", cmd_import, "importe un fichier de réponses (crée ou remplace) et affiche l'uuid")
    p.add_argument("file", metavar="FICHIER")

    p = commands.add("export", cmd_export, "exporte un questionnaire en JSON")
    p.add_argument("uuid", metavar="UUID")
    p.add_argument("-o", "--output", metavar="FICHIER", help="fichier de sortie (sinon la sortie standard)")

    p = commands.add("check", cmd_check, "vérifie un questionnaire ; code 0 seulement s'il peut être transmis")
    p.add_argument("uuid", metavar="UUID")
    p.add_argument("--json", action="store_true", help="sortie JSON")

    p = commands.add("transmit", cmd_transmit, "transmet un questionnaire complet (il passe « À envoyer »)")
    p.add_argument("uuid", metavar="UUID")
