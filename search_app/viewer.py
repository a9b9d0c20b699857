"""What the page viewer shows: highlight boxes over the page image and the OCR text with hits marked."""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from archive.search.results import WordMatcher, matched_word_indexes

THUMBNAILS_AROUND = 7     # thumbnails shown on each side of the current page
_SPACE = re.compile(r"(\s+)")


@dataclass(frozen=True)
class Box:
    """A matched word's box in % of the page image (origin top left)."""
    x: str
    y: str
    width: str
    height: str
    word: str


def query_terms(store, q: str | None, languages=None) -> dict[str, list[str]]:
    """The index terms a query stands for (stems, fuzzy variants, quoted phrases), to find on pages
    of `languages` (any, if not said): read from the query and the index's lexicon, not by
    running the search again."""
    if not q:
        return {}
    return store.archive.index.highlight_terms(q, languages)


def boxes(words: list[list], language: str | None, terms: dict[str, list[str]]) -> list[Box]:
    """Boxes of the page's OCR words that match the query terms."""
    if not terms:
        return []
    found = []
    for index in matched_word_indexes(words, language, terms):
        text, x0, y0, x1, y1 = words[index][:5]
        pad = 0.003
        x0, y0, x1, y1 = max(0.0, x0 - pad), max(0.0, y0 - pad), min(1.0, x1 + pad), min(1.0, y1 + pad)
        found.append(Box(f"{x0 * 100:.2f}%", f"{y0 * 100:.2f}%", f"{(x1 - x0) * 100:.2f}%",
                         f"{(y1 - y0) * 100:.2f}%", text))
    return found


def marked_text(text: str, language: str | None, terms: dict[str, list[str]],
                matcher: WordMatcher | None = None) -> list[tuple[str, bool]]:
    """The page text as (text, is a hit) segments; whitespace and line breaks kept."""
    pieces = _SPACE.split(text)
    if not terms:
        return [(text, False)]
    words = [[piece] for piece in pieces[::2]]          # split with a group: words at even places
    hits = {2 * i for i in matched_word_indexes(words, language, terms, matcher)}
    segments: list[tuple[str, bool]] = []
    for position, piece in enumerate(pieces):
        marked = position in hits
        if segments and segments[-1][1] == marked and not marked:
            segments[-1] = (segments[-1][0] + piece, False)
        elif piece:
            segments.append((piece, marked))
    return segments


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# a hyphen that ends a line right after a word: the word goes on on the next line
_BROKEN_WORD = re.compile(r"(?<=\w)-[ \t]*\n[ \t]*(?=\w)")


def paragraphs(text: str) -> list[str]:
    """The page's text as paragraphs that reflow: the scan's line breaks go, its paragraph breaks
    (an empty line) stay. A word hyphenated at a line's end is joined with its hyphen kept, since
    Kazakh and Russian write many words with one (ата-ана, әл-Фараби, 1-сынып, кто-то) and
    dropping it would make those wrong."""
    found = []
    for block in _PARAGRAPH_BREAK.split(text.strip()):
        block = re.sub(r"[ \t]*\n[ \t]*", " ", _BROKEN_WORD.sub("-", block)).strip()
        if block:
            found.append(block)
    return found


def marked_paragraphs(text: str, language: str | None, terms: dict[str, list[str]]) -> list[list[tuple[str, bool]]]:
    """``paragraphs`` with the query's hits marked."""
    matcher = WordMatcher(language, terms) if terms else None     # shared: each word analysed once
    return [marked_text(paragraph, language, terms, matcher) for paragraph in paragraphs(text)]


class Remembered:
    """The last few results of a costly step, by a key that changes when its inputs do (the
    viewer's "pages of this document that match", recounted on every page turn otherwise)."""

    def __init__(self, size: int = 256):
        self.size, self._found, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._found:
                self._found.move_to_end(key)
                return self._found[key]
        return None

    def put(self, key, value) -> None:
        with self._lock:
            self._found[key] = value
            while len(self._found) > self.size:
                self._found.popitem(last=False)


# (home, document, its last change, query) → (its pages' languages, [(page, matches)])
DOCUMENT_MATCHES = Remembered()


def thumbnail_window(current: int, page_count: int) -> range:
    start = max(1, min(current - THUMBNAILS_AROUND, page_count - 2 * THUMBNAILS_AROUND))
    return range(start, min(page_count, start + 2 * THUMBNAILS_AROUND) + 1)
