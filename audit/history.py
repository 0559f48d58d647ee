"""What the history tells across runs: digests that match a resumed run, a site's down streak,
the changes between two runs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from audit.checks._site import site_down
from audit.serialize import site_from_json
from audit.shard import parse_shard
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


@dataclass
class ShardSet:
    """The runs a national report merges: one finished audit per shard of one registry, and
    the shards it lacks (`missing`: no run; `unfinished`: its newest run did not finish)."""

    runs: list = field(default_factory=list)  # store rows, in shard order
    count: int = 1  # N of K/N
    missing: list[str] = field(default_factory=list)  # "K/N" never run
    unfinished: list[dict] = field(default_factory=list)  # {shard, run, state}

    @property
    def complete(self) -> bool:
        return not self.missing and not self.unfinished

    @property
    def ids(self) -> list[int]:
        return [r["id"] for r in self.runs]


def latest_shards(store: Store) -> ShardSet:
    """The newest sharded audit sets the registry and N; each shard K/N contributes its newest
    run of that registry, which must be finished (a shard still running, interrupted or failed
    is `unfinished`, one never run `missing`)."""
    audits = [r for r in reversed(store.runs()) if r["kind"] == "audit" and r["shard"]]
    if not audits:
        raise ValueError(f"{store.shown}: no sharded audit (run … --shard K/N) to merge")
    newest = audits[0]
    count = parse_shard(newest["shard"]).count
    registries = json.loads(newest["registries"])
    found = ShardSet(count=count)
    for k in range(1, count + 1):
        spec = f"{k}/{count}"
        latest = next(
            (
                r
                for r in audits
                if r["shard"] == spec and same_registries(json.loads(r["registries"]), registries)
            ),
            None,
        )
        if latest is None:
            found.missing.append(spec)
        elif latest["state"] != "finished":
            found.unfinished.append({"shard": spec, "run": latest["id"], "state": latest["state"]})
        else:
            found.runs.append(latest)
    return found


def chosen_runs(store: Store, ids: list[int]) -> ShardSet:
    """Runs named by id: finished audits of one registry, with one policy, disjoint shards of
    one N (or a single unsharded run); the shards of that N they lack are `missing`."""
    known = {r["id"]: r for r in store.runs()}
    rows = []
    for run_id in ids:
        row = known.get(run_id)
        if row is None or row["state"] != "finished" or row["kind"] != "audit":
            raise ValueError(f"{store.shown}: run {run_id} is not a finished audit")
        rows.append(row)
    first = rows[0]
    for row in rows[1:]:
        if not same_registries(json.loads(row["registries"]), json.loads(first["registries"])):
            raise ValueError(f"runs {first['id']} and {row['id']} audited different registries")
    specs = [r["shard"] for r in rows]
    if None in specs:
        if len(rows) > 1:
            raise ValueError("an unsharded run covers every body: merge it with no other run")
        return ShardSet(runs=rows)
    shards = [parse_shard(s) for s in specs]
    count = shards[0].count
    if any(s.count != count for s in shards) or len(set(specs)) != len(specs):
        raise ValueError(
            "the runs must be different shards of one split: " + ", ".join(sorted(specs))
        )
    order = sorted(range(len(rows)), key=lambda i: shards[i].index)
    have = {s.index for s in shards}
    return ShardSet(
        runs=[rows[i] for i in order],
        count=count,
        missing=[f"{k}/{count}" for k in range(1, count + 1) if k not in have],
    )


def mixed_policies(runs: list) -> bool:
    return len({r["policy_sha256"] for r in runs}) > 1
