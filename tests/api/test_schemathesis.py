"""Fuzz the API from its own OpenAPI document: no 500s, and responses match the schema.

The examples are bounded per operation so the suite stays quick; every operation the document
lists is exercised, authenticated as an admin so role checks do not hide the handlers.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from planner.accounts.services import create_token

MAX_EXAMPLES = 30


@pytest.fixture
def fuzz_target(app, db, admin):
    token = create_token(db, None, admin, "fuzz")
    db.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return schema, {"Authorization": f"Bearer {token}"}


def test_api_fuzzing_finds_no_server_errors_and_valid_responses(fuzz_target) -> None:
    schema, headers = fuzz_target
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the OpenAPI document lists no operations"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            case.call_and_validate(headers=headers)

        check()
