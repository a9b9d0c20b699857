"""What search engines read: citation meta tags, schema.org JSON-LD and the sitemap.

``base_url`` is the reading room's address without a trailing slash, e.g. ``https://olke.example.kz``.
The document and download addresses here are the reading room's own routes (search_app/reading.py
and search_app/files.py); the MARC export and OAI-PMH use the same ones.
"""
from __future__ import annotations

from typing import Iterable
from xml.etree import ElementTree as ET

from archive.catalog import Document
from archive.vocabulary import ARTICLE_KINDS

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ISO_639_1 = {"kaz": "kk", "rus": "ru"}
SCHEMA_TYPES = {"newspaper_article": "NewsArticle", "journal_article": "ScholarlyArticle", "book": "Book",
                "other": "CreativeWork"}


def document_url(base_url: str, document_id: int) -> str:
    return f"{base_url.rstrip('/')}/documents/{document_id}"


def pdf_url(base_url: str, document_id: int) -> str:
    return f"{base_url.rstrip('/')}/files/{document_id}/document.pdf"


def page_range(source_pages: str | None) -> tuple[str | None, str | None]:
    """'12-14' → ('12', '14'); '3' → ('3', None)."""
    if not source_pages:
        return None, None
    first, _, last = source_pages.replace("–", "-").partition("-")
    return first.strip() or None, last.strip() or None


def citation_meta(document: Document, base_url: str) -> list[tuple[str, str]]:
    """Highwire Press tags, as Google Scholar reads them, in the order it expects."""
    tags = [("citation_title", document.title)]
    tags += [("citation_author", author) for author in document.authors]
    if document.published:
        tags.append(("citation_publication_date", document.published.replace("-", "/")))
    if document.kind in ARTICLE_KINDS and document.source:
        tags.append(("citation_journal_title", document.source))
        if document.issue:
            tags.append(("citation_issue", document.issue))
        first, last = page_range(document.source_pages)
        tags += [(name, value) for name, value in (("citation_firstpage", first), ("citation_lastpage", last))
                 if value]
    if document.rubrics:
        tags.append(("citation_keywords", "; ".join(document.rubrics)))
    tags.append(("citation_language", ISO_639_1.get(document.language, document.language)))
    tags.append(("citation_abstract_html_url", document_url(base_url, document.id)))
    if document.access == "open":
        tags.append(("citation_pdf_url", pdf_url(base_url, document.id)))
    return tags


def schema_org(document: Document, base_url: str) -> dict:
    """A schema.org description for a ``<script type="application/ld+json">``."""
    url = document_url(base_url, document.id)
    data: dict = {"@context": "https://schema.org", "@type": SCHEMA_TYPES[document.kind], "@id": url,
                  "url": url, "name": document.title,
                  "inLanguage": ISO_639_1.get(document.language, document.language)}
    if document.kind in ARTICLE_KINDS:
        data["headline"] = document.title[:110]
    if document.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in document.authors]
    if document.published:
        data["datePublished"] = document.published
    if document.rubrics:
        data["keywords"] = ", ".join(document.rubrics)
    if document.notes:
        data["description"] = document.notes
    if document.kind in ARTICLE_KINDS and document.source:
        data["isPartOf"] = _host(document)
        if document.source_pages:
            data["pagination"] = document.source_pages
    elif document.page_count:
        data["numberOfPages"] = document.page_count
    data["isAccessibleForFree"] = document.access == "open"
    if document.access == "open":
        data["encoding"] = {"@type": "MediaObject", "contentUrl": pdf_url(base_url, document.id),
                            "encodingFormat": "application/pdf"}
    return data


def _host(document: Document) -> dict:
    periodical = {"@type": "Newspaper" if document.kind == "newspaper_article" else "Periodical",
                  "name": document.source}
    if not document.issue:
        return periodical
    issue = {"@type": "PublicationIssue", "issueNumber": document.issue, "isPartOf": periodical}
    if document.published:
        issue["datePublished"] = document.published
    return issue


def sitemap(documents: Iterable[Document], base_url: str) -> bytes:
    """A sitemap with each active document's page and when it last changed."""
    urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
    for document in documents:
        if document.status != "active":
            continue
        entry = ET.SubElement(urlset, "url")
        ET.SubElement(entry, "loc").text = document_url(base_url, document.id)
        ET.SubElement(entry, "lastmod").text = document.updated_at
    return ET.tostring(urlset, encoding="UTF-8", xml_declaration=True)
