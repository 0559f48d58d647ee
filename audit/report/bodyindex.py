"""The overview's index of the bodies: a small record of each (a national report holds
100 000), the municipal districts they fall under, the worst of them and the platforms shown.
Read in one pass; the bodies themselves stay where they are (a stored report streams them)."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass

from audit.platforms import platform_keys
from audit.summary import compliance

DISTRICT_KINDS = ("municipal_district", "municipal_okrug", "urban_okrug")


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What the overview needs of one body: a national report holds 100 000 of these."""

    id: str
    name: str
    kind: str
    parent: str | None
    region: str
    status: str
    violations: int
    platforms: frozenset[str]


def body_index(report: dict) -> list[IndexEntry]:
    """What the overview needs of every body, read in one pass: the bodies themselves stay where
    they are (a store-backed report streams them)."""
    entry = indexer()
    return [entry(e) for e in report["entities"]]


def indexer() -> Callable[[dict], IndexEntry]:
    """A body's IndexEntry; repeated texts are shared, not copied, among the entries it makes."""
    shared: dict = {}

    def one(value):
        return shared.setdefault(value, value)

    def entry(e: dict) -> IndexEntry:
        findings = e["findings"]
        return IndexEntry(
            id=e["id"],
            name=e["name"],
            kind=one(e["kind"]),
            parent=one(e.get("parent")),
            region=one(e.get("region") or "—"),
            status=one(e["status"]),
            violations=sum(
                1 for f in findings if f["status"] == "fail" and f["severity"] == "violation"
            ),
            platforms=one(frozenset(f.get("platform") for f in findings) - {None}),
        )

    return entry


def district_heads(index: list[IndexEntry]) -> list[str | None]:
    """For each body, the municipal district or okrug it is in (the nearest one up its chain
    of `parent`s, itself included), or None."""
    bodies = {e.id: e for e in index}

    def top(e: IndexEntry | None) -> str | None:
        seen = set()
        while e is not None and e.id not in seen:
            seen.add(e.id)
            if e.kind in DISTRICT_KINDS:
                return e.id
            e = bodies.get(e.parent) if e.parent is not None else None
        return None

    return [top(e) for e in index]


def districts(index: list[IndexEntry]) -> list[dict]:
    """Municipal districts and okrugs with every body below them (through `parent`), for the
    drill-down: counts, compliance and the bodies themselves."""
    bodies = {e.id: e for e in index}
    groups: dict[str, list[IndexEntry]] = {}
    for e, head in zip(index, district_heads(index), strict=True):
        if head is not None:
            groups.setdefault(head, []).append(e)
    out = []
    for head_id, members in groups.items():
        ok = sum(1 for m in members if m.status in ("compliant", "warning"))
        bad = sum(1 for m in members if m.status == "violation")
        out.append(
            {
                "id": head_id,
                "name": bodies[head_id].name,
                "bodies": members,
                "violation": bad,
                "compliance": compliance(ok, bad),
            }
        )
    return sorted(out, key=lambda d: (d["compliance"] is None, d["compliance"] or 0))


def worst(index: list[IndexEntry], limit: int = 10) -> list[tuple[IndexEntry, int]]:
    """Bodies with the most violations."""
    counted = [e for e in index if e.violations]
    return [(e, e.violations) for e in heapq.nsmallest(limit, counted, key=lambda e: -e.violations)]


def index_platforms(index: list[IndexEntry]) -> list[str]:
    """The platforms the report has columns for: those some body has a finding on."""
    seen = set().union(*(e.platforms for e in index)) if index else set()
    return [p for p in platform_keys() if p in seen]
