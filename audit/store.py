"""History: runs, what each run saw and concluded, in SQLite (stdlib, WAL, synchronous=FULL) or,
for teams that share one history, PostgreSQL (`--db postgresql://...`, optional psycopg).

Written as the run goes — a website as soon as it was read, the pages of a batch as soon as
they were looked up, a body's findings as soon as it is evaluated, each in its own transaction —
so a run killed at any moment keeps everything already written and `run --resume` carries on
from there without fetching any of it again.

Schema versions are migrations applied in order at open; the `schema_version` table says which
version a database is at. SQL is written once with `?` placeholders; `{serial}` in the schema is
the auto-increment key of each dialect.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from audit.urls import url_password, without_password

MIGRATIONS: list[str] = [
    # 1: runs, per-body results, findings, evidence
    """
    CREATE TABLE runs (
        id {serial},
        started_at TEXT NOT NULL,
        finished_at TEXT,
        state TEXT NOT NULL,               -- running | finished | interrupted
        kind TEXT NOT NULL DEFAULT 'audit', -- audit | evaluate
        derived_from INTEGER REFERENCES runs(id),
        tool_version TEXT NOT NULL,
        catalogue_version TEXT NOT NULL,
        registries TEXT NOT NULL,          -- JSON [{path, sha256}]
        registry_sha256 TEXT NOT NULL,     -- over all registry files, for resume matching
        policy TEXT NOT NULL,              -- JSON
        policy_sha256 TEXT NOT NULL,
        meta TEXT NOT NULL                 -- JSON: fetch and platform settings (redacted), counts
    );
    CREATE TABLE bodies (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        entity_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL,                -- the body as in report.json
        PRIMARY KEY (run_id, entity_id)
    );
    CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        entity_id TEXT NOT NULL,
        key TEXT NOT NULL,
        check_id TEXT NOT NULL,
        platform TEXT,
        status TEXT NOT NULL,
        severity TEXT NOT NULL,
        PRIMARY KEY (run_id, entity_id, key)
    );
    CREATE INDEX findings_status ON findings (run_id, status);
    CREATE TABLE evidence (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        entity_id TEXT NOT NULL,
        evidence_id TEXT NOT NULL,
        url TEXT NOT NULL,
        status INTEGER,
        fetched_at TEXT,
        sha256 TEXT,
        warc_record TEXT,
        PRIMARY KEY (run_id, entity_id, evidence_id)
    );
    """,
    # 2: what an unfinished run already collected (for resume)
    """
    CREATE TABLE sites (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        entity_id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, entity_id)
    );
    CREATE TABLE pages (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        url TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, url)
    );
    """,
    # 3: body names, so listings need not parse every body
    """
    ALTER TABLE bodies ADD COLUMN name TEXT;
    """,
    # 4: reports page through a run's bodies in registry order
    """
    CREATE INDEX bodies_position ON bodies (run_id, position);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
MIGRATION_LOCK = 0x7061676573  # PostgreSQL advisory lock key while migrating ("pages")


