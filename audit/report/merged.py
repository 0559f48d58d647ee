"""One report over several runs: the shards of a national audit (`run --shard K/N`, one job
each, into one history) merged into the report a single run of the whole registry would have
written — bodies in registry order, streamed from the store; summary, changes since each
shard's previous run, the trend of whole sets."""

from __future__ import annotations

import json

from audit.history import ShardSet, changes
from audit.report.json_report import report_document, stored_bodies, stored_header

TREND_POINTS = 12


def merged_report(store, chosen: ShardSet) -> dict:
    headers = [stored_header(row) for row in chosen.runs]
    header = merge_headers(headers)
    header.update(
        {
            "id": None,
            "runs": [
                {
                    "id": h["id"],
                    "shard": h.get("shard"),
                    "started_at": h["started_at"],
                    "finished_at": h["finished_at"],
                }
                for h in headers
            ],
            "shards": {
                "count": chosen.count,
                "merged": [h.get("shard") for h in headers if h.get("shard")],
                "missing": chosen.missing,
                "unfinished": chosen.unfinished,
            },
            "partial": not chosen.complete,
        }
    )
    first = chosen.runs[0]
    extras = {"changes": merged_changes(store, chosen.runs), "trend": set_trend(store, chosen)}
    return report_document(
        header,
        stored_bodies(store, chosen.ids),
        first["tool_version"],
        first["catalogue_version"],
        extras,
    )


def merge_headers(headers: list[dict]) -> dict:
    """The runs' headers as one: the window from the first start to the last end, the longest
    duration (the jobs ran side by side), counts added up (CPU, requests, requests per
    platform), lists joined without repeats (canaries, drift, expired waivers), an unhealthy
    vantage over a healthy one; the rest as the first run has it."""
    out = dict(headers[0])
    for h in headers[1:]:
        for key, value in h.items():
            mine = out.get(key)
            if key == "started_at":
                out[key] = min(mine or value, value)
            elif key in ("finished_at", "duration_s"):
                out[key] = max(mine or value, value)
            elif key == "vantage_health":
                if value and not value.get("healthy", True) and (mine or {}).get("healthy", True):
                    out[key] = value
            elif isinstance(value, bool) or mine is None:
                out[key] = mine or value
            elif isinstance(value, int | float) and isinstance(mine, int | float):
                out[key] = round(mine + value, 3)
            elif isinstance(value, dict) and isinstance(mine, dict) and _numbers(value, mine):
                out[key] = {k: mine.get(k, 0) + value.get(k, 0) for k in {**mine, **value}}
            elif isinstance(value, list) and isinstance(mine, list):
                seen = {json.dumps(v, sort_keys=True) for v in mine}
                out[key] = mine + [v for v in value if json.dumps(v, sort_keys=True) not in seen]
    out.pop("shard", None)
    out.pop("archive", None)  # each shard's evidence archive is in its own job's output
    return out


def _numbers(*dicts: dict) -> bool:
    return all(isinstance(v, int | float) for d in dicts for v in d.values())


def merged_changes(store, runs: list) -> dict | None:
    """Each shard's changes since its own previous run, together; None when no shard has one."""
    parts = []
    for row in runs:
        previous = store.previous_finished(row["id"])
        if previous is not None:
            parts.append(changes(store, previous["id"], row["id"]).to_json())
    if not parts:
        return None
    return {
        "before": [p["before"] for p in parts],
        "after": [p["after"] for p in parts],
        **{
            part: sorted((c for p in parts for c in p[part]), key=lambda c: (c["entity"], c["key"]))
            for part in ("new", "fixed", "still_open")
        },
    }


def set_trend(store, chosen: ShardSet) -> list[dict]:
    """Compliance of the last whole sets, oldest first: the i-th point counts each shard's
    i-th latest finished run (as far back as every shard has one)."""
    histories = [store.shard_runs(row["shard"], row["id"]) for row in chosen.runs]
    depth = min(min(len(h) for h in histories), TREND_POINTS)
    return [store.trend_point([h[i] for h in histories]) for i in reversed(range(depth))]
