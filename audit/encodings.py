"""Content-Encoding undone under a cap: the decoded size is bounded through every layer,
streaming, with memory near the cap.

httpx inflates each received chunk whole: a 265-byte answer marked `gzip, gzip, gzip` became
gigabytes before any size check could look at it. Here each layer is a zlib stream asked for
at most what is left of its budget; a layer that would give more stops the download as
`too_large`. The final layer's budget is the body cap; a middle layer holds compressed data
of a body under the cap, which is never much larger than the cap itself."""

from __future__ import annotations

import zlib

ACCEPTED = "gzip, deflate"  # what the auditor asks for, and all it undoes
STEP = 1 << 16  # bytes a layer gives at a time


class TooLarge(Exception):
    """The decoded body would be over the cap."""


class UnsupportedEncoding(Exception):
    """A Content-Encoding the auditor did not ask for and cannot undo."""


class _Layer:
    def __init__(self, encoding: str, budget: int):
        self.encoding, self.budget, self.given = encoding, budget, 0
        self.inflater = self._new(first=True)
        self.started = False

    def _new(self, first: bool = False):
        if self.encoding == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(zlib.MAX_WBITS if first else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        while data:
            try:
                piece = self.inflater.decompress(data, STEP)
            except zlib.error:
                if self.encoding == "deflate" and not self.started:  # raw deflate, no header
                    self.inflater, self.started = self._new(), True
                    continue
                raise
            self.started = True
            out += piece
            self.given += len(piece)
            if self.given > self.budget:
                raise TooLarge(self.encoding)
            rest = self.inflater.unconsumed_tail
            if self.inflater.eof and self.inflater.unused_data:  # another gzip member
                rest, self.inflater = self.inflater.unused_data, self._new()
            elif not piece and rest == data:
                break  # nothing more comes of this input until more arrives
            data = rest
        return bytes(out)


class Decoder:
    """Undo `content_encoding` (the header's value, layers in the order applied) on a raw
    body fed chunk by chunk; raises TooLarge past `cap` decoded bytes."""

    def __init__(self, content_encoding: str, cap: int):
        names = [e.strip().lower() for e in content_encoding.split(",") if e.strip()]
        names = [n for n in names if n != "identity"]
        for name in names:
            if name not in ("gzip", "x-gzip", "deflate"):
                raise UnsupportedEncoding(name)
        names = ["gzip" if n == "x-gzip" else n for n in names]
        middle = 2 * cap + (1 << 20)
        self.layers = [
            _Layer(name, cap if n == len(names) - 1 else middle)
            for n, name in enumerate(reversed(names))
        ]
        self.cap = cap

    def feed(self, chunk: bytes) -> bytes:
        for layer in self.layers:
            chunk = layer.feed(chunk)
        return chunk
