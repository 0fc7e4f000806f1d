"""Draw workbook_templates/sample_logo.png: a made-up partnership mark for the sample theme.

    python scripts/make_sample_logo.py

Plain shapes (a shield on a rounded square, and three bars standing for a name), written as a PNG
with zlib, so that the sample theme carries no one's real logo and needs no imaging library.
The output is the same bytes on every run.
"""
from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "workbook_templates" / "sample_logo.png"
WIDTH, HEIGHT = 208, 64
PURPLE, ORANGE, WHITE, CLEAR = (75, 30, 110, 255), (179, 88, 6, 255), (255, 255, 255, 255), (255, 255, 255, 0)


def _in_rounded_square(x: int, y: int, size: int = 64, radius: int = 12) -> bool:
    cx = min(max(x, radius), size - 1 - radius)
    cy = min(max(y, radius), size - 1 - radius)
    return x < size and (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def _in_shield(x: int, y: int) -> bool:
    """A shield 36 px wide: straight sides for its top half, then a curve to a point."""
    left, right, top, middle, bottom = 14, 50, 12, 32, 54
    if not (left <= x <= right and top <= y <= bottom):
        return False
    if y <= middle:
        return True
    half = (right - left) / 2 * (1 - ((y - middle) / (bottom - middle)) ** 2) ** 0.5
    return abs(x - (left + right) / 2) <= half


def _pixel(x: int, y: int) -> tuple[int, int, int, int]:
    if _in_rounded_square(x, y):
        if _in_shield(x, y):
            return ORANGE if 26 <= y <= 30 else WHITE
        return PURPLE
    for top, length, colour in ((14, 128, PURPLE), (29, 100, PURPLE), (44, 70, ORANGE)):
        if 76 <= x < 76 + length and top <= y < top + 8:
            return colour
    return CLEAR


def png_bytes() -> bytes:
    raw = b"".join(b"\x00" + bytes(v for x in range(WIDTH) for v in _pixel(x, y)) for y in range(HEIGHT))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def main() -> int:
    OUT.write_bytes(png_bytes())
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes, {WIDTH}x{HEIGHT})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
