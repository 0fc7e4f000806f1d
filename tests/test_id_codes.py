"""Crime IDs as integer codes: rows share a code exactly when their IDs are the same text.

The expected grouping comes from pandas' own factorisation of the same texts as Python strings.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from engine.ingest.id_codes import BLANK, id_codes


def same_partition(codes: np.ndarray, texts: list[str | None]) -> bool:
    blank = np.array([t is None or t == "" for t in texts])
    expected, _ = pd.factorize(pd.Series([t for t, b in zip(texts, blank) if not b], dtype=object))
    pairs = set(zip(codes[~blank].tolist(), expected.tolist()))  # a one-to-one match of codes and texts
    return bool((codes[blank] == BLANK).all() and (codes[~blank] >= 0).all()
                and len(pairs) == len(set(codes[~blank].tolist())) == len(set(expected.tolist())))


def police_ids(rng: np.random.Generator, n: int) -> list[str]:
    """police.uk-shaped IDs (64 hexadecimal characters), a fifth of them repeats, a tenth blank (ASB rows)."""
    distinct = [rng.bytes(32).hex() for _ in range(n)]
    picked = [distinct[i] for i in rng.integers(0, int(n * 0.8), n)]
    return ["" if rng.random() < 0.1 else text for text in picked]


@pytest.mark.parametrize("shape", ["fixed width", "mixed widths", "nulls", "chunked", "blank chunk", "sliced",
                                   "all blank"])
def test_codes_group_rows_exactly_as_the_texts_do(shape):
    rng = np.random.default_rng(19)
    texts: list[str | None] = police_ids(rng, 5_000)
    if shape == "mixed widths":
        texts = [t[: 8 + i % 50] if t else t for i, t in enumerate(texts)]  # prefixes: distinct IDs sharing a start
    if shape == "nulls":
        texts = [None if t == "" else t for t in texts]
    if shape == "all blank":
        texts = [""] * 10
    array = pa.array(texts, pa.string())
    if shape == "chunked":
        array = pa.chunked_array([array.slice(0, 1234), array.slice(1234)])
    if shape == "blank chunk":  # a chunk of ASB rows only, between two chunks of crimes
        array = pa.chunked_array([array.slice(0, 1234), pa.array([""] * 5), array.slice(1234)])
        texts = texts[:1234] + [""] * 5 + texts[1234:]
    if shape == "sliced":
        array, texts = array.slice(777, 3000), texts[777:3777]
    codes = id_codes(array)
    assert np.issubdtype(codes.dtype, np.integer) and len(codes) == len(texts)
    assert same_partition(codes, texts)


def test_ids_that_differ_only_late_are_told_apart():
    """Two 64-character IDs equal but for their last character, repeated: four rows, two codes."""
    one, two = "a" * 63 + "0", "a" * 63 + "1"
    codes = id_codes(pa.array([one, two, "", one, two]))
    assert list(codes == codes[0]) == [True, False, False, True, False]
    assert codes[1] == codes[4] != codes[0] and codes[2] == BLANK


def test_a_shared_fingerprint_of_different_ids_falls_back_to_exact_codes(monkeypatch):
    """Fingerprints that all collide (a degenerate mixing constant) must still give exact codes."""
    import engine.ingest.id_codes as module

    monkeypatch.setattr(module, "_MULTIPLIER", np.uint64(0))
    texts = police_ids(np.random.default_rng(7), 2_000)
    codes = id_codes(pa.array(texts))
    assert same_partition(codes, texts) and len(set(codes[codes >= 0].tolist())) > 1
