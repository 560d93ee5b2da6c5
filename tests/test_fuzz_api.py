"""Hostile input, generated: schemathesis sends every operation of /api/v1/openapi.json valid and invalid requests
against the real app (WSGI, seeded, with a real token for the authenticated operations). No answer may be a 500,
and every answer must be one the document describes (status, content type, body schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from clearinghouse.accounts import service as accounts
from clearinghouse.api.openapi import build_spec
from clearinghouse.extensions import db
from clearinghouse.models import LEA

from .conftest import make_app

pytestmark = pytest.mark.fuzz
EXAMPLES = 25  # per operation; 21 operations, about a minute in all


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    from clearinghouse.cli import seed_database

    app = make_app(tmp_path_factory.mktemp("fuzz"), WTF_CSRF_ENABLED=False, MAIL_SEND_AFTER_COMMIT=False)
    with app.app_context():
        report = seed_database()
        assert report is not None and not report.errors
        accounts.create_user("fuzz@example.org", ["contributor", "reviewer", "facilitator", "admin"],
                             lea_name=db.session.execute(db.select(LEA.name).limit(1)).scalar(),
                             password="a long fuzzing passphrase")
        token = accounts.token_for("fuzz@example.org", "schemathesis")
    assert app.test_client().get("/api/v1/openapi.json").json == DOCUMENT
    yield app, token
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# The document as /api/v1/openapi.json serves it (the app's SERVER_NAME is localhost; `fuzzed` checks they are the
# same). Loaded eagerly: schemathesis' lazy fixture loader does not run on pytest 9 (it sets Node._nodeid).
DOCUMENT = build_spec("http://localhost")
schema = schemathesis.openapi.from_dict(DOCUMENT)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_operation_answers_as_documented_and_never_500(case, fuzzed):
    app, token = fuzzed
    with app.app_context():
        headers = {"Authorization": f"Bearer {token}"} if case.operation.definition.raw.get("security") else {}
    case.call_and_validate(app=app, headers=headers, checks=[not_a_server_error, response_schema_conformance])
