"""The add-in's VBA: xlwings' template code with two changes that keep the decision on this computer.

xlwings' custom-add-in VBA (BSD-3-Clause, copied from the installed xlwings) would

- read a ``myaddin.conf`` sheet in the *active workbook*, and a ``myaddin.conf`` file beside it,
  before the add-in's own settings: a received workbook could set the interpreter, conda settings
  and ``PYTHONPATH`` the button runs. Both lookups are switched off (``If False Then``); the add-in's
  own sheet and the user's ``myaddin.conf`` file in their profile are still read;
- import the module named like the add-in's file (``RibbonMyAddin.RunMain``), so a copy renamed
  ``Saferbook (1).xlam`` would run ``import Saferbook (1)``. The button runs ``saferbook.main()``
  whatever the file is called.

A VBA project (MS-OVBA) keeps each module's source compressed in its OLE stream, after an optional
compiled cache (p-code) at the offset the ``dir`` stream records. The template ships without a valid
cache (its ``_VBA_PROJECT`` stream has no performance cache, version 0xFFFF), so Office compiles from
the source. The new source is compressed (``ms_ovba_compression``) to exactly the old stream's length,
by a comment of filler at the end of the module, so that the stream keeps its size and offset
(``olefile`` rewrites streams in place only) and the ``dir`` stream stays as it is. Compression is
:mod:`addin.ovba_compression`.
"""
from __future__ import annotations

import hashlib
import io
import struct
import tempfile
from pathlib import Path

from engine.errors import SaferbookError
from addin.ovba_compression import CHUNK, compress_chunks, decompress

ENCODING = "latin-1"  # the template's code page (1252); the replaced text is ASCII
_MODULE_NAME, _MODULE_OFFSET, _PROJECT_VERSION = 0x19, 0x31, 0x09

# (module, text in the template, replacement): each must occur exactly once.
PATCHES = [
    ("xlwings", "' it finds a value (sheet -> directory -> user -> default)",
     "' it finds a value (add-in sheet -> user -> default)"),
    ("xlwings", "' An entry in xlwings.conf sheet overrides the config file/ribbon",
     "' Saferbook: no workbook's sheet"),
    ("xlwings", 'If SheetExists(ActiveWorkbook, PROJECT_NAME & ".conf") = True Then', "If False Then"),
    ("xlwings", "If FileExists(GetDirectoryConfigFilePath()) = True Then", "If False Then"),
    ("RibbonMyAddin",
     'mymodule = Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name, ".", -1, vbTextCompare) - 1))',
     'mymodule = "saferbook"'),
]


def _olefile():
    try:
        import olefile
    except ImportError:
        raise SaferbookError("the Excel add-in needs olefile: pip install \"saferbook[addin]\"") from None
    return olefile


def module_offsets(dir_stream: bytes) -> dict[str, int]:
    """Each module's source offset in its stream, from the decompressed ``dir`` stream (MS-OVBA 2.3.4.2)."""
    offsets, position, name = {}, 0, None
    while position + 6 <= len(dir_stream):
        record, size = struct.unpack_from("<HI", dir_stream, position)
        position += 6
        if record == _PROJECT_VERSION:  # its size field says 4, but 6 bytes follow
            size = 6
        data = dir_stream[position:position + size]
        position += size
        if record == _MODULE_NAME:
            name = data.decode(ENCODING)
        elif record == _MODULE_OFFSET and name is not None:
            offsets[name] = struct.unpack("<I", data)[0]
    return offsets


def _filler(seed: int, count: int, newline: bytes) -> bytes:
    """``count`` letters that do not compress (a hash stream), as VBA comment lines of at most 76."""
    letters, block = bytearray(), 0
    while len(letters) < count:
        letters += bytes(65 + b % 26 for b in hashlib.sha256(f"{seed}:{block}".encode()).digest())
        block += 1
    letters = letters[:count]
    lines = [bytes(letters[i:i + 76]) for i in range(0, count, 76)]
    return b"".join(b"' " + line + newline for line in lines)


def _compressed_to_length(source: bytes, length: int, module: str) -> bytes:
    """``source`` plus trailing comment lines of filler, compressed to exactly ``length`` bytes.

    Chunks compress independently, so only the chunks after the last whole 4096 bytes are redone."""
    newline = b"\r\n" if b"\r\n" in source else b"\n"
    whole = len(source) // CHUNK * CHUNK
    head = 1 + sum(len(chunk) for chunk in compress_chunks(source[:whole]))

    def packed(count: int, seed: int) -> list[bytes]:
        return compress_chunks(source[whole:] + _filler(seed, count, newline))

    room = length - head - sum(len(chunk) for chunk in packed(0, 0))
    for seed in range(16):
        for count in range(max(0, int(room / 1.25) - 8), room + 1):
            chunks = packed(count, seed)
            total = head + sum(len(chunk) for chunk in chunks)
            if total == length:
                return b"\x01" + b"".join(compress_chunks(source[:whole])) + b"".join(chunks)
            if total > length:
                break
    raise SaferbookError(f"cannot fit the add-in's VBA module {module} back into its stream")


def patch_vba_project(data: bytes) -> bytes:
    """``xl/vbaProject.bin`` with :data:`PATCHES` applied (see the module docstring)."""
    olefile = _olefile()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vbaProject.bin"
        path.write_bytes(data)
        ole = olefile.OleFileIO(str(path), write_mode=True)
        try:
            offsets = module_offsets(decompress(ole.openstream("VBA/dir").read()))
            for module in dict.fromkeys(m for m, _, _ in PATCHES):
                stream = ole.openstream(f"VBA/{module}").read()
                offset = offsets[module]
                source = decompress(stream[offset:])
                for _, old, new in (p for p in PATCHES if p[0] == module):
                    if source.count(old.encode(ENCODING)) != 1:
                        raise SaferbookError(f"the xlwings add-in template's VBA ({module}) is not the one this "
                                             "Saferbook knows: install an xlwings version within the range "
                                             "pyproject.toml allows")
                    source = source.replace(old.encode(ENCODING), new.encode(ENCODING))
                packed = _compressed_to_length(source, len(stream) - offset, module)
                ole.write_stream(f"VBA/{module}", stream[:offset] + packed)
        finally:
            ole.close()
        return path.read_bytes()


def module_source(data: bytes, module: str) -> str:
    """A module's VBA source from ``xl/vbaProject.bin`` bytes (for ``addin status`` and tests)."""
    ole = _olefile().OleFileIO(io.BytesIO(data))
    try:
        offset = module_offsets(decompress(ole.openstream("VBA/dir").read()))[module]
        return decompress(ole.openstream(f"VBA/{module}").read()[offset:]).decode(ENCODING)
    finally:
        ole.close()
