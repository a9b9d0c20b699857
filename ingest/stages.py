"""The stages that turn one document's scans into a staged document, each a small function.

They run in a worker process; nothing here touches the catalog.
"""
from __future__ import annotations

import io
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import img2pdf
import pikepdf
from PIL import Image

from archive.errors import ScanUnreadable
from archive.metadata import Description
from archive.storage import StagedDocument
from ingest.scanfile import ScanFile
from ocr import render, textlayer
from ocr.engine import OcrEngine, OcrOptions, PageDone

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


def straighten_pages(job: DocumentJob, engine: OcrEngine) -> list[ScanFile]:
    """Deskew skewed pages (and with --osd turn any page upright), one image per page.

    PDFs are left to ocrmypdf, which straightens their pages itself.
    """
    if not (job.ocr_options.deskew or job.ocr_options.always_osd):
        return job.files
    folder = job.directory / "straightened"
    folder.mkdir(exist_ok=True)
    pages: list[ScanFile] = []
    for index, scan in enumerate(job.files, start=1):
        if scan.type == "pdf":
            pages.append(scan)
            continue
        frames = _frames(scan, folder / f"{index:04d}") if scan.pages > 1 else [scan.path]
        straightened = [engine.straighten_image(frame, folder / f"{index:04d}-{n:04d}.png", job.ocr_options)
                        for n, frame in enumerate(frames, start=1)]
        if straightened == [scan.path]:
            pages.append(scan)
        else:
            pages.extend(ScanFile(path, "png", 1, dpi_missing=scan.dpi_missing) for path in straightened)
    return pages


def _frames(scan: ScanFile, prefix: Path) -> list[Path]:
    paths = []
    with Image.open(scan.path) as image:
        for number in range(scan.pages):
            image.seek(number)
            path = prefix.with_name(f"{prefix.name}-frame-{number + 1:04d}.png")
            image.save(path, "PNG", dpi=image.info.get("dpi", (ASSUMED_DPI, ASSUMED_DPI)), compress_level=1)
            paths.append(path)
    return paths


def assemble_pdf(job: DocumentJob, pages: list[ScanFile]) -> Path:
    """One PDF of all pages; images go in losslessly with their resolution (img2pdf)."""
    output = job.directory / "input.pdf"
    if len(pages) == 1 and pages[0].type == "pdf":
        shutil.copyfile(pages[0].path, output)
        return output
    with pikepdf.new() as combined:
        for scan in pages:
            data = scan.path.read_bytes() if scan.type == "pdf" else _image_pdf(scan)
            with pikepdf.open(io.BytesIO(data)) as part:
                combined.pages.extend(part.pages)
        combined.save(output)
    return output


def _image_pdf(scan: ScanFile) -> bytes:
    layout = {"layout_fun": img2pdf.get_fixed_dpi_layout_fun((ASSUMED_DPI, ASSUMED_DPI))} if scan.dpi_missing else {}
    try:
        return img2pdf.convert(str(scan.path), rotation=img2pdf.Rotation.ifvalid, **layout)
    except img2pdf.AlphaChannelError:
        # img2pdf keeps images bit-exact and so refuses transparency; flatten onto white paper.
        with Image.open(scan.path) as image:
            frames = []
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                rgba = image.convert("RGBA")
                page = Image.new("RGB", rgba.size, "white")
                page.paste(rgba, mask=rgba.getchannel("A"))
                buffer = io.BytesIO()
                page.save(buffer, "PNG", dpi=image.info.get("dpi", (ASSUMED_DPI, ASSUMED_DPI)))
                frames.append(buffer.getvalue())
        return img2pdf.convert(frames)
    except (img2pdf.ImageOpenError, ValueError, OSError) as error:
        raise ScanUnreadable(f"cannot put the image into a PDF ({error}); re-save it as PNG or TIFF",
                             scan.path) from None


def recognise(job: DocumentJob, pages: list[ScanFile], input_pdf: Path, engine: OcrEngine,
              page_done: PageDone | None) -> StagedDocument:
    """OCR the pages, or keep a PDF's own text layer unless OCR is forced."""
    staged = StagedDocument(job.directory, [], engine.name)
    has_text = any(f.has_text for f in job.files)
    if has_text and not job.force_ocr:
        shutil.copyfile(input_pdf, staged.pdf)
        staged.pages = textlayer.read_pages(staged.pdf)
        staged.ocr_engine = None
        if page_done:
            for page in staged.pages:
                page_done(page.number)
    else:
        options, images = job.ocr_options, None
        if not any(f.type == "pdf" for f in job.files):  # images were straightened already
            options = replace(options, deskew=False, always_osd=False)
            images = [p.path for p in pages] if all(p.pages == 1 for p in pages) else None
        staged.pages = engine.ocr_pdf(input_pdf, staged.pdf, options, page_done, images)
    input_pdf.unlink()
    return staged


def page_images(staged: StagedDocument, pages: list[ScanFile]) -> StagedDocument:
    """Viewer images; scaled from the page images when the PDF holds them unchanged."""
    from_images = staged.ocr_engine is not None and not any(p.type == "pdf" for p in pages)
    staged.page_images = render.render_pages(staged.pdf, staged.pages_dir, len(staged.pages),
                                             [p.path for p in pages] if from_images else None,
                                             [p.rotated for p in staged.pages])
    return staged


def run_job(job: DocumentJob, engine: OcrEngine, page_done: PageDone | None = None) -> StagedDocument:
    """The recipe for one document."""
    keep_originals(job)
    pages = straighten_pages(job, engine)
    staged = recognise(job, pages, assemble_pdf(job, pages), engine, page_done)
    staged = page_images(staged, pages)
    shutil.rmtree(job.directory / "straightened", ignore_errors=True)
    return staged
