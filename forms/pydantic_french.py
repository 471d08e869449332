"""The one French wording of pydantic's error types, for every place that shows a validation error.

The definition loader, `import` and the server's 422 problems all describe pydantic errors: they read this
map so that one fault is worded one way. Lower case without a final stop; `sentence` makes a sentence.
"""

from __future__ import annotations

__all__ = ["MESSAGES", "describe", "sentence"]

MESSAGES: dict[str, str] = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ inconnu",
    "json_invalid": "JSON mal formé",
    "literal_error": "valeur non permise",
    "string_pattern_mismatch": "format inattendu",
    "string_too_short": "texte trop court",
    "string_too_long": "texte trop long",
    "string_type": "texte attendu",
    "too_short": "pas assez d'éléments",
    "too_long": "trop d'éléments",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "bool_type": "vrai ou faux attendu",
    "bool_parsing": "vrai ou faux attendu",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
    "date_type": "date attendue (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "uuid_parsing": "identifiant UUID mal formé",
    "uuid_type": "identifiant UUID attendu",
    "list_type": "liste attendue",
    "dict_type": "objet attendu",
    "model_type": "objet attendu",
    "model_attributes_type": "objet attendu",
    "union_tag_invalid": "type de règle inconnu",
    "union_tag_not_found": "type de règle (kind) manquant",
    "greater_than_equal": "valeur trop petite",
    "greater_than": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "less_than": "valeur trop grande",
}


def describe(kind: str, default: str = "valeur invalide", overrides: dict[str, str] | None = None) -> str:
    """The French words for a pydantic error type; `overrides` lets a context be more precise."""
    return (overrides or {}).get(kind) or MESSAGES.get(kind) or default


def sentence(kind: str, default: str = "valeur invalide") -> str:
    """`describe` as a sentence: capital first letter, final stop."""
    words = describe(kind, default)
    return words[0].upper() + words[1:] + "."
