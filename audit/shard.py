"""Shards of a national run: which of N jobs audits a body.

A body belongs to shard `sha256(id as UTF-8)`'s first 8 bytes, read as a big-endian unsigned
integer, modulo N, plus one (shards are numbered 1 to N, as `--shard 2/3` writes them). The
hash is the same on every machine, Python version and process (Python's own `hash()` of a
string is not: it is salted per process), and spreads OKTMO-like ids evenly.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
MAX_SHARDS = 1000


def shard_of(entity_id: str, count: int) -> int:
    """The shard (1..count) a body belongs to."""
    digest = hashlib.sha256(entity_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


@dataclass(frozen=True, slots=True)
class Shard:
    index: int  # 1..count
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def covers(self, entity_id: str) -> bool:
        return shard_of(entity_id, self.count) == self.index


@lru_cache(maxsize=256)
def parse_shard(text: str) -> Shard:
    """`K/N` with 1 <= K <= N; ValueError saying what is wrong otherwise."""
    m = _SPEC.match(text)
    if not m:
        raise ValueError(f"{text!r}: a shard is K/N, e.g. 2/3 (the second of three)")
    index, count = int(m.group(1)), int(m.group(2))
    if not 1 <= count <= MAX_SHARDS:
        raise ValueError(f"{text!r}: the number of shards must be 1 to {MAX_SHARDS}")
    if not 1 <= index <= count:
        raise ValueError(f"{text!r}: the shard must be 1 to {count}")
    return Shard(index, count)


def covers(spec: str | None, entity_id: str) -> bool:
    """Whether a run stored with shard `spec` ("K/N", or None: every body) audited the body."""
    return spec is None or parse_shard(spec).covers(entity_id)
