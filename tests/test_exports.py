"""Downloads: one-page tagged PDFs, JSON and CSV in the interchange format, search results as CSV."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from pypdf import PdfReader

from clearinghouse.accounts import service as accounts
from clearinghouse.collections import service as collections
from clearinghouse.exports import data
from clearinghouse.practices.importing import import_practices
from clearinghouse.practices.interchange import RawRecord, parse_records, spreadsheet_safe

from .conftest import PASSWORD, SAMPLE, make_app

DAY_TWO = "day-two-attendance-calls"
FORMULA = "=HYPERLINK(\"http://evil.example\",\"Click\")"
FORMULA_SLUG = "hyperlink-http-evil-example-click"


def record(title: str, **changes) -> dict:
    return {**copy.deepcopy(SAMPLE), "title": title, **changes}


@pytest.fixture
def site(app):
    """Three published practices (one whose title and summary a spreadsheet would run), a draft, and a
    facilitator's public and private collections."""
    with app.app_context():
        import_practices([RawRecord(1, record("Day-two attendance calls")),
                          RawRecord(2, record("Attendance mentors for ninth graders")),
                          RawRecord(3, record(FORMULA, summary="@SUM(A1:A9) attendance -2+3"))], publish=True)
        import_practices([RawRecord(1, record("A draft about attendance"))], publish=False)
        fran, _ = accounts.create_user("fran@example.org", ["facilitator"], password=PASSWORD, name="Fran")
        accounts.create_user("flo@example.org", ["facilitator"], password=PASSWORD, name="Flo")
        for visibility in ("public", "private"):
            slug = collections.create_collection(fran, {"title": f"Attendance {visibility}", "visibility": visibility,
                                                        "network": "Valley Attendance Network",
                                                        "description": "Where to **start**."}).slug
            collections.add_item(fran, slug, {"practice": "attendance-mentors-for-ninth-graders",
                                              "note": "Read this one second."})
            collections.add_item(fran, slug, {"practice": DAY_TWO, "note": "Start here.", "position": 1})
    return app


def signed_in(app, email: str):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def pdf_of(response) -> PdfReader:
    assert response.status_code == 200, response.text
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return PdfReader(io.BytesIO(response.data))


def structure_tags(reader: PdfReader) -> list[str]:
    found = []

    def walk(node):
        node = node.get_object()
        if hasattr(node, "get"):
            if "/S" in node:
                found.append(node["/S"])
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
                if hasattr(kid, "get_object"):
                    walk(kid)
                elif hasattr(kid, "get"):
                    walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_a_practice_downloads_as_a_one_page_tagged_pdf(site):
    reader = pdf_of(site.test_client().get(f"/practices/{DAY_TWO}.pdf"))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/Lang"] == "en"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert reader.metadata.title == "Day-two attendance calls"
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Day-two attendance calls" in text and "Chronic absenteeism rate" in text and "Sample Valley" in text
    tags = structure_tags(reader)
    assert tags.count("/H1") == 1 and "/H2" in tags and "/Table" in tags


def test_only_published_practices_have_pdfs_and_downloads(site):
    client = site.test_client()
    for suffix in ("pdf", "json", "csv"):
        assert client.get(f"/practices/a-draft-about-attendance.{suffix}").status_code == 404
        assert client.get(f"/practices/no-such-practice.{suffix}").status_code == 404


def test_a_collection_pdf_lists_its_items_in_order_with_notes_and_key_facts(site):
    reader = pdf_of(site.test_client().get("/collections/attendance-public.pdf"))
    assert reader.metadata.title == "Attendance public"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    text = " ".join(page.extract_text() for page in reader.pages)
    first, second = text.index("Day-two attendance calls"), text.index("Attendance mentors for ninth graders")
    assert first < text.index("Start here.") < second < text.index("Read this one second.")
    assert "Fresno" in text and "Valley Attendance Network" in text


def test_a_private_collection_downloads_only_for_its_curators(site):
    visitor, other = site.test_client(), signed_in(site, "flo@example.org")
    curator = signed_in(site, "fran@example.org")
    for suffix in ("pdf", "json", "csv"):
        assert visitor.get(f"/collections/attendance-private.{suffix}").status_code == 404
        assert other.get(f"/collections/attendance-private.{suffix}").status_code == 404
    assert curator.get("/collections/attendance-private.json").status_code == 200
    assert curator.get("/collections/attendance-private.pdf").content_type == "application/pdf"


