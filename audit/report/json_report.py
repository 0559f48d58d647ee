"""report.json: the whole run, every finding with the evidence it rests on (schema v1).

A report is a dict; its "entities" are a list, or `Bodies` read again from the store on each
pass (run-sized reports).

The HTML report and `pages-audit report` read this document, never the network.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit import __version__
from audit.checks import CATALOGUE_VERSION, in_force
from audit.codec import entity_json
from audit.report.atomic import replaced
from audit.store import compact_json
from audit.summary import Health, Summary

if TYPE_CHECKING:
    from audit.runner import RunResult

SCHEMA = "pages-audit.report/1"
COMPACT_START = b'{"id":"'  # a body stored compact; older versions stored '{"id": "'


def run_header(run: RunResult) -> dict:
    return {
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_s": run.duration_s,
        "cpu_s": run.cpu_s,
        "registries": run.registries,
        "policy": run.policy.to_json(),
        "fetch": run.fetch,
        "platforms": run.platforms,
        "page_sources": run.page_sources,
        "requests": run.requests,
        "api_requests": run.api_requests,
        "expired_waivers": sorted(
            (w.to_json() for w in run.expired_waivers), key=lambda w: w["source"]
        ),
        "canaries": run.canaries,
        "canary_requests": run.canary_requests,
        "drift": run.drift,
    }


class Bodies:
    """The bodies of a report, read again from their source on every pass, so that a report of
    100 000 bodies is never held in memory: each writer streams through them in turn.
    `texts`, when given, yields the same bodies as report.json's compact JSON, UTF-8 encoded."""

    def __init__(
        self,
        source: Callable[[], Iterator[dict]],
        texts: Callable[[], Iterator[bytes]] | None = None,
    ):
        self._source = source
        self.texts = texts or (lambda: (_utf8(b) for b in source()))

    def __iter__(self) -> Iterator[dict]:
        return self._source()


def report_document(
    header: dict,
    bodies: Iterable[dict],
    tool_version: str = __version__,
    catalogue_version: str = CATALOGUE_VERSION,
    extras: dict | None = None,
    counted: tuple[Summary, Health] | None = None,
) -> dict:
    """The report: everything but the bodies is computed here in one pass over them, unless
    `counted` gives their summary and health; the bodies stay lazy when they come as `Bodies`
    (a list otherwise)."""
    if not isinstance(bodies, Bodies):
        bodies = list(bodies)
    if counted is not None:
        summary, health = counted
    else:
        summary, health = Summary(), Health()
        for body in bodies:
            summary.add(body)
            health.add(body)
    return {
        "schema": SCHEMA,
        "tool": {
            "name": "pages-audit",
            "version": tool_version,
            "catalogue_version": catalogue_version,
        },
        "run": header,
        "checks": [c.to_json() for c in in_force((header.get("policy") or {}).get("criteria", ()))],
        "summary": summary.to_json(),
        "health": health.to_json(),
        "entities": bodies,
        **(extras or {}),
    }


def build_report(run: RunResult) -> dict:
    """The report of a run held in memory (library use and tests)."""
    return report_document(
        run_header(run),
        (entity_json(r) for r in run.results),
        run.tool_version,
        run.catalogue_version,
    )


