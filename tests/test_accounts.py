"""Accounts: register, confirm by mail, sign in (rate-limited, one answer for any mistake), reset, tokens, roles."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func

from clearinghouse.extensions import db
from clearinghouse.models import ApiToken, User

from .conftest import PASSWORD, login, make_app

NEW_LEA = {"lea": "new", "new_lea_name": "Pine Ridge Elementary", "new_lea_county": "Shasta",
           "new_lea_type": "district"}


def register(client, email="jo@pine-ridge.example.org", password=PASSWORD, **extra):
    return client.post("/register", data={"name": "Jo Writer", "email": email, "password": password,
                                          **NEW_LEA, **extra})


def test_register_confirm_by_the_mailed_link_then_sign_in(app, client, mailbox, caplog):
    page = register(client)
    assert page.status_code == 200 and "Check your email" in page.text
    subjects = mailbox.subjects("jo@pine-ridge.example.org")
    assert subjects == ["Confirm your email for the Promising Practices Clearinghouse"]
    assert PASSWORD not in caplog.text
    refused = client.post("/login", data={"email": "jo@pine-ridge.example.org", "password": PASSWORD})
    assert refused.status_code == 400 and "confirm your email first" in refused.text
    link = mailbox.link("jo@pine-ridge.example.org", "/confirm/")
    assert client.get(link).status_code == 302
    signed_in = client.post("/login", data={"email": "jo@pine-ridge.example.org", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert "Write a practice" in client.get("/").text
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == "jo@pine-ridge.example.org")).scalar_one()
        assert user.roles == {"contributor"} and user.lea.name == "Pine Ridge Elementary"
        assert user.lea.county == "Shasta" and PASSWORD not in user.password_hash


def test_register_with_a_known_lea_and_the_rules_for_passwords_and_duplicates(app, client, people):
    with app.app_context():
        known = db.session.get(User, people["contributor"].id).lea_id
    short = client.post("/register", data={"name": "A", "email": "a@example.org", "password": "too short",
                                           "lea": str(known)})
    assert short.status_code == 400 and "at least 12 characters" in short.text
    assert 'value="a@example.org"' in short.text  # what was typed stays
    taken = client.post("/register", data={"name": "A", "email": people["contributor"].email, "password": PASSWORD,
                                           "lea": str(known)})
    assert taken.status_code == 200 and "already has an account" not in taken.text  # see test_register_leak.py
    no_lea = client.post("/register", data={"name": "A", "email": "b@example.org", "password": PASSWORD,
                                            "lea": "new"})
    assert no_lea.status_code == 400 and "Choose the new LEA&#39;s county." in no_lea.text
    assert "Choose the new LEA&#39;s type." in no_lea.text and "Enter the new LEA&#39;s name." in no_lea.text
    ok = client.post("/register", data={"name": "A", "email": "c@example.org", "password": PASSWORD,
                                        "lea": str(known)})
    assert ok.status_code == 200


def test_a_wrong_email_and_a_wrong_password_get_the_same_answer(client, people):
    wrong_password = client.post("/login", data={"email": people["contributor"].email, "password": "x" * 14})
    wrong_email = client.post("/login", data={"email": "nobody@example.org", "password": PASSWORD})
    assert wrong_password.status_code == wrong_email.status_code == 400
    message = "That email and password do not match an account."
    assert message in wrong_password.text and message in wrong_email.text
    strip = lambda text: re.sub(r'name="csrf_token"[^>]*|value="[^"]*"', "", text)  # noqa: E731
    assert strip(wrong_password.text) == strip(wrong_email.text)


def test_login_is_rate_limited(tmp_path, people):
    app = make_app(tmp_path / "limited", WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True,
                   LOGIN_ACCOUNT_RATE_LIMIT="3 per minute")
    client = app.test_client()
    answers = [client.post("/login", data={"email": "x@example.org", "password": "wrong password!"}).status_code
               for _ in range(4)]
    assert answers == [400, 400, 400, 429]
    assert client.get("/login").status_code == 200  # only attempts count


def test_forgotten_password_reset_by_the_mailed_link_works_once(client, people, mailbox):
    email = people["contributor"].email
    same = client.post("/forgot", data={"email": "nobody@example.org"}).text
    answer = client.post("/forgot", data={"email": email}).text
    assert "If an account has the address" in answer and "If an account has the address" in same
    assert mailbox.to("nobody@example.org") == []
    link = mailbox.link(email, "/reset/")
    assert client.post(link, data={"password": "short"}).status_code == 400
    assert client.post(link, data={"password": "a brand new passphrase"}).status_code == 302
    assert client.get(link).status_code == 404  # used
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 400
    assert client.post("/login", data={"email": email, "password": "a brand new passphrase"}).status_code == 302


def test_a_tampered_confirmation_link_is_refused(client):
    assert client.get("/confirm/not-a-real-token").status_code == 404
    assert client.get("/reset/not-a-real-token").status_code == 404


def test_personal_access_tokens_are_shown_once_stored_hashed_listed_and_revoked(app, client, people):
    login(client, people["contributor"])
    created = client.post("/account/tokens", data={"name": "district data system"})
    assert created.status_code == 201
    token = re.search(r'<code class="token" id="new-token">([^<]+)</code>', created.text)[1]
    page = client.get("/account").text
    assert "district data system" in page and token not in page and "Never" in page
    with app.app_context():
        stored = db.session.execute(db.select(ApiToken)).scalar_one()
        assert stored.token_hash != token and token not in stored.token_hash
    api = app.test_client()
    assert api.get("/api/v1/submissions/1", headers={"Authorization": f"Bearer {token}"}).status_code == 404
    with app.app_context():
        assert db.session.execute(db.select(ApiToken)).scalar_one().last_used_at is not None
    assert "Never" not in client.get("/account").text
    with app.app_context():
        token_id = db.session.execute(db.select(ApiToken.id)).scalar_one()
    client.post(f"/account/tokens/{token_id}/revoke")
    assert api.get("/api/v1/submissions/1", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "Revoked" in client.get("/account").text


def test_every_form_carries_a_csrf_token_and_a_post_without_it_is_refused(tmp_path, people):
    app = make_app(tmp_path / "csrf")  # CSRF on, as in production
    client = app.test_client()
    for path in ("/login", "/register", "/forgot"):
        assert 'name="csrf_token"' in client.get(path).text, path
    assert client.post("/login", data={"email": "x@example.org", "password": PASSWORD}).status_code == 400
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    from clearinghouse.accounts import service

    with app.app_context():
        service.create_user("csrf@example.org", ["contributor", "reviewer", "admin"], password=PASSWORD)
    ok = client.post("/login", data={"email": "csrf@example.org", "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 302
    for path in ("/submit", "/account", "/admin/users", "/review"):
        assert 'name="csrf_token"' in client.get(path).text, path
    for path in ("/submit", "/account/tokens", "/logout", "/admin/users/1/roles"):
        assert client.post(path, data={"name": "x"}).status_code == 400, path


def test_admins_grant_and_remove_roles(client, people, app):
    login(client, people["admin"])
    page = client.get("/admin/users")
    assert page.status_code == 200 and people["other"].email in page.text
    client.post(f"/admin/users/{people['other'].id}/roles", data={"role": "reviewer", "grant": "1"})
    with app.app_context():
        assert db.session.get(User, people["other"].id).roles == {"contributor", "reviewer"}
    client.post(f"/admin/users/{people['other'].id}/roles", data={"role": "reviewer", "grant": "0"})
    with app.app_context():
        assert db.session.get(User, people["other"].id).roles == {"contributor"}
    assert client.post(f"/admin/users/{people['admin'].id}/roles",
                       data={"role": "admin", "grant": "0"}).status_code == 400


def test_the_audit_log_page_filters(client, people, app, practice_record):
    from .vetting_helpers import submitted

    submitted(app, people, practice_record)
    login(client, people["admin"])
    everything = client.get("/admin/audit").text
    assert "submit" in everything and people["contributor"].email in everything
    only_claims = client.get("/admin/audit?action=claim").text
    assert "2 events" not in only_claims and "0 events" in only_claims
    assert "1 event" in client.get(f"/admin/audit?actor={people['contributor'].email}&action=submit").text
    assert client.get("/admin/audit?since=yesterday").status_code == 400
    assert "0 events" in client.get("/admin/audit?until=2000-01-01").text


def test_cli_users_create_token_and_demo(app, runner, seeded):
    created = runner.invoke(args=["users", "create", "--email", "First@Example.org", "--role", "admin",
                                  "--role", "reviewer", "--password", PASSWORD])
    assert created.exit_code == 0, created.output
    assert "first@example.org with the role(s) admin, reviewer" in created.output
    again = runner.invoke(args=["users", "create", "--email", "first@example.org", "--role", "admin"])
    assert again.exit_code == 1 and "already has an account" in again.output
    bad = runner.invoke(args=["users", "create", "--email", "x@example.org", "--role", "wizard"])
    assert bad.exit_code == 1 and "Unknown role" in bad.output
    lea = runner.invoke(args=["users", "create", "--email", "y@example.org", "--role", "contributor",
                              "--lea", "No Such LEA"])
    assert lea.exit_code == 1
    token = runner.invoke(args=["users", "token", "--email", "first@example.org", "--name", "script"])
    assert token.exit_code == 0 and token.output.startswith("pp_")
    client = app.test_client()
    assert client.get("/api/v1/submissions/999", headers={"Authorization": f"Bearer {token.output.strip()}"}
                      ).status_code == 404
    refused = runner.invoke(args=["users", "demo"])  # APP_ENV=test here: no demo accounts
    assert refused.exit_code == 1 and "only in development" in refused.output
    app.config["APP_ENV"] = "development"
    demo = runner.invoke(args=["users", "demo"])
    assert demo.exit_code == 0, demo.output
    for role in ("contributor", "reviewer", "facilitator", "admin"):
        assert role in demo.output
    with app.app_context():
        accounts_before = db.session.execute(db.select(func.count()).select_from(User)).scalar_one()
    again = runner.invoke(args=["users", "demo"])
    assert again.exit_code == 0, again.output
    with app.app_context():  # a second run adds nobody
        assert db.session.execute(db.select(func.count()).select_from(User)).scalar_one() == accounts_before
    login(client, type("P", (), {"email": "casey@demo.example.org", "password": "demo-casey-password"}))


@pytest.mark.parametrize("env", ["production", "test"])
def test_no_demo_accounts_outside_development(tmp_path, env):
    app = make_app(tmp_path / env, APP_ENV=env, SECRET_KEY="x" * 32)
    result = app.test_cli_runner().invoke(args=["users", "demo"])
    assert result.exit_code == 1
    with app.app_context():
        assert db.session.execute(db.select(User)).first() is None
