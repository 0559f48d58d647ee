"""Aggregates shared by every report format: per check, per region, per body (pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from audit.model import Finding, Severity, Status
from audit.platforms import platform_keys


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

    def add(self, body: dict) -> None:
        """Count one body of a report (its JSON form: this runs once per body, streamed)."""
        self.bodies += 1
        status = body["status"]
        region = body.get("region") or "—"
        self.by_body_status[status] += 1
        self.per_region[region][status] += 1
        self.per_region[region]["bodies"] += 1
        for f in body["findings"]:
            self.by_status[f["status"]] += 1
            self.per_check[f.get("key") or f["check"]][f["status"]] += 1
            self.violations += f["status"] == "fail" and f["severity"] == "violation"


class Health:
    """Error rates per platform and per cause, counted body by body.

    A platform's rate is the share of distinct pages that could not be read; the websites' rate
    the share of bodies with a known website that could not be read. A high rate means the
    audit is incomplete, not that bodies are compliant or not.
    """

    def __init__(self) -> None:
        # url -> (platform, state, cause): a page shared by several bodies counts once
        self.pages: dict[str, tuple[str, str | None, str | None]] = {}
        self.sites = 0
        self.unread: Counter = Counter()

    def add(self, body: dict) -> None:
        observations = body.get("observations") or {}
        for url, page in observations.get("pages", {}).items():
            self.pages[url] = (page.get("platform"), page.get("state"), page.get("cause"))
        site = observations.get("site", {})
        if site.get("state") in ("fetched", "failed"):
            self.sites += 1
            if not site.get("pages_read"):
                self.unread[site.get("cause") or f"http {site.get('status')}"] += 1

    def to_json(self) -> dict:
        platforms = {}
        for platform in platform_keys():
            seen = [p for p in self.pages.values() if p[0] == platform]
            errors = [p for p in seen if p[1] == "error"]
            platforms[platform] = {
                "pages": len(seen),
                "errors": len(errors),
                "error_rate": round(100.0 * len(errors) / len(seen), 1) if seen else 0.0,
                "causes": dict(Counter(p[2] or "unknown" for p in errors)),
            }
        unread = sum(self.unread.values())
        return {
            "platforms": platforms,
            "sites": {
                "sites": self.sites,
                "errors": unread,
                "error_rate": round(100.0 * unread / self.sites, 1) if self.sites else 0.0,
                "causes": dict(self.unread),
            },
        }


def run_health(bodies) -> dict:
    """Health of a report's bodies (see Health)."""
    health = Health()
    for body in bodies:
        health.add(body)
    return health.to_json()