def compact_json(value) -> str:
    """A body as stored and as report.json holds it, byte for byte: the report's writer copies
    stored bodies through without decoding and encoding them again."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StoreError(Exception):
    pass


# libpq's connection strings: a URI, or keyword=value pairs ("host=db dbname=audit ...")
_CONNINFO = re.compile(r"^\s*[a-z_]+\s*=")
_SECRET_KEYS = r"(?:password|sslpassword)"
_SECRET_PAIR = re.compile(rf"(\b{_SECRET_KEYS}\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)", re.IGNORECASE)


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://")) or bool(_CONNINFO.match(target))


def redact_db(target: str) -> str:
    """The history's address as it may be shown or stored: every password of a PostgreSQL
    connection string (in the URI's user part, `?password=`, `sslpassword=`, or a keyword
    pair) replaced by ***."""
    if not is_postgres(target):
        return target
    shown = without_password(target)
    return _SECRET_PAIR.sub(lambda m: m.group(1) + "***", shown)


def db_secrets(target: str) -> list[str]:
    """The passwords a connection string holds, to be scrubbed from any text shown."""
    if not is_postgres(target):
        return []
    found = [m.group(2).strip("'") for m in _SECRET_PAIR.finditer(target)]
    if password := url_password(target):
        found.append(password)
    found += [unquote(f) for f in found]
    return sorted({f for f in found if f and f != "***"}, key=len, reverse=True)


class Store:
    """`Store(path)` for SQLite, `Store("postgresql://user@host/db")` for PostgreSQL."""

    def __init__(self, target: str):
        self.path = target
        self.shown = redact_db(target)  # what messages and records may say
        self._history: dict[int, tuple[str, list[tuple[int, str]]]] = {}  # see _earlier_audits
        self.postgres = is_postgres(target)
        self._depth = 0  # open transactions: an inner one joins the outer
        try:
            if self.postgres:
                self.db = _postgres(target)
            else:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(target, timeout=30, isolation_level=None)
                self.db.row_factory = sqlite3.Row
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=FULL")  # power loss keeps what was committed
                self.db.execute("PRAGMA foreign_keys=ON")
            self.migrate()
        except sqlite3.OperationalError as exc:  # locked, read-only, no room ...
            raise StoreError(f"{self.shown}: cannot open the history database ({exc})") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.shown}: not a pages-audit history database ({exc})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def sql(self, statement: str, params: tuple | list = ()) -> Any:
        """Run one statement written with `?` placeholders in either dialect."""
        if self.postgres:
            return self.db.execute(statement.replace("?", "%s"), params)
        return self.db.execute(statement, params)

    def sql_many(self, statement: str, rows: list[tuple]) -> None:
        if self.postgres:
            with self.db.cursor() as cur:
                cur.executemany(statement.replace("?", "%s"), rows)
        else:
            self.db.executemany(statement, rows)

    @property
    def version(self) -> int:
        if self.postgres:
            self.sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self.sql("SELECT max(version) AS v FROM schema_version").fetchone()
            return int(row["v"] or 0)
        legacy = self.db.execute("PRAGMA user_version").fetchone()[0]
        has_table = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE name='schema_version'"
        ).fetchone()
        if not has_table:
            return legacy
        row = self.db.execute("SELECT max(version) FROM schema_version").fetchone()
        return max(legacy, int(row[0] or 0))

    def migrate(self) -> None:
        """Bring the schema up to date, in one transaction that holds the database's write
        lock from the version check on: runs opening a new history at once wait for each
        other instead of both creating its tables."""
        with self.transaction():
            if self.postgres:
                self.sql("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            self._migrate()

    def _migrate(self) -> None:
        current = self.version
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.shown}: written by a newer pages-audit "
                f"(schema {current} > {SCHEMA_VERSION})"
            )
        serial = "BIGSERIAL PRIMARY KEY" if self.postgres else "INTEGER PRIMARY KEY"
        for number in range(current, SCHEMA_VERSION):
            with self.transaction():
                self.sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                for statement in _statements(MIGRATIONS[number].replace("{serial}", serial)):
                    self.sql(statement)
                self.sql("INSERT INTO schema_version VALUES (?)", (number + 1,))
                if not self.postgres:
                    self.db.execute(f"PRAGMA user_version={number + 1}")

    def transaction(self, durable: bool = True):
        """`durable=False`: committed for every later reader and kept if the process dies, but
        not flushed to disk at once (no fsync): for what a power loss may cost without harm."""
        return _Transaction(self, durable)

    # --- runs ---
    def begin_run(
        self, header: dict[str, Any], kind: str = "audit", derived_from: int | None = None
    ) -> int:
        with self.transaction():
            cur = self.sql(
                "INSERT INTO runs (started_at, state, kind, derived_from, tool_version, "
                "catalogue_version, registries, registry_sha256, policy, policy_sha256, meta) "
                "VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
            if state == "finished":  # the resume journal is no longer needed
                self.sql("DELETE FROM sites WHERE run_id=?", (run_id,))
                self.sql("DELETE FROM pages WHERE run_id=?", (run_id,))

    def complete(self, run_id: int) -> None:
        """The run's reports are in place: it is finished (its journal is no longer needed)."""
        self._history.clear()
        with self.transaction():
            self.sql("UPDATE runs SET state='finished' WHERE id=?", (run_id,))
            self.sql("DELETE FROM sites WHERE run_id=?", (run_id,))
            self.sql("DELETE FROM pages WHERE run_id=?", (run_id,))

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
        audit before it."""
        row = self.run(run_id)
        if row["derived_from"] is not None:
            return self.run(row["derived_from"])
        return self.sql(
            "SELECT * FROM runs WHERE state='finished' AND kind='audit' AND id < ? "
            "ORDER BY id DESC LIMIT 1",
            (run_id,),
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
                "INSERT INTO bodies (run_id, entity_id, position, status, data, name) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    body["id"],
                    position,
                    body["status"],
                    compact_json(body),
                    body.get("name"),
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

    def trend(self, up_to: int, limit: int = 12) -> list[dict]:
        """Overall compliance (bodies without violations among those with a determinable
        result) of the last finished audits up to `up_to`, oldest first."""
        rows = self.sql(
            "SELECT id, started_at FROM runs WHERE (state='finished' OR id=?) AND kind='audit' "
            "AND id <= ? ORDER BY id DESC LIMIT ?",
            (up_to, up_to, limit),
        ).fetchall()
        out = []
        for row in reversed(rows):
            counts = self.sql(
                "SELECT count(*) AS bodies, sum(CASE WHEN status IN ('compliant', 'warning') "
                "THEN 1 ELSE 0 END) AS ok, sum(CASE WHEN status='violation' THEN 1 ELSE 0 END) "
                "AS bad FROM bodies WHERE run_id=?",
                (row["id"],),
            ).fetchone()
            bodies, ok, bad = (int(counts[k] or 0) for k in ("bodies", "ok", "bad"))
            out.append(
                {
                    "run": row["id"],
                    "started_at": row["started_at"],
                    "bodies": bodies,
                    "compliance_percent": round(100.0 * ok / (ok + bad), 1) if ok + bad else None,
                }
            )
        return out

    def done_ids(self, run_id: int) -> set[str]:
        rows = self.sql("SELECT entity_id FROM bodies WHERE run_id=?", (run_id,))
        return {r["entity_id"] for r in rows}

    def bodies(self, run_id: int, page: int = 500) -> Iterator[dict]:
        """Bodies in registry order, one at a time (see `body_texts`)."""
        return map(json.loads, self.body_texts(run_id, page))

    def body_texts(self, run_id: int, page: int = 500) -> Iterator[str]:
        """Bodies in registry order as stored (JSON text), read `page` rows per query (a driver
        that fetches a whole result at once never holds more; writing between pages is safe)."""
        after = -1
        while True:
            rows = self.body_rows(run_id, after, page)
            for _position, text in rows:
                yield text
            if len(rows) < page:
                return
            after = rows[-1][0]

    def body_rows(self, run_id: int, after: int, limit: int) -> list[tuple[int, str]]:
        """(position, JSON text) of up to `limit` bodies stored after registry position
        `after`, in registry order."""
        rows = self.sql(
            "SELECT position, data FROM bodies WHERE run_id=? AND position>? "
            "ORDER BY position LIMIT ?",
            (run_id, after, limit),
        ).fetchall()
        return [(row["position"], row["data"]) for row in rows]

    def failures_between(
        self, before: int, after: int, violations_only: bool = False
    ) -> dict[str, list[tuple[str, str]]]:
        """(entity, key) of failed findings: new in `after`, fixed (failing in `before`, not in
        `after`, the body audited in both) and still open. Computed by the database: neither
        run's findings are loaded."""
        severity = " AND {t}.severity='violation'" if violations_only else ""

        def failing(t: str) -> str:
            return f"{t}.status='fail'" + severity.format(t=t)

        def query(a: int, b: int, mode: str) -> list[tuple[str, str]]:
            other = (
                f"EXISTS (SELECT 1 FROM findings o WHERE o.run_id=? AND o.entity_id=x.entity_id "
                f"AND o.key=x.key AND {failing('o')})"
            )
            where = {"new": f"NOT {other}", "still": other}.get(mode)
            params: list = [a, b]
            if mode == "fixed":
                where = (
                    f"NOT {other} AND EXISTS (SELECT 1 FROM findings p WHERE p.run_id=? "
                    "AND p.entity_id=x.entity_id)"
                )
                params.append(b)
            rows = self.sql(
                f"SELECT x.entity_id, x.key FROM findings x WHERE x.run_id=? AND {failing('x')} "
                f"AND {where} ORDER BY x.entity_id, x.key",
                params,
            )
            return [(r["entity_id"], r["key"]) for r in rows]

        return {
            "new": query(after, before, "new"),
            "fixed": query(before, after, "fixed"),
            "still": query(after, before, "still"),
        }

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
        for earlier_id, earlier_start in earlier:
            if not open_keys:
                break
            row = self.sql(
                "SELECT data FROM bodies WHERE run_id=? AND entity_id=?", (earlier_id, entity_id)
            ).fetchone()
            if row is None:
                break
            before = {f.get("key") or f["check"]: f for f in json.loads(row["data"])["findings"]}
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
        for earlier_id, earlier_start in earlier:
            row = self.sql(
                "SELECT data FROM bodies WHERE run_id=? AND entity_id=?", (earlier_id, entity_id)
            ).fetchone()
            yield earlier_start, json.loads(row["data"]) if row is not None else None

    def _earlier_audits(self, run_id: int) -> tuple[str, list[tuple[int, str]]]:
        """The run's start and the finished audits before it, newest first (asked once)."""
        if run_id not in self._history:
            rows = self.sql(
                "SELECT id, started_at FROM runs WHERE state='finished' AND kind='audit' "
                "AND id < ? ORDER BY id DESC",
                (run_id,),
            ).fetchall()
            started = self.run(run_id)["started_at"]
            self._history[run_id] = (started, [(r["id"], r["started_at"]) for r in rows])
        return self._history[run_id]


