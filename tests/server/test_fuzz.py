"""Schemathesis over the served OpenAPI description: whatever it sends, the server never answers 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode

from sync import protocol as p
from tests.server.conftest import Server

EXAMPLES_PER_OPERATION = 25


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_no_server_error_on_any_operation(server: Server, mode: GenerationMode) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    # A transmitted questionnaire, so that some generated paths may name something that exists.
    partner.transmit()
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 16
    failures: list[str] = []
    for operation in operations:
        _fuzz(server, operation, mode, reviewer.token if "/review/" in operation.path else partner.token, failures)
    assert failures == []


def _fuzz(server: Server, operation: APIOperation, mode: GenerationMode, token: str, failures: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), authenticated=st.booleans())
    def check(case: schemathesis.Case, authenticated: bool) -> None:
        headers = {"Authorization": f"Bearer {token}"} if authenticated else {}
        response = case.call(base_url=server.url, headers=headers, timeout=30)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}")
        elif response.status_code >= 400:
            content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])[0]
            assert content_type.startswith(p.PROBLEM_MEDIA_TYPE), response.text

    try:
        check()
    except Unsatisfiable:
        # Negative mode has nothing to break in an operation without inputs (GET /meta).
        assert mode == GenerationMode.NEGATIVE
