"""Check one input file and say precisely what is wrong with it."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image

from archive.errors import (DecompressionBomb, PageTooLarge, ScanEmpty, ScanEncrypted, ScanUnreadable,
                           WrongFileType)
from ocr.pagesize import MIN_SIDE_PT, page_sizes

# A 600 dpi A3 scan is 70 megapixels; anything far beyond is a damaged or hostile file.
MAX_PIXELS = 150_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ACCEPTED = "PNG, JPEG, TIFF or PDF"
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"II*\x00", "tiff"),
          (b"MM\x00*", "tiff"), (b"%PDF-", "pdf"))
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SCAN_SUFFIXES = IMAGE_SUFFIXES | {".pdf"}


@dataclass(frozen=True)
class ScanFile:
    path: Path
    type: str          # png | jpeg | tiff | pdf
    pages: int
    has_text: bool = False
    dpi_missing: bool = False


def sniff(path: Path) -> str:
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(1024)
    except OSError as error:
        raise ScanUnreadable(f"cannot read the file ({error.strerror}); check it exists and is readable", path)
    if size == 0:
        raise ScanEmpty("the file is empty (0 bytes); copy or scan it again", path)
    for magic, kind in _MAGIC:
        if head.startswith(magic) or (kind == "pdf" and magic in head):
            return kind
    raise WrongFileType(f"not a scan Olke can read; use {ACCEPTED}", path)


def inspect(path: Path) -> ScanFile:
    kind = sniff(path)
    return _inspect_pdf(path) if kind == "pdf" else _inspect_image(path, kind)


def _inspect_image(path: Path, kind: str) -> ScanFile:
    try:
        with warnings.catch_warnings():
            # Olke checks the size itself below, with a message that says what to do.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                frames = getattr(image, "n_frames", 1)
                dpi_missing = not image.info.get("dpi")
                for frame in range(frames):
                    image.seek(frame)
                    width, height = image.size
                    if width * height > MAX_PIXELS:
                        raise DecompressionBomb(
                            f"image is {width}x{height} pixels, over Olke's limit of {MAX_PIXELS // 1_000_000}"
                            " megapixels; it is damaged or not a page scan — rescan at 300-600 dpi", path)
                    image.load()
    except Image.DecompressionBombError:
        raise DecompressionBomb("image is too large to be a page scan (a decompression bomb?); "
                                "rescan at 300-600 dpi", path) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ScanUnreadable(f"the {kind.upper()} is damaged or truncated ({error}); scan or copy it again",
                             path) from None
    return ScanFile(path, kind, frames, dpi_missing=dpi_missing)


def _inspect_pdf(path: Path) -> ScanFile:
    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                raise ScanEncrypted("the PDF is encrypted; save an unprotected copy and ingest that", path)
            pages = len(pdf.pages)
            has_text = any(_page_has_text(page) for page in pdf.pages)
            damage = [str(w).replace(f"{path}: ", "") for w in pdf.get_warnings()]
    except pikepdf.PasswordError:
        raise ScanEncrypted("the PDF is password-protected; save an unprotected copy and ingest that",
                            path) from None
    except pikepdf.PdfError as error:
        raise ScanUnreadable(f"the PDF is damaged ({error}); export or scan it again", path) from None
    if damage:      # qpdf rebuilt it as it opened it: what it read may lack pages or their content
        raise ScanUnreadable(f"the PDF is damaged or truncated ({'; '.join(damage[:2])}); export or copy it again",
                             path)
    if pages == 0:
        raise ScanUnreadable("the PDF has no pages", path)
    check_page_sizes(path)
    return ScanFile(path, "pdf", pages, has_text=has_text)


def check_page_sizes(path: Path) -> None:
    """Refuse a page whose bitmap, for OCR or for the viewer, would be over MAX_PIXELS, before rendering it."""
    for size in page_sizes(path):
        if min(size.width_pt, size.height_pt) < MIN_SIDE_PT:
            raise ScanUnreadable(f"{size.describe()}, too small to be a page; the PDF is damaged — export or "
                                 "scan it again", path)
        if size.pixels > MAX_PIXELS:
            how = (f"at {size.dpi:.0f} dpi for OCR" if size.ocr_pixels >= size.viewer_pixels
                   else "1100 pixels wide for the viewer")
            raise PageTooLarge(f"{size.describe()}; rendered {how} it would be {size.pixels / 1e6:,.0f} megapixels "
                               f"(about {size.memory_bytes / 1e9:,.1f} GB of memory), over Olke's limit of "
                               f"{MAX_PIXELS // 1_000_000} megapixels a page; it is damaged or not a page scan — "
                               "export it at the paper's real size", path)


def _page_has_text(page: pikepdf.Page) -> bool:
    """Whether the page draws any text: a text-showing operator in its content or its forms."""
    try:
        for _, operator in pikepdf.parse_content_stream(page, "Tj TJ ' \""):
            return True
        for xobject in page.resources.get("/XObject", {}).values():
            if xobject.get("/Subtype") == "/Form":
                for _ in pikepdf.parse_content_stream(xobject, "Tj TJ ' \""):
                    return True
    except pikepdf.PdfError:
        return False
    return False
