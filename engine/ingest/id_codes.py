"""Record identifiers (police.uk Crime IDs) as integer codes: equal codes exactly where the texts are equal.

Finding repeated crimes only needs to know which rows share an ID, and a national year holds about
6.5 million IDs, nearly all distinct. Dictionary-encoding them builds a second copy of every
string in a hash table (most of the reader's time and a few hundred MB at national scale). police.uk
IDs all have one width (64 hexadecimal characters), so their bytes can be read in place as machine
words and folded into one 64-bit fingerprint per row, and equal fingerprints found by sorting plain integers.
Every row whose fingerprint is shared is then compared with the first row of its group word by word,
so the codes are exact: should two different IDs ever share a fingerprint, the IDs are encoded the
general way (Arrow's dictionary encoding), which is also used for IDs of mixed widths.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.ingest.groups import by_chunk

BLANK = -1  # the code of a row with no ID
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constants (golden ratio; splitmix64) for mixing words
_MIX = np.uint64(0xBF58476D1CE4E5B9)


def id_codes(ids: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """One integer per row (int32 below 2**31 rows: half the memory of int64 over a national year): BLANK where the
    ID is empty or null, else a code shared exactly by the rows with the same ID. The IDs are read where they lie,
    chunk by chunk (never copied into one array: at national scale that copy was the reader's largest passing use
    of memory), and the working arrays are let go as soon as they are used."""
    chunks = [c if c.type in (pa.string(), pa.large_string()) else c.cast(pa.large_string())
              for c in (ids.chunks if isinstance(ids, pa.ChunkedArray) else [ids])]
    lengths = [pc.fill_null(pc.binary_length(c), 0).to_numpy(zero_copy_only=False) for c in chunks]
    named = [np.flatnonzero(n > 0) for n in lengths]
    size = sum(len(c) for c in chunks)
    codes = np.full(size, BLANK, dtype=np.int32 if size < 2**31 else np.int64)
    starts = np.cumsum([0] + [len(c) for c in chunks])
    rows = np.concatenate([at + start for at, start in zip(named, starts)] + [np.zeros(0, np.int64)])
    if not len(rows):
        return codes
    width = int(next(n[at[0]] for n, at in zip(lengths, named) if len(at)))
    words = [_fixed_width_words(c, n, at, width) for c, n, at in zip(chunks, lengths, named)]
    del lengths, named
    if all(w is not None for w in words):
        found = _verified_codes(words)
        if found is not None:
            codes[rows] = found
            return codes
    codes[rows] = _encoded(pa.concat_arrays([c.cast(pa.large_string()) for c in chunks]).take(pa.array(rows)))
    return codes


def on_several_rows(codes: np.ndarray) -> np.ndarray:
    """Positions of the rows whose ID is on two rows or more (a few in a national year: only these can repeat)."""
    named = np.flatnonzero(codes >= 0)
    return named[np.bincount(codes[named])[codes[named]] > 1]


def _fixed_width_words(array: pa.StringArray | pa.LargeStringArray, lengths: np.ndarray, named: np.ndarray,
                       width: int) -> np.ndarray | None:
    """The named IDs' bytes as (rows, width / 8) uint64 words, read in place, when every one has ``width`` bytes (a
    multiple of 8); None otherwise."""
    if width % 8 or not (lengths[named] == width).all():
        return None
    if not len(named):
        return np.zeros((0, width // 8), dtype=np.uint64)
    offset_type = np.dtype(np.int64 if array.type == pa.large_string() else np.int32)
    offsets = np.frombuffer(array.buffers()[1], dtype=offset_type, count=len(array) + 1,
                            offset=array.offset * offset_type.itemsize)
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)
    start, stop = int(offsets[named[0]]), int(offsets[named[-1]]) + width
    if stop - start != len(named) * width:  # the named IDs' bytes are contiguous when blanks take no bytes
        return None
    return data[start:stop].view(np.uint64).reshape(len(named), width // 8)


def _verified_codes(words: list[np.ndarray]) -> np.ndarray | None:
    """Codes from each row's fingerprint (``words``: each chunk's named IDs as machine words), or None if two
    different IDs share one (then the caller encodes exactly)."""
    fingerprint = np.concatenate([_fingerprints(w) for w in words])
    order = np.argsort(fingerprint)  # sorting integers: cheaper than hashing millions of them
    ordered = fingerprint[order]
    del fingerprint
    starts = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    del ordered
    kind = np.int32 if len(order) < 2**31 else np.int64
    group = np.cumsum(starts, dtype=kind) - 1
    codes = np.empty(len(order), dtype=kind)
    codes[order] = group
    shared = np.flatnonzero(~starts | np.append(~starts[1:], False))  # sorted positions in groups of two or more
    if len(shared):
        first = order[np.flatnonzero(starts)]  # first[g]: one row of group g, the one each row is compared with
        if not (_gathered(words, order[shared]) == _gathered(words, first[group[shared]])).all():
            return None
    return codes


def _fingerprints(words: np.ndarray) -> np.ndarray:
    """One 64-bit fingerprint per row of machine words."""
    fingerprint = np.zeros(len(words), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in range(words.shape[1]):
            fingerprint = (fingerprint ^ words[:, column]) * _MULTIPLIER
            fingerprint ^= fingerprint >> np.uint64(31)
            fingerprint *= _MIX
    return fingerprint


def _gathered(words: list[np.ndarray], positions: np.ndarray) -> np.ndarray:
    """The words of the named IDs at ``positions`` (counted across the chunks), in that order."""
    out = np.empty((len(positions), words[0].shape[1]), dtype=np.uint64)
    for index, here, inside in by_chunk([len(w) for w in words], positions):
        out[here] = words[index][inside]
    return out


def _encoded(named: pa.Array) -> np.ndarray:
    """Exact codes by Arrow's dictionary encoding."""
    return pc.dictionary_encode(named).indices.to_numpy(zero_copy_only=False)
