"""Keep the index in step with the catalog: after ingest, re-OCR, edits and deletes; rebuild; check."""
from __future__ import annotations

from typing import Iterable

from archive.catalog import Catalog
from archive.search.index import IndexCheck, SearchIndex, WhooshIndex, metadata_signature


def open_index(catalog: Catalog) -> WhooshIndex:
    return WhooshIndex(catalog.home.index_dir)


def index_documents(catalog: Catalog, index: SearchIndex, document_ids: Iterable[int]) -> int:
    """(Re)index the given documents; deleted ones are removed from the index. Each commit merges
    the small segments earlier commits left (Whoosh's policy) and leaves the big ones alone."""
    ids = list(document_ids)
    active = []
    for document_id in ids:
        document = catalog.get(document_id, include_deleted=True)
        if document.status == "active":
            active.append((document, catalog.pages(document_id)))
    gone = [i for i in ids if i not in {d.id for d, _ in active}]
    if gone:
        index.delete_documents(gone)
    return index.replace_documents(active) if active else 0


def rebuild(catalog: Catalog, index: SearchIndex, progress=None) -> int:
    """Index every active document afresh with one bulk writer: one segment per core, in parallel."""
    index.clear()

    def documents():
        for document in reversed(catalog.documents()):
            yield document, catalog.pages(document.id)
            if progress:
                progress(1)
    return index.replace_documents(documents(), bulk=True)


def check(catalog: Catalog, index: SearchIndex) -> IndexCheck:
    indexed = index.keys()
    expected: dict[str, int] = {}
    signatures = {}
    for document in catalog.documents():
        signatures[document.id] = metadata_signature(document)
        for number in range(1, document.page_count + 1):
            expected[f"{document.id}:{number}"] = document.id
    missing = sorted(set(expected) - set(indexed), key=_key_order)
    extra = sorted(set(indexed) - set(expected), key=_key_order)
    stale = sorted({doc_id for key, (doc_id, *meta) in indexed.items()
                    if doc_id in signatures and tuple(meta) != signatures[doc_id]})
    return IndexCheck(missing, extra, stale, index.outdated())


def _key_order(key: str) -> tuple[int, int]:
    document, page = key.split(":")
    return int(document), int(page)
