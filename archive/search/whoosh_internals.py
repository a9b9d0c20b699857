"""Everything Olke takes from Whoosh's private internals, in one place.

Whoosh offers no public way to read a posting list a block at a time, a numeric column whole, or
an index's table of contents, and its writers take their posting pool from a module global; Olke's
engine (``engine.py``) and index (``index.py``) need all of these. They are the internals of the
Whoosh this module was written for (``pyproject.toml`` pins it); another version may lay them out
otherwise, so importing this module checks the version and says what to do.
"""
from __future__ import annotations

import marshal
from array import array
from functools import partial
from itertools import islice
from typing import Iterator

import numpy as np
import whoosh
from whoosh import columns
from whoosh import writing as whoosh_writing
from whoosh.codec.whoosh3 import (LENGTHS_COLUMN, W3Codec, W3LeafMatcher, W3PerDocReader, W3PerDocWriter,
                                 W3PostingsWriter, _lenfield)
from whoosh.matching import wrappers

from archive.errors import MissingDependency
from archive.search.schema import decode_text

WRITTEN_FOR = "2.7.4"

if whoosh.versionstring() != WRITTEN_FOR:
    raise MissingDependency(f"Olke's search reads the internals of Whoosh {WRITTEN_FOR}, but Whoosh "
                            f"{whoosh.versionstring()} is installed; install Whoosh=={WRITTEN_FOR}")


# --- posting blocks as arrays ------------------------------------------------------------------

PACKED = "olke-packed-1"       # first item of a block part that `PackedPostingsWriter` packed
PACK_FROM = 32                 # postings a block needs to be packed: below, Whoosh's tuples cost less


def _packed(part) -> bool:
    return type(part) is tuple and len(part) > 1 and part[0] == PACKED


class PackedPostingsWriter(W3PostingsWriter):
    """Whoosh's posting blocks with their page numbers, weights and word positions each packed into
    one byte string, where Whoosh pickles a tuple of Python numbers and a tuple of byte strings (one
    a posting). Unpickling those made reading a common word's positions cost 80 us a block of 128
    pages (17 us packed), and the packed blocks are a third of the size. Term vectors (ids that are
    words), and blocks of fewer than `PACK_FROM` postings (numpy's cost per call outweighs what
    packing saves: an ingest's index writes, mostly such blocks, took 60 % longer packed), are
    written as Whoosh writes them."""

    def _packs(self) -> bool:
        return not self._byteids and len(self._ids) >= PACK_FROM

    def _mini_ids(self):
        if not self._packs():
            return super()._mini_ids()
        deltas = np.diff(np.asarray(self._ids, dtype=np.int64), prepend=0)
        dtype = np.dtype(np.uint8 if deltas.max() < 1 << 8 else np.uint16 if deltas.max() < 1 << 16 else np.uint32)
        return (PACKED, deltas.astype(dtype).tobytes(), dtype.char)

    def _mini_weights(self):
        weights = super()._mini_weights()
        if weights is None or isinstance(weights, float) or not self._packs():
            return weights
        return (PACKED, self._weights.tobytes())

    def _mini_values(self):
        fixedsize = self._format.fixed_value_size()
        if not self._packs() or not (fixedsize is None or fixedsize < 0) or not self._values:
            return super()._mini_values()
        lengths = np.fromiter(map(len, self._values), dtype=np.int64, count=len(self._values))
        dtype = np.dtype(np.uint16 if lengths.max() < 1 << 16 else np.uint32)
        return (PACKED, lengths.astype(dtype).tobytes(), dtype.char, b"".join(self._values))


class PackedLeafMatcher(W3LeafMatcher):
    """Whoosh's matcher over blocks that `PackedPostingsWriter` wrote (and those it did not), for
    Whoosh's own uses (merging segments, its searcher); Olke's engine reads the packed parts
    directly (`posting_blocks`)."""

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        if not _packed(self._data[0]):
            return super()._read_ids()
        _, raw, dtype = self._data[0]
        self._ids = tuple(np.cumsum(np.frombuffer(raw, dtype=dtype), dtype=np.int64).tolist())

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        if not _packed(self._data[1]):
            return super()._read_weights()
        self._weights = array("f")
        self._weights.frombytes(self._data[1][1])

    def _read_values(self):
        if self._data is None:
            self._read_data()
        if not _packed(self._data[2]):
            return super()._read_values()
        self._values = tuple(_split_values(self._data[2]))


def _split_values(part) -> list[bytes]:
    _, raw, dtype, blob = part
    ends = np.cumsum(np.frombuffer(raw, dtype=dtype), dtype=np.int64).tolist()
    return [blob[start:end] for start, end in zip([0] + ends[:-1], ends)]


