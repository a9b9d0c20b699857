"""The viewer's page images: the picture the PDF shows, whatever the scan's pixel format."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ocr.render import render_pages


def _ink(size=(400, 300), paper: int = 255, ink: int = 0) -> Image.Image:
    page = Image.new("L", size, paper)
    ImageDraw.Draw(page).rectangle((50, 100, 350, 140), fill=ink)      # a line of "text"
    return page


def _shown(tmp_path, image: Image.Image, name: str) -> np.ndarray:
    path = tmp_path / f"{name}.png"
    image.save(path)
    (_, page, thumb), = render_pages(tmp_path / "unused.pdf", tmp_path / name, 1, [path])
    assert Image.open(thumb).size[0] > 0
    return np.asarray(Image.open(page).convert("L"), dtype=np.float64)


def test_transparent_scans_are_shown_on_white_paper(tmp_path):
    ink = np.asarray(_ink())
    # black text opaque, the paper transparent with black behind it (as many tools save it)
    rgba = np.zeros((*ink.shape, 4), dtype=np.uint8)
    rgba[..., 3] = np.where(ink < 128, 255, 0)
    la = np.stack([np.zeros_like(ink), rgba[..., 3]], axis=-1)
    for name, image in (("rgba", Image.fromarray(rgba, "RGBA")), ("la", Image.fromarray(la, "LA"))):
        shown = _shown(tmp_path, image, name)
        assert shown.mean() > 200, name                    # white paper, not a black page
        assert shown.min() < 60, name                      # with its dark line of text


def test_sixteen_bit_grey_scans_keep_their_ink(tmp_path):
    deep = Image.fromarray(np.asarray(_ink(paper=230, ink=40)).astype(np.uint16) * 257)   # grey ink, off-white paper
    assert deep.mode.startswith("I")
    shown = _shown(tmp_path, deep, "grey16")
    assert 200 < shown.mean() < 240 and shown.min() < 60     # not clipped to a blank white page