def exported(app, tmp_path, suffix: str) -> str:
    path = tmp_path / f"all{suffix}"
    result = app.test_cli_runner().invoke(args=["practices", "export", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_text(encoding="utf-8")


def test_a_practice_downloads_as_the_interchange_format_flask_export_writes(site, tmp_path):
    client = site.test_client()
    response = client.get(f"/practices/{DAY_TWO}.json")
    assert response.content_type == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{DAY_TWO}.json"'
    everything = json.loads(exported(site, tmp_path, ".json"))
    assert json.loads(response.data) == [r for r in everything if r["title"] == "Day-two attendance calls"]

    response = client.get(f"/practices/{DAY_TWO}.csv")
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{DAY_TWO}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    all_rows = list(csv.DictReader(io.StringIO(exported(site, tmp_path, ".csv"))))
    assert rows == [r for r in all_rows if r["title"] == "Day-two attendance calls"]
    assert list(rows[0]) == list(all_rows[0])  # the same columns, in the same order


def test_a_downloaded_csv_imports_back_unchanged(site, tmp_path):
    """The formula guard does not break export → import: the ' the writer adds, the reader takes off."""
    body = site.test_client().get(f"/practices/{FORMULA_SLUG}.csv").text
    fresh = make_app(tmp_path / "fresh")
    with fresh.app_context():
        report = import_practices(parse_records(body, "csv"), publish=True)
        assert not report.errors, [str(e) for e in report.errors]
    again = fresh.test_client().get(f"/practices/{FORMULA_SLUG}.json").json
    assert again == site.test_client().get(f"/practices/{FORMULA_SLUG}.json").json
    assert again[0]["title"] == FORMULA and again[0]["summary"].startswith("@SUM")


def test_csv_cells_never_run_as_spreadsheet_formulas(site):
    client = site.test_client()
    practice = next(csv.DictReader(io.StringIO(client.get(f"/practices/{FORMULA_SLUG}.csv").text)))
    assert practice["title"] == "'" + FORMULA and practice["summary"].startswith("'@SUM(")
    results = list(csv.DictReader(io.StringIO(client.get("/search.csv?q=hyperlink").text)))
    assert results[0]["title"] == "'" + FORMULA and results[0]["summary"].startswith("'@SUM(")
    for cell in (cell for row in results for cell in row.values()):
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert spreadsheet_safe("-2+3") == "'-2+3" and spreadsheet_safe("-3.5") == "-3.5"  # a number is no formula


def test_a_collection_downloads_its_practices_in_order_and_the_json_carries_the_notes(site):
    client = site.test_client()
    document = client.get("/collections/attendance-public.json").json
    assert document["title"] == "Attendance public" and document["curators"] == ["Fran"]
    assert [(i["position"], i["note"], i["practice"]["title"]) for i in document["items"]] == [
        (1, "Start here.", "Day-two attendance calls"),
        (2, "Read this one second.", "Attendance mentors for ninth graders")]
    assert document["items"][0]["url"] == f"http://localhost/practices/{DAY_TWO}"
    rows = list(csv.DictReader(io.StringIO(client.get("/collections/attendance-public.csv").text)))
    assert [r["title"] for r in rows] == ["Day-two attendance calls", "Attendance mentors for ninth graders"]
    assert client.get("/collections/attendance-public.csv").headers["Content-Disposition"] == \
        'attachment; filename="attendance-public.csv"'


def test_search_results_export_as_csv_in_rank_order(site, monkeypatch):
    client = site.test_client()
    page = client.get("/search?q=attendance&sort=title").text
    response = client.get("/search.csv?q=attendance&sort=title")
    assert response.headers["Content-Disposition"] == 'attachment; filename="practices-attendance.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == data.SEARCH_CSV_COLUMNS
    titles = [r["title"].lstrip("'") for r in rows]
    assert titles == sorted(titles, key=str.lower) and len(titles) == 3  # the draft is not a result
    assert [page.index(f'/practices/{r["url"].rsplit("/", 1)[1]}"') for r in rows] == sorted(
        page.index(f'/practices/{r["url"].rsplit("/", 1)[1]}"') for r in rows)
    assert rows[0]["rank"] == "1" and rows[0]["county"] == "Fresno" and rows[0]["lea"] == "Sample Valley Unified"
    assert rows[0]["evidence_level"] and rows[0]["url"].startswith("http://localhost/practices/")
    monkeypatch.setattr(data, "SEARCH_CSV_LIMIT", 2)
    assert len(list(csv.DictReader(io.StringIO(client.get("/search.csv?q=attendance").text)))) == 2


def test_pages_offer_the_downloads(site):
    client = site.test_client()
    practice = client.get(f"/practices/{DAY_TWO}").text
    for suffix in ("pdf", "json", "csv"):
        assert f'href="/practices/{DAY_TWO}.{suffix}"' in practice
        assert f'href="/collections/attendance-public.{suffix}"' in client.get("/collections/attendance-public").text
    search = client.get("/search?q=attendance&sort=title").text
    assert '<a href="/search.csv?q=attendance&amp;sort=title" type="text/csv">Export these results (CSV)</a>' in search
    assert "Export these results" not in client.get("/search?q=zzzyx").text
    assert 'href="/static/css/print.css" media="print"' in practice
