"""Page images, thumbnails and downloads, found only through the catalog (no path ever comes from a URL).

The pages of ``on_request`` documents are not shown (403): neither their images nor downloads,
and their thumbnails only where the library allows it (``OLKE_ON_REQUEST_THUMBNAILS``); their
copies go through delivery requests.
"""
from __future__ import annotations

import io
import tempfile
from functools import lru_cache

import pikepdf
from flask import Blueprint, Response, current_app, request, send_file
from flask_babel import gettext as _
from PIL import Image

from archive import citations
from archive.catalog import Catalog, Document
from archive.metadata import pages_shown
from search_app import params
from search_app.errors import BadParameter, DownloadOnRequest, PageNotFound
from search_app.pdfpages import single_page
from search_app.store import get_store

files = Blueprint("files", __name__)
IMAGE_WIDTHS = (480, 800)    # smaller copies of the 1100-pixel page images, for phones and small windows


def _downloadable(catalog: Catalog, document_id: int, thumbnail: bool = False) -> Document:
    document = catalog.get(document_id)
    if not pages_shown(document.access) and not (thumbnail and thumbnails_on_request()):
        raise DownloadOnRequest(_("This document is given only on request: ask for a copy of the pages you need."))
    return document


def thumbnails_on_request() -> bool:
    return bool(current_app.config["OLKE_ON_REQUEST_THUMBNAILS"])


def thumbnail_shown(access: str) -> bool:
    """For templates: may a document with this access show its pages' thumbnails?"""
    return pages_shown(access) or thumbnails_on_request()


def _check_page(document: Document, page: int) -> None:
    if not 1 <= page <= document.page_count:
        raise PageNotFound(_("This document has no page %(page)s; its pages are 1 to %(last)s.",
                             page=page, last=document.page_count))


def _image(document_id: int, page: int, role: str):
    with get_store().catalog() as catalog:
        _check_page(_downloadable(catalog, document_id, thumbnail=role == "thumbnail"), page)
        path = catalog.file_path(document_id, role, page)
    return send_file(path, mimetype="image/jpeg", conditional=True,
                     max_age=current_app.config["OLKE_IMAGE_MAX_AGE"])


@files.get("/<int:document_id>/pages/<int:page>.jpg")
def page_image(document_id: int, page: int):
    """The page image; ``?width=`` one of IMAGE_WIDTHS gives a smaller copy for small screens."""
    width = params.integer(request.args, "width", 1, 10_000)
    if width is None:
        return _image(document_id, page, "page_image")
    if width not in IMAGE_WIDTHS:
        raise BadParameter(_("“%(value)s” is not a valid value of “%(name)s”; use one of: %(allowed)s.",
                             value=width, name="width", allowed=", ".join(map(str, IMAGE_WIDTHS))))
    with get_store().catalog() as catalog:
        _check_page(_downloadable(catalog, document_id), page)
        path = catalog.file_path(document_id, "page_image", page)
    return Response(_smaller(str(path), path.stat().st_mtime_ns, width), mimetype="image/jpeg",
                    headers={"Cache-Control": f"public, max-age={current_app.config['OLKE_IMAGE_MAX_AGE']}"})


@lru_cache(maxsize=256)
def _smaller(path: str, _changed: int, width: int) -> bytes:
    """A page image scaled down to ``width`` (kept while the file is unchanged)."""
    with Image.open(path) as image:
        image.thumbnail((width, width * 4), Image.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=72, optimize=True, progressive=True)
    return buffer.getvalue()


@files.get("/<int:document_id>/thumbnails/<int:page>.jpg")
def thumbnail(document_id: int, page: int):
    return _image(document_id, page, "thumbnail")


@files.get("/<int:document_id>/document.pdf")
def document_pdf(document_id: int):
    with get_store().locked() as archive:
        document = _downloadable(archive.catalog, document_id)
        path = archive.catalog.file_path(document_id, "pdf")
        archive.usage.record(document_id, "download")
    # the archived file with its description in the PDF's metadata, written aside as it is sent
    described = tempfile.TemporaryFile()
    with pikepdf.open(path) as pdf:
        citations.describe_pdf(pdf, document)
        pdf.save(described)
    described.seek(0)
    return send_file(described, mimetype="application/pdf", as_attachment=True,
                     download_name=f"{citations.file_stem(document)}.pdf", conditional=False, max_age=0)


@files.get("/<int:document_id>/document.txt")
def document_text(document_id: int):
    with get_store().locked() as archive:
        document = _downloadable(archive.catalog, document_id)
        pages = archive.catalog.pages(document_id)
        archive.usage.record(document_id, "download")
    body = "".join(f"\f— {_('page %(num)s', num=p['number'])} —\n\n{p['text'].strip()}\n\n" for p in pages)
    return _text_file(body.lstrip("\f"), f"{citations.file_stem(document)}.txt")


@files.get("/<int:document_id>/pages/<int:page>.txt")
def page_text(document_id: int, page: int):
    with get_store().catalog() as catalog:
        document = _downloadable(catalog, document_id)
        _check_page(document, page)
        text = catalog.page(document_id, page)["text"]
    return _text_file(text.strip() + "\n", f"{citations.file_stem(document)}-p{page}.txt")


def _text_file(body: str, name: str) -> Response:
    return Response(body, mimetype="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@files.get("/<int:document_id>/pages/<int:page>.pdf")
def page_pdf(document_id: int, page: int):
    with get_store().catalog() as catalog:
        document = _downloadable(catalog, document_id)
        _check_page(document, page)
        path = catalog.file_path(document_id, "pdf")
    data = single_page(path, page, document)
    with get_store().locked() as archive:
        archive.usage.record(document_id, "download")
    name = f"{citations.file_stem(document)}-p{page}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
