"""Everything Olke takes from Whoosh's private internals, in one place.

Whoosh offers no public way to read a posting list a block at a time, a numeric column whole, or
an index's table of contents, and its writers take their posting pool from a module global; Olke's
engine (``engine.py``) and index (``index.py``) need all of these. They are the internals of the
Whoosh this module was written for (``pyproject.toml`` pins it); another version may lay them out
otherwise, so importing this module checks the version and says what to do.
"""
from __future__ import annotations

import marshal
from itertools import islice
from typing import Iterator

import numpy as np
import whoosh
from whoosh import writing as whoosh_writing
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.matching import wrappers

from archive.errors import MissingDependency

WRITTEN_FOR = "2.7.4"

if whoosh.versionstring() != WRITTEN_FOR:
    raise MissingDependency(f"Olke's search reads the internals of Whoosh {WRITTEN_FOR}, but Whoosh "
                            f"{whoosh.versionstring()} is installed; install Whoosh=={WRITTEN_FOR}")


# --- reading -----------------------------------------------------------------------------------

def posting_blocks(reader, fieldname: str, btext: bytes, with_values: bool = False, within=None
                   ) -> Iterator[tuple[list, object, int, list | None]]:
    """A term's postings in one segment, a block at a time, without the deletion filter:
    (page number deltas, weights: None, one float or a list, count, the raw values or None).
    With `within` (sorted page numbers), only the blocks whose range of pages holds one of them
    are read: the others are passed over by their headers, undecoded."""
    matcher = reader.postings(fieldname, btext)
    while isinstance(matcher, wrappers.WrappingMatcher):
        matcher = matcher.child
    below = -1                                   # the last page of the block before
    while matcher.is_active():
        if within is not None:
            at = int(within.searchsorted(below + 1))
            if at >= len(within) or within[at] > matcher._maxid:
                below = matcher._maxid
                matcher._next_block()
                continue
            below = matcher._maxid
        if matcher._data is None:
            matcher._read_data()
        values = None
        if with_values:
            matcher._read_values()
            values = matcher._values
        yield matcher._data[0], matcher._data[1], matcher._blocklength, values
        matcher._next_block()


def numeric_column(reader, name: str, column, size: int) -> np.ndarray | None:
    """A fixed-width numeric column (a sortable NUMERIC field or a field's lengths) as an array."""
    perdoc = reader._perdoc
    if not perdoc.has_column(name):
        return None
    columnreader = perdoc.column_reader(name, column)
    stored = columnreader._count
    values = np.full(size, columnreader._default, dtype=np.int64)
    if stored:
        raw = columnreader._dbfile.get(columnreader._basepos, stored * columnreader._fixedlen)
        values[:stored] = np.frombuffer(raw, dtype=np.dtype(columnreader._typecode).newbyteorder(">"))
    return values


def length_column(reader, fieldname: str, size: int) -> np.ndarray | None:
    """Each page's length of ``fieldname``, as Whoosh stores it (a byte each)."""
    return numeric_column(reader, _lenfield(fieldname), LENGTHS_COLUMN, size)


def has_segment(reader) -> bool:
    """Whether ``reader`` reads a segment (an index with no segments yet has a reader without one)."""
    return hasattr(reader, "_segment")


def segment_id(reader) -> str:
    return reader._segment.segment_id()


def expanded_terms(node, reader) -> list[bytes]:
    """The index terms that a prefix, wildcard or range query stands for."""
    return list(node._btexts(reader))


def index_state(ix) -> tuple:
    """(generation, segment ids) of the index as its table of contents says now."""
    toc = ix._read_toc()
    return toc.generation, tuple(segment.segment_id() for segment in toc.segments)


def segment_count(ix) -> int:
    return len(ix._segments())


# --- writing -----------------------------------------------------------------------------------

class RunPool(whoosh_writing.PostingPool):
    """Whoosh's posting pool, spilling sorted runs with marshal in large chunks instead of one pickle
    call per posting (a third of the time a big commit took went into pickling postings)."""

    CHUNK = 65536

    def _write_run(self, f, items):
        items = iter(items)
        while chunk := list(islice(items, self.CHUNK)):
            marshal.dump(chunk, f)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


def use_run_pool() -> None:
    """Make Whoosh's writers use ``RunPool``. They, and those of ``MpWriter``'s processes, create
    their pool from a global of ``whoosh.writing``, so it is set there, for this process: Olke's
    index does so when it is opened, before it writes."""
    whoosh_writing.PostingPool = RunPool
