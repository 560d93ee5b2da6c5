"""Rate limits live in the database, so every worker and node counts the same tries; sign-in is limited by the
account tried and, separately and more loosely, by the address, so one wrong password does not lock a district out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from clearinghouse.accounts import service as accounts
from clearinghouse.extensions import db
from clearinghouse.models import RateLimitCounter
from clearinghouse.ratelimit import ACCOUNT_LIMITED, ADDRESS_LIMITED, API_LIMITED

from .conftest import ON_POSTGRES, PASSWORD, make_app
from .vetting_helpers import user

ROOT = Path(__file__).resolve().parent.parent
LIMITS = dict(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="database://",
              LOGIN_ACCOUNT_RATE_LIMIT="3 per minute", LOGIN_ADDRESS_RATE_LIMIT="8 per minute")


def wrong(client, email: str, address: str = "10.1.1.1"):
    return client.post("/login", data={"email": email, "password": "not the password"},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def limited(app, tmp_path, people):
    """A second app (a second worker) on the same database as `app`, with the limits on; `app` too."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config.update(RATELIMIT_ENABLED=True)
    workers = [make_app(tmp_path / f"w{i}", DATABASE_URL=url, **LIMITS) for i in (1, 2)]
    yield workers
    for worker in workers:
        with worker.app_context():
            db.engine.dispose()


def test_two_workers_on_one_database_share_the_count(limited, people):
    first, second = (w.test_client() for w in limited)
    email = people["contributor"].email
    assert [wrong(first, email).status_code for _ in range(2)] == [400, 400]
    assert wrong(second, email).status_code == 400  # the third wrong try, on the other worker
    refused = wrong(first, email)
    assert refused.status_code == 429 and ACCOUNT_LIMITED in refused.text
    assert wrong(second, email).status_code == 429
    # …even the right password waits for the window to end
    right = second.post("/login", data={"email": email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert right.status_code == 429
    with limited[0].app_context():  # the counts are rows in the shared database, not in a worker's memory
        assert db.session.execute(select(func.sum(RateLimitCounter.hits))).scalar() >= 3


@pytest.mark.skipif(ON_POSTGRES, reason="the other process opens the SQLite file; PostgreSQL is shared the same way")
def test_another_process_sees_the_count(limited, people):
    email = people["contributor"].email
    client = limited[0].test_client()
    assert [wrong(client, email).status_code for _ in range(3)] == [400, 400, 400]
    script = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from clearinghouse import create_app
app = create_app({{"APP_ENV": "test", "DATABASE_URL": {limited[0].config["SQLALCHEMY_DATABASE_URI"]!r},
                  "INSTANCE_DIR": {str(Path(limited[0].config["INSTANCE_DIR"]).parent / "other")!r},
                  "SEARCH_INDEX_DIR": {str(Path(limited[0].config["INSTANCE_DIR"]).parent / "other-index")!r},
                  **{LIMITS!r}}})
answer = app.test_client().post("/login", data={{"email": {email!r}, "password": "nope"}},
                                environ_base={{"REMOTE_ADDR": "10.1.1.1"}})
print(answer.status_code)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert done.stdout.strip().splitlines()[-1] == "429", done.stderr


def test_a_wrong_password_for_one_account_does_not_block_another_from_the_same_address(limited, people):
    client = limited[0].test_client()
    for _ in range(3):
        wrong(client, people["contributor"].email)
    assert wrong(client, people["contributor"].email).status_code == 429
    colleague = client.post("/login", data={"email": people["other"].email, "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert colleague.status_code == 302  # signed in
    assert wrong(client, people["reviewer"].email).status_code == 400  # a mistake of their own still counts alone


def test_the_address_has_a_looser_limit_of_its_own(limited, people):
    client = limited[0].test_client()
    emails = [f"guess{i}@example.org" for i in range(8)]
    assert {wrong(client, email).status_code for email in emails} == {400}
    refused = wrong(client, "one-more@example.org")
    assert refused.status_code == 429 and ADDRESS_LIMITED in refused.text
    assert "<h1>" in refused.text  # a page, with the reason on it
    assert wrong(client, "one-more@example.org", address="10.9.9.9").status_code == 400  # another address is fine


def test_a_right_password_does_not_count_against_the_account(limited, people):
    client = limited[0].test_client()
    for _ in range(5):
        right = client.post("/login", data={"email": people["other"].email, "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.2.2.2"})
        assert right.status_code == 302
        client.post("/logout")


def test_the_api_limit_answers_json(tmp_path, people, app):
    api = make_app(tmp_path / "api", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                   **{**LIMITS, "API_RATE_LIMIT": "2 per minute"})
    client = api.test_client()
    with api.app_context():
        first, second = (accounts.create_token(user(people[kind]), "limits")[1] for kind in ("contributor", "other"))
    mine = {"Authorization": f"Bearer {first}"}
    assert [client.get("/api/v1/leas", headers=mine).status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/v1/leas", headers=mine)  # the ContractClient checks the 429 against the document
    assert refused.status_code == 429 and refused.headers["Content-Type"].startswith("application/json")
    assert json.loads(refused.text)["error"]["message"] == API_LIMITED
    assert "Retry-After" in refused.headers
    assert client.get("/api/v1/leas", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    # Public reads without a token are not counted in the database (a write per search): the proxy's to limit.
    assert {client.get("/api/v1/leas").status_code for _ in range(3)} == {200}
    with api.app_context():
        db.engine.dispose()


def test_behind_a_trusted_proxy_each_client_address_counts_alone(tmp_path, app, people):
    proxied = make_app(tmp_path / "proxied", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], TRUSTED_PROXIES=1,
                       **LIMITS)
    client = proxied.test_client()

    def via_balancer(email, client_address):
        return client.post("/login", data={"email": email, "password": "not the password"},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={"X-Forwarded-For": client_address})

    assert {via_balancer(f"a{i}@example.org", "198.51.100.7").status_code for i in range(8)} == {400}
    assert via_balancer("a9@example.org", "198.51.100.7").status_code == 429
    assert via_balancer("b1@example.org", "198.51.100.8").status_code == 400  # another client, same balancer
    with proxied.app_context():
        db.engine.dispose()