class PackedCodec(W3Codec):
    """Whoosh's codec writing packed posting blocks (`PackedPostingsWriter`). A segment keeps the
    codec it was written with, so segments of older indexes are still read as Whoosh wrote them."""

    def postings_writer(self, dbfile, byteids=False):
        return PackedPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                    compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return PackedLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


# A page's stored fields without its text (``schema.encode_text``) are a few hundred bytes, which
# zlib hardly shrinks; reading one took 9-16 µs, most of it starting zlib, against 3 µs unpacked.
PLAIN_STORED = columns.PickleColumn(columns.VarBytesColumn())


class _PlainStoredWriter(W3PerDocWriter):
    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, PLAIN_STORED if fieldname == "_stored" else column)


class _PlainStoredReader(W3PerDocReader):
    def stored_fields(self, docnum):
        return self._cached_reader("_stored", PLAIN_STORED)[docnum] or {}


class PlainStoredCodec(PackedCodec):
    """`PackedCodec` with each page's stored fields pickled without compression."""

    def per_document_writer(self, storage, segment):
        return _PlainStoredWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return _PlainStoredReader(storage, segment)


def packed_segments(ix) -> bool:
    """Whether every segment of the index was written with packed posting blocks."""
    return all(isinstance(segment.codec(), PackedCodec) for segment in ix._segments())


class BlockValues:
    """The raw values (word positions) of a term's postings in one segment, as read block by block:
    per block, each posting's value length and the values joined."""

    def __init__(self):
        self.lengths: list[np.ndarray] = []
        self.blobs: list[bytes] = []

    def add(self, raw) -> None:
        if _packed(raw):
            _, lengths, dtype, blob = raw
            self.lengths.append(np.frombuffer(lengths, dtype=dtype))
            self.blobs.append(blob)
        else:                               # a tuple of byte strings, as Whoosh writes blocks
            self.lengths.append(np.fromiter(map(len, raw), dtype=np.int64, count=len(raw)))
            self.blobs.append(b"".join(raw))

    def joined(self) -> tuple[np.ndarray, bytes]:
        """(where each posting's value starts, one more at the end; all the values joined)."""
        if not self.lengths:
            return np.zeros(1, np.int64), b""
        lengths = np.concatenate(self.lengths).astype(np.int64)
        return np.concatenate([[0], np.cumsum(lengths)]), b"".join(self.blobs)


# --- reading -----------------------------------------------------------------------------------

def posting_blocks(reader, fieldname: str, btext: bytes, with_values: bool = False, within=None
                   ) -> Iterator[tuple[list, object, int, list | None]]:
    """A term's postings in one segment, a block at a time, without the deletion filter:
    (page number deltas, weights: None, one float or a sequence, count, the raw values or None:
    a tuple of byte strings, or one packed by `PackedPostingsWriter`, for `BlockValues.add`).
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
        ids, weights, values = matcher._data
        if _packed(ids):
            ids = np.frombuffer(ids[1], dtype=ids[2])
        if _packed(weights):
            weights = np.frombuffer(weights[1], dtype=np.float32)
        if not with_values:
            values = None
        elif not _packed(values):
            matcher._read_values()
            values = matcher._values
        yield ids, weights, matcher._blocklength, values
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


def stored_fields(reader, docnum: int) -> dict:
    """A page's stored fields as ``reader.stored_fields`` gives them, less its check of each name
    against the schema (a fifth of the cost; a name the schema no longer has is simply not read)."""
    if hasattr(reader, "readers"):                  # a MultiReader: the segment's own reader
        segment, docnum = reader._segment_and_docnum(docnum)
        reader = reader.readers[segment]
    return reader._perdoc.stored_fields(docnum)


def page_fields(reader):
    """What reads a page's stored fields by its number, as `stored_fields` does, with its text
    (`exact`) and whether it is plain (`plain`) from the `page_text` column (``schema.encode_text``);
    an index written before that column holds the text among the stored fields."""
    if "page_text" not in reader.schema or not reader.doc_count_all():   # (an empty index has no column)
        return partial(stored_fields, reader)
    texts = reader.column_reader("page_text")

    def read(docnum: int) -> dict:
        fields = stored_fields(reader, docnum)
        fields["exact"], fields["plain"] = decode_text(texts[docnum])
        return fields
    return read


def has_segment(reader) -> bool:
    """Whether ``reader`` reads a segment (an index with no segments yet has a reader without one)."""
    return hasattr(reader, "_segment")


def segment_id(reader) -> str:
    return reader._segment.segment_id()


def expanded_terms(node, reader) -> list[bytes]:
    """The index terms that a prefix, wildcard or range query stands for."""
    return list(node._btexts(reader))


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
