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

BLANK = -1  # the code of a row with no ID
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constants (golden ratio; splitmix64) for mixing words
_MIX = np.uint64(0xBF58476D1CE4E5B9)


def id_codes(ids: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """One int64 per row: BLANK where the ID is empty or null, else a code shared exactly by the rows with the same
    ID ."""
    array = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    if array.type not in (pa.string(), pa.large_string()):
        array = array.cast(pa.large_string())
    lengths = pc.fill_null(pc.binary_length(array), 0).to_numpy(zero_copy_only=False)
    named = np.flatnonzero(lengths > 0)
    codes = np.full(len(array), BLANK, dtype=np.int64)
    if not len(named):
        return codes
    words = _fixed_width_words(array, lengths, named)
    if words is not None:
        found = _verified_codes(words)
        if found is not None:
            codes[named] = found
            return codes
    codes[named] = _encoded(array.take(pa.array(named)))
    return codes


def on_several_rows(codes: np.ndarray) -> np.ndarray:
    """Positions of the rows whose ID is on two rows or more (a few in a national year: only these can repeat)."""
    named = np.flatnonzero(codes >= 0)
    return named[np.bincount(codes[named])[codes[named]] > 1]


def _fixed_width_words(array: pa.StringArray | pa.LargeStringArray, lengths: np.ndarray,
                       named: np.ndarray) -> np.ndarray | None:
    """The named IDs' bytes as (rows, width / 8) uint64 words, read in place, when every ID has the same width (a
    multiple of 8 bytes); None otherwise."""
    width = int(lengths[named[0]])
    if width % 8 or not (lengths[named] == width).all():
        return None
    offset_type = np.dtype(np.int64 if array.type == pa.large_string() else np.int32)
    offsets = np.frombuffer(array.buffers()[1], dtype=offset_type, count=len(array) + 1,
                            offset=array.offset * offset_type.itemsize)
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)
    start, stop = int(offsets[named[0]]), int(offsets[named[-1]]) + width
    if stop - start != len(named) * width:  # the named IDs' bytes are contiguous when blanks take no bytes
        return None
    return data[start:stop].view(np.uint64).reshape(len(named), width // 8)


def _verified_codes(words: np.ndarray) -> np.ndarray | None:
    """Codes from each row's fingerprint, or None if two different IDs share one (then the caller encodes exactly)."""
    fingerprint = np.zeros(len(words), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in range(words.shape[1]):
            fingerprint = (fingerprint ^ words[:, column]) * _MULTIPLIER
            fingerprint ^= fingerprint >> np.uint64(31)
            fingerprint *= _MIX
    order = np.argsort(fingerprint)  # sorting integers: cheaper than hashing millions of them
    ordered = fingerprint[order]
    starts = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    group = np.cumsum(starts) - 1
    codes = np.empty(len(words), dtype=np.int64)
    codes[order] = group
    shared = np.flatnonzero(~starts | np.append(~starts[1:], False))  # sorted positions in groups of two or more
    if len(shared):
        first = order[np.flatnonzero(starts)]  # first[g]: one row of group g, the one each row is compared with
        rows = order[shared]
        if not (words[rows] == words[first[group[shared]]]).all():
            return None
    return codes


def _encoded(named: pa.Array) -> np.ndarray:
    """Exact codes by Arrow's dictionary encoding."""
    return pc.dictionary_encode(named).indices.to_numpy(zero_copy_only=False).astype(np.int64)
