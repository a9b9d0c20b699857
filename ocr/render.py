"""Web-size page images and thumbnails for the viewer, rendered from the archived PDF."""
from __future__ import annotations

from pathlib import Path

from pdf2image import convert_from_path

PAGE_WIDTH = 1100   # pixels; readable on a desktop, light enough for a slow connection
THUMB_WIDTH = 180
JPEG_QUALITY = 72


def render_pages(pdf: Path, out_dir: Path, page_count: int, threads: int = 1) -> list[tuple[int, Path, Path]]:
    """Write ``page-NNNN.jpg`` and ``thumb-NNNN.jpg`` for every page; return (number, page, thumb)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    # Render a page at a time so a 500-page book never holds every bitmap in memory.
    for number in range(1, page_count + 1):
        (image,) = convert_from_path(pdf, size=(PAGE_WIDTH, None), first_page=number, last_page=number,
                                     grayscale=False, thread_count=threads)
        image = image.convert("L") if _is_grey(image) else image.convert("RGB")
        page_path = out_dir / f"page-{number:04d}.jpg"
        thumb_path = out_dir / f"thumb-{number:04d}.jpg"
        image.save(page_path, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        image.thumbnail((THUMB_WIDTH, THUMB_WIDTH * 2))
        image.save(thumb_path, "JPEG", quality=JPEG_QUALITY, optimize=True)
        written.append((number, page_path, thumb_path))
    return written


def _is_grey(image) -> bool:
    if image.mode in ("L", "1"):
        return True
    saturation = image.convert("RGB").resize((64, 64)).convert("HSV").getchannel("S")
    return saturation.getextrema()[1] < 30
