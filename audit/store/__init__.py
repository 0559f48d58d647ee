"""History: runs, what each run saw and concluded, in SQLite (stdlib, WAL, synchronous=FULL) or,
for teams that share one history, PostgreSQL (`--db postgresql://...`, optional psycopg).

Written as the run goes — a website as soon as it was read, the pages of a batch as soon as
they were looked up, a body's findings as soon as it is evaluated, each in its own transaction —
so a run killed at any moment keeps everything already written and `run --resume` carries on
from there without fetching any of it again.

The connection, its dialect and transactions are `connection`; the schema and its migrations
`schema`; what a run writes and reads is `Store` here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from audit.shard import covers
from audit.store.across import AcrossRuns
from audit.store.connection import (
    Database,
    StoreError,
    compact_json,
    db_secrets,
    is_postgres,
    now,
    pack,
    redact_db,
    unpack,
    unpack_utf8,
)
from audit.store.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Store",
    "StoreError",
    "compact_json",
    "db_secrets",
    "is_postgres",
    "redact_db",
]


class Store(AcrossRuns, Database):
    """`Store(path)` for SQLite, `Store("postgresql://user@host/db")` for PostgreSQL: the runs,
    the resume journal, the bodies and the queries over the history."""

    # --- runs ---
    def begin_run(
        self, header: dict[str, Any], kind: str = "audit", derived_from: int | None = None
    ) -> int:
        with self.transaction():
            cur = self.sql(
                "INSERT INTO runs (started_at, state, kind, derived_from, tool_version, "
                "catalogue_version, registries, registry_sha256, policy, policy_sha256, meta, "
                "shard) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    header["started_at"],
                    kind,
                    derived_from,
                    header["tool_version"],
                    header["catalogue_version"],
                    json.dumps(header["registries"]),
                    header["registry_sha256"],
                    json.dumps(header["policy"]),
                    header["policy_sha256"],
                    json.dumps(header.get("meta") or {}),
                    header.get("shard"),
                ),
            )
            return int(cur.fetchone()["id"])

    def finish_run(self, run_id: int, meta: dict[str, Any], state: str = "finished") -> None:
        self._history.clear()  # a finished run is history for later ones
        with self.transaction():
            old = json.loads(self.run(run_id)["meta"])
            self.sql(
                "UPDATE runs SET state=?, finished_at=?, meta=? WHERE id=?",
                (state, now(), json.dumps({**old, **meta}), run_id),
            )
        if state == "finished":
            self.drop_journal(run_id)

    def drop_journal(self, run_id: int) -> None:
        """Every body of the run is stored: its resume journal (the websites and pages read) is
        no longer needed, nor when its reports are being written (a run resumed then writes
        only them). ~0.9 s at 10 000 bodies: a run writing its reports does it meanwhile."""
        with self.transaction():
            self.sql("DELETE FROM sites WHERE run_id=?", (run_id,))
            self.sql("DELETE FROM pages WHERE run_id=?", (run_id,))
        self.give_back()

    def complete(self, run_id: int) -> None:
        """The run's reports are in place: it is finished (a journal left by an older version
        is deleted now)."""
        self._history.clear()
        with self.transaction():
            self.sql("UPDATE runs SET state='finished' WHERE id=?", (run_id,))
        self.drop_journal(run_id)

    def mark(self, run_id: int, state: str) -> None:
        with self.transaction():
            self.sql("UPDATE runs SET state=? WHERE id=?", (state, run_id))

    def run(self, run_id: int) -> sqlite3.Row:
        row = self.sql("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            raise StoreError(f"{self.shown}: no run {run_id}")
        return row

    def runs(self, state: str | None = None) -> list[sqlite3.Row]:
        if state:
            return list(self.sql("SELECT * FROM runs WHERE state=? ORDER BY id", (state,)))
        return list(self.sql("SELECT * FROM runs ORDER BY id"))

    def unfinished_audits(self) -> list[sqlite3.Row]:
        """The unfinished audits, newest first (a resume picks the one of its registries)."""
        return self.sql(
            "SELECT * FROM runs WHERE state != 'finished' AND kind='audit' ORDER BY id DESC"
        ).fetchall()

    def previous_finished(self, run_id: int) -> sqlite3.Row | None:
        """The run to compare with: the source of a re-evaluation, else the latest finished
        audit before it of the same shard (another shard audited other bodies)."""
        row = self.run(run_id)
        if row["derived_from"] is not None:
            return self.run(row["derived_from"])
        return self.sql(
            "SELECT * FROM runs WHERE state='finished' AND kind='audit' AND id < ? "
            "AND COALESCE(shard, '') = ? ORDER BY id DESC LIMIT 1",
            (run_id, row["shard"] or ""),
        ).fetchone()

    # --- the resume journal ---
    def save_site(self, run_id: int, entity_id: str, record: dict) -> None:
        """A website for the resume journal: a cache (lost, it is read again), so not fsynced
        on its own; the next durable commit (a batch of bodies) flushes it with its own."""
        with self.transaction(durable=False):
            self.sql("DELETE FROM sites WHERE run_id=? AND entity_id=?", (run_id, entity_id))
            self.sql(
                "INSERT INTO sites VALUES (?, ?, ?)",
                (run_id, entity_id, json.dumps(record, ensure_ascii=False)),
            )

    def sites(self, run_id: int) -> dict[str, dict]:
        rows = self.sql("SELECT entity_id, data FROM sites WHERE run_id=?", (run_id,))
        return {r["entity_id"]: json.loads(r["data"]) for r in rows}

    def save_pages(self, run_id: int, records: dict[str, dict]) -> None:
        with self.transaction():
            self.sql_many(
                "DELETE FROM pages WHERE run_id=? AND url=?", [(run_id, u) for u in records]
            )
            self.sql_many(
                "INSERT INTO pages VALUES (?, ?, ?)",
                [(run_id, url, json.dumps(r, ensure_ascii=False)) for url, r in records.items()],
            )

    def pages(self, run_id: int) -> dict[str, dict]:
        rows = self.sql("SELECT url, data FROM pages WHERE run_id=?", (run_id,))
        return {r["url"]: json.loads(r["data"]) for r in rows}

    # --- bodies ---
    def save_body(self, run_id: int, position: int, body: dict) -> None:
        """One body's result in one transaction: all of it or nothing. Its failed findings
        get their "failing since" date here, from the body's previous audit."""
        fails = [f for f in body["findings"] if f["status"] == "fail"]
        if fails:
            since = self.failing_since_of(
                run_id, body["id"], [f.get("key") or f["check"] for f in fails]
            )
            for f in fails:  # the check may know of an earlier start (a confirmed failure)
                known = since[f.get("key") or f["check"]]
                f["failing_since"] = min(f.get("failing_since") or known, known)
        with self.transaction():
            self.sql("DELETE FROM bodies WHERE run_id=? AND entity_id=?", (run_id, body["id"]))
            self.sql(
                "INSERT INTO bodies (run_id, entity_id, position, status, data, name, packed) "
                "VALUES (?, ?, ?, ?, '', ?, ?)",
                (
                    run_id,
                    body["id"],
                    position,
                    body["status"],
                    body.get("name"),
                    pack(compact_json(body)),
                ),
            )
            self.sql("DELETE FROM findings WHERE run_id=? AND entity_id=?", (run_id, body["id"]))
            self.sql_many(
                "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id,
                        body["id"],
                        f.get("key") or f["check"],
                        f["check"],
                        f.get("platform"),
                        f["status"],
                        f["severity"],
                    )
                    for f in body["findings"]
                ],
            )
            self.sql("DELETE FROM evidence WHERE run_id=? AND entity_id=?", (run_id, body["id"]))
            self.sql_many(
                "INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id,
                        body["id"],
                        e["id"],
                        e["url"],
                        e.get("status"),
                        e.get("fetched_at"),
                        e.get("sha256"),
                        e.get("warc_record"),
                    )
                    for e in body["evidence"]
                ],
            )

    def names(self, run_id: int) -> dict[str, str]:
        rows = self.sql(
            "SELECT entity_id, name, CASE WHEN name IS NULL THEN data END AS data FROM bodies "
            "WHERE run_id=?",
            (run_id,),
        )
        return {  # bodies written before schema 3 have their name only inside `data`
            r["entity_id"]: r["name"] or json.loads(r["data"] or "{}").get("name", "") for r in rows
        }

    def counts(self, run_id: int) -> tuple[int, int]:
        """(bodies, violations) of a run."""
        row = self.sql(
            "SELECT count(DISTINCT entity_id) AS bodies, "
            "sum(CASE WHEN status='fail' AND severity='violation' THEN 1 ELSE 0 END) AS v "
            "FROM findings WHERE run_id=?",
            (run_id,),
        ).fetchone()
        return int(row["bodies"] or 0), int(row["v"] or 0)

    def done_ids(self, run_id: int) -> set[str]:
        rows = self.sql("SELECT entity_id FROM bodies WHERE run_id=?", (run_id,))
        return {r["entity_id"] for r in rows}

    def bodies(self, run_id: int, page: int = 500) -> Iterator[dict]:
        """Bodies in registry order, one at a time (see `body_texts`)."""
        return map(json.loads, self.body_texts(run_id, page))

    def body_texts(self, run_id: int, page: int = 500) -> Iterator[str]:
        """Bodies in registry order as stored (JSON text); see `position_texts`."""
        return (text for _position, text in self.position_texts(run_id, page))

    def position_texts(
        self, run_id: int, page: int = 500, utf8: bool = False
    ) -> Iterator[tuple[int, Any]]:
        """(registry position, JSON text) of the bodies in registry order, read `page` rows
        per query (a driver that fetches a whole result at once never holds more; writing, or
        reading another run, between pages is safe); `utf8`: the text UTF-8 encoded, as it is
        stored (report.json is written from it without decoding it first)."""
        after, unpacked = -1, unpack_utf8 if utf8 else unpack
        while True:
            rows = self.sql(
                "SELECT position, data, packed FROM bodies WHERE run_id=? AND position>? "
                "ORDER BY position LIMIT ?",
                (run_id, after, page),
            ).fetchall()
            yield from ((row["position"], unpacked(row)) for row in rows)
            if len(rows) < page:
                return
            after = rows[-1]["position"]

    def positions_after(self, run_id: int, after: int, limit: int) -> list[int]:
        """The registry positions of up to `limit` bodies stored after `after`, in order (the
        index alone is read)."""
        rows = self.sql(
            "SELECT position FROM bodies WHERE run_id=? AND position>? ORDER BY position LIMIT ?",
            (run_id, after, limit),
        ).fetchall()
        return [row["position"] for row in rows]

    def bodies_at(self, run_id: int, positions: list[int]) -> list[tuple[int, str]]:
        """(position, JSON text) of the bodies stored at `positions`, in registry order."""
        if not positions:
            return []
        marks = ",".join("?" * len(positions))
        rows = self.sql(
            f"SELECT position, data, packed FROM bodies WHERE run_id=? AND position IN ({marks}) "
            "ORDER BY position",
            (run_id, *positions),
        ).fetchall()
        return [(row["position"], unpack(row)) for row in rows]

    def failing(self, run_id: int) -> set[tuple[str, str]]:
        rows = self.sql(
            "SELECT entity_id, key FROM findings WHERE run_id=? AND status='fail'", (run_id,)
        )
        return {(r["entity_id"], r["key"]) for r in rows}

    def failing_since_of(self, run_id: int, entity_id: str, keys: Iterable[str]) -> dict[str, str]:
        """For failed findings of one body: the start of the earliest run of each one's unbroken
        streak of failures over finished audits (this run's start when it is new).

        The previous audit's stored body carries its own dates, so one look-up usually does;
        bodies stored without them (before schema 4) are walked back run by run. Nothing is
        loaded for the whole run: a national run has hundreds of thousands of failures."""
        started, earlier = self._earlier_audits(run_id)
        since = dict.fromkeys(keys, started)
        open_keys = set(since)
        for earlier_id, earlier_start, shard in earlier:
            if not open_keys:
                break
            if not covers(shard, entity_id):  # another shard's run: not a gap in the streak
                continue
            row = self.sql(
                "SELECT data, packed FROM bodies WHERE run_id=? AND entity_id=?",
                (earlier_id, entity_id),
            ).fetchone()
            if row is None:
                break
            before = {f.get("key") or f["check"]: f for f in json.loads(unpack(row))["findings"]}
            still = set()
            for key in open_keys:
                f = before.get(key)
                if f is None or f["status"] != "fail":
                    continue
                since[key] = f.get("failing_since") or earlier_start
                if not f.get("failing_since"):
                    still.add(key)
            open_keys = still
        return since

    def earlier_bodies(self, run_id: int, entity_id: str) -> Iterator[tuple[str, dict | None]]:
        """(start, stored body or None) of one body in each finished audit before `run_id`,
        newest first, read one at a time (a caller walking a streak stops early)."""
        _started, earlier = self._earlier_audits(run_id)
        for earlier_id, earlier_start, shard in earlier:
            if not covers(shard, entity_id):
                continue
            row = self.sql(
                "SELECT data, packed FROM bodies WHERE run_id=? AND entity_id=?",
                (earlier_id, entity_id),
            ).fetchone()
            yield earlier_start, json.loads(unpack(row)) if row is not None else None

    def _earlier_audits(self, run_id: int) -> tuple[str, list[tuple[int, str, str | None]]]:
        """The run's start and the finished audits before it (id, start, shard), newest first
        (asked once). A body's history is in the runs whose shard covers it."""
        if run_id not in self._history:
            rows = self.sql(
                "SELECT id, started_at, shard FROM runs WHERE state='finished' "
                "AND kind='audit' AND id < ? ORDER BY id DESC",
                (run_id,),
            ).fetchall()
            started = self.run(run_id)["started_at"]
            self._history[run_id] = (
                started,
                [(r["id"], r["started_at"], r["shard"]) for r in rows],
            )
        return self._history[run_id]
