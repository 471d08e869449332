"""What every command shares: exit statuses, the one-line refusal, and opening the registry and store."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the registry (pydantic) and the store (sqlalchemy) load when a command runs, not for --help
    from forms.registry import FormRegistry
    from forms.store import Store

EXIT_OK, EXIT_NOT_TRANSMITTABLE, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3

Handler = Callable[[argparse.Namespace], int]


class CommandError(Exception):
    """A refusal to report as one French line, with its exit status."""

    def __init__(self, message: str, status: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.status = status


class Commands:
    """Adds subcommands that share the common options (--data-dir)."""

    def __init__(self, subparsers: Any, common: argparse.ArgumentParser) -> None:
        self._subparsers = subparsers
        self._common = common

    def add(self, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = self._subparsers.add_parser(
            name, parents=[self._common], help=help_text, description=help_text
        )
        parser.set_defaults(handler=handler)
        return parser


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def registry(args: argparse.Namespace) -> FormRegistry:
    """Shipped definitions plus those received from the server (DATA/forms); a bad one is set aside,
    said once on standard error, and every other definition and questionnaire keeps working."""
    from forms.paths import data_dir
    from forms.registry import FormRegistry

    loaded = FormRegistry.load(data_dir(args.data_dir) / "forms", strict=False)
    for warning in loaded.set_aside:
        print(f"Attention : {warning}", file=sys.stderr)
    return loaded


@contextmanager
def open_store(args: argparse.Namespace) -> Iterator[Store]:
    from forms.paths import data_dir
    from forms.store import Store

    store = Store.open(data_dir(args.data_dir), registry(args))
    try:
        yield store
    finally:
        store.close()
