"""Curated thematic collections and usage figures: the library functions and `olke collection`."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from test_app_support import build_archive


pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL


@pytest.fixture(scope="module")
def built(tmp_path_factory, module_database):
    return build_archive(tmp_path_factory.mktemp("collections"))


@pytest.fixture
def conn(built, module_database):
    from archive.db import connect

    conn = connect(module_database or built[0] / "catalog.sqlite")
    yield conn
    conn.execute("DELETE FROM collections WHERE name != 'kitaphana'")
    conn.close()


@pytest.fixture
def olke(built):
    from cli import main

    def run(*args, input=None):
        return CliRunner().invoke(main, ["--home", str(built[0]), *args], input=input)
    return run


def test_create_add_remove_keep_order_and_skip_deleted(conn, built):
    from archive import collections

    ids = built[1]
    made = collections.create(conn, "abai", title_kk="Абай", title_ru="Абай и край")
    assert made.document_ids == [] and made.title("ru") == "Абай и край" and made.title("en") == "Абай"
    assert collections.add(conn, "abai", [ids["russian"], ids["kazakh"], ids["russian"]]) == [ids["russian"],
                                                                                             ids["kazakh"]]
    assert collections.add(conn, "abai", [ids["kazakh"], ids["hostile"]]) == [ids["hostile"]]
    assert collections.get(conn, "abai").document_ids == [ids["russian"], ids["kazakh"], ids["hostile"]]
    assert collections.remove(conn, "abai", [ids["kazakh"], 9999]) == [ids["kazakh"]]
    assert [c.name for c in collections.containing(conn, ids["russian"])] == ["abai"]
    conn.execute("UPDATE documents SET status = 'deleted' WHERE id = ?", (ids["hostile"],))
    try:
        assert collections.get(conn, "abai").document_ids == [ids["russian"]]
    finally:
        conn.execute("UPDATE documents SET status = 'active' WHERE id = ?", (ids["hostile"],))
    collections.delete(conn, "abai")
    assert "abai" not in [c.name for c in collections.all_collections(conn)]


def test_collection_errors(conn):
    from archive import collections
    from archive.errors import NotFound, UsageError

    with pytest.raises(UsageError, match="not valid"):
        collections.create(conn, "Абай хандары")
    with pytest.raises(UsageError, match="already exists"):
        collections.create(conn, "kitaphana")
    with pytest.raises(NotFound, match="no collection 'nope'"):
        collections.add(conn, "nope", [1])
    with pytest.raises(NotFound, match="no document 9999"):
        collections.add(conn, "kitaphana", [9999])
    assert collections.get(conn, "kitaphana").document_ids == [1]   # nothing half-added


def test_cli_collection_commands(olke, built):
    ids = built[1]
    result = olke("collection", "create", "ertis", "--title-kk", "Ертіс", "--title-ru", "Иртыш",
                  "--description", "Өзен туралы")
    assert result.exit_code == 0, result.output
    assert "Collection 'ertis' created." in result.output
    result = olke("collection", "add", "ertis", str(ids["kazakh"]), str(ids["russian"]))
    assert result.exit_code == 0 and "Added 2 documents to 'ertis'." in result.output
    result = olke("collection", "add", "ertis", str(ids["kazakh"]))
    assert "Added 0 documents to 'ertis' (1 were already in it)." in result.output
    result = olke("collection", "list")
    assert result.exit_code == 0 and "ertis" in result.output and "2 documents" in result.output
    result = olke("collection", "show", "ertis")
    assert "title_ru: Иртыш" in result.output and "Городская библиотека" in result.output
    data = json.loads(olke("collection", "show", "ertis", "--json").output)
    assert data["document_ids"] == [ids["kazakh"], ids["russian"]]
    result = olke("collection", "remove", "ertis", str(ids["russian"]))
    assert result.exit_code == 0 and "Removed 1 document from 'ertis'." in result.output
    assert olke("collection", "delete", "ertis", input="n\n").exit_code == 1
    result = olke("collection", "delete", "ertis", "--yes")
    assert result.exit_code == 0 and "Deleted collection 'ertis'." in result.output


@pytest.mark.parametrize("args, code, message", [
    (("collection", "show", "nope"), 3, "olke: error: no collection 'nope'; see `olke collection list`"),
    (("collection", "add", "kitaphana", "9999"), 3, "olke: error: no document 9999 in the archive; see `olke list`"),
    (("collection", "create", "Bad Name"), 2, "olke: error: collection name 'Bad Name' is not valid"),
    (("collection", "create", "kitaphana"), 2, "olke: error: a collection named 'kitaphana' already exists"),
])
def test_cli_collection_errors(olke, args, code, message):
    result = olke(*args)
    assert result.exit_code == code
    assert message in result.output


@pytest.mark.parametrize("command", [("serve",), ("collection",), ("collection", "create"), ("collection", "add"),
                                     ("collection", "remove"), ("collection", "delete"), ("collection", "list"),
                                     ("collection", "show")])
def test_every_web_command_has_an_example(olke, command):
    result = olke(*command, "--help")
    assert result.exit_code == 0 and "Example" in result.output


def test_usage_record_and_figures(conn, built):
    from archive import usage
    from archive.errors import UsageError

    ids = built[1]
    for day, document, kind in [("2026-01-05", ids["kazakh"], "view"), ("2026-01-05", ids["kazakh"], "view"),
                                ("2026-01-06", ids["kazakh"], "download"), ("2026-01-06", ids["russian"], "view"),
                                ("2026-02-01", ids["russian"], "download")]:
        usage.record(conn, document, kind, day)
    january = usage.figures(conn, "2026-01-01", "2026-01-31")
    assert (january.views, january.downloads) == (3, 1)
    assert january.by_document[ids["kazakh"]] == {"view": 2, "download": 1}
    assert january.by_day["2026-01-05"] == {"view": 2, "download": 0}
    assert (january.documents_viewed, january.documents_downloaded) == (2, 1)
    assert usage.figures(conn, "2026-02-01", "2026-02-01").downloads == 1
    assert usage.figures(conn, "2026-01-01", "2026-02-28").as_dict()["downloads"] == 2
    with pytest.raises(UsageError):
        usage.record(conn, ids["kazakh"], "print", "2026-01-01")
    with pytest.raises(UsageError):
        usage.figures(conn, "2026-02-01", "2026-01-01")
    with pytest.raises(UsageError):
        usage.figures(conn, "January", "2026-01-01")


def test_serve_starts_waitress_and_prints_the_url(built, monkeypatch):
    from waitress.server import MultiSocketServer

    from cli import main

    ran = []
    monkeypatch.setattr("waitress.server.BaseWSGIServer.run", lambda self: ran.append(self.effective_port))
    monkeypatch.setattr(MultiSocketServer, "run", lambda self: ran.append(0), raising=False)
    result = CliRunner().invoke(main, ["--home", str(built[0]), "serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Olke reading room for ")   # stderr may say what serve indexed first
    assert f"http://127.0.0.1:{ran[0]}/" in result.output
