"""The demo samples' source texts: metadata, render settings and ground truth per page.

Each ``scans/texts/<slug>.toml`` is one document (see ``scans/README.md`` for its shape).
``make_samples.py`` renders them into scan-like pages; tests and benchmarks read the truth here:

    import sys; sys.dont_write_bytecode = True   # keep scans/ free of __pycache__
    sys.path.insert(0, "scans"); import samples
    samples.load_truth("kaz-newspaper-library")  # -> ["«Өлке тынысы» № 11 ...", "..."]

The truth of a page is every line printed on it, in reading order: the running head (made from
the metadata for newspaper and journal articles), the title and headings without their ``#``
marks, each paragraph on one line (column by column; a ``---`` paragraph ends a column and prints
nothing), a photo's caption (``![caption]``) where the photo stands, and the page number of a book page.
"""
from __future__ import annotations

import re
import tomllib
import zlib
from dataclasses import dataclass
from pathlib import Path

TEXTS_DIR = Path(__file__).resolve().parent / "texts"

DOCUMENT_KEYS = ("kind", "title", "authors", "source", "issue", "published", "source_pages",
                 "language", "rubrics", "udc", "access", "notes")
KINDS = ("newspaper_article", "journal_article", "book", "other")
LANGUAGES = ("kaz", "rus")
LAYOUTS = ("single", "two_column", "three_column")
COLUMNS = {"single": 1, "two_column": 2, "three_column": 3}
FORMATS = ("png", "jpeg", "tiff_multipage", "pdf_image_only")
PAGE_SIZES = ("A4", "A5", "clipping")
ROTATIONS = (0, 90, 180, 270)
RENDER_DEFAULTS = {
    "dpi": 300,
    "layout": "single",
    "format": "png",
    "skew_degrees": 0.0,
    "skew_jitter": 0.0,     # each page's skew varies by up to ± this many degrees (seeded)
    "rotate": 0,            # the page lies this many degrees clockwise on the scanner
    "noise": 0.03,
    "page_size": "A5",
    "jpeg_quality": 85,
    "font_size": None,      # body type in points; None: 11.5 on A4, 10.5 on A5, 9.5 on a clipping
    # The hard kinds (see scans/README.md); the defaults leave a page as the plain samples are.
    "paper_tone": 246,      # 0..255: the paper's grey (grey paper: about 190)
    "ink_tone": None,       # 0..255: the ink's grey; None: a near-black drawn per page (faded: about 110)
    "dark_border_mm": 0.0,  # 0..30: the dark scanner bed (or a desk) around the page, before the turn
    "blur": 0.0,            # 0..3: extra blur in pixels (a phone's focus)
    "vignette": 0.0,        # 0..0.7: how much darker the corners are than the middle (a phone's light)
    "perspective": 0.0,     # 0..0.08: the top edge narrower than the bottom by this share on each side
}
RANGES = {  # key: (low, high) for the numeric hard-kind keys
    "paper_tone": (120, 255), "ink_tone": (0, 200), "dark_border_mm": (0, 30), "blur": (0, 3),
    "vignette": (0, 0.7), "perspective": (0, 0.08),
}
DEFAULT_FONT_SIZE = {"A4": 11.5, "A5": 10.5, "clipping": 9.5}
PAGE_OVERRIDES = ("skew_degrees", "rotate")   # optional per-page keys besides text and layout
PAGE_LAYOUTS = ("text", "title")              # "title": a book's title page, centred
COLUMN_BREAK = "---"                          # a paragraph of its own: the next column starts here
_PHOTO = re.compile(r"^!\[(.+)\]$", re.S)     # a paragraph "![caption]": a photo with its caption below
_PUBLISHED = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")

MONTHS = {
    "kaz": ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
            "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"),
    "rus": ("январь", "февраль", "март", "апрель", "май", "июнь",
            "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"),
    "rus_genitive": ("января", "февраля", "марта", "апреля", "мая", "июня",
                     "июля", "августа", "сентября", "октября", "ноября", "декабря"),
}


class SampleError(ValueError):
    """A source text that cannot be rendered; the message names the file and what to fix."""


@dataclass(frozen=True)
class Block:
    style: str                       # header | title | heading | para | photo | column_break | folio
    text: str                        # the ground truth of the block (one line; a photo's: its caption)
    parts: tuple[str, ...] = ()      # header only: the pieces spread across the line


HARD = "hard-"     # the slugs of the hard kinds of scan start so (scans/README.md)


def slugs(texts_dir: Path = TEXTS_DIR, hard: bool = True) -> list[str]:
    """Every sample's slug; ``hard=False``: the plain samples only, without the hard kinds."""
    return sorted(p.stem for p in texts_dir.glob("*.toml") if hard or not p.stem.startswith(HARD))


