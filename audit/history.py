"""The bridge between a run and the store: the resume journal, reports and diffs from history."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from audit.checks._site import site_down
from audit.codec import entity_json
from audit.observations import PageObservation, SiteObservation
from audit.runner import EntityResult, Journal
from audit.serialize import page_from_json, page_record, site_from_json, site_record
from audit.store import Store


def registry_digest(registries: list[dict]) -> str:
    """One hash over every registry file of a run (a resumed run must audit the same ones)."""
    joined = "\n".join(f"{r['path']}:{r['sha256']}" for r in registries)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def policy_digest(policy: dict) -> str:
    return hashlib.sha256(json.dumps(policy, sort_keys=True).encode("utf-8")).hexdigest()


class StoreJournal(Journal):
    """Writes every website, every batch of pages and every finished body as it comes. A
    batch's bodies are one commit, websites are committed without an fsync of their own (an
    fsync per body and per website held the event loop for a tenth of a run). Killed, a run
    keeps every website and every batch checked; power loss may cost the websites since the
    last batch: resuming reads those again."""

    def __init__(self, store: Store, run_id: int):
        self.store, self.run_id = store, run_id
        self._sites = store.sites(run_id)

    def done_ids(self) -> set[str]:
        return self.store.done_ids(self.run_id)

    def site(self, entity_id: str) -> SiteObservation | None:
        record = self._sites.pop(entity_id, None)
        return site_from_json(record) if record is not None else None

    def save_site(self, entity_id: str, site: SiteObservation) -> None:
        self.store.save_site(self.run_id, entity_id, site_record(site))

    def batch(self):
        return self.store.transaction()

    def pages(self) -> dict[str, PageObservation]:
        return {url: page_from_json(r) for url, r in self.store.pages(self.run_id).items()}

    def save_pages(self, pages: dict[str, PageObservation]) -> None:
        if pages:
            self.store.save_pages(self.run_id, {u: page_record(p) for u, p in pages.items()})

    def done(self, position: int, result: EntityResult) -> None:
        self.store.save_body(self.run_id, position, entity_json(result))

    def site_down_before(self, entity_id: str) -> list[str]:
        return site_down_streak(self.store, self.run_id, entity_id)


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
