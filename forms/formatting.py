"""French text for values: numbers with narrow no-break spaces, dates, sizes, units (Qt- and reportlab-free).

Every function here accepts whatever a stored answer holds, even an ill-shaped one (a Caf
version, an old file): printing must never fail on a value, it shows it as it is instead.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

NNBSP = "\u202f"  # narrow no-break space: thousands separator (French typography)
NBSP = "\u00a0"  # no-break space: before units
NOT_ANSWERED = "Non renseigné"
# C0 controls other than tab and newline have no glyph and upset the PDF text layer.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PLURAL_WORD = re.compile(r"^[a-zàâçéèêëîïôûùüÿœ]+[^s]s$")  # "enfants", "heures"; not "ETP", "€"
_IDENTIFIER_LENGTH = {"siret": 14, "siren": 9}
_INVARIABLE = frozenset({"fois", "mois", "pas", "repas", "cours", "temps", "bus"})


def identifier(question_type: str, value: str) -> str:
    """A SIRET or SIREN the same whether typed with spaces or stored compact: « 732 829 320 00074 »
    (no-break spaces, so it never wraps); anything that is not the right number of digits as it is."""
    digits = re.sub(r"[\s.\-]", "", value)
    if len(digits) != _IDENTIFIER_LENGTH[question_type] or not digits.isascii() or not digits.isdigit():
        return value.strip()
    return NBSP.join([digits[0:3], digits[3:6], digits[6:9], *([digits[9:]] if digits[9:] else [])])


def guillemets(text: str) -> str:
    """« … » held to their words by no-break spaces: a line never starts with » nor ends with «."""
    return re.sub(r"\s+»", NBSP + "»", re.sub(r"«\s+", "«" + NBSP, text))


def escape(text: str) -> str:
    """Plain text as paragraph markup: &, < and > escaped, control characters dropped."""
    # Not xml.sax.saxutils.escape: that module imports urllib.request, http.client and OpenSSL, ~30 ms
    # of every command's start-up (the commands register through a module that imports this one).
    return _CONTROLS.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def multiline(text: str) -> str:
    """Plain text with its line breaks kept, as paragraph markup."""
    return "<br/>".join(escape(line) for line in text.splitlines())


def _group(digits: str) -> str:
    """'1234567' -> '1 234 567' with narrow no-break spaces."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return NNBSP.join(parts)


def french_number(value: int | float | Decimal) -> str:
    """1234.5 -> '1 234,5'; integers and whole floats without decimals; never scientific notation."""
    if isinstance(value, bool):
        return yes_no(value)
    try:
        number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    text = format(number, "f")
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    return sign + _group(whole) + ("," + fraction.rstrip("0") if fraction.rstrip("0") else "")


def quoted(text: str) -> str:
    """« text » with no-break spaces inside the guillemets, so that a closing » never wraps alone."""
    return f"«{NBSP}{text}{NBSP}»"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 point', '2 points', '0 point' (French: singular below 2)."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{count} {word}"


def yes_no(value: bool) -> str:
    return "Oui" if value else "Non"


def french_date(value: str) -> str:
    """'2025-03-14' -> '14/03/2025'; anything else as it is."""
    try:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return str(value)


def local(moment: dt.datetime) -> dt.datetime:
    """An aware time in the machine's time zone; a naive one is taken as already local."""
    return moment.astimezone() if moment.tzinfo else moment


def french_datetime(moment: dt.datetime, *, seconds: bool = False) -> str:
    """'14/03/2025 à 10:42' in local time."""
    shown = local(moment)
    return f"{shown:%d/%m/%Y} à {shown:%H:%M:%S}" if seconds else f"{shown:%d/%m/%Y} à {shown:%H:%M}"


def file_size(size: Any) -> str:
    """512 octets, 12,3 ko, 4,5 Mo (powers of 1024, as file managers show them)."""
    if not isinstance(size, int) or isinstance(size, bool):
        return str(size)
    if size < 1024:
        return f"{french_number(size)}{NBSP}octet{'s' if size > 1 else ''}"
    for unit, scale in (("Go", 1024**3), ("Mo", 1024**2), ("ko", 1024)):
        if size >= scale:
            return f"{french_number(round(size / scale, 1))}{NBSP}{unit}"
    return str(size)  # unreachable: the ko branch catches the rest


def with_unit(text: str, unit: str | None, value: float | None = None) -> str:
    """'12 enfants'; French puts a unit in the singular below 2 ('1 enfant', '0,5 heure')."""
    if not unit:
        return text
    if value is not None and abs(value) < 2 and _PLURAL_WORD.match(unit) and unit not in _INVARIABLE:
        unit = unit[:-1]
    return f"{text}{NBSP}{unit}"


def scalar_text(question_type: str, value: Any, unit: str | None = None) -> str:
    """Plain display text of a value that is not a choice, matrix or file."""
    if isinstance(value, bool):
        return yes_no(value)
    if question_type in ("integer", "decimal") and isinstance(value, int | float):
        return with_unit(french_number(value), unit, float(value))
    if question_type == "date" and isinstance(value, str):
        return french_date(value)
    if question_type in _IDENTIFIER_LENGTH and isinstance(value, str):
        return identifier(question_type, value)
    if isinstance(value, str):
        return value.strip()
    return str(value)
