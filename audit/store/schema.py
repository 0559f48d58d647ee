"""The history's schema: migrations applied in order at open (the `schema_version` table, and
SQLite's `user_version`, say which version a database is at). SQL is written once with `?`
placeholders; `{serial}` is the auto-increment key of each dialect, `{blob}` its bytes type."""

from __future__ import annotations

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
    # 5: the shard a run audited ("K/N"; NULL: every body of its registries)
    """
    ALTER TABLE runs ADD COLUMN shard TEXT;
    """,
    # 6: a body stored compressed (zlib of its compact JSON; `data` is then empty)
    """
    ALTER TABLE bodies ADD COLUMN packed {blob};
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
MIGRATION_LOCK = 0x7061676573  # PostgreSQL advisory lock key while migrating ("pages")


def statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
