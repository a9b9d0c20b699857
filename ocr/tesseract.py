"""The real engine: ocrmypdf (PDF/A, deskew, rotation, cleaning) driving tesseract."""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from functools import lru_cache
from pathlib import Path

import pikepdf

from archive.errors import MissingDependency, MissingLanguagePack, OcrFailed, ScanEncrypted, ScanUnreadable
from ocr import _ocrmypdf_plugin, orientation, preprocess, reading
from ocr.engine import OcrEngine, OcrOptions, PageDone, PageResult
from ocr.hocr import mean_confidence, read_words
from archive.language import detect_language
from ocr.preprocess import PreparedPage

LANGUAGE_PACKAGES = {"kaz": "tesseract-ocr-kaz", "rus": "tesseract-ocr-rus", "eng": "tesseract-ocr-eng",
                     "osd": "tesseract-ocr-osd"}
PROGRAMS = {"tesseract": "tesseract-ocr", "gs": "ghostscript", "qpdf": "qpdf", "unpaper": "unpaper",
            "pdftoppm": "poppler-utils"}
# Tesseract under OpenMP thrashes on small machines; Olke parallelises across pages instead.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=True).stdout
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def _remember_program_versions() -> None:
    """ocrmypdf asks tesseract and Ghostscript for their versions on every run, a process each:
    a quarter of a second per document on these machines. They do not change while Olke runs.

    Written for ocrmypdf 17 (pinned in pyproject.toml); where its probe has moved, nothing is
    changed and each run just asks again.
    """
    try:
        from ocrmypdf._exec import _probe
    except ImportError:
        return
    asks = getattr(_probe, "get_version", None)
    if asks is None or getattr(asks, "remembers", False):
        return
    known: dict[tuple, str] = {}

    def get_version(program, *, version_arg="--version", regex=r"(\d+(\.\d+)*)", env=None):
        key = (program, version_arg, regex, tuple(sorted((env or {}).items())))
        if key not in known:
            known[key] = asks(program, version_arg=version_arg, regex=regex, env=env)
        return known[key]

    get_version.remembers = True
    _probe.get_version = get_version


DOUBTFUL_CONFIDENCE = 60


def _doubtful(page: PageResult) -> bool:
    """A page whose words tesseract was unsure of, as it is when a page lies the wrong way."""
    return page.confidence is not None and page.confidence < DOUBTFUL_CONFIDENCE and len(page.words) >= 3


def _load_ocrmypdf() -> None:
    import ocrmypdf  # noqa: F401
    import ocrmypdf.fpdf_renderer.renderer  # noqa: F401  (fpdf2 and its fonts: loaded at the first page's text layer)
    import ocrmypdf.pdfa  # noqa: F401  (and what a document's PDF/A and page text need)
    import ocrmypdf.pdfinfo  # noqa: F401
    import lxml.etree  # noqa: F401

    import ocr.typography  # noqa: F401


