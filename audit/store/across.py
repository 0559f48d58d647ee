"""Queries across runs: the trend, a shard's runs, the failures that changed between two runs,
and pruning old runs. Computed by the database: no run's bodies or findings are loaded whole."""

from __future__ import annotations

import sqlite3

RUN_TABLES = ("evidence", "findings", "bodies", "sites", "pages")


class AcrossRuns:
    """Mixed into Store (which provides `sql`, `run`, `runs` and `transaction`)."""

    def prunable(self, keep: int) -> list[int]:
        """The runs `prune(keep)` deletes: finished audits older than the `keep` newest of their
        shard (or of the unsharded runs), and re-evaluations of those. Unfinished runs stay
        (they may be resumed), and so does everything newer."""
        rows = self.runs()
        kept: dict[str, int] = {}
        doomed = set()
        for row in reversed(rows):
            if row["kind"] != "audit" or row["state"] != "finished":
                continue
            spec = row["shard"] or ""
            kept[spec] = kept.get(spec, 0) + 1
            if kept[spec] > keep:
                doomed.add(row["id"])
        grew = True
        while grew:  # evaluations of doomed runs, and evaluations of those
            more = {r["id"] for r in rows if r["derived_from"] in doomed} - doomed
            doomed |= more
            grew = bool(more)
        return sorted(doomed)

    def prune(self, run_ids: list[int]) -> None:
        """Delete runs with everything they stored, in one transaction."""
        with self.transaction():
            for run_id in sorted(run_ids, reverse=True):  # derived runs before their sources
                for table in RUN_TABLES:
                    self.sql(f"DELETE FROM {table} WHERE run_id=?", (run_id,))
                self.sql("DELETE FROM runs WHERE id=?", (run_id,))

    def shard_runs(self, shard: str | None, up_to: int) -> list[sqlite3.Row]:
        """Finished audits of one shard (None: unsharded) up to run `up_to`, newest first."""
        return self.sql(
            "SELECT * FROM runs WHERE state='finished' AND kind='audit' AND id <= ? "
            "AND COALESCE(shard, '') = ? ORDER BY id DESC",
            (up_to, shard or ""),
        ).fetchall()

    def trend(self, up_to: int, limit: int = 12) -> list[dict]:
        """Overall compliance (bodies without violations among those with a determinable
        result) of the last finished audits of `up_to`'s shard up to it, oldest first."""
        rows = self.sql(
            "SELECT id, started_at FROM runs WHERE (state='finished' OR id=?) AND kind='audit' "
            "AND id <= ? AND COALESCE(shard, '') = ? ORDER BY id DESC LIMIT ?",
            (up_to, up_to, self.run(up_to)["shard"] or "", limit),
        ).fetchall()
        return [self.trend_point([row]) for row in reversed(rows)]

    def trend_point(self, runs: list) -> dict:
        """One point of the trend: the bodies of `runs` (one run, or a set of shards) counted
        together, dated by the first one's start."""
        bodies = ok = bad = 0
        for row in runs:
            counts = self.sql(
                "SELECT count(*) AS bodies, sum(CASE WHEN status IN ('compliant', 'warning') "
                "THEN 1 ELSE 0 END) AS ok, sum(CASE WHEN status='violation' THEN 1 ELSE 0 END) "
                "AS bad FROM bodies WHERE run_id=?",
                (row["id"],),
            ).fetchone()
            bodies += int(counts["bodies"] or 0)
            ok += int(counts["ok"] or 0)
            bad += int(counts["bad"] or 0)
        return {
            "run": runs[0]["id"] if len(runs) == 1 else [r["id"] for r in runs],
            "started_at": min(r["started_at"] for r in runs),
            "bodies": bodies,
            "compliance_percent": round(100.0 * ok / (ok + bad), 1) if ok + bad else None,
        }

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