def stored_header(row) -> dict:
    """report.json's "run" of a stored run (its row in the history)."""
    return {
        "id": row["id"],
        "kind": row["kind"],
        "derived_from": row["derived_from"],
        # a run's reports are written before it is marked finished (once they are in place)
        "state": "finished" if row["state"] == "writing" else row["state"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "registries": json.loads(row["registries"]),
        "registry_sha256": row["registry_sha256"],
        "policy": json.loads(row["policy"]),
        "policy_sha256": row["policy_sha256"],
        **({"shard": row["shard"]} if row["shard"] else {}),
        **json.loads(row["meta"]),
    }


def report_from_store(store, run_id: int, counted: tuple[Summary, Health] | None = None) -> dict:
    """The report of a stored run: bodies streamed from the store, with "failing since" from
    history and the changes since the previous finished run. `counted`: the summary and health
    of its bodies counted as they were stored, used when they count every body it has."""
    from audit.history import changes

    row = store.run(run_id)
    if counted is not None and counted[0].bodies != len(store.done_ids(run_id)):
        counted = None
    previous = store.previous_finished(run_id)
    extras = {
        "changes": changes(store, previous["id"], run_id).to_json() if previous else None,
        "trend": store.trend(run_id) if row["kind"] == "audit" else [],
    }
    return report_document(
        stored_header(row),
        stored_bodies(store, run_id),
        row["tool_version"],
        row["catalogue_version"],
        extras,
        counted,
    )


def dated(store, run_id: int, body: dict) -> dict:
    """A stored body with "failing since" on each failed finding (bodies stored before they
    carried their dates get them from history)."""
    undated = [
        f.get("key") or f["check"]
        for f in body["findings"]
        if f["status"] == "fail" and not f.get("failing_since")
    ]
    if undated:
        since = store.failing_since_of(run_id, body["id"], undated)
        for f in body["findings"]:
            if (f.get("key") or f["check"]) in since:
                f["failing_since"] = since[f.get("key") or f["check"]]
    return body


def stored_bodies(store, runs: int | list[int]) -> Bodies:
    """The bodies of a stored run, or of several (a national audit's shards) merged in registry
    order, as the report has them, read again on every pass."""
    run_ids = [runs] if isinstance(runs, int) else list(runs)

    def rows(utf8: bool = False) -> Iterator[tuple[int, int, Any]]:
        """(position, run, JSON text): each run's bodies in registry order, merged."""
        streams = [
            ((position, run_id, text) for position, text in store.position_texts(run_id, utf8=utf8))
            for run_id in run_ids
        ]
        return streams[0] if len(streams) == 1 else heapq.merge(*streams)

    def bodies() -> Iterator[dict]:
        return (dated(store, run_id, json.loads(text)) for _, run_id, text in rows())

    def texts() -> Iterator[bytes]:
        """As stored when stored compact (by this version's `save_body`, which dates every
        failed finding), never decoded; older rows are decoded, dated and written compact."""
        for _, run_id, text in rows(utf8=True):
            if text.startswith(COMPACT_START):
                yield text
            else:
                yield _utf8(dated(store, run_id, json.loads(text)))

    return Bodies(bodies, texts)


def write_json(report: dict, out_dir: str) -> str:
    """Write atomically (a reader never sees half a report) and as a stream: the head indented,
    then the bodies one per line, never the whole document in memory."""
    path = Path(out_dir) / "report.json"
    with replaced(path, "wb") as fh:
        fh.write(b"{")
        for n, (key, value) in enumerate(report.items()):
            fh.write(b",\n" if n else b"\n")
            fh.write(json.dumps(key).encode() + b": ")
            if key != "entities":
                fh.write(json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8"))
                continue
            fh.write(b"[")
            texts = value.texts() if isinstance(value, Bodies) else map(_utf8, value)
            for i, text in enumerate(texts):
                fh.write(b",\n" if i else b"\n")
                fh.write(text)
            fh.write(b"\n]")
        fh.write(b"\n}\n")
    return str(path)


def _utf8(body: dict) -> bytes:
    return compact_json(body).encode("utf-8")


ENTITIES_LINE = '"entities": ['


def read_json(path: str) -> dict:
    """A report.json as a report whose bodies are read again from the file on every pass: one
    written by `write_json` (a body per line) is never held whole — a national report.json is
    gigabytes; any other valid form is read at once."""
    head, tail, start = [], [], None
    with open(path, encoding="utf-8") as fh:
        for line in iter(fh.readline, ""):
            if start is None:
                if line.rstrip("\n") == ENTITIES_LINE:
                    start = fh.tell()
                else:
                    head.append(line)
            elif line.startswith("]"):
                tail.append(line[1:])
                tail.extend(fh)
                break
    if start is None or not tail:
        return _checked(path, json.loads(Path(path).read_text(encoding="utf-8")))
    try:
        report = json.loads("".join(head) + '"entities": []' + "".join(tail))
    except json.JSONDecodeError:
        return _checked(path, json.loads(Path(path).read_text(encoding="utf-8")))

    def bodies() -> Iterator[dict]:
        with open(path, encoding="utf-8") as fh:
            fh.seek(start)
            for line in iter(fh.readline, ""):
                if line.startswith("]"):
                    return
                yield json.loads(line.rstrip().rstrip(","))

    report["entities"] = Bodies(bodies)
    return _checked(path, report)


def _checked(path: str, report: dict) -> dict:
    if report.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not a pages-audit report (schema {report.get('schema')!r})")
    return report
