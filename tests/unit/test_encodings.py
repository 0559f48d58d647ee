"""Content-Encoding undone under a cap, layer by layer, streaming."""

from __future__ import annotations

import gzip
import zlib

import pytest

from audit.encodings import Decoder, TooLarge, UnsupportedEncoding


def feed_all(decoder: Decoder, data: bytes, step: int = 7) -> bytes:
    return b"".join(decoder.feed(data[i : i + step]) for i in range(0, len(data), step))


def test_layers_are_undone_in_reverse_order_in_small_chunks():
    text = b"<html>" + "Новости".encode() * 1000 + b"</html>"
    body = gzip.compress(zlib.compress(gzip.compress(text)))
    assert feed_all(Decoder("gzip, deflate, gzip", 1 << 20), body) == text


def test_raw_deflate_and_concatenated_gzip_members():
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    deflated = raw.compress(b"abc" * 100) + raw.flush()
    assert feed_all(Decoder("deflate", 1000), deflated) == b"abc" * 100
    members = gzip.compress(b"one ") + gzip.compress(b"two")
    assert feed_all(Decoder("x-gzip", 1000), members) == b"one two"


def test_the_cap_holds_on_the_decoded_size_of_every_layer():
    bomb = gzip.compress(gzip.compress(b" " * 50_000_000))
    decoder = Decoder("gzip, gzip", 1_000_000)
    with pytest.raises(TooLarge):
        feed_all(decoder, bomb, step=1 << 16)
    assert decoder.layers[-1].given <= 1_000_000 + (1 << 16)  # stopped as soon as over


def test_an_encoding_not_asked_for_is_refused():
    with pytest.raises(UnsupportedEncoding):
        Decoder("br", 1000)
    assert Decoder("identity", 10).feed(b"plain") == b"plain"
