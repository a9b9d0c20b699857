"""A document as reference managers and file systems want it: RIS, BibTeX, a file name, PDF metadata.

RIS is written by rispy and BibTeX by bibtexparser; the file name is the description in ASCII
(anyascii transliterates Kazakh and Russian letters: Әл-Фараби → Al-Farabi), so a researcher's
downloads folder says what each file is: ``1998-kitaphana-tarihy-olke-3.pdf``.
"""
from __future__ import annotations

import re
from typing import Iterable

import bibtexparser
import pikepdf
import rispy
from anyascii import anyascii
from bibtexparser.bibdatabase import BibDatabase
from bibtexparser.bwriter import BibTexWriter

from archive.discovery import ISO_639_1, document_url, page_range
from archive.marc import parse_name

RIS_TYPES = {"newspaper_article": "NEWS", "journal_article": "JOUR", "book": "BOOK", "other": "GEN"}
BIBTEX_TYPES = {"newspaper_article": "article", "journal_article": "article", "book": "book", "other": "misc"}
NAME_WORDS = 6                 # words of the title in a file name


class _RisWriter(rispy.RisWriter):
    def set_header(self, count):        # no "1." before each record: plain RIS, as Zotero writes it
        return ""


def ris(documents: Iterable, base_url: str) -> str:
    records = []
    for document in documents:
        record = {"type_of_reference": RIS_TYPES.get(document.kind, "GEN"), "title": document.title,
                  "authors": list(document.authors), "language": ISO_639_1.get(document.language, document.language),
                  "urls": [document_url(base_url, document.id)], "id": f"olke-{document.id}"}
        if document.published:
            record["year"] = document.published[:4]
            record["date"] = document.published.replace("-", "/")
        if document.source:
            record["secondary_title"] = document.source
        if document.issue:
            record["number"] = document.issue
        first, last = page_range(document.source_pages)
        if first:
            record["start_page"] = first
        if last:
            record["end_page"] = last
        if document.rubrics:
            record["keywords"] = list(document.rubrics)
        if document.notes:
            record["notes"] = [document.notes]
        records.append(record)
    return rispy.dumps(records, implementation=_RisWriter)


def bibtex(documents: Iterable, base_url: str) -> str:
    database = BibDatabase()
    for document in documents:
        entry = {"ENTRYTYPE": BIBTEX_TYPES.get(document.kind, "misc"), "ID": f"olke{document.id}",
                 "title": document.title, "url": document_url(base_url, document.id),
                 "language": ISO_639_1.get(document.language, document.language)}
        if document.authors:       # a body's name braced whole: BibTeX would read its last word as a surname
            entry["author"] = " and ".join(name if parse_name(name).person else "{" + name + "}"
                                           for name in document.authors)
        if document.published:
            entry["year"] = document.published[:4]
        if document.source:
            entry["journal"] = document.source
        if document.issue:
            entry["number"] = document.issue
        if document.source_pages:
            entry["pages"] = document.source_pages.replace("-", "--")
        if document.rubrics:
            entry["keywords"] = ", ".join(document.rubrics)
        database.entries.append(entry)
    writer = BibTexWriter()
    writer.order_entries_by = None
    return bibtexparser.dumps(database, writer)


def file_stem(document) -> str:
    """A safe, readable file name (no extension): year, the title's first words, olke-ID."""
    words = re.findall(r"[a-z0-9]+", anyascii(document.title).lower())[:NAME_WORDS]
    parts = [(document.published or "")[:4], *words, f"olke-{document.id}"]
    return "-".join(part for part in parts if part)[:120]


def describe_pdf(pdf: pikepdf.Pdf, document) -> None:
    """Title, authors and subject into the PDF's XMP metadata and document information, kept in
    step (a PDF/A stays one): what a PDF reader shows as the file's title, author and subject."""
    subject = "; ".join(filter(None, [
        (document.source + (f", № {document.issue}" if document.issue else "")) if document.source else "",
        document.published or "", ", ".join(document.rubrics)]))
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["dc:title"] = document.title
        if document.authors:
            meta["dc:creator"] = list(document.authors)
        if subject:
            meta["dc:description"] = subject
    if subject:
        pdf.docinfo["/Subject"] = subject
