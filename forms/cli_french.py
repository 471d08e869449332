"""argparse in French, for both command lines (bilan-clas and bilan-clas-server).

argparse's messages go through a module-level `_` (gettext), which we point at this catalogue.
It lives in forms/ because it is the one package both command lines may import.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

_FRENCH = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "affiche cette aide et quitte",
    "the following arguments are required: %s": "argument(s) obligatoire(s) manquant(s) : %s",
    "unrecognized arguments: %s": "argument(s) non reconnu(s) : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choix possibles : %(choices)s)",
    "expected one argument": "une valeur est attendue",
    "expected at least one argument": "au moins une valeur est attendue",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s (%(matches)s)",
    "show program's version number and exit": "affiche la version et quitte",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
}


def _translate(message: str) -> str:
    return _FRENCH.get(message, message)


argparse._ = _translate  # type: ignore[attr-defined]


class FrenchArgumentParser(argparse.ArgumentParser):
    """Usage errors are one French line on stderr and exit status 2, never a usage dump."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog} : erreur : {message} (aide : {self.prog} --help)\n")
        raise SystemExit(2)
