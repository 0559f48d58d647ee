"""A stored run judged again with another policy or waivers, from what it observed: no network.
Stored as a new run (`kind: evaluate`, `derived_from` the source)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from audit import __version__
from audit.canaries import Drift
from audit.checks import CATALOGUE_VERSION
from audit.codec import entity_json
from audit.evaluate import judge
from audit.exits import UsageError
from audit.history import policy_digest
from audit.policy import Policy
from audit.rudates import MSK
from audit.runner import EntityResult
from audit.serialize import entity_from_json, observations_from_json


def reevaluate(store, source_id: int, policy: Policy, waivers: list) -> int:
    """The new run's id. The source's detector drift still holds: what its canaries could not
    vouch for stays `error`, as in the run itself."""
    today = datetime.now(MSK).date()
    source = store.run(source_id) if source_id in [r["id"] for r in store.runs()] else None
    if source is None or source["state"] != "finished":
        raise UsageError(f"{store.shown}: run {source_id} is not a finished run")
    run_id = store.begin_run(
        {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "tool_version": __version__,
            "catalogue_version": CATALOGUE_VERSION,
            "registries": json.loads(source["registries"]),
            "registry_sha256": source["registry_sha256"],
            "policy": policy.to_json(),
            "policy_sha256": policy_digest(policy.to_json()),
            "shard": source["shard"],
        },
        kind="evaluate",
        derived_from=source_id,
    )
    expired: set = set()
    meta = json.loads(source["meta"])
    drift = Drift(meta.get("drift") or [])
    for position, body in enumerate(store.bodies(source_id)):
        entity = entity_from_json(body)
        obs = observations_from_json(body["observations"], body["evidence"])
        findings, gone = judge(entity, obs, policy, drift, waivers, today)
        expired |= gone
        store.save_body(run_id, position, entity_json(EntityResult(entity, obs, findings)))
    meta["expired_waivers"] = sorted((w.to_json() for w in expired), key=lambda w: w["source"])
    store.finish_run(run_id, meta)
    return run_id
