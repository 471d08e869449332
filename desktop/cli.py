"""`bilan-clas`: the desktop app with no argument, scripting and support commands otherwise (DESIGN §8).

Exit status: 0 success; 1 the questionnaire is not transmittable (check, transmit); 2 usage error;
3 any other refusal or error (unknown questionnaire, bad file, store refusal). Errors are one
French line on stderr, never a traceback. Qt is imported only to open the app.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from forms.cli_french import FrenchArgumentParser


class _VersionAction(argparse.Action):
    """--version, reading the installed version only when asked (importlib.metadata costs ~0.1 s)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=str(kwargs.get("help")))

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        from forms.version import APP_VERSION

        parser.exit(message=f"Bilan Clas {APP_VERSION}\n")


def build_parser() -> FrenchArgumentParser:
    from desktop.commands import MODULES  # the commands import the engine and the store: not at start-up
    from desktop.commands.base import Commands

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DOSSIER",
        default=argparse.SUPPRESS,
        help="dossier des données (sinon BILAN_CLAS_HOME, sinon le dossier de données de l'utilisateur)",
    )
    parser = FrenchArgumentParser(
        prog="bilan-clas",
        description="Bilan Clas : sans argument, ouvre l'application ; sinon, exécute une des commandes ci-dessous.",
    )
    parser.add_argument("--data-dir", metavar="DOSSIER", default=None, help="dossier des données")
    parser.add_argument("--self-test", action="store_true", help="vérifie l'installation et quitte")
    parser.add_argument("--version", action=_VersionAction, help="affiche la version")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=FrenchArgumentParser)
    commands = Commands(subparsers, common)
    for module in MODULES:
        module.register(commands)
    return parser


def run_gui(args: argparse.Namespace) -> int:
    from desktop.app import run  # Qt is loaded only here

    return run(data_dir_override=args.data_dir, self_test=args.self_test)


def _gui_arguments(argv: list[str]) -> argparse.Namespace | None:
    """The options when the app itself is asked for (no command): parsed without loading the commands,
    whose imports (engine, store) would delay the window."""
    light = argparse.ArgumentParser(add_help=False)
    light.add_argument("--data-dir")
    light.add_argument("--self-test", action="store_true")
    args, rest = light.parse_known_args(argv)
    return None if rest else args


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    gui = _gui_arguments(arguments)
    if gui is not None:
        return run_gui(gui)
    from desktop.commands.base import EXIT_ERROR

    args = build_parser().parse_args(arguments)
    handler = getattr(args, "handler", None)
    if handler is not None:
        _log_command(args)
    try:
        try:
            return run_gui(args) if handler is None else int(handler(args))
        except Exception as error:
            if not _is_refusal(error):
                raise
            print(f"bilan-clas : {error}", file=sys.stderr)
            return int(getattr(error, "status", EXIT_ERROR))
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: nothing is wrong, stop writing quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        where = error.filename or "un fichier"
        print(f"bilan-clas : accès impossible à {where} : {error.strerror}.", file=sys.stderr)
        return EXIT_ERROR
    except UnicodeError:
        # An argument with bytes that are not UTF-8 (e.g. a mistyped uuid) cannot reach SQLite.
        print("bilan-clas : caractère invalide (non UTF-8) dans un argument.", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("bilan-clas : interrompu.", file=sys.stderr)
        return 130


def _is_refusal(error: Exception) -> bool:
    """A refusal to show as one French line. The store's and the definitions' errors are looked up only
    if their modules were loaded: a command that never imported them cannot have raised them."""
    from desktop.commands.base import CommandError

    if isinstance(error, CommandError):
        return True
    store_errors, definition = sys.modules.get("forms.store.errors"), sys.modules.get("forms.definition")
    return (store_errors is not None and isinstance(error, store_errors.StoreError)) or (
        definition is not None and isinstance(error, definition.DefinitionError)
    )


def _log_command(args: argparse.Namespace) -> None:
    """Commands log to the data folder's journal too (its name only: arguments may hold answers)."""
    from forms.logs import configure
    from forms.paths import data_dir

    try:
        folder = data_dir(getattr(args, "data_dir", None))
    except OSError:
        return  # the command itself reports an unusable data folder
    light = args.command in _LIGHT_COMMANDS
    configure(folder, "bilan-clas", light=light).info("command %s", args.command)


# Read-only commands that log one line: no rotating handler, version or platform to load for it.
_LIGHT_COMMANDS = frozenset({"list", "forms", "check", "export"})


if __name__ == "__main__":
    sys.exit(main())
