"""Keep the index in step with the catalog: after ingest, re-OCR, edits and deletes; rebuild; check."""
from __future__ import annotations

from typing import Iterable

from archive.catalog import Catalog
from archive.crashpoints import crash_point
from archive.errors import DiskFull, NotFound
from archive.search.backends import index_directory, new_index
from archive.search.interface import IndexCheck, SearchIndex, metadata_signature


def open_index(catalog: Catalog) -> SearchIndex:
    """The catalog's search index, on the engine ``OLKE_SEARCH`` names (Whoosh by default)."""
    return new_index(index_directory(catalog.home.index_dir))


def index_documents(catalog: Catalog, index: SearchIndex, document_ids: Iterable[int]) -> int:
    """(Re)index the given documents; deleted ones are removed from the index. Each commit merges
    the small segments earlier commits left (Whoosh's policy) and leaves the big ones alone.
    Their catalog marks (set with every change) are cleared once the index holds the change."""
    ids = sorted(set(document_ids))
    marks = pending(catalog, ids)
    active = []
    for document_id in ids:
        try:
            document = catalog.get(document_id, include_deleted=True)
        except NotFound:
            continue
        if document.status == "active":
            active.append((document, catalog.pages(document_id)))
    gone = [i for i in ids if i not in {d.id for d, _ in active}]
    if gone:
        index.delete_documents(gone)
    count = index.replace_documents(active) if active else 0
    crash_point("after-index")
    clear_marks(catalog, marks)
    return count


def catch_up(catalog: Catalog, index: SearchIndex, document_ids: Iterable[int] = ()) -> list[int]:
    """Index what the catalog holds and the index lacks: the given documents, those marked as
    changed since the index last took them (a crash between a catalog commit and the index
    write leaves the mark), and those whose page count differs between catalog and index.
    When nothing is missing this costs a look at two small tables and one index column."""
    expected, indexed = _page_counts(catalog, index)
    differ = {d for d, pages in expected.items() if indexed.get(d, 0) != pages}
    differ |= {d for d in indexed if d not in expected}
    ids = sorted(set(document_ids) | set(pending(catalog)) | differ)
    if ids:
        index_documents(catalog, index, ids)
    return ids


def _page_counts(catalog: Catalog, index: SearchIndex) -> tuple[dict[int, int], dict[int, int]]:
    """Each active document's pages in the catalog, and each document's pages in the index."""
    expected = {row[0]: row[1] for row in catalog.conn.execute(
        "SELECT id, page_count FROM documents WHERE status = 'active'")}
    return expected, index.page_counts()


def pages_lacking(catalog: Catalog, index: SearchIndex) -> int:
    """How many of the catalog's pages the index lacks, by each document's page count (cheap: two
    small tables and one index column, as `catch_up` looks)."""
    expected, indexed = _page_counts(catalog, index)
    return sum(max(0, pages - indexed.get(d, 0)) for d, pages in expected.items())


def pending(catalog: Catalog, document_ids: list[int] | None = None) -> dict[int, int]:
    """The documents marked for the index, with their mark's version."""
    rows = catalog.conn.execute("SELECT document_id, version FROM index_pending").fetchall()
    wanted = set(document_ids) if document_ids is not None else None
    return {row[0]: row[1] for row in rows if wanted is None or row[0] in wanted}


def clear_marks(catalog: Catalog, marks: dict[int, int]) -> None:
    """Clear these marks, unless a document changed again meanwhile (its version moved on)."""
    if not marks:
        return
    try:
        with catalog.transaction() as conn:
            conn.executemany("DELETE FROM index_pending WHERE document_id = :id AND version = :version",
                             [{"id": document_id, "version": version} for document_id, version in marks.items()])
    except DiskFull:
        pass        # the marks stay: the next run indexes these documents once more, which is harmless


def rebuild(catalog: Catalog, index: SearchIndex, progress=None) -> int:
    """Index every active document afresh, aside from the live index, which then gives way to it
    in one step (searches go on meanwhile); one bulk writer: one segment per core, in parallel."""
    marks = {}

    def documents():
        marks.update(pending(catalog))
        for document in reversed(catalog.documents()):
            yield document, catalog.pages(document.id)
            if progress:
                progress(1)
    count = index.rebuild(documents())
    clear_marks(catalog, marks)
    return count


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
