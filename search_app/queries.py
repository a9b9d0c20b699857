"""Read-only catalog queries the reading room needs and `archive.catalog.Catalog` does not offer yet.

Kept here in one place; they belong in `Catalog` (``page`` and ``holdings``) once its owner takes them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from archive.catalog import Catalog
from archive.errors import NotFound


def page(catalog: Catalog, document_id: int, number: int) -> dict:
    """One page of a document, with its words, without reading the others."""
    row = catalog.conn.execute("SELECT * FROM pages WHERE document_id = ? AND number = ?",
                               (document_id, number)).fetchone()
    if row is None:
        raise NotFound(f"document {document_id} has no page {number}")
    return dict(row, words=json.loads(row["words"]))


@dataclass
class Holdings:
    documents: int = 0
    pages: int = 0
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)       # kind → (documents, pages)
    by_language: dict[str, tuple[int, int]] = field(default_factory=dict)   # language → (documents, pages)


def holdings(catalog: Catalog) -> Holdings:
    """What the archive holds: documents and pages, by kind and by language."""
    result = Holdings()
    rows = catalog.conn.execute("SELECT kind, language, COUNT(*), COALESCE(SUM(page_count), 0) FROM documents"
                                " WHERE status = 'active' GROUP BY kind, language ORDER BY kind, language")
    for kind, language, documents, pages in rows:
        result.documents += documents
        result.pages += pages
        for key, table in ((kind, result.by_kind), (language, result.by_language)):
            before = table.get(key, (0, 0))
            table[key] = (before[0] + documents, before[1] + pages)
    return result
