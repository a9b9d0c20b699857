"""OAI-PMH: a real harvester (sickle) over a real server harvests the archive; every error case by the client."""
from __future__ import annotations

import base64
import json
import re

import pytest
from flask import Flask
from lxml import etree
from sickle import Sickle

from archive.catalog import Catalog
from archive.vocabulary import KINDS
from archive.oai import PAGE_SIZE
from search_app.oai import bp
from test_app_support import serve

pytestmark = pytest.mark.databases      # on SQLite and again with the catalog on PostgreSQL

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ZULU = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
DC_ELEMENTS = {"title", "creator", "subject", "description", "publisher", "contributor", "date", "type", "format",
               "identifier", "source", "language", "relation", "coverage", "rights"}
ERRORS = {"badArgument", "badResumptionToken", "badVerb", "cannotDisseminateFormat", "idDoesNotExist",
          "noRecordsMatch", "noMetadataFormats", "noSetHierarchy"}
DOCUMENTS = 230                       # more than two pages of PAGE_SIZE
EDITED = range(10, DOCUMENTS + 1, 10)
DELETED = range(141, 146)
COLLECTION = [3, 50, 120, 141]


def q(name: str, ns: str = OAI) -> str:
    return f"{{{ns}}}{name}"


def build(catalog: Catalog) -> None:
    """Documents 1..230: ingested a minute apart from 2026-02-01, every tenth edited in March, 141-145 deleted."""
    conn = catalog.conn
    with catalog.transaction():
        for i in range(1, DOCUMENTS + 1):
            kind = KINDS[i % len(KINDS)]
            stamp = f"2026-02-01T{i // 60:02d}:{i % 60:02d}:00+00:00"
            conn.execute(
                "INSERT INTO documents (id, kind, title, authors, source, issue, published, language, rubrics, udc,"
                " notes, access, digitised_on, page_count, scan_sha256, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '2026-02-01', 1, ?, ?, ?, ?)",
                (i, kind, f"Құжат {i}: Өлке тарихы", json.dumps([f"Автор{i} А."] * (i % 3)),
                 "Өлке тынысы" if "article" in kind else None, str(i) if "article" in kind else None,
                 f"{1950 + i % 70}" + ("-05-14" if i % 2 else ""), "kaz" if i % 2 else "rus",
                 json.dumps(["Тарих", f"Рубрика {i % 4}"][: i % 3]), "94(574)" if i % 5 == 0 else None,
                 "Ескерту" if i % 7 == 0 else None, "open" if i % 4 else "on_request", f"sha{i}",
                 "deleted" if i in DELETED else "active", stamp, stamp))
            conn.execute("INSERT INTO events (document_id, action, at, \"user\") VALUES (?, 'ingested', ?, 'tester')",
                         (i, stamp))
            if i in EDITED:
                conn.execute("INSERT INTO events (document_id, action, at, \"user\") VALUES (?, 'metadata_edited', ?,"
                             " 'tester')", (i, f"2026-03-01T12:00:{i % 60:02d}+00:00"))
            if i in DELETED:
                conn.execute("INSERT INTO events (document_id, action, at, \"user\") VALUES (?, 'deleted', ?, 'tester')",
                             (i, "2026-04-01T08:00:00+00:00"))
        if has_collections(catalog):
            conn.execute("INSERT INTO collections (id, name, title_kk, title_ru, description, created_at, updated_at)"
                         " VALUES (1, 'abai', 'Абай және өлке', 'Абай и край', 'Абай туралы', ?, ?)",
                         ("2026-01-01T00:00:00+00:00",) * 2)
            conn.executemany("INSERT INTO collection_documents (collection_id, document_id, position, added_at)"
                             " VALUES (1, ?, ?, '2026-01-01T00:00:00+00:00')",
                             [(d, n) for n, d in enumerate(COLLECTION)])


def has_collections(catalog: Catalog) -> bool:
    return catalog.conn.has_table("collection_documents")


def expected_stamp(i: int) -> str:
    if i in DELETED:
        return "2026-04-01T08:00:00Z"
    if i in EDITED:
        return f"2026-03-01T12:00:{i % 60:02d}Z"
    return f"2026-02-01T{i // 60:02d}:{i % 60:02d}:00Z"


@pytest.fixture
def catalog(home):
    catalog = Catalog(home)
    build(catalog)
    yield catalog
    catalog.close()


