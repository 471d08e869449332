"""Per-type validation: good values pass, bad ones get the right French message, nothing crashes."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.definition import FormDefinition, Question, load_definition
from forms.validators import check, normalise, shape_error
from tests.forms.conftest import ESSAI_V1_PATH, ESSAI_V2_PATH, OFFICIAL_PATH

NNBSP = "\u202f"  # the thousands separator of French numbers in messages


def question(type_: str, **fields: Any) -> Question:
    """A one-off question of `type_` (choice types get choices unless given)."""
    if type_ in ("single_choice", "multiple_choice", "matrix"):
        fields.setdefault("choices", [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}, {"id": "c", "label": "C"}])
    if type_ == "matrix":
        fields.setdefault("rows", [{"id": "r1", "label": "Ligne 1"}, {"id": "r2", "label": "Ligne 2"}])
    return Question.model_validate({"id": "q", "type": type_, "label": "Question d'essai", **fields})


def assert_accepts(q: Question, *values: Any) -> None:
    for value in values:
        assert check(q, value) is None, f"{q.type} should accept {value!r}"
        assert shape_error(q, value) is None, f"{q.type} should have the shape of {value!r}"


def assert_rejects(q: Question, message: str, *values: Any) -> None:
    for value in values:
        assert check(q, value) == message, f"{q.type} on {value!r}"


# --- text ------------------------------------------------------------------------------------


def test_text_accepts_french_text_up_to_its_max_length() -> None:
    q = question("text", max_length=20)
    assert_accepts(q, "Réussir Ensemble", "L'œuvre « Clas »", "x" * 20, "")


def test_text_too_long_names_the_limit_and_the_length() -> None:
    q = question("text", max_length=20)
    assert check(q, "é" * 21) == "Texte trop long : 20 caractères au maximum (actuellement 21)."


def test_text_default_limits_per_type() -> None:
    assert check(question("text"), "a" * 255) is None
    assert check(question("text"), "a" * 256) == "Texte trop long : 255 caractères au maximum (actuellement 256)."
    assert check(question("long_text"), "a" * 30_000) is None
    assert check(question("long_text"), "a" * 30_001) == (
        f"Texte trop long : 30{NNBSP}000 caractères au maximum (actuellement 30{NNBSP}001)."
    )


def test_text_min_length_ignores_surrounding_spaces() -> None:
    q = question("long_text", min_length=5)
    assert check(q, "Bilan") is None
    assert check(q, "  ab  ") == "Texte trop court : au moins 5 caractères."


def test_text_refuses_what_is_not_text() -> None:
    assert_rejects(question("text"), "Texte attendu.", 12, True, ["a"], {"a": "b"})


# --- numbers ---------------------------------------------------------------------------------


def test_integer_within_bounds() -> None:
    assert_accepts(question("integer", min=0, max=500), 0, 1, 500)


def test_integer_refuses_other_numbers_and_words() -> None:
    message = "Nombre entier attendu (sans virgule)."
    assert_rejects(question("integer", min=0, max=500), message, 1.5, 2.0, "12", True, False, [1])


def test_integer_beyond_any_float_is_refused() -> None:
    assert check(question("integer"), 10**400) == "Nombre trop grand."
    assert check(question("integer"), 10**300) is None


def test_integer_bounds_messages() -> None:
    both = question("integer", min=0, max=500)
    assert_rejects(both, "La valeur doit être comprise entre 0 et 500.", -1, 501)
    assert check(question("integer", min=0), -3) == "La valeur ne peut pas être négative."
    assert check(question("integer", min=1), 0) == "La valeur doit être au moins 1."
    assert check(question("integer", max=1607), 1608) == f"La valeur ne peut pas dépasser 1{NNBSP}607."
    assert (
        check(question("integer", min=0, max=5000), 12_000) == f"La valeur doit être comprise entre 0 et 5{NNBSP}000."
    )


def test_decimal_accepts_ints_and_decimals_within_bounds() -> None:
    assert_accepts(question("decimal", min=0, max=10, decimals=2), 0, 3, 0.5, 1.25, 10.0, 9.99)


def test_decimal_counts_decimals() -> None:
    q = question("decimal", min=0, max=10, decimals=2)
    assert_rejects(q, "2 chiffre(s) après la virgule au maximum.", 1.234, 0.001, 0.1 + 0.2)
    assert check(question("decimal", decimals=0), 2.5) == "0 chiffre(s) après la virgule au maximum."
    assert check(question("decimal"), 1.23456789) is None  # no limit declared


def test_decimal_refuses_words_booleans_and_non_finite_numbers() -> None:
    message = "Nombre attendu (par exemple 1,5)."
    assert_rejects(question("decimal", min=0), message, "1,5", "1.5", True, math.nan, math.inf, -math.inf, None)


def test_decimal_bounds_messages_in_french_notation() -> None:
    assert check(question("decimal", min=0.5), 0.25) == "La valeur doit être au moins 0,5."
    assert check(question("decimal", min=0, max=2.5), 3) == "La valeur doit être comprise entre 0 et 2,5."
    assert check(question("decimal", min=0), -0.01) == "La valeur ne peut pas être négative."


def test_decimal_huge_integer_is_refused_not_a_crash() -> None:
    q = question("decimal", min=0, max=100)
    assert check(q, 10**400) is not None
    assert check(question("decimal"), 10**400) is not None
    assert shape_error(q, 10**400) is not None


# --- e-mail, phone, date -------------------------------------------------------------------------


def test_email() -> None:
    q = question("email")
    assert_accepts(q, "contact@association.fr", "prenom.nom+clas@centre-social.asso.fr", "a_b@x-y.com")
    assert_rejects(
        q,
        "Adresse e-mail invalide (exemple : contact@association.fr).",
        "contact",
        "contact@",
        "contact@association",
        "@association.fr",
        "con tact@association.fr",
        "contact@@association.fr",
        "contact@-association.fr",
        "a@" + "b" * 250 + ".fr",
        42,
    )


def test_french_phone_numbers() -> None:
    q = question("phone")
    assert_accepts(
        q,
        "01 23 45 67 89",
        "0123456789",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "+33 1 23 45 67 89",
        "0033 6 12 34 56 78",
        "+262 262 12 34 56",  # La Réunion
    )
    assert_rejects(
        q,
        "Numéro de téléphone invalide : 10 chiffres, par exemple 01 23 45 67 89.",
        "01 23 45 67 8",
        "01 23 45 67 890",
        "1234567890",
        "0023456789",
        "+44 20 7946 0958",
        "+33 0 12 34 56 78",
        "01 23 45 67 8a",
        "0１２３４５６７８９",  # full-width digits
        "01２３４５６７８９",
        123456789,
    )


def test_date_is_iso_calendar_date() -> None:
    q = question("date")
    assert_accepts(q, "2025-09-10", "2024-02-29")
    assert_rejects(
        q,
        "Date invalide (format attendu : AAAA-MM-JJ).",
        "10/09/2025",
        "2025-02-30",
        "2025-9-10",
        "20250910",
        "2025-W37-3",  # an ISO week date is a date, but not in the expected format
        "2025-09-10T12:00",
        20250910,
    )


# --- SIRET, SIREN ------------------------------------------------------------------------------


def test_siret_valid_numbers() -> None:
    q = question("siret")
    # A real SIRET; the same with spaces; La Poste (SIREN 356000000) with a Luhn-valid and a
    # Luhn-invalid establishment number: La Poste's SIRETs follow their own rule (digit sum % 5).
    assert_accepts(q, "73282932000074", "732 829 320 00074", "35600000000048", "35600000049837")


def test_siret_wrong_checksum() -> None:
    message = "SIRET invalide : la clé de contrôle ne correspond pas. Vérifiez chaque chiffre."
    assert_rejects(question("siret"), message, "73282932000075", "73282932000047", "35600000049838")


def test_siret_wrong_length_or_characters() -> None:
    message = "Le SIRET doit compter exactement 14 chiffres."
    assert_rejects(question("siret"), message, "7328293200007", "732829320000740", "7328293200007A", "")
    assert check(question("siret"), 73282932000074) == "Le SIRET s'écrit avec 14 chiffres."


def test_siren() -> None:
    q = question("siren")
    assert_accepts(q, "732829320", "732 829 320", "356000000")
    assert_rejects(q, "SIREN invalide : la clé de contrôle ne correspond pas. Vérifiez chaque chiffre.", "732829321")
    assert_rejects(q, "Le SIREN doit compter exactement 9 chiffres.", "73282932", "7328293200", "73282932O")
    assert check(q, 732829320) == "Le SIREN s'écrit avec 9 chiffres."


# --- postal and INSEE codes --------------------------------------------------------------------


def test_postal_code() -> None:
    q = question("postal_code")
    assert_accepts(q, "73000", "01000", "20000", "20090", "97400", "98000", " 73000 ")
    assert_rejects(
        q,
        "Code postal invalide : 5 chiffres, par exemple 73000.",
        "00100",
        "99000",
        "7300",
        "730000",
        "73O00",
        "73 000",
        "73０００",  # full-width digits
        73000,
    )


def test_insee_code_mainland_corsica_and_overseas() -> None:
    q = question("insee_code")
    assert_accepts(q, "73065", "01001", "95018", "2A004", "2B033", "2a004", "97411", "97101", "97611", "97701", "97801")
    assert_rejects(
        q,
        "Code Insee invalide : 5 caractères, par exemple 73065 (2A004 ou 2B033 en Corse).",
        "20004",  # department 20 no longer exists: Corsica is 2A / 2B
        "96001",
        "96999",
        "97911",
        "00001",
        "2C004",
        "7306",
        "730650",
        "73０65",  # full-width digits
        73065,
    )


# --- choices, matrices, files ------------------------------------------------------------------


def test_single_choice() -> None:
    q = question("single_choice")
    assert_accepts(q, "a", "c")
    assert_rejects(q, "Choisissez une des réponses proposées.", "d", "A", ["a"], 1, True)


def test_multiple_choice() -> None:
    q = question("multiple_choice")
    assert_accepts(q, ["a"], ["c", "a"], ["a", "b", "c"])
    assert_rejects(q, "Choisissez parmi les réponses proposées.", ["d"], "a", [1], [["a"]], {"a": True})
    assert check(q, ["a", "a"]) == "Une même réponse est cochée deux fois."


def test_matrix_complete_and_partial() -> None:
    q = question("matrix")
    assert_accepts(q, {"r1": "a", "r2": "c"})
    assert check(q, {"r1": "a"}) == (
        "Répondez pour chaque ligne du tableau (1 sur 2 renseignées). Il manque : «\u00a0Ligne 2\u00a0»."
    )
    # A half-filled matrix is a draft the store keeps: its shape is right.
    assert shape_error(q, {"r1": "a"}) is None


def test_matrix_names_the_missing_rows() -> None:
    """Review finding 8: which rows are missing, the first two then « et N autres » past three."""
    rows = [{"id": f"r{n}", "label": label} for n, label in enumerate(
        ["Difficultés scolaires dans les apprentissages fondamentaux (calcul, lecture, écriture)",
         "Conditions de logement", "Accès limité à des activités socio-culturelles", "Disponibilité réduite",
         "Parents en difficulté socio-économique"])]  # fmt: skip
    q = question("matrix", rows=rows)
    assert check(q, {"r0": "a", "r2": "b", "r4": "c"}) == (
        "Répondez pour chaque ligne du tableau (3 sur 5 renseignées). "
        "Il manque : «\u00a0Conditions de logement\u00a0» et «\u00a0Disponibilité réduite\u00a0»."
    )
    assert check(q, {"r4": "c"}) == (
        "Répondez pour chaque ligne du tableau (1 sur 5 renseignées). Il manque : «\u00a0Difficultés scolaires "
        "dans les apprentissages fondamentaux\u00a0», «\u00a0Conditions de logement\u00a0» et 2 autres."
    )
    assert check(q, {"r1": "a", "r2": "a", "r3": "a", "r4": "a"}).endswith(  # type: ignore[union-attr]
        "Il manque : «\u00a0Difficultés scolaires dans les apprentissages fondamentaux\u00a0»."
    )


def test_a_long_row_label_is_cut_at_a_word() -> None:
    long = "Rencontres individuelles programmées entre les parents et les accompagnateurs (et l'enfant)"
    q = question("matrix", rows=[{"id": "r1", "label": long}, {"id": "r2", "label": "Ligne 2"}])
    assert check(q, {"r2": "a"}).endswith(  # type: ignore[union-attr]
        "Il manque : «\u00a0Rencontres individuelles programmées entre les parents et…\u00a0»."
    )


def test_matrix_unknown_rows_or_columns() -> None:
    q = question("matrix")
    assert_rejects(q, "Réponse inconnue dans le tableau.", {"r1": "a", "r2": "z"}, {"r3": "a"}, {"r1": ["a"]})
    assert_rejects(q, "Répondez pour chaque ligne du tableau.", ["a", "b"], "a")


def _file(**changes: Any) -> dict[str, Any]:
    return {"name": "Bilan illustré.pdf", "sha256": "ab" * 32, "size": 2048, "media_type": "application/pdf", **changes}


def test_file_within_limits() -> None:
    q = question("file", accept=["application/pdf", "image/png"], max_size_bytes=1_048_576)
    assert_accepts(q, _file(), _file(media_type="image/png", size=1_048_576), _file(size=0))


def test_file_too_big_or_wrong_type() -> None:
    q = question("file", accept=["application/pdf", "image/png"], max_size_bytes=1_048_576)
    assert check(q, _file(size=1_048_577)) == "Document trop volumineux : 1 Mo au maximum."
    assert check(q, _file(media_type="application/zip")) == (
        "Type de document non accepté (PDF, document texte ou image)."
    )
    assert check(question("file", max_size_bytes=10_485_760), _file(size=20_000_000)) == (
        "Document trop volumineux : 10 Mo au maximum."
    )


def test_file_badly_described() -> None:
    q = question("file")
    assert_rejects(
        q,
        "Document mal décrit (nom, empreinte, taille et type attendus).",
        {"name": "a.pdf"},
        _file(extra=1),
        _file(name=""),
        _file(name="   "),
        _file(sha256="AB" * 32),
        _file(sha256="ab" * 31),
        _file(size=-1),
        _file(size=True),
        _file(size=1.5),
        _file(media_type=["application/pdf"]),
        _file(media_type=None),
        "a.pdf",
    )


# --- shape and normal form ---------------------------------------------------------------------


def test_shape_accepts_invalid_content_of_the_right_type() -> None:
    """A draft may hold a wrong SIRET, an out-of-range count or a half-filled matrix."""
    assert shape_error(question("siret"), "123") is None
    assert shape_error(question("integer", min=0, max=10), 99) is None
    assert shape_error(question("postal_code"), "abc") is None
    assert shape_error(question("text"), None) is None


@pytest.mark.parametrize(
    ("type_", "value", "expected"),
    [
        ("integer", "douze", "un nombre entier"),
        ("integer", 1.5, "un nombre entier"),
        ("integer", True, "un nombre entier"),
        ("decimal", "1,5", "un nombre"),
        ("decimal", math.nan, "un nombre"),
        ("yes_no", "oui", "oui ou non (true / false)"),
        ("yes_no", 1, "oui ou non (true / false)"),
        ("text", 12, "du texte"),
        ("siret", 73282932000074, "du texte"),
        ("single_choice", "z", "un des choix proposés"),
        ("multiple_choice", "a", "une liste de choix proposés"),
        ("matrix", {"r9": "a"}, "un choix par ligne du tableau"),
        ("file", "document.pdf", "un document décrit par name, sha256, size et media_type"),
    ],
)
def test_shape_error_names_the_question_and_what_is_expected(type_: str, value: Any, expected: str) -> None:
    assert (
        shape_error(question(type_), value)
        == f"Réponse de type inattendu pour « Question d'essai » : {expected} attendu."
    )


def test_shape_refuses_text_that_cannot_be_stored() -> None:
    """A JSON file may carry a lone surrogate ("\\ud800"): it is no text, and SQLite cannot store it."""
    assert shape_error(question("text"), "Chamb\ud800ry") is not None
    assert shape_error(question("file"), _file(name="bilan\udcff.pdf")) is not None


def test_normalise_gives_the_canonical_form() -> None:
    assert normalise(question("siret"), "732 829 320 00074") == "73282932000074"
    assert normalise(question("siren"), " 732.829.320 ") == "732829320"
    assert normalise(question("phone"), "06.12 34-56 78") == "0612345678"
    assert normalise(question("insee_code"), " 2a004 ") == "2A004"
    assert normalise(question("text"), "  Réussir Ensemble \n") == "Réussir Ensemble"
    assert normalise(question("postal_code"), "73000 ") == "73000"
    assert normalise(question("integer"), 12) == 12
    assert normalise(question("matrix"), {"r1": "a"}) == {"r1": "a"}


# --- properties --------------------------------------------------------------------------------

_DEFINITIONS: list[FormDefinition] = [load_definition(p) for p in (OFFICIAL_PATH, ESSAI_V1_PATH, ESSAI_V2_PATH)]
# Every distinct question (clas-essai v2 repeats most of v1).
ALL_QUESTIONS: list[Question] = list({q.model_dump_json(): q for d in _DEFINITIONS for q in d.questions()}.values())

_TRICKY_NUMBERS = [0, -1, 10**400, -(10**400), 2**63, 2**1024, 1e308, -0.0, 5e-324]
_TRICKY_TEXT = ["73282932000074", "732829320", "2A004", "73000", "0123456789", "2025-09-10", "2025-W37-3", "\ud800"]


def json_values(q: Question) -> st.SearchStrategy[Any]:
    """Arbitrary JSON-like values, seeded with ids and formats this question knows."""
    hints = [o.id for o in (*q.choices, *q.rows)] + ["name", "sha256", "size", "media_type"] + _TRICKY_TEXT
    leaves = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.sampled_from(_TRICKY_NUMBERS)
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.text(max_size=40)
        | st.text(st.sampled_from("\ud800\udcff0123456789 .-+éA"), max_size=16)
        | st.from_regex(r"\s*[0-9A-B .\-+]{0,16}\s*", fullmatch=True)
        | st.sampled_from(hints)
    )
    keys = st.text(max_size=10) | st.sampled_from(hints)
    return st.recursive(
        leaves,
        lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5),
        max_leaves=12,
    )


def _assert_well_behaved(q: Question, value: Any) -> None:
    message = check(q, value)
    shape = shape_error(q, value)
    normalised = normalise(q, value)
    assert message is None or (isinstance(message, str) and message.strip())
    assert shape is None or (isinstance(shape, str) and q.label in shape)
    # Whatever is valid has the right shape, and stays valid once normalised (what is transmitted).
    if message is None:
        assert shape is None
        assert check(q, normalised) is None
        assert normalise(q, normalised) == normalised


_CORPUS: list[Any] = [
    None,
    True,
    False,
    *_TRICKY_NUMBERS,
    math.nan,
    math.inf,
    -math.inf,
    1.5,
    *_TRICKY_TEXT,
    "",
    "   ",
    "\x00",
    [],
    {},
    [None],
    ["a", "a"],
    [[]],
    {"": None},
    {"name": "x", "sha256": "0" * 64, "size": 10**400, "media_type": "application/pdf"},
    {"name": "x", "sha256": "0" * 64, "size": 1, "media_type": {"a": [1]}},
]


@pytest.mark.parametrize("q", ALL_QUESTIONS, ids=lambda q: f"{q.type}-{q.id}")
def test_validators_never_raise_on_tricky_values(q: Question) -> None:
    own = [o.id for o in q.choices] + [{r.id: c.id for r in q.rows for c in q.choices[:1]}, [o.id for o in q.choices]]
    for value in [*_CORPUS, *own]:
        _assert_well_behaved(q, value)


_QUESTION_AND_VALUE = st.one_of(*(st.tuples(st.just(q), json_values(q)) for q in ALL_QUESTIONS))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_QUESTION_AND_VALUE)
def test_validators_never_raise(case: tuple[Question, Any]) -> None:
    """Any question of the official and test definitions, any JSON-like value: an answer, never an exception."""
    _assert_well_behaved(*case)


_VALID_EXAMPLES = {
    "siret": ["73282932000074", "732 829 320 00074", "35600000049837"],
    "siren": ["732829320", "732 829 320"],
    "phone": ["01 23 45 67 89", "+33 6 12 34 56 78"],
    "postal_code": ["73000", "20000"],
    "insee_code": ["2a004", "97411", "73065"],
    "email": ["contact@association.fr"],
    "text": ["Réussir Ensemble"],
    "long_text": ["Bilan de l'année : très positif."],
}


@settings(max_examples=150, deadline=None)
@given(
    type_=st.sampled_from(sorted(_VALID_EXAMPLES)),
    pick=st.integers(min_value=0, max_value=10),
    before=st.sampled_from(["", " ", "  ", "\t", "\n "]),
    after=st.sampled_from(["", " ", "\t", " \n"]),
)
def test_normalised_valid_values_stay_valid(type_: str, pick: int, before: str, after: str) -> None:
    q = question(type_)
    examples = _VALID_EXAMPLES[type_]
    value = before + examples[pick % len(examples)] + after
    assert check(q, value) is None
    canonical = normalise(q, value)
    assert check(q, canonical) is None
    assert canonical == canonical.strip()
    assert normalise(q, canonical) == canonical