def load(slug: str, texts_dir: Path = TEXTS_DIR) -> dict:
    """One sample: {"slug", "path", "document", "render", "pages", "truth"}, validated."""
    path = texts_dir / f"{slug}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SampleError(f"{path}: no such sample; the samples are: {', '.join(slugs(texts_dir))}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SampleError(f"{path}: not valid UTF-8 TOML ({error})") from None
    try:
        sample = _validate(slug, data)
    except SampleError as error:
        raise SampleError(f"{path}: {error}") from None
    sample["path"] = path
    sample["truth"] = ["\n".join(b.text for b in page_blocks(sample, i) if b.text)
                       for i in range(len(sample["pages"]))]
    return sample


def load_all(texts_dir: Path = TEXTS_DIR, hard: bool = True) -> dict[str, dict]:
    return {slug: load(slug, texts_dir) for slug in slugs(texts_dir, hard)}


def load_truth(slug: str, texts_dir: Path = TEXTS_DIR) -> list[str]:
    """The text printed on each page of ``slug``, one string per page."""
    return load(slug, texts_dir)["truth"]


def page_settings(sample: dict, index: int) -> dict:
    """The render settings of page ``index`` (0-based): the document's, the page's overrides, jitter."""
    render, page = sample["render"], sample["pages"][index]
    settings = {**render, "seed": seed(sample["slug"], index)}
    if page.get("layout") == "title":
        settings["layout"] = "title"
    if "skew_degrees" in page:
        settings["skew_degrees"] = float(page["skew_degrees"])
    elif render["skew_jitter"]:
        jitter = (seed(sample["slug"], index, "skew") % 2001 - 1000) / 1000 * render["skew_jitter"]
        settings["skew_degrees"] = round(render["skew_degrees"] + jitter, 2) + 0.0
    if "rotate" in page:
        settings["rotate"] = int(page["rotate"])
    return settings


def output_files(sample: dict, out_dir: Path) -> list[Path]:
    """The scan files of ``sample`` under ``out_dir``, in page order (without the sidecar)."""
    folder, fmt = Path(out_dir) / sample["slug"], sample["render"]["format"]
    if fmt == "tiff_multipage":
        return [folder / f"{sample['slug']}.tif"]
    if fmt == "pdf_image_only":
        return [folder / f"{sample['slug']}.pdf"]
    suffix = ".png" if fmt == "png" else ".jpg"
    return [folder / f"page-{n}{suffix}" for n in range(1, len(sample["pages"]) + 1)]


def seed(slug: str, index: int, purpose: str = "page") -> int:
    """A fixed seed per page (not Python's salted ``hash``), so every run draws the same pages."""
    return zlib.crc32(f"{slug}/{index + 1}/{purpose}".encode())


def page_blocks(sample: dict, index: int) -> list[Block]:
    """What is printed on page ``index``, block by block, in reading order."""
    doc, page = sample["document"], sample["pages"][index]
    blocks: list[Block] = []
    head = running_head(doc)
    if head and page.get("layout") != "title":
        blocks.append(Block("header", " ".join(head), tuple(head)))
    for paragraph in re.split(r"\n\s*\n", page["text"].strip()):
        text = " ".join(paragraph.split())
        if not text:
            continue
        if text == COLUMN_BREAK:
            blocks.append(Block("column_break", ""))
        elif _PHOTO.match(text):
            blocks.append(Block("photo", _PHOTO.match(text).group(1).strip()))
        elif text.startswith("## "):
            blocks.append(Block("heading", text[3:].strip()))
        elif text.startswith("# "):
            blocks.append(Block("title", text[2:].strip()))
        else:
            blocks.append(Block("para", text))
    if doc["kind"] == "book" and index > 0:
        blocks.append(Block("folio", str(index + 1)))
    return blocks


def running_head(doc: dict) -> list[str]:
    """The line above the text: the newspaper's masthead or the journal's running head."""
    if doc["kind"] not in ("newspaper_article", "journal_article") or not doc.get("source"):
        return []
    source, lang = f"«{doc['source']}»", doc["language"]
    issue = f"№ {doc['issue']}" if doc.get("issue") else ""
    if doc["kind"] == "journal_article":
        year = doc.get("published", "")[:4]
        return [p for p in (f"{source}, {year}" if year else source, issue) if p]
    return [p for p in (source, issue, format_date(doc.get("published", ""), lang)) if p]


def format_date(published: str, lang: str) -> str:
    """ "2019-03-14" as a newspaper prints it: "2019 жылғы 14 наурыз" / "14 марта 2019 г." """
    if not published:
        return ""
    parts = [int(p) for p in published.split("-")]
    year = parts[0]
    if lang == "kaz":
        if len(parts) == 1:
            return f"{year} жыл"
        month = MONTHS["kaz"][parts[1] - 1]
        return f"{year} жылғы {parts[2]} {month}" if len(parts) == 3 else f"{year} жылғы {month}"
    if len(parts) == 1:
        return f"{year} г."
    if len(parts) == 2:
        return f"{MONTHS['rus'][parts[1] - 1]} {year} г."
    return f"{parts[2]} {MONTHS['rus_genitive'][parts[1] - 1]} {year} г."


