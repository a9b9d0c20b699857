"""The stages that turn one document's scans into a staged document, each a small function.

They run in a worker process; nothing here touches the catalog.
"""
from __future__ import annotations

import io
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import img2pdf
import pikepdf
from pdf2image import convert_from_path
from PIL import Image

from archive.errors import ScanUnreadable
from archive.metadata import Description
from archive.storage import StagedDocument
from ingest.scanfile import ScanFile
from ocr import pdfa, render, sanitize, textlayer
from ocr.engine import OcrEngine, OcrOptions, PageDone
from ocr.preprocess import PreparedPage

ASSUMED_DPI = 300  # for images that do not say their resolution


@dataclass
class DocumentJob:
    label: str
    files: list[ScanFile]
    directory: Path               # the staging folder
    ocr_options: OcrOptions
    force_ocr: bool = False
    scan_sha256: str = ""
    description: Description | None = None

    @property
    def page_count(self) -> int:
        return sum(f.pages for f in self.files)


def keep_originals(job: DocumentJob) -> Path:
    """Copy the scans as they came; the inbox is never changed."""
    target = job.directory / "originals"
    target.mkdir(parents=True, exist_ok=True)
    for number, scan in enumerate(job.files, start=1):
        name = scan.path.name if len(job.files) == 1 else f"{number:04d}-{scan.path.name}"
        shutil.copy2(scan.path, target / name)
    return target


class Stopped(Exception):
    """Preparation was stopped between two pages (the batch is ending)."""


def prepare_pages(job: DocumentJob, engine: OcrEngine, stop: threading.Event | None = None) -> list[PreparedPage]:
    """Every page as a one-page image, checked, and straightened or cleaned where it needs it.

    Multi-page TIFFs are split into frames and image-only PDFs rendered at their scans' resolution,
    so every page gets the same checks. A PDF that carries text is left as it is (None). A set
    ``stop`` ends the work before the next page.
    """
    if any(f.has_text for f in job.files) and not job.force_ocr:
        return []
    folder = job.directory / "prepared"
    folder.mkdir(exist_ok=True)
    images: list[Path] = []
    for index, scan in enumerate(job.files, start=1):
        if scan.type == "pdf":
            images.extend(_pdf_pages(scan, folder / f"{index:04d}"))
        elif scan.pages > 1:
            images.extend(_frames(scan, folder / f"{index:04d}"))
        else:
            images.append(scan.path)
    def prepare(image: Path) -> PreparedPage:
        if stop is not None and stop.is_set():
            raise Stopped(job.label)
        return engine.prepare_page(image, folder, job.ocr_options)

    with ThreadPoolExecutor(max_workers=max(1, job.ocr_options.jobs)) as pool:
        return list(pool.map(prepare, images))


def _pdf_pages(scan: ScanFile, prefix: Path) -> list[Path]:
    """Render each page of an image-only PDF at the resolution of the scan it holds."""
    return _rendered(scan.path, range(1, scan.pages + 1), prefix)


def _rendered(pdf_path: Path, numbers, prefix: Path) -> list[Path]:
    """Pages `numbers` of a PDF, each rendered at the resolution of the scan it holds."""
    paths = []
    with pikepdf.open(pdf_path) as pdf:
        resolutions = [_scan_dpi(pdf.pages[number - 1]) for number in numbers]
    for number, dpi in zip(numbers, resolutions):
        (image,) = convert_from_path(pdf_path, dpi=dpi, first_page=number, last_page=number)
        path = prefix.with_name(f"{prefix.name}-page-{number:04d}.png")
        page = image.convert("L") if render._is_grey(image) else image
        page.save(path, "PNG", dpi=(dpi, dpi), compress_level=1)
        paths.append(path)
    return paths


def _scan_dpi(page: pikepdf.Page) -> int:
    """The resolution of the largest image on the page, or ASSUMED_DPI."""
    box = page.mediabox
    width_in = float(box[2] - box[0]) / 72
    best = 0
    for image in page.get_images().values():
        best = max(best, int(image.get("/Width", 0)))
    if not best or width_in <= 0:
        return ASSUMED_DPI
    return max(72, min(600, round(best / width_in)))


