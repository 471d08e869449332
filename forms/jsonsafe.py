"""Bounded JSON parsing for anything that comes from outside (a file to import, a server's reply).

The standard parser recurses once per nesting level (RecursionError on `[[[[…`) and refuses
integers of more than 4,300 digits with a bare ValueError. Here both are an UnsafeJson with a
French message, the nesting is bounded far below the interpreter's limit (our documents are
shallow), and NaN/Infinity, which are not JSON, are refused.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64
MAX_NUMBER_CHARS = 40  # far beyond any count, amount or id in a questionnaire


class UnsafeJson(ValueError):
    """A document too deep, or with a number too long; str() is French."""


def _number(text: str, convert: type) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        raise UnsafeJson(f"nombre démesuré ({len(text)} chiffres)")
    return convert(text)


def _int(text: str) -> int:
    return int(_number(text, int))


def _float(text: str) -> float:
    return float(_number(text, float))


def _constant(name: str) -> Any:
    raise UnsafeJson(f"valeur non admise en JSON ({name})")


def loads_bounded(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """json.loads, but an UnsafeJson for a document nested deeper than `max_depth` or a huge number.

    JSON syntax errors stay json.JSONDecodeError (its line and column help the user)."""
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise UnsafeJson("document imbriqué trop profondément") from None
    if _depth(value) > max_depth:
        raise UnsafeJson("document imbriqué trop profondément")
    return value


def _depth(value: Any) -> int:
    """Nesting depth without recursion (the parsed value may be up to ~1,000 levels deep)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest
