"""What the reading room and the staff desk do with hostile addresses, forms and exported cells."""
from __future__ import annotations

import csv
import io

import pytest

from archive.csv_safe import neutral
from archive.delivery import fulfil, model, staff
from archive.delivery.settings import DeliverySettings, secret_key
from test_requests_support import build_archive, copy_home, public_app, staff_app
from test_staff_web import new_request, signed_in, token


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("hostile-web"))


@pytest.fixture
def apps(template, tmp_path):
    root, ids = template
    home = copy_home(root, tmp_path / "home")
    public, desk = public_app(home, min_fill_seconds=0), staff_app(home)
    with desk.extensions["olke"].catalog() as catalog:
        staff.add(catalog.conn, "librarian", "correct horse 1")
    yield public, desk, ids
    public.extensions["olke"].close()
    desk.extensions["olke"].close()


@pytest.fixture(scope="module")
def signing_in(template, tmp_path_factory):
    """One staff app for the sign-in tests, which change nothing but the last sign-in time."""
    from search_app.staff import create_staff_app

    home = copy_home(template[0], tmp_path_factory.mktemp("signing-in") / "home")
    app = create_staff_app({"OLKE_HOME": str(home), "TESTING": True, "OLKE_LOGIN_RATE_LIMIT": "1000 per minute"})
    with app.extensions["olke"].catalog() as catalog:
        staff.add(catalog.conn, "librarian", "correct horse 1")
    yield app
    app.extensions["olke"].close()


@pytest.fixture(scope="module")
def reading(template):
    from search_app import create_app

    app = create_app({"OLKE_HOME": str(template[0]), "TESTING": True})
    yield app.test_client(), template[1]
    app.extensions["olke"].close()


OUT_OF_RANGE = ("9223372036854775808", "18446744073709551616", "99999999999999999999999999", "-1", "-0", "1e3")


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_ids_out_of_range_are_404(reading, number):
    client, ids = reading
    for path in (f"/documents/{number}", f"/documents/{number}/pages/1", f"/documents/{ids['article']}/pages/{number}",
                 f"/files/{number}/document.pdf", f"/files/{number}/pages/1.jpg", f"/files/{number}/thumbnails/1.jpg",
                 f"/files/{ids['article']}/pages/{number}.pdf", f"/api/documents/{number}",
                 f"/request?document={number}"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/api/documents/{number}").json["error"]["status"] == 404


def test_the_largest_id_sqlite_holds_is_simply_not_found(reading):
    client, _ = reading
    assert client.get("/documents/9223372036854775807").status_code == 404
    assert client.get("/request?document=9223372036854775807").status_code == 200   # the form, as a citation


@pytest.mark.parametrize("path", ["/search?q=x&page=%C2%B2", "/search?q=x&from=%C2%B9%C2%B9",
                                  "/api/search?q=x&page=%C2%B2"])
def test_digits_that_are_not_ascii_are_a_bad_parameter(reading, path):
    client, _ = reading
    assert client.get(path).status_code == 400          # '²'.isdigit() is true, and int('²') fails


def test_the_staff_pages_take_no_id_out_of_range(apps):
    _, desk, ids = apps
    client = signed_in(desk)
    assert client.get("/figures?year=%C2%B2").status_code == 200             # this year's figures instead
    for number in OUT_OF_RANGE:
        assert client.get(f"/requests/{number}").status_code == 404
        assert client.get(f"/review/{number}/1").status_code == 404
        assert client.get(f"/review/{ids['article']}/{number}").status_code == 404
        assert client.get(f"/documents/{number}").status_code == 404
        assert client.get(f"/?older={number}").status_code == 200          # the filter is left out
    code = new_request(desk, ids["article"]).code
    page = client.get(f"/requests/{code}").get_data(as_text=True)
    fulfilled = client.post(f"/requests/{code}/fulfil", data={"csrf_token": token(page), "pages": "",
                                                             "document_id": "999999999999"})
    assert fulfilled.status_code == 303, fulfilled.get_data(as_text=True)


@pytest.mark.parametrize("target", [
    "/%09/evil.example/path", "/\t/evil.example/path", "/\n/evil.example", "//evil.example/", "/\\evil.example",
    "https://evil.example/", "/ /evil.example", "/\r\nSet-Cookie: x=1", "/\x00/evil.example", "\t//evil.example",
])
def test_sign_in_goes_on_only_to_paths_of_this_app(signing_in, target):
    from urllib.parse import unquote

    client = signing_in.test_client()
    page = client.get("/login?next=" + target.replace("\n", "%0A").replace("\r", "%0D")).get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": token(page), "name": "librarian",
                                           "password": "correct horse 1", "next": unquote(target)})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_sign_in_goes_on_to_the_page_asked_for(signing_in):
    client = signing_in.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": token(page), "name": "librarian",
                                           "password": "correct horse 1", "next": "/archive?q=абай"})
    assert response.headers["Location"] == "/archive?q=%D0%B0%D0%B1%D0%B0%D0%B9"


@pytest.mark.parametrize("address, accepted", [
    ("x%victim@example.kz", False), ("reader!victim@example.kz", False), ("a@localhost", False),
    ("reader@[127.0.0.1]", False), ('"a b"@example.kz', False), ("a..b@example.kz", False),
    ("reader@example.kz", True), ("Reader.Name+edd@mail.example.kz", True), ("оқырман@мысал.қаз", True),
])
def test_email_addresses_are_checked_by_email_validator(address, accepted):
    from archive.delivery.intake import valid_email

    assert valid_email(address) is accepted


@pytest.mark.parametrize("cell, shown", [
    ("=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"), ("+7 701", "'+7 701"),
    ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Абай", "Абай"),
    ("a=b", "a=b"), (-5, -5), (3.5, 3.5),
])
def test_formula_cells_are_neutralised(cell, shown):
    assert neutral(cell) == shown


def test_the_staff_csv_export_carries_no_formula(apps):
    public, desk, ids = apps
    hostile = new_request(desk, ids["article"], name="=cmd|' /C calc'!A0;@SUM(1+1)", email="r@example.kz")
    with desk.extensions["olke"].catalog() as catalog:
        fulfil.deliver(catalog, hostile.code, "librarian", DeliverySettings(), secret_key(catalog.home))
        text = model.as_csv(model.search(catalog.conn, ""))
    row = next(r for r in csv.reader(io.StringIO(text)) if r[0] == hostile.code)
    assert row[7] == "'=cmd|' /C calc'!A0;@SUM(1+1)"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in csv.reader(io.StringIO(text))
               for cell in r)
    assert f'"{hostile.code}"' in text                   # every cell quoted: a ';' inside one starts no new cell
    served = signed_in(desk).get("/archive.csv").data.decode("utf-8-sig")
    assert "'=cmd|" in served and "\n=cmd" not in served and ",=cmd" not in served
