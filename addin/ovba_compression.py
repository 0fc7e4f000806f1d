"""MS-OVBA compression (the "RLE" of [MS-OVBA] 2.4.1), in which a VBA project keeps its module sources.

Written here because no working permissively-licensed implementation exists on PyPI: oletools
(BSD) only decompresses, and ``ms-ovba-compression`` 1.0.1 rejects valid containers and writes ones
that do not decompress. Tests check this module against oletools' decompressor.

A container is the byte 0x01 and chunks, each holding up to 4096 bytes of the text: a 2-byte header
(size - 3 in bits 0-11, 0b011 in 12-14, bit 15 set when compressed), then groups of a flag byte and
eight tokens, each a literal byte or (flag bit set) a 2-byte copy of earlier bytes of the same chunk.
"""
from __future__ import annotations

import struct

CHUNK = 4096
_MAX_CANDIDATES = CHUNK  # every earlier position: the longest match, as Office's own compressor finds


def _split(position: int) -> tuple[int, int]:
    """(bits for the length, the longest copy) for a copy token at ``position`` within its chunk."""
    offset_bits = max((position - 1).bit_length(), 4)
    length_bits = 16 - offset_bits
    return length_bits, (1 << length_bits) - 1 + 3


def compress_chunk(data: bytes) -> bytes:
    """One chunk (at most 4096 bytes of text), header included."""
    out, position, seen = bytearray(), 0, {}
    while position < len(data):
        flags, tokens = 0, bytearray()
        for bit in range(8):
            if position >= len(data):
                break
            length_bits, longest = _split(position)
            best_length, best_offset = 0, 0
            for start in reversed(seen.get(data[position:position + 3], [])[-_MAX_CANDIDATES:]):
                length = 0
                while (length < longest and position + length < len(data)
                       and data[start + length] == data[position + length]):
                    length += 1
                if length > best_length:
                    best_length, best_offset = length, position - start
                    if length == longest:
                        break
            if best_length >= 3:
                flags |= 1 << bit
                tokens += struct.pack("<H", ((best_offset - 1) << length_bits) | (best_length - 3))
                step = best_length
            else:
                tokens.append(data[position])
                step = 1
            for i in range(position, position + step):
                seen.setdefault(data[i:i + 3], []).append(i)
            position += step
        out.append(flags)
        out += tokens
    if len(out) > CHUNK:  # incompressible: not the case for source text
        raise ValueError("chunk does not compress")
    return struct.pack("<H", 0x8000 | 0x3000 | (len(out) - 1)) + bytes(out)


def compress_chunks(data: bytes) -> list[bytes]:
    """The chunks of ``data``'s container: each depends only on its own 4096 bytes."""
    return [compress_chunk(data[i:i + CHUNK]) for i in range(0, len(data), CHUNK)]


def compress(data: bytes) -> bytes:
    return b"\x01" + b"".join(compress_chunks(data))


def decompress(container: bytes) -> bytes:
    if not container or container[0] != 1:
        raise ValueError("not an MS-OVBA compressed container (signature byte)")
    out, position = bytearray(), 1
    while position + 2 <= len(container):
        header = struct.unpack_from("<H", container, position)[0]
        end = min(position + 2 + (header & 0x0FFF) + 1, len(container))
        position += 2
        start = len(out)
        if not header & 0x8000:
            out += container[position:position + CHUNK]
            position += CHUNK
            continue
        while position < end:
            flags = container[position]
            position += 1
            for bit in range(8):
                if position >= end:
                    break
                if flags & (1 << bit):
                    token = struct.unpack_from("<H", container, position)[0]
                    position += 2
                    length_bits, _ = _split(len(out) - start)
                    length = (token & ((1 << length_bits) - 1)) + 3
                    offset = (token >> length_bits) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(container[position])
                    position += 1
    return bytes(out)