class TesseractEngine(OcrEngine):
    name = "tesseract"

    def warm_up(self, wait: bool = False) -> None:
        """Load ocrmypdf and its renderer (some 2 s) on a thread while the batch is checked and the
        first pages prepared, instead of after, when the first document is ready to be read; with
        `wait`, now, and read one small page (a queue worker, before the work horses it forks for
        each job: see `_read_once`)."""
        if wait:
            _load_ocrmypdf()
            self._read_once()
        else:
            threading.Thread(target=_load_ocrmypdf, name="olke-warm-up", daemon=True).start()

    def _read_once(self) -> None:
        """One small page read through ocrmypdf, so that what a process learns at its first reading
        (the programs' versions, `_remember_program_versions`; the text layer's fonts) is learnt
        before a queue worker forks a work horse per job. Each horse learnt it again: a document
        cost 0.1 s more on the queue than in the local pool, which learns it once. A warm-up only:
        what goes wrong here, the first job says."""
        import tempfile

        import img2pdf
        from PIL import Image, ImageDraw

        with tempfile.TemporaryDirectory(prefix="olke-warm-up-") as folder:
            work = Path(folder)
            page = Image.new("L", (600, 160), 255)
            ImageDraw.Draw(page).text((30, 60), "Olke 1998", fill=0)
            page.save(work / "page.png", dpi=(150, 150))
            (work / "in.pdf").write_bytes(img2pdf.convert(str(work / "page.png")))
            try:
                self.ocr_pdf(work / "in.pdf", work / "out.pdf", OcrOptions(rotate_pages=False))
            except Exception:
                logging.getLogger(__name__).debug("warm-up reading failed", exc_info=True)

    def check(self, options: OcrOptions) -> None:
        needed = ["tesseract", "gs", "pdftoppm"]
        for program in needed:
            if shutil.which(program) is None:
                raise MissingDependency(f"program '{program}' is missing; install {PROGRAMS[program]}")
        wanted = list(options.languages) + (["osd"] if options.rotate_pages else [])
        for language in wanted:
            if language not in installed_languages():
                package = LANGUAGE_PACKAGES.get(language, f"tesseract-ocr-{language}")
                raise MissingLanguagePack(f"Tesseract language '{language}' is missing; install {package}")

    def prepare_page(self, image: Path, workdir: Path, options: OcrOptions) -> PreparedPage:
        return preprocess.prepare(image, workdir, options.deskew, options.clean, options.always_osd)

    def ocr_pdf(self, input_pdf: Path, output_pdf: Path, options: OcrOptions,
                page_done: PageDone | None = None, pages: list[PreparedPage] | None = None) -> list[PageResult]:
        pages_in = pages
        hocr_dir = output_pdf.with_name(output_pdf.name + ".hocr")
        shutil.rmtree(hocr_dir, ignore_errors=True)
        _ocrmypdf_plugin.hocr_dir = hocr_dir
        _ocrmypdf_plugin.prepared = dict(enumerate(pages_in or [], start=1))
        _ocrmypdf_plugin.outcomes = {}
        _ocrmypdf_plugin.cleaned_read = set()
        _ocrmypdf_plugin.visible = {}
        _ocrmypdf_plugin.numbers_read = [0, 0]
        _ocrmypdf_plugin.languages = list(options.languages)
        _ocrmypdf_plugin.reread_poor_pages = options.reread
        self._run(input_pdf, output_pdf, options, options.always_osd, None, page_done)
        pages = self._pages(output_pdf, hocr_dir, options.rotate_pages)
        doubtful = [p.number for p in pages if _doubtful(p)] if options.rotate_pages else []
        if doubtful and not options.always_osd:
            # Most likely scanned upside down or too little text to read sideways: detect these
            # pages' orientation and read them again; the other pages are left as they are.
            second = output_pdf.with_name("second-pass.pdf")
            self._run(output_pdf, second, options, True, ",".join(map(str, doubtful)), None)
            second.replace(output_pdf)
            pages = self._pages(output_pdf, hocr_dir, options.rotate_pages)
            for page in pages:           # ocrmypdf may have turned these: the viewer draws them from the PDF
                if page.number in doubtful:
                    page.steps["turned_by_ocr"] = True
        shutil.rmtree(hocr_dir, ignore_errors=True)
        for result, page in zip(pages, pages_in or []):
            result.steps.update({k: v for k, v in page.steps.items() if k not in ("checks",)})
        return pages

    @staticmethod
    def _run(input_pdf: Path, output_pdf: Path, options: OcrOptions, detect_orientation: bool,
             pages: str | None, page_done: PageDone | None) -> None:
        import ocrmypdf
        from ocrmypdf import exceptions as ox

        _ocrmypdf_plugin.page_done = page_done
        _remember_program_versions()
        logging.getLogger("ocrmypdf").setLevel(logging.ERROR)
        streams = sys.stdout, sys.stderr
        try:
            code = ocrmypdf.ocr(
                input_pdf,
                output_pdf,
                language=list(options.languages),
                output_type="pdfa-2",
                rotate_pages=detect_orientation,
                **({"rotate_pages_threshold": 1.0} if detect_orientation else {}),
                deskew=False,              # pages are straightened before they go into the PDF
                clean=False,               # and read from a cleaned copy when they need it
                tesseract_timeout=reading.TESSERACT_TIMEOUT,
                jobs=max(1, options.jobs),
                optimize=0,                # lossless re-compression bought <1% size for ~5% time
                fast_web_view=1e6,         # no linearising: the viewer shows page images, not the PDF
                mode="force",
                pages=pages,
                progress_bar=False,
                plugins=["ocr._ocrmypdf_plugin"],
            )
        except ox.EncryptedPdfError:
            raise ScanEncrypted("the PDF is encrypted; remove the password and ingest it again", input_pdf)
        except (ox.InputFileError, ox.UnsupportedImageFormatError, ox.DpiError) as error:
            raise ScanUnreadable(f"ocrmypdf cannot read it ({error}); rescan or re-export it", input_pdf)
        except ox.MissingDependencyError as error:
            raise MissingDependency(f"ocrmypdf is missing a program: {error}")
        except ox.ExitCodeException as error:
            raise OcrFailed(f"OCR failed ({type(error).__name__}: {error}); try again with --verbose", input_pdf)
        finally:
            _ocrmypdf_plugin.page_done = None
            # Ctrl-C while ocrmypdf checked its output PDF left sys.stderr a StringIO, and the message
            # "interrupted: … run the same command again" went into it: nothing was printed
            sys.stdout, sys.stderr = streams
        if code == ocrmypdf.ExitCode.ctrl_c:     # ocrmypdf catches Ctrl-C itself and says so only by this
            raise KeyboardInterrupt

    @staticmethod
    def _pages(output_pdf: Path, hocr_dir: Path, turn_sideways: bool) -> list[PageResult]:
        results = []
        with pikepdf.open(output_pdf, allow_overwriting_input=True) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                hocr = hocr_dir / f"{number:06d}.hocr"
                if not hocr.exists():
                    raise OcrFailed(f"OCR produced no text for page {number}; try again with --verbose", output_pdf)
                words = read_words(hocr)
                text = (hocr_dir / f"{number:06d}.txt").read_text(encoding="utf-8").strip()
                box = page.trimbox if "/TrimBox" in page.obj else page.mediabox
                width, height = float(box[2] - box[0]), float(box[3] - box[1])
                existing = int(page.obj.get("/Rotate", 0)) % 360
                if existing % 180:
                    width, height = height, width
                rotated = orientation.sideways_rotation(words, width / height) if turn_sideways else 0
                if rotated:
                    page.obj.Rotate = (existing + rotated) % 360
                    words = orientation.turn_words(words, rotated)
                    width, height = height, width
                outcome = _ocrmypdf_plugin.outcomes.get(number, {})
                check = outcome.get("check")
                judgement = reading.judge(reading.Reading("kept", hocr, hocr, words), check)
                steps = {"checks": check.as_dict() if check else None, "readings": outcome.get("readings", []),
                         "kept": outcome.get("kept")}
                if outcome.get("numbers_read_again"):
                    steps["numbers_read_again"] = outcome["numbers_read_again"]
                results.append(PageResult(number, text, words, mean_confidence(words), detect_language(text),
                                          width, height, rotated, judgement.verdict, list(judgement.reasons), steps))
            if any(r.rotated for r in results):
                pdf.save(output_pdf)
        return results
