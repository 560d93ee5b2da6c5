"""Property tests with hypothesis: search text, importer records and form posts of any shape never give a 500,
and nothing reaches the database without passing validation."""

from __future__ import annotations

import copy
import math
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from clearinghouse.accounts import service as accounts
from clearinghouse.extensions import db
from clearinghouse.models import LEA, Practice, Revision, Tag
from clearinghouse.practices.importing import import_practices
from clearinghouse.practices.interchange import RawRecord
from clearinghouse.records import revision_to_record
from clearinghouse.vetting.forms import form_values

from .conftest import PASSWORD, SAMPLE, make_app

pytestmark = pytest.mark.fuzz
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Any code point, lone surrogates and NUL included, and now and then something very long.
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
# The characters that have broken web apps, often, so a few dozen examples meet them.
SPECIALS = ["\x00", "a\x00", "\ud800", "\udfff", "\r\n", "\u202e", "\ufeff", "\u0301", "\U0001f600", "<script>",
            "'", '"', "%", "\\", "*", "?", "AND", "OR", "NOT", "(", ")", ":", "~2", "^", "{", "[", "-", "9" * 25]
HOSTILE = st.lists(st.one_of(st.sampled_from(SPECIALS), st.text(ANY_CHAR, max_size=6)), max_size=6).map("".join)
ANY_TEXT = st.one_of(HOSTILE, st.text(ANY_CHAR, max_size=60),
                     st.builds(lambda s, n: s * n, st.text(ANY_CHAR, min_size=1, max_size=5),
                               st.integers(1000, 3000)))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | HOSTILE | st.text(ANY_CHAR, max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE | st.text(ANY_CHAR, max_size=12), inner,
                                                                max_size=4),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One seeded site for the module (hypothesis runs many examples per test)."""
    from clearinghouse.cli import seed_database

    app = make_app(tmp_path_factory.mktemp("properties"), WTF_CSRF_ENABLED=False, MAIL_SEND_AFTER_COMMIT=False)
    with app.app_context():
        assert not seed_database().errors
        lea = db.session.execute(select(LEA.name).limit(1)).scalar()
        accounts.create_user("writer@example.org", ["contributor"], lea_name=lea, password=PASSWORD)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def query_string(pairs) -> str:
    """Percent-encoded as a hostile client would send it: lone surrogates as the bytes UTF-8 would give them."""
    pairs = pairs.items() if isinstance(pairs, dict) else pairs
    return "&".join(f"{quote(k.encode('utf-8', 'surrogatepass'))}={quote(v.encode('utf-8', 'surrogatepass'))}"
                    for k, v in pairs)


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar()
                for model in (Practice, Revision, LEA, Tag)}


# ---------------------------------------------------------------- search


@SETTINGS
@given(q=ANY_TEXT, extra=st.dictionaries(st.sampled_from(["page", "sort", "topics", "evidence_level", "county",
                                                          "exact", "per_page", "x"]), ANY_TEXT, max_size=3))
def test_search_text_of_any_kind_never_fails(site, q, extra):
    client = site.test_client()  # the ContractClient: API answers are checked against the OpenAPI document
    for path in ("/search", "/api/v1/search"):
        answer = client.get(f"{path}?{query_string({'q': q, **extra})}")
        assert answer.status_code in (200, 400, 414), (path, q, answer.status_code, answer.text[:300])
        if answer.status_code == 400 and path.startswith("/api/"):
            assert answer.json["error"]["message"]


# ---------------------------------------------------------------- the importer


def mutated_sample(path: list[str], value):
    """The valid sample record with one field (top-level or in a group) replaced by arbitrary JSON."""
    record = copy.deepcopy(SAMPLE)
    target = record
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return record


PATHS = [[k] for k in SAMPLE] + [["lea", k] for k in SAMPLE["lea"]] + [["sections", k] for k in SAMPLE["sections"]]
RECORDS = st.one_of(JSON, st.builds(mutated_sample, st.sampled_from(PATHS), JSON))


def unstorable(text: str) -> bool:
    """NUL (PostgreSQL refuses it) or a lone surrogate (not UTF-8): written here, not imported, so a test of
    security.text_problem cannot agree with a broken copy of itself."""
    return "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def strings_in(value):
    """Every string in a JSON value (keys included); a NaN or an infinity counts as the text "nan"/"inf"."""
    if isinstance(value, float) and not math.isfinite(value):
        yield "\x00" + str(value)  # reported as storable nowhere, like a NUL
    elif isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings_in(k)
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


@SETTINGS
@given(data=RECORDS, publish=st.booleans())
def test_importer_records_are_valid_or_refused_and_refused_ones_write_nothing(site, data, publish):
    before = counts(site)
    with site.app_context():
        report = import_practices([RawRecord(1, data)], publish=publish)  # any other exception fails the test
        if report.errors:
            assert not report.written
            db.session.rollback()
        else:
            # what validation let through can be stored anywhere (and sent back as JSON): no NUL, no lone
            # surrogate, no NaN or infinity
            assert report.written
            assert not any(unstorable(s) for s in strings_in(data))
    if report.errors:
        assert counts(site) == before


# ---------------------------------------------------------------- form posts

FORM_NAMES = sorted({*form_values(SAMPLE), "outcome_metrics[0].label", "outcome_metrics[0].baseline",
                     "outcome_metrics[0].unit", "resources[0].url", "resources[0].title",
                     "outcome_metrics[99999999999999999999].label", "draft_key"})


@SETTINGS
@given(field=st.tuples(st.sampled_from(FORM_NAMES), HOSTILE),
       fields=st.lists(st.tuples(st.one_of(st.sampled_from(FORM_NAMES), st.text(ANY_CHAR, max_size=20)), ANY_TEXT),
                       max_size=8),
       action=st.sampled_from(["save", "submit", "preview", "", "nonsense"]))
def test_random_draft_posts_never_fail_and_refusals_change_nothing(site, field, fields, action):
    fields = [field, *fields]  # at least one field of the form, with something hostile in it
    client = site.test_client()
    client.post("/login", data={"email": "writer@example.org", "password": PASSWORD})
    before = counts(site)
    with site.app_context():
        submitted_before = db.session.execute(
            select(func.count()).select_from(Revision).where(Revision.state == "submitted")).scalar()
    body = query_string([*fields, ("action", action)])
    answer = client.post("/submit", data=body.encode(), content_type="application/x-www-form-urlencoded")
    assert answer.status_code in (200, 302, 400, 413), (fields, answer.status_code, answer.text[:300])
    if answer.status_code == 400:
        assert counts(site) == before
    if counts(site)["Revision"] > before["Revision"]:  # a draft was saved: what it holds can be stored anywhere
        with site.app_context():
            newest = db.session.execute(select(Revision).order_by(Revision.id.desc()).limit(1)).scalar_one()
            assert not any(unstorable(s) for s in strings_in(revision_to_record(newest)))
    with site.app_context():
        submitted = db.session.execute(
            select(func.count()).select_from(Revision).where(Revision.state == "submitted")).scalar()
    if answer.status_code != 302 or action != "submit":
        assert submitted == submitted_before  # only a submission that passed strict validation is submitted
