"""report.json: the whole run, every finding with the evidence it rests on (schema v1).

The HTML report and `pages-audit report` read this document, never the network.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from audit.checks import catalogue
from audit.runner import EntityResult, RunResult
from audit.summary import body_status, summarise

SCHEMA = "pages-audit.report/1"


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


def build_report(run: RunResult) -> dict:
    summary = summarise([(r.entity.region, r.findings) for r in run.results])
    return {
        "schema": SCHEMA,
        "tool": {
            "name": "pages-audit",
            "version": run.tool_version,
            "catalogue_version": run.catalogue_version,
        },
        "run": {
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "duration_s": run.duration_s,
            "registries": run.registries,
            "policy": run.policy.to_json(),
            "fetch": run.fetch,
            "platforms": run.platforms,
            "page_sources": run.page_sources,
            "requests": run.requests,
            "api_requests": run.api_requests,
        },
        "checks": [c.to_json() for c in catalogue()],
        "summary": summary.to_json(),
        "entities": [entity_json(r) for r in run.results],
    }


def write_json(report: dict, out_dir: str) -> str:
    """Write atomically: a reader never sees half a report."""
    path = Path(out_dir) / "report.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return str(path)


def read_json(path: str) -> dict:
    report = json.loads(Path(path).read_text(encoding="utf-8"))
    if report.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not a pages-audit report (schema {report.get('schema')!r})")
    return report
