#!/usr/bin/env python3
"""Render the demo samples (scans/texts/*.toml) into scan-like pages with their metadata sidecars.

    python scans/make_samples.py [--out scans] [--only SLUG ...] [--quiet] [--force]

Each sample becomes ``<out>/<slug>/``: its page files (page-1.png …, or one <slug>.tif / <slug>.pdf)
and ``olke.toml``, the description that ``olke ingest`` reads. A sample whose files are all at least
as new as its text (and as this generator) is skipped, so a second run costs a few milliseconds.
Everything random is drawn from fixed per-page seeds: the same text gives the same pages.
"""
from __future__ import annotations

import sys

if __name__ == "__main__":
    sys.dont_write_bytecode = True   # scans/ is the inbox: importing samples must not leave __pycache__ in it

import argparse
import io
import json
import math
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import samples  # noqa: E402
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont  # noqa: E402

FONT_ROOTS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype"),
              Path("/usr/share/fonts/TTF"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
FONTS = {  # role: (name in the error message, ParaType files, DejaVu fallbacks)
    "serif": ("PT Serif", ("paratype/PTF55F.ttf", "PTF55F.ttf"), ("dejavu/DejaVuSerif.ttf", "DejaVuSerif.ttf")),
    "serif_bold": ("PT Serif Bold", ("paratype/PTF75F.ttf", "PTF75F.ttf"),
                   ("dejavu/DejaVuSerif-Bold.ttf", "DejaVuSerif-Bold.ttf")),
    "sans_bold": ("PT Sans Bold", ("paratype/PTS75F.ttf", "PTS75F.ttf"),
                  ("dejavu/DejaVuSans-Bold.ttf", "DejaVuSans-Bold.ttf")),
}

# Page geometry in millimetres: width, height (None: as tall as the text), margins top/right/bottom/left.
PAGES = {
    "A4": ((210, 297), (20, 20, 22, 22)),
    "A5": ((148, 210), (15, 15, 17, 16)),
    "clipping": ((152, None), (6, 6, 7, 6)),
}
MIN_BODY_PT = 8
LEADING = 1.24            # line height / font size
COLUMN_GAP_MM = 6
PAPER, WHITE_FILL = 246, 252
BED = 26                  # the dark scanner bed around a page that does not cover it
GRAIN_TILE = 127
_UMASK = os.umask(0o022)
os.umask(_UMASK)


class Fonts:
    """Finds the fonts once and hands out sized faces."""

    def __init__(self) -> None:
        self.paths = {role: _find_font(*spec) for role, spec in FONTS.items()}
        self.fallback = [FONTS[role][0] for role, path in self.paths.items() if "DejaVu" in path.name]
        self._cache: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}

    def get(self, role: str, size_px: float) -> ImageFont.FreeTypeFont:
        key = (role, max(6, round(size_px)))
        if key not in self._cache:
            self._cache[key] = ImageFont.truetype(str(self.paths[role]), key[1])
        return self._cache[key]


def _find_font(name: str, paratype: tuple[str, ...], dejavu: tuple[str, ...]) -> Path:
    for relative in (*paratype, *dejavu):
        for root in FONT_ROOTS:
            if (root / relative).is_file():
                return root / relative
    raise SystemExit(f"font {name} not found; install fonts-paratype")


# ---------------------------------------------------------------- layout


@dataclass
class Op:
    kind: str           # "text", "rule" or "photo" (x, y to x2, y2)
    x: float
    y: float            # text: the baseline; rule: the line's start
    text: str = ""
    font: ImageFont.FreeTypeFont | None = None
    x2: float = 0
    y2: float = 0
    width: int = 1


class PageFull(Exception):
    pass


def layout_page(blocks: list[samples.Block], settings: dict, fonts: Fonts) -> tuple[tuple[int, int], list[Op]]:
    """Where every word goes; shrinks the body type until the text fits the page."""
    body_pt = settings["font_size"]
    while True:
        try:
            return _layout(blocks, settings, fonts, body_pt)
        except PageFull:
            body_pt -= 0.5
            if body_pt < MIN_BODY_PT:
                raise samples.SampleError("the text does not fit the page even in small type; "
                                          "shorten it or use a bigger page_size") from None