def _frames(scan: ScanFile, prefix: Path) -> list[Path]:
    paths = []
    with Image.open(scan.path) as image:
        for number in range(scan.pages):
            image.seek(number)
            path = prefix.with_name(f"{prefix.name}-frame-{number + 1:04d}.png")
            image.save(path, "PNG", dpi=image.info.get("dpi", (ASSUMED_DPI, ASSUMED_DPI)), compress_level=1)
            paths.append(path)
    return paths


def assemble_pdf(job: DocumentJob, pages: list[PreparedPage]) -> Path:
    """One PDF of all pages; images go in losslessly with their resolution (img2pdf).

    With no prepared pages (a PDF that carries text) the input PDFs are joined as they are.
    """
    output = job.directory / "input.pdf"
    if not pages and len(job.files) == 1:
        shutil.copyfile(job.files[0].path, output)
        return output
    dpi_missing = {f.path for f in job.files if f.dpi_missing}
    if pages:
        parts = [_image_pdf(_into_pdf(page), page.image in dpi_missing, page.exif_turn) for page in pages]
    else:
        parts = [f.path.read_bytes() if f.type == "pdf" else _image_pdf(f.path, f.dpi_missing) for f in job.files]
    return _joined(parts, output)


def _into_pdf(page: PreparedPage) -> Path:
    """The page's file for the PDF: its PNG copy for reading, where it has one, in place of a scan
    img2pdf would re-encode (a TIFF: 0.85 s a grey A4 page at 300 dpi, 2 s an RGB one; a PNG goes
    in as it is); a JPEG goes in as it is, and ocrmypdf keeps such a page a JPEG. The same pixels
    either way: ocrmypdf makes the archived page from the file OCR reads, the copy."""
    if page.read_image is None:
        return page.image
    with Image.open(page.image) as image:
        return page.image if image.format == "JPEG" else page.read_image


def _joined(parts: list[bytes], output: Path) -> Path:
    """One PDF of the pages of `parts` (PDFs), in order."""
    with pikepdf.new() as combined:
        for data in parts:
            with pikepdf.open(io.BytesIO(data)) as part:
                combined.pages.extend(part.pages)
        combined.save(output)
    return output


def _image_pdf(path: Path, dpi_missing: bool = False, turn: int | None = None) -> bytes:
    """The image as a one-page PDF; ``turn``: its EXIF orientation as already read (None: img2pdf
    reads it, decoding a PNG once more to find it)."""
    layout = {"layout_fun": img2pdf.get_fixed_dpi_layout_fun((ASSUMED_DPI, ASSUMED_DPI))} if dpi_missing else {}
    rotation = img2pdf.Rotation.ifvalid if turn is None else img2pdf.Rotation[str(turn)]
    try:
        return img2pdf.convert(str(path), rotation=rotation, **layout)
    except (img2pdf.AlphaChannelError, ValueError) as error:
        # img2pdf keeps images bit-exact and so refuses transparency and more than 8 bits a sample
        # (16-bit grey from archival scanners): flatten onto white paper, scale down to 8 bits.
        if not isinstance(error, img2pdf.AlphaChannelError) and "bits per sample" not in str(error):
            raise ScanUnreadable(f"cannot put the image into a PDF ({error}); re-save it as PNG or TIFF",
                                 path) from None
        with Image.open(path) as image:
            frames = []
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                buffer = io.BytesIO()
                render.viewable(image).save(buffer, "PNG", dpi=image.info.get("dpi", (ASSUMED_DPI, ASSUMED_DPI)))
                frames.append(buffer.getvalue())
        return img2pdf.convert(frames)
    except (img2pdf.ImageOpenError, ValueError, OSError) as error:
        raise ScanUnreadable(f"cannot put the image into a PDF ({error}); re-save it as PNG or TIFF",
                             path) from None