class _Transaction:
    """BEGIN ... COMMIT (ROLLBACK on an exception). Nested, it joins the outer transaction:
    a batch of bodies is one commit (one fsync) however many bodies it saves."""

    def __init__(self, store: Store, durable: bool = True):
        self.store, self.durable = store, durable

    def __enter__(self):
        store = self.store
        if store._depth == 0:
            if store.postgres:
                store.db.execute("BEGIN")
                if not self.durable:
                    store.db.execute("SET LOCAL synchronous_commit TO OFF")
            else:
                if not self.durable:
                    store.db.execute("PRAGMA synchronous=NORMAL")  # WAL: no fsync at commit
                store.db.execute("BEGIN IMMEDIATE")
        store._depth += 1
        return store

    def __exit__(self, exc_type, *_):
        store = self.store
        store._depth -= 1
        if store._depth == 0:
            store.db.execute("ROLLBACK" if exc_type else "COMMIT")
            if not self.durable and not store.postgres:
                store.db.execute("PRAGMA synchronous=FULL")


def _postgres(url: str):
    try:
        import psycopg
        from psycopg.rows import dict_row
    except ImportError:
        raise StoreError(
            "a PostgreSQL --db needs psycopg: pip install 'pages-audit[postgres]'"
        ) from None
    try:
        return psycopg.connect(url, autocommit=True, row_factory=dict_row)
    except psycopg.Error as exc:
        raise StoreError(
            f"cannot connect to PostgreSQL at {redact_db(url)}: {type(exc).__name__}"
        ) from None


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
