"""What the history tells across runs: digests that match a resumed run, a site's down streak,
the changes between two runs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from audit.checks._site import site_down
from audit.serialize import site_from_json
from audit.store import Store


def registry_digest(registries: list[dict]) -> str:
    """One hash over every registry file of a run (a resumed run must audit the same ones)."""
    joined = "\n".join(f"{r['path']}:{r['sha256']}" for r in registries)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def same_registries(stored: list[dict], current: list[dict]) -> bool:
    """A run may be resumed with the registries it began with: the same files' contents,
    wherever they are now (a nightly job's checkout moves; the stored digest holds paths)."""
    return sorted(r["sha256"] for r in stored) == sorted(r["sha256"] for r in current)


def policy_digest(policy: dict) -> str:
    return hashlib.sha256(json.dumps(policy, sort_keys=True).encode("utf-8")).hexdigest()


def site_down_streak(store: Store, run_id: int, entity_id: str) -> list[str]:
    """Start times of the finished audits right before `run_id` (newest first) in each of
    which the body's site was down from a working vantage; the streak ends at the first audit
    that did not see it so (or did not audit the body)."""
    streak = []
    for started, body in store.earlier_bodies(run_id, entity_id):
        site = (body or {}).get("observations", {}).get("site")
        if site is None or not site_down(site_from_json(site)):
            break
        streak.append(started)
    return streak


@dataclass
class Changes:
    """What changed between two runs, per body and check (failed findings only)."""

    before: int
    after: int
    new: list[tuple[str, str]] = field(default_factory=list)
    fixed: list[tuple[str, str]] = field(default_factory=list)
    still: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict:
        def rows(items):
            return [{"entity": e, "key": k} for e, k in items]

        return {
            "before": self.before,
            "after": self.after,
            "new": rows(self.new),
            "fixed": rows(self.fixed),
            "still_open": rows(self.still),
        }


def changes(store: Store, before: int, after: int, violations_only: bool = False) -> Changes:
    """New, fixed and still-open failures between two runs (only bodies audited in both count
    as fixed: a body dropped from the registry is not a fix)."""
    found = store.failures_between(before, after, violations_only)
    return Changes(before, after, new=found["new"], fixed=found["fixed"], still=found["still"])
