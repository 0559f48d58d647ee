"""Aggregates shared by every report format: per check, per region, per body (pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from audit.model import Finding, Severity, Status


def body_status(findings: list[Finding]) -> str:
    """violation > incomplete (errors) > warning > compliant."""
    if any(f.is_violation for f in findings):
        return "violation"
    if any(f.status is Status.ERROR for f in findings):
        return "incomplete"
    if any(f.status is Status.FAIL and f.severity is Severity.WARNING for f in findings):
        return "warning"
    return "compliant"


def compliance(passed: int, failed: int) -> float | None:
    """Share of determinable outcomes that passed, in percent; None when none were determinable."""
    total = passed + failed
    return round(100.0 * passed / total, 1) if total else None


@dataclass
class Summary:
    bodies: int = 0
    by_body_status: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    per_check: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    per_region: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    violations: int = 0

    def check_compliance(self, check_id: str) -> float | None:
        c = self.per_check[check_id]
        return compliance(c[Status.PASS.value], c[Status.FAIL.value])

    def region_compliance(self, region: str) -> float | None:
        c = self.per_region[region]
        ok = c["compliant"] + c["warning"]
        return compliance(ok, c["violation"])

    @property
    def overall_compliance(self) -> float | None:
        """Share of bodies without violations among those with a determinable result, in percent
        — as per region and per district; bodies not fully checked are counted apart."""
        ok = self.by_body_status["compliant"] + self.by_body_status["warning"]
        return compliance(ok, self.by_body_status["violation"])

    def to_json(self) -> dict:
        return {
            "bodies": self.bodies,
            "violations": self.violations,
            "overall_compliance_percent": self.overall_compliance,
            "by_body_status": dict(self.by_body_status),
            "by_status": dict(self.by_status),
            "per_check": {
                cid: {**dict(c), "compliance_percent": self.check_compliance(cid)}
                for cid, c in sorted(self.per_check.items())
            },
            "per_region": {
                region: {**dict(c), "compliance_percent": self.region_compliance(region)}
                for region, c in sorted(self.per_region.items())
            },
        }


def summarise(rows: list[tuple[str | None, list[Finding]]]) -> Summary:
    """rows: (region, findings) per body."""
    s = Summary()
    for region, findings in rows:
        s.bodies += 1
        status = body_status(findings)
        s.by_body_status[status] += 1
        s.per_region[region or "—"][status] += 1
        s.per_region[region or "—"]["bodies"] += 1
        for f in findings:
            s.by_status[f.status.value] += 1
            s.per_check[f.key][f.status.value] += 1
            s.violations += f.is_violation
    return s


def run_health(bodies: list[dict]) -> dict:
    """Error rates per platform and per cause, from the bodies of a report.

    A platform's rate is the share of distinct pages that could not be read; the websites' rate
    the share of bodies with a known website that could not be read. A high rate means the
    audit is incomplete, not that bodies are compliant or not.
    """
    pages: dict[str, dict] = {}
    for b in bodies:
        for url, page in (b.get("observations") or {}).get("pages", {}).items():
            pages[url] = page
    platforms = {}
    for platform in ("vk", "ok"):
        seen = [p for p in pages.values() if p.get("platform") == platform]
        errors = [p for p in seen if p.get("state") == "error"]
        platforms[platform] = {
            "pages": len(seen),
            "errors": len(errors),
            "error_rate": round(100.0 * len(errors) / len(seen), 1) if seen else 0.0,
            "causes": dict(Counter(p.get("cause") or "unknown" for p in errors)),
        }
    sites = [
        (b.get("observations") or {}).get("site", {})
        for b in bodies
        if (b.get("observations") or {}).get("site", {}).get("state") in ("fetched", "failed")
    ]
    unread = [s for s in sites if not s.get("pages_read")]
    return {
        "platforms": platforms,
        "sites": {
            "sites": len(sites),
            "errors": len(unread),
            "error_rate": round(100.0 * len(unread) / len(sites), 1) if sites else 0.0,
            "causes": dict(Counter(s.get("cause") or f"http {s.get('status')}" for s in unread)),
        },
    }
