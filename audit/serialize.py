"""Observations, evidence and entities back from their JSON form.

The store keeps what was seen as JSON; re-evaluation and resumed runs rebuild the very objects
the checks read, so a finding recomputed from the store equals one computed live.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from audit.evidence import Cause, Evidence
from audit.model import Entity, EntityKind, Finding, Severity, Status
from audit.observations import Observations, PageObservation, SiteObservation
from audit.pageurls import PosWidget, Reference, parse_page_url

_EVIDENCE_FIELDS = {f.name for f in fields(Evidence)}
_PAGE_FIELDS = {f.name for f in fields(PageObservation)}


def evidence_from_json(d: dict) -> Evidence:
    values = {k: v for k, v in d.items() if k in _EVIDENCE_FIELDS}
    values["error"] = Cause(d["error"]) if d.get("error") else None
    return Evidence(**values)


def site_record(site: SiteObservation) -> dict:
    """The website observation with its evidence in full (for the store)."""
    return {**site.to_json(), "evidence": [e.to_json() for e in site.evidence]}


def page_record(page: PageObservation) -> dict:
    return {**page.to_json(), "evidence": [e.to_json() for e in page.evidence]}


def _evidence_list(items: list, by_id: dict[str, Evidence]) -> list[Evidence]:
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append(evidence_from_json(item))
        elif item in by_id:
            out.append(by_id[item])
    return out


def site_from_json(d: dict, by_id: dict[str, Evidence] | None = None) -> SiteObservation:
    links = d.get("links") or {}
    references = []
    for r in links.get("references") or []:
        parsed = parse_page_url(r["url"])
        if parsed is not None:
            references.append(Reference(parsed[0], r["via"], r.get("raw", "")))
    return SiteObservation(
        state=d["state"],
        url=d.get("url"),
        final_url=d.get("final_url"),
        status=d.get("status"),
        cause=d.get("cause"),
        detail=d.get("detail"),
        interstitial=d.get("interstitial"),
        title=d.get("title"),
        references=references,
        pos=PosWidget(
            found=bool(links.get("pos_widget")),
            signatures=list(links.get("pos_signatures") or []),
            widget_id=links.get("pos_widget_id"),
        ),
        pages_read=list(d.get("pages_read") or []),
        evidence=_evidence_list(d.get("evidence") or [], by_id or {}),
        down_before=list(d.get("down_before") or []),
        vantage_fault=d.get("vantage_fault"),
        tls_problem=d.get("tls_problem"),
        references_cut=int(links.get("references_cut") or 0),
    )


def page_from_json(d: dict, by_id: dict[str, Evidence] | None = None) -> PageObservation:
    values: dict[str, Any] = {k: v for k, v in d.items() if k in _PAGE_FIELDS}
    values["evidence"] = _evidence_list(d.get("evidence") or [], by_id or {})
    return PageObservation(**values)


def observations_from_json(d: dict, evidence: list[dict]) -> Observations:
    """An entity's `observations` and `evidence` as written in report.json."""
    by_id = {e["id"]: evidence_from_json(e) for e in evidence}
    obs = Observations(site=site_from_json(d["site"], by_id))
    obs.pages = {url: page_from_json(p, by_id) for url, p in (d.get("pages") or {}).items()}
    obs.chosen = {p: (c["url"], c["source"]) for p, c in (d.get("chosen") or {}).items()}
    return obs


def entity_from_json(d: dict) -> Entity:
    source = d.get("source") or {}
    return Entity(
        id=d["id"],
        name=d["name"],
        kind=EntityKind(d["kind"]),
        region=d.get("region"),
        parent=d.get("parent"),
        website=d.get("website"),
        website_none=bool(d.get("website_none")),
        short_name=d.get("short_name"),
        pages=dict(d.get("pages") or {}),
        contacts=dict(d.get("contacts") or {}),
        head=dict(d.get("head") or {}),
        covered_by=d.get("covered_by"),
        gospubliki=d.get("gospubliki"),
        pages_exempt=d.get("pages_exempt"),
        source_file=source.get("file", ""),
        source_line=source.get("line", 0),
    )


def finding_from_json(entity_id: str, d: dict) -> Finding:
    return Finding(
        entity_id,
        d["check"],
        Status(d["status"]),
        Severity(d["severity"]),
        d["message_ru"],
        d["message_en"],
        tuple(d.get("evidence") or ()),
        d.get("platform"),
        d.get("failing_since"),
        d.get("basis"),
    )
