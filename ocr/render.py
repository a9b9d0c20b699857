"""Web-size page images and thumbnails for the viewer, rendered from the archived PDF."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from pdf2image import convert_from_path
import numpy as np
from PIL import Image

PAGE_WIDTH = 1100   # pixels; readable on a desktop, light enough for a slow connection
THUMB_WIDTH = 180
JPEG_QUALITY = 72
_TURNS = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


def _pdf_pages(pdf: Path, page_count: int) -> Iterator[Image.Image]:
    # A page at a time, so a 500-page book never holds every bitmap in memory.
    for number in range(1, page_count + 1):
        (image,) = convert_from_path(pdf, size=(PAGE_WIDTH, None), first_page=number, last_page=number)
        yield image


def viewable(image: Image.Image) -> Image.Image:
    """A scan's picture as the PDF shows it, in 8 bits: transparency laid on white paper (its
    hidden pixels are often black), 16-bit grey scaled down (a plain conversion clips it white)."""
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, "white")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper.convert("L") if image.mode in ("LA", "La") else paper
    if image.mode.startswith("I;16") or image.mode == "I":
        values = np.clip(np.asarray(image).astype(np.int64), 0, 65535)
        return Image.fromarray((values >> 8 if values.max(initial=0) > 255 else values).astype(np.uint8), "L")
    return image.convert("L") if image.mode in ("1", "L", "P") else image.convert("RGB")


def _image_pages(images: list[Path | None], pdf: Path) -> Iterator[Image.Image]:
    for number, path in enumerate(images, start=1):
        if path is None:                  # this page is drawn from the PDF
            (page,) = convert_from_path(pdf, size=(PAGE_WIDTH, None), first_page=number, last_page=number)
            yield page
            continue
        with Image.open(path) as image:
            for frame in range(getattr(image, "n_frames", 1)):
                image.seek(frame)
                page = viewable(image)
                factor = max(1, page.width // (PAGE_WIDTH * 2))
                page = page.reduce(factor) if factor > 1 else page
                yield page.resize((PAGE_WIDTH, round(page.height * PAGE_WIDTH / page.width)), Image.LANCZOS)


def render_pages(pdf: Path, out_dir: Path, page_count: int, images: list[Path] | None = None,
                 rotations: list[int] | None = None) -> list[tuple[int, Path, Path]]:
    """Write ``page-NNNN.jpg`` and ``thumb-NNNN.jpg`` for every page; return (number, page, thumb).

    ``images`` are the page images exactly as they went into the PDF, in order: scaling them is
    much quicker than rendering the PDF, and shows the same picture once turned by the page's
    ``rotations`` (clockwise degrees, as the PDF's /Rotate turned its view); a page without one
    (None: OCR turned it in the PDF) is rendered from the PDF.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    pages = _image_pages(images, pdf) if images else _pdf_pages(pdf, page_count)
    for number, image in enumerate(pages, start=1):
        turn = (rotations or [0] * page_count)[number - 1] if images and images[number - 1] is not None else 0
        if turn:
            image = image.transpose(_TURNS[turn])
        image = image.convert("L") if _is_grey(image) else image.convert("RGB")
        page_path = out_dir / f"page-{number:04d}.jpg"
        thumb_path = out_dir / f"thumb-{number:04d}.jpg"
        image.save(page_path, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        image.thumbnail((THUMB_WIDTH, THUMB_WIDTH * 2))
        image.save(thumb_path, "JPEG", quality=JPEG_QUALITY, optimize=True)
        written.append((number, page_path, thumb_path))
    if len(written) != page_count:
        raise ValueError(f"rendered {len(written)} page images for {page_count} pages")
    return written


def _is_grey(image) -> bool:
    if image.mode in ("L", "1"):
        return True
    saturation = image.convert("RGB").resize((64, 64)).convert("HSV").getchannel("S")
    return saturation.getextrema()[1] < 30
