"""HTTP hardening: security headers, safe redirects, bounded integers, request limits and input that cannot be
stored, each answered with a clear status instead of a crash (issue 12's findings as regression tests)."""

from __future__ import annotations

import pytest

from .conftest import login


def test_every_answer_carries_the_security_headers(client, seeded):
    for path in ("/", "/search?q=math", "/api/v1/practices", "/no-such-page", "/login"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in response.headers  # only in production


def test_production_sends_hsts(tmp_path):
    from .conftest import make_app

    app = make_app(tmp_path, APP_ENV="production", SECRET_KEY="s" * 40)
    assert "max-age=" in app.test_client().get("/about-nothing").headers["Strict-Transport-Security"]


@pytest.mark.parametrize("target", [
    "/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/", "\t//evil.example",
    "/\r\n/evil.example", " //evil.example", "javascript:alert(1)",
])
def test_signing_in_never_redirects_off_the_site(client, people, target):
    from urllib.parse import unquote

    response = client.post(f"/login?next={target}", data={
        "email": people["contributor"].email, "password": people["contributor"].password, "next": unquote(target)})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def test_a_path_on_the_site_is_kept_as_the_target(client, people):
    response = client.post("/login", data={"email": people["contributor"].email,
                                           "password": people["contributor"].password, "next": "/submit"})
    assert response.headers["Location"] == "/submit"


@pytest.mark.parametrize("path", [
    "/leas/9223372036854775808", "/submissions/99999999999999999999999", "/review/9223372036854775808",
    "/api/v1/submissions/9223372036854775808",
])
def test_integers_past_the_database_range_are_not_found(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/submissions/2147483648", "/api/v1/submissions/420500859073",
                                  "/api/v1/leas/2147483648", "/leas/2147483648"])
def test_ids_past_a_postgresql_integer_are_not_found_either(client, token, path):
    """PostgreSQL's id columns hold 32 bits: a larger id (found by schemathesis) is a 404, not a 500."""
    assert client.get(path, headers=token).status_code == 404


def test_an_lea_id_past_the_range_is_a_clear_400(client):
    response = client.get("/api/v1/peers?lea=2147483648")
    assert response.status_code == 400 and "lea" in response.json["error"]["fields"]


def test_page_numbers_past_the_range_are_a_clear_400(client):
    response = client.get("/api/v1/practices?page=99999999999999999999999")
    assert response.status_code == 400 and "page" in response.json["error"]["fields"]
    assert client.get("/browse/priority/5?page=99999999999999999999999").status_code == 200


@pytest.fixture
def token(app, people):
    from clearinghouse.accounts import service as accounts

    from .vetting_helpers import user

    with app.app_context():
        return {"Authorization": f"Bearer {accounts.create_token(user(people['contributor']), 'tests')[1]}"}


@pytest.mark.parametrize("body, field", [
    ('{"title": "\\ud800"}', "title"),
    ('{"title": "a\\u0000b"}', "title"),
    ('{"summary": NaN}', "body"),
    ('{"summary": Infinity}', "body"),
    ("[" * 5000 + "]" * 5000, "body"),
    ('{"a": ' * 30 + "1" + "}" * 30, "a"),
])
def test_the_submissions_api_refuses_what_cannot_be_stored(client, token, body, field):
    response = client.post("/api/v1/submissions", data=body, headers=token, content_type="application/json")
    assert response.status_code == 400, response.json
    assert any(key.startswith(field) for key in response.json["error"]["fields"]), response.json


def test_a_request_over_the_size_limit_is_refused_as_json(client, token):
    big = '{"title": "' + "x" * (3 * 1024 * 1024) + '"}'
    response = client.post("/api/v1/submissions", data=big, headers=token, content_type="application/json")
    assert response.status_code == 413 and response.json["error"]["status"] == 413


def test_form_fields_with_nul_are_refused(client, people):
    login(client, people["contributor"])
    response = client.post("/submit", data={"title": "Bad\x00title", "action": "save"})
    assert response.status_code == 400 and "NUL" in response.text


def test_an_overlong_address_is_answered_as_json_under_the_api(client):
    response = client.get("/api/v1/search?q=" + "a" * 9000)
    assert response.status_code == 414 and response.json["error"]["status"] == 414


def test_healthz_is_ok_when_the_database_and_the_index_agree(seeded):
    response = seeded.test_client().get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_a_missing_index_is_reported_never_taken_for_no_results(seeded, caplog):
    import shutil

    shutil.rmtree(seeded.config["SEARCH_INDEX_DIR"])
    client = seeded.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and "missing" in health.json["reason"]
    with caplog.at_level("ERROR"):
        page = client.get("/search?q=math")
    assert page.status_code == 503 and "Search is being rebuilt" in page.text and "No practice" not in page.text
    assert any("search index missing or empty" in r.getMessage() for r in caplog.records)
    api = client.get("/api/v1/search?q=math")
    assert api.status_code == 503 and api.json["error"]["message"].startswith("Search is being rebuilt")


def test_an_index_behind_the_database_fails_the_health_check(seeded, practice_record, monkeypatch):
    from clearinghouse.search import service as search

    monkeypatch.setattr(search, "reindex", lambda slugs: (_ for _ in ()).throw(OSError("disk full")))
    with seeded.app_context():
        from clearinghouse.practices.importing import import_practices
        from clearinghouse.practices.interchange import RawRecord

        import_practices([RawRecord(1, practice_record)], publish=True)
    health = seeded.test_client().get("/healthz")
    assert health.status_code == 503 and "behind" in health.json["reason"], health.json


@pytest.mark.parametrize("name, content", [("empty.csv", ""), ("empty.jsonl", ""), ("header.csv", "title,summary\n"),
                                           ("deep.json", "[" * 100000 + "]" * 100000)])
def test_an_import_with_nothing_to_import_or_too_deep_fails_with_a_reason(app, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    result = app.test_cli_runner().invoke(args=["practices", "import", str(path)])
    assert result.exit_code == 1 and "Error:" in result.output, result.output
    assert "no records" in result.output or "nested too deeply" in result.output
    assert isinstance(result.exception, SystemExit)


def test_index_repair_on_an_unwritable_folder_says_why(seeded, monkeypatch):
    from clearinghouse.search import service as search

    def refuse(report):
        raise PermissionError(13, "Permission denied", seeded.config["SEARCH_INDEX_DIR"])

    monkeypatch.setattr(search, "repair", refuse)
    monkeypatch.setattr(search, "check", lambda: search.IndexReport(missing=["x"]))
    result = seeded.test_cli_runner().invoke(args=["index", "check", "--repair"])
    assert result.exit_code == 1 and "Error: PermissionError" in result.output and "Permission denied" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # ended by the command, not a crash