def _layout(blocks, settings, fonts: Fonts, body_pt: float):
    dpi = settings["dpi"]
    mm = lambda v: v / 25.4 * dpi                      # noqa: E731
    pt = lambda v: v / 72 * dpi                        # noqa: E731
    (width_mm, height_mm), (top, right, bottom, left) = PAGES[settings["page_size"]]
    width = round(mm(width_mm))
    height = round(mm(height_mm)) if height_mm else None
    x0, x1 = mm(left), width - mm(right)
    y_limit = (height - mm(bottom)) if height else math.inf
    ops: list[Op] = []
    if settings["layout"] == "title":
        return (width, height), _layout_title(blocks, fonts, pt, x0, x1, mm(top), y_limit)

    body = fonts.get("serif", pt(body_pt))
    line_h = pt(body_pt) * LEADING
    y = mm(top)
    folio = None
    flow_blocks = []
    for block in blocks:
        if block.style == "header":
            font = fonts.get("sans_bold", pt(body_pt - 1.5))
            y += pt(body_pt - 1.5)
            ops.extend(_spread(block.parts, font, x0, x1, y))
            y += pt(4)
            ops.append(Op("rule", x0, y, x2=x1, y2=y, width=max(2, round(dpi / 120))))
            y += pt(10)
        elif block.style in ("title", "heading"):      # above the text, across all its columns
            size = pt(body_pt + (5 if block.style == "title" else 1.5))
            font = fonts.get("serif_bold", size)
            if block.style == "heading":
                y += line_h * 0.4
            for line in _wrap(block.text.split(), font, x1 - x0):
                y += size * 1.2
                text = " ".join(line)
                ops.append(Op("text", (x0 + x1 - font.getlength(text)) / 2, y, text, font))
            y += size * (0.9 if block.style == "title" else 0.6)
        elif block.style in ("para", "photo", "column_break"):
            flow_blocks.append(block)
        elif block.style == "folio":
            folio = block.text

    columns = samples.COLUMNS[settings["layout"]]
    gap = mm(COLUMN_GAP_MM)
    col_w = (x1 - x0 - gap * (columns - 1)) / columns
    flow = _flow(flow_blocks, body, fonts.get("serif", pt(body_pt - 1)), pt(body_pt - 1), col_w, columns,
                 pt(body_pt) * 1.5, line_h)
    chunks = _columns(flow, columns, line_h)
    top_y = y
    bottom_y = top_y + max((sum(i.rows for i in c) * line_h + sum(i.extra for i in c) for c in chunks), default=0)
    if bottom_y > y_limit - (line_h * 1.5 if folio else 0):
        raise PageFull
    for c, chunk in enumerate(chunks):
        cx = x0 + c * (col_w + gap)
        rows, extra = 0, 0
        for item in chunk:
            if item.kind == "line":
                baseline = top_y + (rows + 0.8) * line_h + extra
                ops.extend(_set_line(item.words, body, cx + item.indent, col_w - item.indent, baseline,
                                     justify=not item.last))
            elif item.kind == "photo":
                left = cx + (col_w - item.width) / 2
                y0 = top_y + rows * line_h + extra + line_h * 0.3
                ops.append(Op("photo", left, y0, x2=left + item.width, y2=y0 + item.height))
            elif item.kind == "caption":
                font = item.font
                baseline = top_y + rows * line_h + extra + item.height * 0.8
                ops.append(Op("text", cx + (col_w - font.getlength(item.text)) / 2, baseline, item.text, font))
            rows += item.rows
            extra += item.extra
    for c in range(1, columns):
        mid = x0 + c * col_w + (c - 0.5) * gap
        ops.append(Op("rule", mid, top_y, x2=mid, y2=bottom_y, width=max(1, round(dpi / 200))))
    if height is None:
        height = round(bottom_y + mm(bottom))
    if folio:
        font = fonts.get("serif", pt(body_pt - 1))
        ops.append(Op("text", (x0 + x1 - font.getlength(folio)) / 2, height - mm(bottom) + pt(body_pt) * 0.6,
                      folio, font))
    return (width, height), ops


@dataclass
class Item:
    """One piece of the text's flow: a line of a paragraph, a photo, a caption line, a column break."""
    kind: str                     # line | photo | caption | break
    rows: int = 0                 # body lines it takes
    extra: float = 0              # height besides whole body lines (photos, captions), in pixels
    words: list | None = None
    last: bool = False
    indent: float = 0
    width: float = 0
    height: float = 0
    text: str = ""
    font: ImageFont.FreeTypeFont | None = None


