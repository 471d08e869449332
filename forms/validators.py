"""Per-type validation of one answer, with French messages a volunteer can act on.

`check(question, value)` returns None when the value is acceptable, else the message to show
next to the field. It never raises, whatever it is given (property-tested).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from forms.definition import Question
from forms.formatting import quoted

DEFAULT_MAX_LENGTH = {"text": 255, "long_text": 30_000}
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_PHONE_SEPARATORS = re.compile(r"[\s.\-]")
# 10 digits starting with 0 (not 00), or +33 / 0033 followed by the 9 digits without the 0; DOM included.
# re.ASCII: \d would otherwise accept any Unicode digit (full-width ７, Arabic-Indic ٧…).
_PHONE = re.compile(r"^(?:0[1-9]\d{8}|(?:\+|00)(?:33|262|590|594|596|269|687|689)[1-9]\d{8})$", re.ASCII)
_POSTAL = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$", re.ASCII)
# Commune code: mainland departments 01-95 (20 was split into 2A/2B in 1976), Corsica, overseas 971-976.
_INSEE = re.compile(r"^(?:(?:0[1-9]|1\d|[3-8]\d|9[0-5])\d{3}|2[AB]\d{3}|97[1-8]\d{2})$", re.ASCII)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)  # fromisoformat alone also takes 20250910, 2025-W37-3
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_WORD = re.compile(r"[^\W\d_]{2,}")  # a word has two letters at least: « . . . » or « x x x » is not a bilan


def _fmt(number: float) -> str:
    """French display of a bound: 1 607 or 0,5 (narrow no-break space as thousands separator)."""
    if float(number).is_integer():
        return f"{int(number):,}".replace(",", "\u202f")
    return f"{number:,}".replace(",", "\u202f").replace(".", ",")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite(value: int | float) -> bool:
    """A finite number that fits a float (a JSON integer may not: 10**400 overflows)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _storable(value: Any) -> bool:
    """No lone surrogate anywhere ("\\ud800" in a JSON file decodes to one): SQLite could not store it."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, list):
        return all(_storable(v) for v in value)
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    return True


def _check_text(q: Question, value: Any) -> str | None:
    if not isinstance(value, str):
        return "Texte attendu."
    limit = q.max_length or DEFAULT_MAX_LENGTH.get(q.type, 255)
    if len(value) > limit:
        return f"Texte trop long : {_fmt(limit)} caractères au maximum (actuellement {_fmt(len(value))})."
    if q.min_length and len(value.strip()) < q.min_length:
        return f"Texte trop court : au moins {_fmt(q.min_length)} caractères."
    if q.min_words:
        words = len(_WORD.findall(value))
        if words < q.min_words:
            return (
                f"Texte trop court : {words} mot{'s' if words > 1 else ''} ; "
                f"au moins {_fmt(q.min_words)} mots sont attendus."
            )
    return None


def _check_bounds(q: Question, value: float) -> str | None:
    low, high = q.min, q.max
    if low is not None and high is not None and not low <= value <= high:
        return f"La valeur doit être comprise entre {_fmt(low)} et {_fmt(high)}."
    if low is not None and value < low:
        return "La valeur ne peut pas être négative." if low == 0 else f"La valeur doit être au moins {_fmt(low)}."
    if high is not None and value > high:
        return f"La valeur ne peut pas dépasser {_fmt(high)}."
    return None


def _check_integer(q: Question, value: Any) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return "Nombre entier attendu (sans virgule)."
    if not _finite(value):  # rules compute in floats: 10**400 would overflow them
        return "Nombre trop grand."
    return _check_bounds(q, value)


def _check_decimal(q: Question, value: Any) -> str | None:
    if not _is_number(value) or not _finite(value):
        return "Nombre attendu (par exemple 1,5)."
    if q.decimals is not None:
        try:
            exponent = Decimal(repr(value)).normalize().as_tuple().exponent
        except InvalidOperation:
            return "Nombre attendu (par exemple 1,5)."
        if isinstance(exponent, int) and -exponent > q.decimals:
            return f"{q.decimals} chiffre(s) après la virgule au maximum."
    return _check_bounds(q, float(value))


def _check_email(q: Question, value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value.strip()):
        return "Adresse e-mail invalide (exemple : contact@association.fr)."
    return None


def _check_phone(q: Question, value: Any) -> str | None:
    if not isinstance(value, str) or not _PHONE.match(_PHONE_SEPARATORS.sub("", value)):
        return "Numéro de téléphone invalide : 10 chiffres, par exemple 01 23 45 67 89."
    return None


def _check_date(q: Question, value: Any) -> str | None:
    if not isinstance(value, str) or not _DATE.match(value):
        return "Date invalide (format attendu : AAAA-MM-JJ)."
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return "Date invalide (format attendu : AAAA-MM-JJ)."
    return None


def _check_stdnum(module: Any, name: str, digits: int) -> Callable[[Question, Any], str | None]:
    def check(q: Question, value: Any) -> str | None:
        if not isinstance(value, str):
            return f"Le {name} s'écrit avec {digits} chiffres."
        try:
            module.validate(value)
        except stdnum_errors.InvalidChecksum:
            return f"{name} invalide : la clé de contrôle ne correspond pas. Vérifiez chaque chiffre."
        except stdnum_errors.ValidationError:
            return f"Le {name} doit compter exactement {digits} chiffres."
        return None

    return check


def _check_postal(q: Question, value: Any) -> str | None:
    if not isinstance(value, str) or not _POSTAL.match(value.strip()):
        return "Code postal invalide : 5 chiffres, par exemple 73000."
    return None


def _check_insee(q: Question, value: Any) -> str | None:
    if not isinstance(value, str) or not _INSEE.match(value.strip().upper()):
        return "Code Insee invalide : 5 caractères, par exemple 73065 (2A004 ou 2B033 en Corse)."
    return None


def _check_single(q: Question, value: Any) -> str | None:
    if not isinstance(value, str) or value not in {c.id for c in q.choices}:
        return "Choisissez une des réponses proposées."
    return None


def _check_multiple(q: Question, value: Any) -> str | None:
    known = {c.id for c in q.choices}
    if not isinstance(value, list) or not all(isinstance(v, str) and v in known for v in value):
        return "Choisissez parmi les réponses proposées."
    if len(set(value)) != len(value):
        return "Une même réponse est cochée deux fois."
    return None


def _check_yes_no(q: Question, value: Any) -> str | None:
    return None if isinstance(value, bool) else "Répondez par oui ou par non."


def _check_matrix(q: Question, value: Any) -> str | None:
    if not isinstance(value, dict):
        return "Répondez pour chaque ligne du tableau."
    rows, columns = {r.id for r in q.rows}, {c.id for c in q.choices}
    if not all(k in rows and isinstance(v, str) and v in columns for k, v in value.items()):
        return "Réponse inconnue dans le tableau."
    missing = [r.label for r in q.rows if r.id not in value]
    if missing:
        answered = len(q.rows) - len(missing)
        return (
            f"Répondez pour chaque ligne du tableau ({answered} sur {len(q.rows)} renseignées). "
            f"Il manque : {_rows_named(missing)}."
        )
    return None


_ROWS_NAMED = 3  # more missing rows than this: the first two, then « et N autres »
_ROW_LABEL_LENGTH = 60


def _rows_named(labels: list[str]) -> str:
    """« A », « B » et « C »; « A », « B » et 4 autres: the rows a person must still answer."""
    shown = [quoted(_short_label(label)) for label in labels]
    if len(shown) > _ROWS_NAMED:
        return f"{', '.join(shown[:2])} et {len(shown) - 2} autres"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} et {shown[-1]}"


def _short_label(label: str) -> str:
    """A row label without its parenthesis, cut at a word boundary with « … » when it is long."""
    text = label.split(" (")[0].strip() or label.strip()
    if len(text) <= _ROW_LABEL_LENGTH:
        return text
    return text[:_ROW_LABEL_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _check_file(q: Question, value: Any) -> str | None:
    if not isinstance(value, dict) or set(value) != {"name", "sha256", "size", "media_type"}:
        return "Document mal décrit (nom, empreinte, taille et type attendus)."
    name, digest, size, media_type = (value[k] for k in ("name", "sha256", "size", "media_type"))
    if not (isinstance(name, str) and name.strip() and isinstance(digest, str) and _SHA256.match(digest)):
        return "Document mal décrit (nom, empreinte, taille et type attendus)."
    if not isinstance(size, int) or isinstance(size, bool) or size < 0 or not isinstance(media_type, str):
        return "Document mal décrit (nom, empreinte, taille et type attendus)."
    if q.max_size_bytes is not None and size > q.max_size_bytes:
        return f"Document trop volumineux : {_fmt(round(q.max_size_bytes / 1_048_576, 1))} Mo au maximum."
    if q.accept and media_type not in q.accept:
        return "Type de document non accepté (PDF, document texte ou image)."
    return None


_CHECKS: dict[str, Callable[[Question, Any], str | None]] = {
    "text": _check_text,
    "long_text": _check_text,
    "integer": _check_integer,
    "decimal": _check_decimal,
    "email": _check_email,
    "phone": _check_phone,
    "date": _check_date,
    "siret": _check_stdnum(stdnum_siret, "SIRET", 14),
    "siren": _check_stdnum(stdnum_siren, "SIREN", 9),
    "postal_code": _check_postal,
    "insee_code": _check_insee,
    "single_choice": _check_single,
    "multiple_choice": _check_multiple,
    "yes_no": _check_yes_no,
    "matrix": _check_matrix,
    "file": _check_file,
}


def check(question: Question, value: Any) -> str | None:
    """The French message for an unacceptable answered value, or None. Call only for answered values."""
    if not _storable(value):
        return "Réponse illisible : elle contient un caractère invalide."
    return _CHECKS[question.type](question, value)


def normalise(question: Question, value: Any) -> Any:
    """The canonical form kept in a transmitted version: trimmed text, compact identifiers."""
    if not isinstance(value, str):
        return value
    if question.type in ("siret", "siren"):
        return stdnum_siret.compact(value) if question.type == "siret" else stdnum_siren.compact(value)
    if question.type == "phone":
        return _PHONE_SEPARATORS.sub("", value)
    if question.type == "insee_code":
        return value.strip().upper()
    return value.strip()


_STRING_TYPES = frozenset(
    {"text", "long_text", "email", "phone", "date", "siret", "siren", "postal_code", "insee_code"}
)


def shape_error(question: Question, value: Any) -> str | None:
    """Whether `value` has the JSON shape of its question's type (DESIGN §4), whatever its content.

    A draft may hold a wrong SIRET or a half-filled matrix; it may never hold a word where a number
    goes. The store and the importer refuse what this rejects. None (no answer) is always accepted.
    """
    if value is None:
        return None
    t = question.type
    if t in _STRING_TYPES:
        ok = isinstance(value, str)
        expected = "du texte"
    elif t == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        expected = "un nombre entier"
    elif t == "decimal":
        ok = _is_number(value) and _finite(value)
        expected = "un nombre"
    elif t == "yes_no":
        ok = isinstance(value, bool)
        expected = "oui ou non (true / false)"
    elif t == "single_choice":
        ok, expected = _check_single(question, value) is None, "un des choix proposés"
    elif t == "multiple_choice":
        ok, expected = _check_multiple(question, value) is None, "une liste de choix proposés"
    elif t == "matrix":
        rows, columns = {r.id for r in question.rows}, {c.id for c in question.choices}
        ok = isinstance(value, dict) and all(
            k in rows and isinstance(v, str) and v in columns for k, v in value.items()
        )
        expected = "un choix par ligne du tableau"
    else:  # file
        ok = _check_file(question.model_copy(update={"accept": [], "max_size_bytes": None}), value) is None
        expected = "un document décrit par name, sha256, size et media_type"
    if ok and not _storable(value):
        return f"Réponse illisible pour « {question.label} » : elle contient un caractère invalide."
    return None if ok else f"Réponse de type inattendu pour « {question.label} » : {expected} attendu."
