"""Commands that talk to the server: login, sync, logout.

`sync` exit status: 0 only when the outbox is empty and every change was pulled; 4 something is
left for later (the server out of reach, busy or too slow, a sending postponed: nothing lost, try
again later); 5 login needed; 6 a transmission was refused and waits for the user (shown with the
server's reason, this run or an earlier one); 3 any other error.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from desktop.commands.base import EXIT_ERROR, EXIT_OK, CommandError, Commands, open_store
from forms.formatting import plural

EXIT_OFFLINE, EXIT_LOGIN, EXIT_REFUSED = 4, 5, 6


# The sync client (requests, keyring) and the engine are imported by these commands only, when they run.


def cmd_login(args: argparse.Namespace) -> int:
    from sync import account
    from sync.errors import AuthRequired, ServerChanged, SyncError, Transient

    password = os.environ.get("BILAN_CLAS_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise CommandError("mot de passe absent : saisissez-le au clavier ou donnez BILAN_CLAS_PASSWORD.")
        password = getpass.getpass("Mot de passe : ")
    with open_store(args) as store:
        try:
            token = account.login(store, args.server, args.email, password, switch_server=args.switch_server)
        except AuthRequired as error:
            raise CommandError(str(error), EXIT_LOGIN) from None
        except Transient as error:
            raise CommandError(str(error), EXIT_OFFLINE) from None
        except ServerChanged as error:
            raise CommandError(
                f"{error} Pour vous y connecter quand même et lui renvoyer ce qu'il n'a pas reçu, "
                "relancez avec --changer-de-serveur.",
                EXIT_LOGIN,
            ) from None
        except SyncError as error:
            raise CommandError(str(error)) from None
    print(f"Connecté à {args.server} ({token.organisation}). La connexion est gardée dans le trousseau du système.")
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from forms.lifecycle import OutboxState
    from forms.store.outbox import Outbox
    from sync import account
    from sync.batch import BatchSynchroniser
    from sync.errors import AuthRequired, NotConfigured, Offline, SyncError, Transient

    with open_store(args) as store:
        try:
            client = account.connected_client(store)
        except (NotConfigured, AuthRequired) as error:
            raise CommandError(str(error), EXIT_LOGIN) from None
        except SyncError as error:
            raise CommandError(str(error)) from None
        try:
            result = BatchSynchroniser(store, client).run()  # the outbox by batches of 50
        except Offline as error:
            raise CommandError(f"Serveur injoignable : {error}", EXIT_OFFLINE) from None
        except AuthRequired as error:
            raise CommandError(str(error), EXIT_LOGIN) from None
        except Transient as error:
            raise CommandError(str(error), EXIT_OFFLINE) from None
        except SyncError as error:
            raise CommandError(str(error), EXIT_ERROR) from None
        finally:
            client.close()
        outbox = Outbox(store)
        waiting, refused = outbox.count(), outbox.count(OutboxState.FAILED)
    print(result.text())
    for questionnaire_uuid, reason in result.refused:
        print(f"- Envoi refusé ({questionnaire_uuid}) : {reason}", file=sys.stderr)
    if result.refused or refused:
        if not result.refused:
            print(
                f"- {plural(refused, 'envoi refusé', 'envois refusés')} "
                f"attend{'ent' if refused > 1 else ''} une correction (bilan-clas list).",
                file=sys.stderr,
            )
        return EXIT_REFUSED
    if waiting or result.deferred or result.cancelled:
        print(f"- {plural(waiting, 'envoi')} à reprendre plus tard : relancez bilan-clas sync.", file=sys.stderr)
        return EXIT_OFFLINE
    return EXIT_OK


def cmd_logout(args: argparse.Namespace) -> int:
    from sync import account

    with open_store(args) as store:
        revoked = account.logout(store)
    if revoked:
        print("Déconnecté : la connexion a été révoquée sur le serveur et retirée du trousseau.")
    else:
        print("Déconnecté : la connexion a été retirée du trousseau (serveur injoignable : elle y expirera).")
    return EXIT_OK


def register(commands: Commands) -> None:
    p = commands.add("login", cmd_login, "se connecter au serveur (mot de passe demandé, ou BILAN_CLAS_PASSWORD)")
    p.add_argument("--server", required=True, metavar="URL", help="adresse du serveur, par exemple https://…")
    p.add_argument("--email", required=True, metavar="E-MAIL")
    p.add_argument(
        "--changer-de-serveur",
        dest="switch_server",
        action="store_true",
        help="se connecter à un autre serveur que celui qui a reçu vos questionnaires, et lui renvoyer ce qui manque",
    )
    commands.add("sync", cmd_sync, "envoie les questionnaires en attente et récupère les nouvelles de la Caf")
    commands.add("logout", cmd_logout, "révoque la connexion sur le serveur et la retire du trousseau")