def _flow(blocks, body, caption_font, caption_px: float, col_w: float, columns: int, indent: float,
          line_h: float) -> list[Item]:
    items: list[Item] = []
    for block in blocks:
        if block.style == "para":
            wrapped = _wrap(block.text.split(), body, col_w, first_indent=indent)
            for i, words in enumerate(wrapped):
                items.append(Item("line", rows=1, words=words, last=i == len(wrapped) - 1,
                                  indent=indent if i == 0 else 0))
        elif block.style == "photo":           # a picture, its caption centred below it
            width = col_w * (0.8 if columns == 1 else 1.0)
            height = width * (0.55 if columns == 1 else 0.7)
            items.append(Item("photo", extra=height + line_h * 0.3 + line_h * 0.35, width=width, height=height))
            lines = _wrap(block.text.split(), caption_font, width)
            for i, line in enumerate(lines):
                tail = line_h * 0.6 if i == len(lines) - 1 else 0
                items.append(Item("caption", extra=caption_px * 1.25 + tail, height=caption_px * 1.25,
                                  text=" ".join(line), font=caption_font))
        else:
            items.append(Item("break"))
    return items


def _columns(items: list[Item], columns: int, line_h: float) -> list[list[Item]]:
    """The flow cut into columns: at the explicit breaks, or balanced (by lines when it is all lines)."""
    if any(i.kind == "break" for i in items):
        chunks: list[list[Item]] = [[]]
        for item in items:
            if item.kind == "break":
                chunks.append([])
            else:
                chunks[-1].append(item)
        return chunks
    if all(i.kind == "line" for i in items):
        per_column = math.ceil(len(items) / columns)
        return [items[c * per_column:(c + 1) * per_column] for c in range(columns)]
    heights = [i.rows * line_h + i.extra for i in items]
    total = sum(heights)
    chunks, used = [[]], 0.0
    for item, h in zip(items, heights):
        if chunks[-1] and used + h / 2 > total / columns and len(chunks) < columns and item.kind != "caption":
            chunks.append([])
            used = 0.0
        chunks[-1].append(item)
        used += h
    return chunks + [[] for _ in range(columns - len(chunks))]


def _spread(parts, font, x0: float, x1: float, baseline: float) -> list[Op]:
    """A running head: the first part flush left, the last flush right, any other centred."""
    ops = []
    for i, part in enumerate(parts):
        w = font.getlength(part)
        x = x0 if i == 0 else x1 - w if i == len(parts) - 1 else (x0 + x1 - w) / 2
        ops.append(Op("text", x, baseline, part, font))
    return ops


def _layout_title(blocks, fonts: Fonts, pt, x0, x1, top, bottom) -> list[Op]:
    """A title page: the first line at the top, the last at the foot, the rest in the middle."""
    paras = [b for b in blocks if b.style != "header"]
    groups = []
    for i, block in enumerate(paras):
        if block.style == "title":
            role, size = "serif_bold", pt(24)
        elif i in (0, len(paras) - 1):
            role, size = "serif", pt(11)
        else:
            role, size = "serif", pt(14)
        font = fonts.get(role, size)
        groups.append([(" ".join(line), font, size) for line in _wrap(block.text.split(), font, x1 - x0)])

    def place(group, y):
        out = []
        for text, font, size in group:
            y += size * 1.25
            out.append(Op("text", (x0 + x1 - font.getlength(text)) / 2, y, text, font))
        return out, y

    ops, _ = place(groups[0], top)
    middle = [line for g in groups[1:-1] for line in g]
    middle_h = sum(size * 1.25 for _, _, size in middle) + pt(14) * (len(groups) - 3)
    y = top + (bottom - top - middle_h) * 0.4
    for g in groups[1:-1]:
        more, y = place(g, y)
        ops.extend(more)
        y += pt(14)
    foot_h = sum(size * 1.25 for _, _, size in groups[-1])
    more, _ = place(groups[-1], bottom - foot_h)
    return ops + more


def _wrap(words: list[str], font, width: float, first_indent: float = 0) -> list[list[str]]:
    space = font.getlength(" ")
    lines, line, used = [], [], first_indent
    for word in words:
        w = font.getlength(word)
        if line and used + space + w > width:
            lines.append(line)
            line, used = [], 0
        used += (space if line else 0) + w
        line.append(word)
    if line:
        lines.append(line)
    return lines


