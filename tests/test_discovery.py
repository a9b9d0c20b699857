"""What search engines read: citation meta tags, schema.org JSON-LD, and the sitemap at /sitemap.xml."""
from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
from flask import Flask

from archive.catalog import Catalog, Document
from archive.discovery import citation_meta, schema_org, sitemap
from search_app.oai import bp

BASE = "https://olke.example.kz"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def document(**values) -> Document:
    data = dict(id=12, kind="newspaper_article", title="Кітапхана тарихы", authors=["Әуезов М.", "Семёнов П. П."],
                source="Өлке тынысы", issue="12", published="1998-05-14", source_pages="3-4", language="kaz",
                rubrics=["Тарих", "Кітапханалар"], udc=None, notes=None, access="open", digitised_on="2026-02-03",
                digitised_by=None, page_count=2, scan_sha256="x", ocr_engine="fake", status="active",
                created_at="2026-02-03T08:00:00+00:00", updated_at="2026-02-04T09:30:00+00:00")
    return Document(**(data | values))


def test_citation_meta_for_an_open_newspaper_article():
    assert citation_meta(document(), BASE + "/") == [
        ("citation_title", "Кітапхана тарихы"),
        ("citation_author", "Әуезов М."),
        ("citation_author", "Семёнов П. П."),
        ("citation_publication_date", "1998/05/14"),
        ("citation_journal_title", "Өлке тынысы"),
        ("citation_issue", "12"),
        ("citation_firstpage", "3"),
        ("citation_lastpage", "4"),
        ("citation_keywords", "Тарих; Кітапханалар"),
        ("citation_language", "kk"),
        ("citation_abstract_html_url", f"{BASE}/documents/12"),
        ("citation_pdf_url", f"{BASE}/files/12/document.pdf"),
    ]


def test_citation_meta_for_a_book_given_on_request():
    tags = citation_meta(document(kind="book", source=None, issue=None, source_pages=None, authors=[], rubrics=[],
                                  published="2012", language="rus", access="on_request"), BASE)
    assert tags == [("citation_title", "Кітапхана тарихы"), ("citation_publication_date", "2012"),
                    ("citation_language", "ru"), ("citation_abstract_html_url", f"{BASE}/documents/12")]


def test_schema_org_for_articles_links_the_newspaper_issue_and_the_pdf():
    data = schema_org(document(notes="Қысқартылған"), BASE)
    json.dumps(data)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["@id"] == data["url"] == f"{BASE}/documents/12"
    assert data["headline"] == data["name"] == "Кітапхана тарихы" and data["inLanguage"] == "kk"
    assert data["author"] == [{"@type": "Person", "name": "Әуезов М."}, {"@type": "Person", "name": "Семёнов П. П."}]
    assert data["isPartOf"] == {"@type": "PublicationIssue", "issueNumber": "12", "datePublished": "1998-05-14",
                                "isPartOf": {"@type": "Newspaper", "name": "Өлке тынысы"}}
    assert data["pagination"] == "3-4" and data["description"] == "Қысқартылған"
    assert data["isAccessibleForFree"] is True
    assert data["encoding"] == {"@type": "MediaObject", "contentUrl": f"{BASE}/files/12/document.pdf",
                                "encodingFormat": "application/pdf"}


@pytest.mark.parametrize("kind, schema_type", [("journal_article", "ScholarlyArticle"), ("book", "Book"),
                                                ("other", "CreativeWork")])
def test_schema_org_types(kind, schema_type):
    data = schema_org(document(kind=kind, access="on_request", issue=None), BASE)
    assert data["@type"] == schema_type and "encoding" not in data and data["isAccessibleForFree"] is False
    if kind == "journal_article":
        assert data["isPartOf"] == {"@type": "Periodical", "name": "Өлке тынысы"}
    else:
        assert "isPartOf" not in data and data["numberOfPages"] == 2 and "headline" not in data


def test_sitemap_lists_active_documents_with_lastmod():
    body = sitemap([document(id=1), document(id=2, status="deleted"), document(id=3)], BASE + "/")
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = ET.fromstring(body)
    assert root.tag == f"{SITEMAP}urlset"
    assert [(u.findtext(f"{SITEMAP}loc"), u.findtext(f"{SITEMAP}lastmod")) for u in root] == [
        (f"{BASE}/documents/1", "2026-02-04T09:30:00+00:00"), (f"{BASE}/documents/3", "2026-02-04T09:30:00+00:00")]


@pytest.fixture
def app(home):
    catalog = Catalog(home)
    for number in (1, 2):
        catalog.conn.execute(
            "INSERT INTO documents (kind, title, language, digitised_on, page_count, scan_sha256, created_at,"
            " updated_at) VALUES ('book', ?, 'kaz', '2026-02-03', 1, ?, ?, ?)",
            (f"Кітап {number}", f"sha{number}", "2026-02-03T08:00:00+00:00", "2026-02-03T08:00:00+00:00"))
    catalog.delete(2)
    catalog.close()
    app = Flask(__name__)
    app.config["OLKE_HOME"] = str(home.root)
    app.register_blueprint(bp)
    yield app
    app.extensions["olke"].close()


def test_sitemap_xml_is_served(app):
    response = app.test_client().get("/sitemap.xml")
    assert response.status_code == 200 and response.content_type == "application/xml"
    assert [loc.text for loc in ET.fromstring(response.data).iter(f"{SITEMAP}loc")] == [
        "http://localhost/documents/1"]
    app.config["OLKE_BASE_URL"] = BASE + "/"
    response = app.test_client().get("/sitemap.xml")
    assert [loc.text for loc in ET.fromstring(response.data).iter(f"{SITEMAP}loc")] == [f"{BASE}/documents/1"]
    oai = app.test_client().get("/oai?verb=Identify").data
    assert f"<baseURL>{BASE}/oai</baseURL>".encode() in oai


def test_the_blueprint_shares_the_reading_rooms_archive(home):
    search_app = pytest.importorskip("search_app")
    app = search_app.create_app({"OLKE_HOME": str(home.root), "TESTING": True})  # registers the blueprint
    store = app.extensions["olke"]
    client = app.test_client()
    assert client.get("/oai?verb=Identify").status_code == 200
    assert client.get("/sitemap.xml").status_code == 200
    assert app.extensions["olke"] is store
    store.close()
