"""A body's result as one JSON document: what the store keeps per body and report.json lists.

Below the store, the history and the reports, which all read and write this one shape."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit.summary import body_status

if TYPE_CHECKING:
    from audit.runner import EntityResult


def entity_json(r: EntityResult) -> dict:
    e = r.entity
    return {
        "id": e.id,
        "name": e.name,
        "short_name": e.short_name,
        "kind": e.kind.value,
        "region": e.region,
        "parent": e.parent,
        "website": e.website,
        "website_none": e.website_none,
        "pages": e.pages,
        "contacts": e.contacts,
        **({"head": e.head} if e.head else {}),
        **({"covered_by": e.covered_by} if e.covered_by else {}),
        **({"gospubliki": e.gospubliki} if e.gospubliki is not None else {}),
        **({"pages_exempt": e.pages_exempt} if e.pages_exempt else {}),
        "source": {"file": e.source_file, "line": e.source_line},
        "status": body_status(r.findings),
        "findings": [
            {
                "key": f.key,
                "check": f.check_id,
                "status": f.status.value,
                "severity": f.severity.value,
                "message_ru": f.message_ru,
                "message_en": f.message_en,
                "evidence": list(f.evidence),
                "platform": f.platform,
                **({"failing_since": f.since} if f.since else {}),
                **({"basis": f.basis} if f.basis else {}),
            }
            for f in r.findings
        ],
        "evidence": [ev.to_json() for ev in all_evidence(r)],
        "observations": {
            "site": r.observations.site.to_json(),
            "pages": {url: p.to_json() for url, p in r.observations.pages.items()},
            "chosen": {
                platform: {"url": url, "source": source}
                for platform, (url, source) in r.observations.chosen.items()
            },
        },
    }


def all_evidence(r: EntityResult) -> list:
    """Every evidence record of a body once, in id order."""
    seen: dict[str, object] = {}
    for ev in r.observations.site.evidence:
        seen.setdefault(ev.id, ev)
    for page in r.observations.pages.values():
        for ev in page.evidence:
            seen.setdefault(ev.id, ev)
    return sorted(seen.values(), key=lambda e: int(e.id[1:] or 0))