def _set_line(words, font, x, width, baseline, justify: bool) -> list[Op]:
    widths = [font.getlength(w) for w in words]
    space = font.getlength(" ")
    gap = space
    if justify and len(words) > 1:
        stretched = (width - sum(widths)) / (len(words) - 1)
        if stretched <= space * 2.6:          # too loose a line stays ragged, as a typesetter would leave it
            gap = stretched
    ops = []
    for word, w in zip(words, widths):
        ops.append(Op("text", x, baseline, word, font))
        x += w + gap
    return ops


# ---------------------------------------------------------------- rendering and wear


def render_page(sample: dict, index: int, fonts: Fonts) -> Image.Image:
    settings = samples.page_settings(sample, index)
    blocks = samples.page_blocks(sample, index)
    try:
        size, ops = layout_page(blocks, settings, fonts)
    except samples.SampleError as error:
        raise samples.SampleError(f"{sample['path']}: page {index + 1}: {error}") from None
    rng = random.Random(settings["seed"])
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    for op in ops:
        if op.kind == "text":
            draw.text((round(op.x), round(op.y)), op.text, font=op.font, fill=0, anchor="ls")
        elif op.kind == "photo":
            box = tuple(round(v) for v in (op.x, op.y, op.x2, op.y2))
            page.paste(_photo((box[2] - box[0], box[3] - box[1]), random.Random(settings["seed"] ^ 0x9E3779B9)),
                       box[:2])
        else:
            draw.line((round(op.x), round(op.y), round(op.x2), round(op.y2)), fill=0, width=op.width)
    _dust(draw, size, settings, rng)
    return wear(page, settings, rng, gutter=_gutter_side(sample, index))


