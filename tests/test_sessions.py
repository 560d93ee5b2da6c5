"""Sign out everywhere: a session carries its account's session version; signing out and resetting the password
raise it, so a copied session cookie stops working on every device."""

from __future__ import annotations

from .conftest import PASSWORD, login


def copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value, domain=cookie.domain)
    return thief


def test_a_copied_cookie_stops_working_after_logout(app, client, people):
    login(client, people["contributor"])
    thief = copy_of(app, client)
    assert thief.get("/account").status_code == 200  # the copy works while the session lasts
    client.post("/logout")
    assert client.get("/account").status_code == 302
    assert thief.get("/account").status_code == 302  # sent to sign in: the copied session has ended
    assert thief.get("/api/v1/leas").status_code == 200  # a visitor still reads the public site


def test_signing_out_on_one_device_ends_the_others(app, people):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, people["contributor"])
    login(phone, people["contributor"])
    laptop.post("/logout")
    assert phone.get("/my/submissions").status_code == 302
    login(phone, people["contributor"])  # signing in again starts a new session that works
    assert phone.get("/my/submissions").status_code == 200


def test_a_password_reset_ends_every_session(app, client, people, mailbox):
    login(client, people["contributor"])
    thief = copy_of(app, client)
    fresh = app.test_client()
    fresh.post("/forgot", data={"email": people["contributor"].email})
    link = mailbox.link(people["contributor"].email, "/reset/")
    assert fresh.post(link, data={"password": "a brand new passphrase"}).status_code == 302
    assert thief.get("/account").status_code == 302
    assert client.get("/account").status_code == 302
    assert client.post("/login", data={"email": people["contributor"].email, "password": PASSWORD}).status_code == 400
    ok = client.post("/login", data={"email": people["contributor"].email, "password": "a brand new passphrase"})
    assert ok.status_code == 302 and client.get("/account").status_code == 200


def test_a_forged_session_id_is_refused(app, people):
    client = app.test_client()
    with client.session_transaction() as session:  # the old cookie shape, and nonsense
        session["_user_id"] = str(people["admin"].id)
    assert client.get("/admin/users").status_code in (302, 404)
    with client.session_transaction() as session:
        session["_user_id"] = "99999999999999999999999:1"
    assert client.get("/account").status_code == 302
