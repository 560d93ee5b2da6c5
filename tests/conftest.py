"""Fixtures: each test gets a fresh database and a fresh search index in a temporary folder."""

from __future__ import annotations

import atexit
import copy
import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from clearinghouse import create_app
from clearinghouse.extensions import db

from .api_contract import ContractClient
from .mailbox import mailbox as _mailbox

SEED_DIR = Path(__file__).resolve().parent.parent / "seed" / "practices"


# `TEST_DATABASE=postgresql` runs every test on a real PostgreSQL server that this process starts itself (one per
# pytest worker) with a fresh database per app; otherwise a SQLite file per test. `make test` runs both.
ON_POSTGRES = os.environ.get("TEST_DATABASE") == "postgresql"
_postgres = None
_databases = itertools.count()


def database_url(tmp_path: Path) -> str:
    global _postgres
    if not ON_POSTGRES:
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    if _postgres is None:
        from .postgres_server import PostgresServer

        _postgres = PostgresServer().start()
        atexit.register(_postgres.stop)
    return _postgres.create_database(f"t{os.getpid()}_{next(_databases)}")


def make_app(tmp_path: Path, **overrides):
    config = {
        "APP_ENV": "test",
        "DATABASE_URL": database_url(tmp_path),
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SERVER_NAME": "localhost",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": _mailbox().port,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = ContractClient
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def app(tmp_path):
    # CSRF is proven on its own (test_accounts.py); the other tests post forms without the token.
    app = make_app(tmp_path, WTF_CSRF_ENABLED=False)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def mailbox():
    box = _mailbox()
    box.clear()
    return box


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def seeded(app):
    """The app with the seed content loaded and published (and indexed), as `make run` does."""
    from clearinghouse.cli import seed_database

    with app.app_context():
        report = seed_database()
        assert report is not None and not report.errors, report and [str(e) for e in report.errors]
    return app


def seed_records() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(SEED_DIR.glob("*.json"))]


@pytest.fixture
def practice_record() -> dict:
    """A complete, valid practice in the interchange format (a fresh copy each time)."""
    return copy.deepcopy(SAMPLE)


SAMPLE = {
    "title": "Attendance teams that call home on day two",
    "summary": "A rural district cut chronic absenteeism by calling families on the second day of absence.",
    "lea": {"name": "Sample Valley Unified", "cds_code": "10101010000000", "type": "district",
            "county": "Fresno", "locale": "rural", "enrollment": 4200, "unduplicated_pct": 81.5,
            "el_pct": 24.0, "foster_youth_pct": 0.8},
    "state_priorities": [5, 6],
    "student_groups": ["socioeconomically_disadvantaged", "homeless"],
    "grade_spans": ["k_5", "6_8"],
    "dashboard_indicators": ["chronic_absenteeism"],
    "topics": ["attendance", "family_engagement"],
    "support_tiers": ["tier1", "tier2"],
    "evidence_level": "local",
    "sections": {
        "problem": "One student in four was **chronically absent** in 2018-19.",
        "root_causes": "Families did not know that absences in kindergarten matter.",
        "journey": "The team started with one school and a spreadsheet.\n\n- Week 1: lists\n- Week 2: calls",
        "actions": "Office staff call home on the second day of any absence.",
        "outcomes": "Chronic absenteeism fell from 25% to 17%. Calls on day one annoyed families; "
                    "day two worked better.",
        "lessons": "Start small and keep the data weekly.",
    },
    "outcome_metrics": [{"label": "Chronic absenteeism rate", "indicator": "chronic_absenteeism",
                         "student_group": "all_students", "baseline": 25.0, "baseline_year": "2018-19",
                         "result": 17.0, "result_year": "2020-21", "unit": "percent"}],
    "investment": {"amount_usd": 42000, "notes": "Two part-time attendance clerks."},
    "timeline": {"start_year": 2019, "end_year": 2021},
    "contact": {"name": "Pat Example", "title": "Director of Student Services", "email": "pat@example.org"},
    "resources": [{"title": "Call script", "url": "https://example.org/script.pdf"}],
    "keywords": ["attendance clerk", "day-two call"],
}


PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    kind: str
    email: str
    id: int
    password: str = PASSWORD


def _register(kind: str, email: str, lea: dict, box) -> Person:
    """A contributor registered and confirmed the way a person does it: the form's service, then the link."""
    from clearinghouse.accounts import service

    user = service.register(kind.title(), email, PASSWORD, "new", lea)
    token = box.link(email, "/confirm/").rsplit("/", 1)[1]
    service.confirm(token)
    return Person(kind, email, user.id)


@pytest.fixture
def people(app, mailbox) -> dict[str, Person]:
    """One user of every kind: contributor, a contributor of another LEA, two reviewers, facilitator, admin."""
    from clearinghouse.accounts import service

    with app.app_context():
        found = {
            "contributor": _register("contributor", "casey@sample-valley.example.org",
                                     {"name": "Sample Valley Unified", "county": "Fresno", "type": "district"},
                                     mailbox),
            "other": _register("other", "olive@other-hills.example.org",
                               {"name": "Other Hills Unified", "county": "Kern", "type": "district"}, mailbox),
        }
        _register("staff", "riley@river-coe.example.org",
                  {"name": "River County Office of Education", "county": "Yolo", "type": "county_office"}, mailbox)
        staff = service.find_user("riley@river-coe.example.org")
        service.set_role(service.create_user("root@example.org", ["admin"], password=PASSWORD)[0], staff.id,
                         "reviewer", True)
        found["reviewer"] = Person("reviewer", staff.email, staff.id)
        for kind, email, roles in (("reviewer2", "rowan@example.org", ["reviewer"]),
                                   ("facilitator", "frankie@example.org", ["facilitator"]),
                                   ("admin", "alex@example.org", ["admin"])):
            user, _ = service.create_user(email, roles, password=PASSWORD, name=kind.title())
            found[kind] = Person(kind, email, user.id)
    mailbox.clear()
    return found


def login(client, person: Person | None) -> None:
    """Sign `person` in on this client (a visitor stays signed out)."""
    if person is None:
        return
    response = client.post("/login", data={"email": person.email, "password": person.password})
    assert response.status_code == 302, response.text