def _photo(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """A stand-in for a printed photograph: grey blobs of a landscape, finer texture, a dark frame."""
    w, h = size
    coarse = Image.frombytes("L", (6, 4), rng.randbytes(24)).point(lambda v: 60 + v * 130 // 255)
    picture = coarse.resize(size, Image.Resampling.BICUBIC)
    fine = Image.frombytes("L", (max(2, w // 6), max(2, h // 6)), rng.randbytes(max(2, w // 6) * max(2, h // 6)))
    picture = Image.blend(picture, fine.resize(size, Image.Resampling.BILINEAR).point(lambda v: 70 + v // 2), 0.3)
    sky = Image.linear_gradient("L").resize(size).point(lambda v: 255 - v // 3)   # lighter towards the top
    picture = ImageChops.multiply(picture, sky)
    ImageDraw.Draw(picture).rectangle((0, 0, w - 1, h - 1), outline=40, width=max(1, w // 300))
    return picture


def _gutter_side(sample: dict, index: int) -> str | None:
    if sample["document"]["kind"] != "book":
        return None
    return "left" if index % 2 == 0 else "right"      # page 1 is a right-hand page: its spine is on the left


def _dust(draw: ImageDraw.ImageDraw, size, settings: dict, rng: random.Random) -> None:
    """Specks of dust and toner, and a few dropped-out dots, before the page is blurred."""
    w, h = size
    scale = settings["dpi"] / 300
    specks = int(w * h * settings["noise"] * 0.00012)
    for _ in range(specks):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.choice((0.6, 0.8, 1.0, 1.0, 1.4, 2.2)) * scale
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(40, 170))
    for _ in range(specks // 3):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = 0.7 * scale
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)


def wear(page: Image.Image, settings: dict, rng: random.Random, gutter: str | None = None) -> Image.Image:
    """Blur, ink on off-white paper, uneven light, skew, a turn on the scanner, grain; 8-bit gray out."""
    dpi = settings["dpi"]
    page = page.filter(ImageFilter.GaussianBlur(0.25 + 0.45 * dpi / 300 + settings.get("blur", 0)))
    ink = rng.randint(18, 38)
    if settings.get("ink_tone") is not None:
        ink = settings["ink_tone"]
    paper = settings.get("paper_tone", PAPER)
    page = page.point([round(ink + v * (paper - ink) / 255) for v in range(256)])
    page = ImageChops.multiply(page, _light(page.size, rng, gutter))
    if settings.get("vignette"):
        page = ImageChops.multiply(page, _vignette(page.size, settings["vignette"]))
    fill = WHITE_FILL
    border = round(settings.get("dark_border_mm", 0) / 25.4 * dpi)
    if border:                          # the page lies off-centre on a dark scanner bed (or a desk)
        fill = BED
        bed = Image.new("L", (page.width + border + border * 3 // 5, page.height + border + border * 3 // 5), BED)
        bed.paste(page, (border, border))
        page = bed
    if settings["skew_degrees"]:
        page = page.rotate(settings["skew_degrees"], resample=Image.Resampling.BICUBIC, fillcolor=fill)
    if settings.get("perspective"):     # a phone held a little tilted: the far (top) edge looks narrower
        w, h = page.size
        inset = settings["perspective"] * w
        page = page.transform(page.size, Image.Transform.QUAD,
                              (-inset, 0, 0, h, w, h, w + inset, 0), resample=Image.Resampling.BICUBIC,
                              fillcolor=fill)
    rotate = settings["rotate"]          # before the grain: the scanner's grain runs along its own rows
    if rotate:
        page = page.transpose({90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
                               270: Image.Transpose.ROTATE_90}[rotate])
    # Light tones in steps of 3, and a grain whose rows repeat every GRAIN_TILE pixels: the paper
    # still looks grainy, but deflate finds the repeats and the PNG stays half the size.
    page = page.point([v if v < 200 else v - v % 3 for v in range(256)])
    sigma = 90 * settings["noise"]
    if sigma:
        normal = statistics.NormalDist(128, sigma)
        width, height = page.size
        strip = Image.frombytes("L", (GRAIN_TILE, height), rng.randbytes(GRAIN_TILE * height))
        strip = strip.point([min(255, max(0, round(normal.inv_cdf((u + 0.5) / 256)))) for u in range(256)])
        wide = Image.new("L", (width + GRAIN_TILE, height))
        for x in range(0, width + GRAIN_TILE, GRAIN_TILE):
            wide.paste(strip, (x, 0))
        grain = Image.new("L", page.size)
        for y in range(height):                     # each row shifted on its own: no visible grid
            shift = rng.randrange(GRAIN_TILE)
            grain.paste(wide.crop((shift, y, shift + width, y + 1)), (0, y))
        page = ImageChops.add(page, grain, 1.0, -128)
    return page


def _vignette(size, strength: float) -> Image.Image:
    """A phone's light: full in the middle, falling off towards the corners by ``strength``."""
    small = Image.new("L", (64, 64))
    small.putdata([round(255 * (1 - strength * (((x - 31.5) ** 2 + (y - 31.5) ** 2) / (2 * 31.5 ** 2))))
                   for y in range(64) for x in range(64)])
    return small.resize(size, Image.Resampling.BICUBIC)


def _light(size, rng: random.Random, gutter: str | None) -> Image.Image:
    """A smooth field of brightness (255 = full light); a book's spine side falls into shadow."""
    coarse = Image.new("L", (4, 5))
    coarse.putdata([rng.randint(236, 255) for _ in range(20)])
    # Through a blurred middle size: straight from 4×5 the 8-bit steps would show as rectangles.
    middle = coarse.resize((max(8, size[0] // 16), max(8, size[1] // 16)), Image.Resampling.BICUBIC)
    field = middle.filter(ImageFilter.GaussianBlur(middle.size[0] / 12)).resize(size, Image.Resampling.BILINEAR)
    if gutter:
        w, h = size
        ramp = Image.new("L", (256, 1))
        ramp.putdata([round(255 - 70 * max(0.0, 1 - x / 255 * 12) ** 2) for x in range(256)])
        if gutter == "right":
            ramp = ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        field = ImageChops.multiply(field, ramp.resize((w, h), Image.Resampling.BILINEAR))
    return field


# ---------------------------------------------------------------- output


def build(sample: dict, out_dir: Path, fonts: Fonts) -> list[Path]:
    """Render every page, write the scan file(s) and the sidecar; returns the files written."""
    render = sample["render"]
    dpi, fmt = render["dpi"], render["format"]
    folder = out_dir / sample["slug"]
    folder.mkdir(parents=True, exist_ok=True)
    targets = samples.output_files(sample, out_dir)
    _remove_strays(folder, sample["slug"], keep={*targets, folder / "olke.toml"})
    pages = [render_page(sample, i, fonts) for i in range(len(sample["pages"]))]
    if fmt == "png":
        for page, target in zip(pages, targets):
            _write(target, lambda f, p=page: p.save(f, "PNG", dpi=(dpi, dpi), compress_level=9))
    elif fmt == "jpeg":
        for page, target in zip(pages, targets):
            _write(target, lambda f, p=page: p.save(f, "JPEG", dpi=(dpi, dpi),
                                                      quality=render["jpeg_quality"], optimize=True))
    elif fmt == "tiff_multipage":
        frames = [p.point(lambda v: 255 if v > 150 else 0).convert("1", dither=Image.Dither.NONE) for p in pages]
        _write(targets[0], lambda f: frames[0].save(f, "TIFF", save_all=True, append_images=frames[1:],
                                                      compression="group4", dpi=(dpi, dpi)))
    elif fmt == "pdf_image_only":
        import img2pdf
        jpegs = []
        for page in pages:
            buffer = io.BytesIO()
            page.save(buffer, "JPEG", dpi=(dpi, dpi), quality=render["jpeg_quality"], optimize=True)
            jpegs.append(buffer.getvalue())
        # The internal engine: img2pdf's pikepdf engine gives the PDF a random /ID on this pikepdf.
        pdf = img2pdf.convert(jpegs, nodate=True, engine=img2pdf.Engine.internal)
        _write(targets[0], lambda f: f.write(pdf))
    _write(folder / "olke.toml", lambda f: f.write(sidecar_text(sample).encode("utf-8")))
    return [*targets, folder / "olke.toml"]


def sidecar_text(sample: dict) -> str:
    lines = [f"# Generated by scans/make_samples.py from scans/texts/{sample['slug']}.toml; edit that file.\n"]
    for key in samples.DOCUMENT_KEYS:
        value = sample["document"][key]
        rendered = "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]" \
            if isinstance(value, list) else json.dumps(value, ensure_ascii=False)
        lines.append(f"{key} = {rendered}\n")
    return "".join(lines)


def _write(target: Path, writer) -> None:
    """Write via a hidden temporary file and rename, so a half-written page never looks finished."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w+b") as handle:      # w+b: Pillow reads back while appending TIFF frames
            writer(handle)
        os.chmod(temp, 0o666 & ~_UMASK)            # mkstemp makes it private; a scan is not
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _remove_strays(folder: Path, slug: str, keep: set[Path]) -> None:
    """Drop page files an earlier run left behind (another format, more pages); nothing else."""
    ours = [*folder.glob("page-*.png"), *folder.glob("page-*.jpg"), *folder.glob(f"{slug}.tif"),
            *folder.glob(f"{slug}.pdf"), *folder.glob(".*.part")]
    for path in ours:
        if path not in keep:
            path.unlink()


def up_to_date(sample: dict, out_dir: Path) -> bool:
    inputs = [sample["path"], Path(__file__).resolve(), Path(samples.__file__).resolve()]
    newest_input = max(p.stat().st_mtime_ns for p in inputs)
    outputs = [*samples.output_files(sample, out_dir), out_dir / sample["slug"] / "olke.toml"]
    try:
        return all(p.stat().st_mtime_ns >= newest_input for p in outputs)
    except FileNotFoundError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the demo samples in scans/texts/ into scan-like pages.")
    parser.add_argument("--out", type=Path, default=HERE, help="where the sample folders go (default: scans/)")
    parser.add_argument("--only", action="append", metavar="SLUG", default=[],
                        help="render only this sample (repeatable)")
    parser.add_argument("--force", action="store_true", help="render even the samples that are up to date")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)
    say = (lambda *a: None) if args.quiet else print
    started = time.perf_counter()
    try:
        known = samples.slugs()
        unknown = [s for s in args.only if s not in known]
        if unknown:
            print(f"error: no sample '{unknown[0]}'; the samples are: {', '.join(known)}", file=sys.stderr)
            return 2
        chosen = [samples.load(slug) for slug in (args.only or known)]
        out_dir = args.out.resolve()
        fonts = None
        built = 0
        for sample in chosen:
            if not args.force and up_to_date(sample, out_dir):
                say(f"  {sample['slug']}: up to date")
                continue
            if fonts is None:
                fonts = Fonts()
                if fonts.fallback:
                    say(f"warning: using DejaVu for {', '.join(fonts.fallback)}; install fonts-paratype "
                        "for the intended look")
            t0 = time.perf_counter()
            files = build(sample, out_dir, fonts)
            built += 1
            size = sum(f.stat().st_size for f in files)
            say(f"  {sample['slug']}: {len(sample['pages'])} pages, {sample['render']['format']}, "
                f"{size / 1e6:.2f} MB, {time.perf_counter() - t0:.1f} s")
    except samples.SampleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    say(f"{len(chosen)} samples in {out_dir}: {built} rendered, {len(chosen) - built} up to date "
        f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