@pytest.fixture
def app(home, catalog):
    app = Flask(__name__)
    app.config.update(OLKE_HOME=str(home.root), OLKE_OAI_ADMIN_EMAIL="kitaphana@example.kz")
    app.register_blueprint(bp)
    yield app
    if "olke" in app.extensions:
        app.extensions["olke"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def server(app):
    with serve(app) as url:
        yield url


def check_response(body: bytes, base_url: str = "http://localhost/oai") -> etree._Element:
    """The OAI-PMH response structure (OAI-PMH.xsd, in the parts this repository uses)."""
    root = etree.fromstring(body)
    assert root.tag == q("OAI-PMH")
    assert root.get(q("schemaLocation", XSI)) == f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
    date, request, *rest = root
    assert date.tag == q("responseDate") and ZULU.match(date.text)
    assert request.tag == q("request") and request.text == base_url
    assert rest, "a verb element or errors"
    if rest[0].tag == q("error"):
        assert all(e.tag == q("error") and e.get("code") in ERRORS for e in rest)
        if rest[0].get("code") in ("badVerb", "badArgument"):
            assert dict(request.attrib) == {}
    else:
        (verb,) = rest
        assert verb.tag == q(request.get("verb"))
    for header in root.iter(q("header")):
        names = [child.tag for child in header]
        assert names[:2] == [q("identifier"), q("datestamp")] and set(names[2:]) <= {q("setSpec")}
        assert ZULU.match(header[1].text) and header.get("status") in (None, "deleted")
    for record in root.iter(q("record")):
        deleted = record[0].get("status") == "deleted"
        assert [c.tag for c in record] == [q("header")] + ([] if deleted else [q("metadata")])
    for dc in root.iter(q("dc", OAI_DC)):
        assert dc.get(q("schemaLocation", XSI)) == f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
        assert all(etree.QName(c).namespace == DC and etree.QName(c).localname in DC_ELEMENTS for c in dc)
    for token in root.iter(q("resumptionToken")):
        assert token.getparent()[-1] is token and token.get("cursor").isdigit()
    return root


def get(client, query: str = "", method: str = "get") -> etree._Element:
    response = getattr(client, method)("/oai" + (f"?{query}" if method == "get" else ""),
                                       data=None if method == "get" else query,
                                       content_type=None if method == "get" else "application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.content_type == "text/xml; charset=utf-8"
    return check_response(response.data)


def error_code(root) -> str:
    return root.find(q("error")).get("code")


# --- harvesting with sickle --------------------------------------------------------------------


def test_harvest_everything_with_resumption_tokens(server, catalog):
    requests_made = []
    sickle = Sickle(f"{server}/oai", hooks={"response": lambda r, *a, **k: requests_made.append(r)})
    records = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    assert len(requests_made) == 3 and all(r.status_code == 200 for r in requests_made)
    for response in requests_made:
        check_response(response.content, f"{server}/oai")
    assert "resumptionToken=" in requests_made[1].url and "resumptionToken=" in requests_made[2].url
    assert b'completeListSize="230" cursor="200"></resumptionToken>' in requests_made[2].content

    assert [r.header.identifier for r in records] == [f"oai:olke:{i}" for i in range(1, DOCUMENTS + 1)]
    by_id = {d.id: d for d in catalog.documents(include_deleted=True)}
    collections = has_collections(catalog)
    for record in records:
        document = by_id[int(record.header.identifier.rsplit(":", 1)[1])]
        assert record.header.datestamp == expected_stamp(document.id)
        assert record.deleted == (document.status == "deleted")
        sets = [f"kind:{document.kind}"] + (["collection:abai"] if collections and document.id in COLLECTION else [])
        assert record.header.setSpecs == sets
        if record.deleted:
            continue
        dc = record.metadata
        assert dc["title"] == [document.title] and dc["language"] == [document.language]
        assert dc.get("creator", []) == document.authors
        assert dc.get("subject", []) == document.rubrics + ([f"УДК {document.udc}"] if document.udc else [])
        assert dc["date"] == [document.published] and dc["format"] == ["application/pdf"]
        assert dc.get("description", []) == ([document.notes] if document.notes else [])
        assert dc["type"][0] == "Text" and dc["type"][2] == document.kind
        page = f"{server}/documents/{document.id}"
        pdf = [f"{server}/files/{document.id}/document.pdf"] if document.access == "open" else []
        assert dc["identifier"] == [page, *pdf, f"oai:olke:{document.id}"]
        assert dc["rights"][0] == {"open": "info:eu-repo/semantics/openAccess",
                                   "on_request": "info:eu-repo/semantics/restrictedAccess"}[document.access]
        if document.source:
            assert dc["source"] == [f"Өлке тынысы, № {document.issue}, {document.published}"]


def test_harvest_by_set_and_dates(server, catalog):
    sickle = Sickle(f"{server}/oai")

    def ids(**args):
        return [int(h.identifier.rsplit(":", 1)[1]) for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", **args)]

    assert ids(set="kind:book") == [i for i in range(1, DOCUMENTS + 1) if KINDS[i % 4] == "book"]
    assert len(ids(set="kind")) == DOCUMENTS
    assert ids(**{"from": "2026-03-01"}) == sorted(set(EDITED) | set(DELETED))
    assert ids(until="2026-02-01T00:30:00Z") == [i for i in range(1, 31) if i not in EDITED]
    assert ids(**{"from": "2026-04-01", "until": "2026-04-01"}) == list(DELETED)
    assert ids(**{"from": "2026-02-01T00:05:00Z", "until": "2026-02-01T00:07:00Z", "set": "kind:other"}) == [\
        i for i in (5, 6, 7) if KINDS[i % 4] == "other"]
    if has_collections(catalog):
        assert ids(set="collection:abai") == COLLECTION
        assert ids(set="collection") == COLLECTION


def test_identify_sets_formats_and_get_record_with_sickle(server, catalog):
    sickle = Sickle(f"{server}/oai", http_method="POST")
    identify = sickle.Identify()
    assert (identify.repositoryName, identify.baseURL, identify.protocolVersion) == ("Olke", f"{server}/oai", "2.0")
    assert (identify.adminEmail, identify.deletedRecord, identify.granularity) == (
        "kitaphana@example.kz", "persistent", "YYYY-MM-DDThh:mm:ssZ")
    assert identify.earliestDatestamp == "2026-02-01T00:01:00Z"
    sets = {s.setSpec: s.setName for s in sickle.ListSets()}
    assert {"kind", "kind:newspaper_article", "kind:journal_article", "kind:book", "kind:other"} <= set(sets)
    if has_collections(catalog):
        assert sets["collection:abai"] == "Абай және өлке / Абай и край"
    assert [f.metadataPrefix for f in sickle.ListMetadataFormats()] == ["oai_dc", "marc21"]
    assert [f.metadataPrefix for f in sickle.ListMetadataFormats(identifier="oai:olke:141")] == ["oai_dc", "marc21"]
    record = sickle.GetRecord(identifier="oai:olke:7", metadataPrefix="oai_dc")
    assert record.metadata["title"] == ["Құжат 7: Өлке тарихы"] and record.metadata["description"] == ["Ескерту"]
    with pytest.raises(Exception, match="no record .oai:olke:07."):
        sickle.GetRecord(identifier="oai:olke:07", metadataPrefix="oai_dc")     # not record 7's identifier
    gone = sickle.GetRecord(identifier="oai:olke:141", metadataPrefix="oai_dc")
    assert gone.deleted and gone.header.datestamp == "2026-04-01T08:00:00Z"


def test_a_catalogue_harvests_marc21_records_with_sickle(server, catalog):
    """A library catalogue harvests MARC (MARCXML), not Dublin Core: every record of ListRecords, through
    its resumption tokens, is the MARC 21 record `olke export marc --format marc21` writes."""
    import io

    import pymarc

    from archive import marc

    sickle = Sickle(f"{server}/oai", http_method="POST")
    records = list(sickle.ListRecords(metadataPrefix="marc21", ignore_deleted=True))
    assert len(records) == DOCUMENTS - len(DELETED)
    for found in records[:3] + records[-3:]:
        (node,) = found.xml.find(q("metadata"))
        assert etree.QName(node).namespace == "http://www.loc.gov/MARC21/slim"
        (parsed,) = pymarc.parse_xml_to_array(io.BytesIO(etree.tostring(node)))
        number = int(found.header.identifier.rsplit(":", 1)[1])
        made = marc.record(catalog.get(number), "marc21", "http://localhost")
        assert parsed["245"]["a"] == made["245"]["a"] == f"Құжат {number}: Өлке тарихы"
        assert parsed["856"]["u"].endswith(f"/{number}" if catalog.get(number).access == "on_request"
                                           else f"/files/{number}/document.pdf")
    single = sickle.GetRecord(identifier="oai:olke:7", metadataPrefix="marc21")
    assert single.xml.find(f".//{{http://www.loc.gov/MARC21/slim}}record") is not None


# --- responses and errors by the Flask test client ---------------------------------------------------


def test_request_element_echoes_the_arguments(client):
    root = get(client, "verb=GetRecord&identifier=oai:olke:3&metadataPrefix=oai_dc")
    assert dict(root.find(q("request")).attrib) == {"verb": "GetRecord", "identifier": "oai:olke:3",
                                                    "metadataPrefix": "oai_dc"}
    root = get(client, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=kind:book", method="post")
    assert dict(root.find(q("request")).attrib) == {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
                                                    "set": "kind:book"}


def test_pages_and_the_last_empty_token(client):
    first = get(client, "verb=ListIdentifiers&metadataPrefix=oai_dc")
    token = first.find(f"{q('ListIdentifiers')}/{q('resumptionToken')}")
    assert len(first.findall(f".//{q('header')}")) == PAGE_SIZE
    assert (token.get("cursor"), token.get("completeListSize")) == ("0", "230") and token.text
    second = get(client, f"verb=ListIdentifiers&resumptionToken={token.text}")
    assert second.find(f".//{q('header')}/{q('identifier')}").text == "oai:olke:101"
    small = get(client, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=kind:book&until=2026-02-01T00:20:00Z")
    assert small.find(f".//{q('resumptionToken')}") is None


@pytest.mark.parametrize("query, code", [
    ("", "badVerb"),
    ("verb=Harvest", "badVerb"),
    ("verb=Identify&verb=ListSets", "badVerb"),
    ("verb=Identify&metadataPrefix=oai_dc", "badArgument"),
    ("verb=ListRecords", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&colour=red", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-13-01", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=14.05.1998", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01&until=2026-02-01T00:00:00Z", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-03-01&until=2026-02-01", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01T00:00:00", "badArgument"),
    ("verb=GetRecord&identifier=oai:olke:1", "badArgument"),
    ("verb=ListRecords&resumptionToken=x&metadataPrefix=oai_dc", "badArgument"),
    ("verb=GetRecord&resumptionToken=x", "badArgument"),
    ("verb=ListRecords&metadataPrefix=%01", "badArgument"),
    ("verb=Identify&%1F=x", "badArgument"),
    ("verb=ListRecords&metadataPrefix=mods", "cannotDisseminateFormat"),
    ("verb=GetRecord&identifier=oai:olke:1&metadataPrefix=mods", "cannotDisseminateFormat"),
    ("verb=GetRecord&identifier=oai:olke:999&metadataPrefix=oai_dc", "idDoesNotExist"),
    ("verb=GetRecord&identifier=oai:elsewhere:1&metadataPrefix=oai_dc", "idDoesNotExist"),
    ("verb=GetRecord&identifier=1&metadataPrefix=oai_dc", "idDoesNotExist"),
    ("verb=ListMetadataFormats&identifier=oai:olke:0", "idDoesNotExist"),
    ("verb=GetRecord&identifier=oai:olke:99999999999999999999999&metadataPrefix=oai_dc", "idDoesNotExist"),
    ("verb=GetRecord&identifier=oai:olke:%C2%B2&metadataPrefix=oai_dc", "idDoesNotExist"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01", "noRecordsMatch"),
    ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=kind:poster", "noRecordsMatch"),
    ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=nowhere", "noRecordsMatch"),
    ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=collection:nobody", "noRecordsMatch"),
    ("verb=ListRecords&resumptionToken=not-a-token", "badResumptionToken"),
    ("verb=ListSets&resumptionToken=abc", "badResumptionToken"),
])
def test_errors(client, query, code):
    for method in ("get", "post"):
        root = get(client, query, method)
        assert error_code(root) == code
        request = root.find(q("request"))
        assert bool(request.attrib) == (code not in ("badVerb", "badArgument"))


def token(**data) -> str:
    values = {"v": "ListRecords", "p": "oai_dc", "s": None, "f": None, "u": None, "a": 100, "c": 100} | data
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize("data", [{"v": "ListIdentifiers"}, {"p": "mods"}, {"c": 0}, {"a": -1}, {"f": "yesterday"},
                                  {"s": 5}, {"a": "x"}, {"a": 10**30}])
def test_tampered_tokens(client, data):
    assert error_code(get(client, f"verb=ListRecords&resumptionToken={token(**data)}")) == "badResumptionToken"
    assert get(client, f"verb=ListRecords&resumptionToken={token()}").find(f".//{q('record')}") is not None


def test_a_document_added_to_a_collection_gets_a_new_datestamp(client, catalog):
    if not has_collections(catalog):
        pytest.skip("this catalog has no collections (migration 0003)")
    catalog.conn.execute("INSERT INTO collection_documents VALUES (1, 5, 9, '2026-05-05T05:05:05+00:00')")
    root = get(client, "verb=GetRecord&identifier=oai:olke:5&metadataPrefix=oai_dc")
    assert root.find(f".//{q('datestamp')}").text == "2026-05-05T05:05:05Z"
    assert [s.text for s in root.iter(q("setSpec"))] == ["kind:journal_article", "collection:abai"]


def test_an_empty_archive(tmp_path):
    from archive.home import Home

    app = Flask(__name__)
    app.config["OLKE_HOME"] = str(Home.resolve(tmp_path / "empty").root)
    app.register_blueprint(bp)
    client = app.test_client()
    assert error_code(get(client, "verb=ListRecords&metadataPrefix=oai_dc")) == "noRecordsMatch"
    assert ZULU.match(get(client, "verb=Identify").find(f".//{q('earliestDatestamp')}").text)
    sets = [s.text for s in get(client, "verb=ListSets").iter(q("setSpec"))]
    assert "collection" not in sets and "kind:book" in sets
    app.extensions["olke"].close()
