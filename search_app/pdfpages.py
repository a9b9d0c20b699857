"""One page of an archived PDF as a PDF of its own, for "download this page"."""
from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from archive import citations


def single_page(pdf_path: Path, number: int, document=None) -> bytes:
    """Page ``number`` (from 1) of the PDF, described as ``document`` (title, authors, subject);
    IndexError if the PDF has no such page."""
    with pikepdf.open(pdf_path) as source:
        if not 1 <= number <= len(source.pages):
            raise IndexError(number)
        out = pikepdf.Pdf.new()
        out.pages.append(source.pages[number - 1])
        if document is not None:
            citations.describe_pdf(out, document)
        elif "/Title" in source.docinfo:
            out.docinfo["/Title"] = source.docinfo["/Title"]
        buffer = io.BytesIO()
        out.save(buffer)
    return buffer.getvalue()