def recognise(job: DocumentJob, pages: list[PreparedPage], input_pdf: Path, engine: OcrEngine,
              page_done: PageDone | None) -> StagedDocument:
    """OCR the prepared pages, or keep a PDF's own text layer (no prepared pages), made PDF/A."""
    staged = StagedDocument(job.directory, [], engine.name,
                            notes=sanitize.clean(input_pdf, [f.path for f in job.files if f.type == "pdf"]))
    if not pages:
        staged.notes += pdfa.convert(input_pdf, staged.pdf)
        staged.pages = textlayer.read_pages(staged.pdf)
        staged.ocr_engine = None
        unread = textlayer.pictured_without_text(staged.pages)
        if unread:
            read_scanned_pages(job, staged, unread, engine)
        if page_done:
            for page in staged.pages:
                page_done(page.number)
    else:
        staged.pages = engine.ocr_pdf(input_pdf, staged.pdf, job.ocr_options, page_done, pages)
    input_pdf.unlink()
    return staged


def read_scanned_pages(job: DocumentJob, staged: StagedDocument, numbers: list[int], engine: OcrEngine) -> None:
    """OCR the pages of a PDF with a text layer that carry a picture and no text (scanned pages
    among born-digital ones), as scanned pages are read: each rendered at its scan's resolution,
    checked and prepared, read, and put in the archived PDF in its place. The other pages keep
    their own text and are not rasterised."""
    folder = job.directory / "scanned-pages"
    folder.mkdir(exist_ok=True)
    prepared = [engine.prepare_page(image, folder, job.ocr_options)
                for image in _rendered(staged.pdf, numbers, folder / "scan")]
    read_in = _joined([_image_pdf(_into_pdf(page), turn=page.exif_turn) for page in prepared], folder / "input.pdf")
    read_out = folder / "read.pdf"
    results = engine.ocr_pdf(read_in, read_out, job.ocr_options, None, prepared)
    with pikepdf.open(staged.pdf, allow_overwriting_input=True) as pdf, pikepdf.open(read_out) as read:
        for number, page in zip(numbers, read.pages):
            pdf.pages[number - 1] = page
        pdf.save(staged.pdf)
    for number, result in zip(numbers, results):
        result.number = number
        result.steps["scanned_among_text"] = True
        staged.pages[number - 1] = result
    staged.ocr_engine = engine.name
    shutil.rmtree(folder, ignore_errors=True)


def page_images(staged: StagedDocument, pages: list[PreparedPage]) -> StagedDocument:
    """Viewer images; scaled from the page images when the PDF holds them unchanged."""
    from_images = staged.ocr_engine is not None and bool(pages)
    # a page OCR turned itself (read again with orientation detection) is drawn as the PDF shows it
    images = [None if result.steps.get("turned_by_ocr") else page.image for page, result in zip(pages, staged.pages)]
    staged.page_images = render.render_pages(staged.pdf, staged.pages_dir, len(staged.pages),
                                             images if from_images else None,
                                             [p.rotated for p in staged.pages])
    return staged


def before_ocr(job: DocumentJob, engine: OcrEngine, stop: threading.Event | None = None
               ) -> tuple[list[PreparedPage], Path]:
    """Originals kept, pages prepared, one PDF of them: everything up to OCR."""
    keep_originals(job)
    pages = prepare_pages(job, engine, stop)
    return pages, assemble_pdf(job, pages)


def after_ocr(job: DocumentJob, staged: StagedDocument, pages: list[PreparedPage]) -> StagedDocument:
    """Viewer images, and the prepared pages cleared away."""
    staged = page_images(staged, pages)
    shutil.rmtree(job.directory / "prepared", ignore_errors=True)
    return staged


def run_job(job: DocumentJob, engine: OcrEngine, page_done: PageDone | None = None) -> StagedDocument:
    """The recipe for one document."""
    pages, input_pdf = before_ocr(job, engine)
    return after_ocr(job, recognise(job, pages, input_pdf, engine, page_done), pages)