def _validate(slug: str, data: dict) -> dict:
    unknown = sorted(set(data) - {"document", "render", "pages"})
    if unknown:
        raise SampleError(f"unknown table '{unknown[0]}'; use [document], [render] and [[pages]]")
    doc = data.get("document")
    if not isinstance(doc, dict):
        raise SampleError("missing [document] table")
    missing = [k for k in DOCUMENT_KEYS if k not in doc]
    extra = sorted(set(doc) - set(DOCUMENT_KEYS))
    if missing or extra:
        raise SampleError(f"[document] lacks '{missing[0]}'" if missing
                          else f"[document] has unknown key '{extra[0]}'")
    for key in DOCUMENT_KEYS:
        want = list if key in ("authors", "rubrics") else str
        if not isinstance(doc[key], want) or (want is list and not all(isinstance(v, str) for v in doc[key])):
            raise SampleError(f"[document] {key} must be {'a list of strings' if want is list else 'a string'}")
    _one_of("kind", doc["kind"], KINDS)
    _one_of("language", doc["language"], LANGUAGES)
    _one_of("access", doc["access"], ("open", "on_request"))
    if doc["published"] and not _PUBLISHED.match(doc["published"]):
        raise SampleError(f"published '{doc['published']}' is not YYYY, YYYY-MM or YYYY-MM-DD")

    render = {**RENDER_DEFAULTS, **data.get("render", {})}
    extra = sorted(set(render) - set(RENDER_DEFAULTS))
    if extra:
        raise SampleError(f"[render] has unknown key '{extra[0]}'; known: {', '.join(RENDER_DEFAULTS)}")
    _one_of("layout", render["layout"], LAYOUTS)
    _one_of("format", render["format"], FORMATS)
    _one_of("page_size", render["page_size"], PAGE_SIZES)
    _one_of("rotate", render["rotate"], ROTATIONS)
    if not (isinstance(render["dpi"], int) and 150 <= render["dpi"] <= 600):
        raise SampleError(f"dpi {render['dpi']!r} must be a whole number from 150 to 600")
    if not 0 <= float(render["noise"]) <= 0.2:
        raise SampleError(f"noise {render['noise']!r} must be from 0 to 0.2")
    if render["font_size"] is None:
        render["font_size"] = DEFAULT_FONT_SIZE[render["page_size"]]
    if not 7 <= float(render["font_size"]) <= 16:
        raise SampleError(f"font_size {render['font_size']!r} must be from 7 to 16 (points)")
    for key in ("skew_degrees", "skew_jitter", "noise", "font_size"):
        render[key] = float(render[key])
    for key, (low, high) in RANGES.items():
        value = render[key]
        if value is None and key == "ink_tone":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise SampleError(f"{key} {value!r} must be a number from {low} to {high}")
        if key in ("paper_tone", "ink_tone") and not isinstance(value, int):
            raise SampleError(f"{key} {value!r} must be a whole number from {low} to {high}")
        if key not in ("paper_tone", "ink_tone"):
            render[key] = float(value)
    if render["ink_tone"] is not None and render["ink_tone"] >= render["paper_tone"] - 30:
        raise SampleError(f"ink_tone {render['ink_tone']} must be at least 30 darker than paper_tone "
                          f"{render['paper_tone']}, or nothing could read it")

    pages = data.get("pages")
    if not isinstance(pages, list) or not pages:
        raise SampleError("no [[pages]]; give each page as [[pages]] with text = \"\"\"...\"\"\"")
    for number, page in enumerate(pages, start=1):
        if not isinstance(page.get("text"), str) or not page["text"].strip():
            raise SampleError(f"page {number} has no text")
        extra = sorted(set(page) - {"text", "layout", *PAGE_OVERRIDES})
        if extra:
            raise SampleError(f"page {number} has unknown key '{extra[0]}'")
        if "layout" in page:
            _one_of(f"page {number} layout", page["layout"], PAGE_LAYOUTS)
        if "rotate" in page:
            _one_of(f"page {number} rotate", page["rotate"], ROTATIONS)
        if page.get("layout") != "title":
            kinds = ["heading" if q.strip().startswith("#") else "text"
                     for q in re.split(r"\n\s*\n", page["text"].strip()) if q.strip()]
            if "heading" in kinds[kinds.index("text"):] if "text" in kinds else False:
                raise SampleError(f"page {number} has a heading after its text; headings ('#', '##') go "
                                  "first, above the text (and across its columns)")
        breaks = sum(1 for p in re.split(r"\n\s*\n", page["text"].strip()) if p.strip() == COLUMN_BREAK)
        if breaks and breaks != COLUMNS[render["layout"]] - 1:
            raise SampleError(f"page {number} has {breaks} column break(s) ('{COLUMN_BREAK}'); a "
                              f"{render['layout']} page takes {COLUMNS[render['layout']] - 1} or none")
    return {"slug": slug, "document": dict(doc), "render": render, "pages": [dict(p) for p in pages]}


def _one_of(name: str, value, allowed) -> None:
    if value not in allowed:
        raise SampleError(f"{name} {value!r} is not one of: {', '.join(map(str, allowed))}")
