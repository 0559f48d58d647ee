"""Shards: a stable assignment of bodies to jobs, and a history that knows which runs audited
which bodies (failing-since, the previous run and the trend stay within a body's own shard)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from audit.shard import Shard, covers, parse_shard, shard_of
from audit.store import Store
from tests.e2e.conftest import cli
from tests.unit.test_history import HEADER, body


def test_the_assignment_is_pinned():
    """The documented hash (sha256 of the UTF-8 id, first 8 bytes big-endian, mod N, plus one):
    these values are a contract between jobs run by different versions and machines."""
    assert [shard_of(i, 3) for i in ("46701000", "46000000", "court-1", "школа-17")] == [
        1,
        2,
        1,
        3,
    ]
    assert shard_of("школа-17", 7) == 7 and shard_of("46701000", 7) == 5
    assert all(shard_of(str(n), 1) == 1 for n in range(100))


def test_shards_split_bodies_evenly_and_completely():
    ids = [f"{n:08d}" for n in range(30_000)]
    counts = Counter(shard_of(i, 4) for i in ids)
    assert sorted(counts) == [1, 2, 3, 4]
    assert all(abs(c - 7_500) < 300 for c in counts.values())
    shards = [Shard(k, 4) for k in range(1, 5)]
    assert all(sum(s.covers(i) for s in shards) == 1 for i in ids[:2000])
    assert covers(None, "x") and covers("2/4", ids[0]) == (shard_of(ids[0], 4) == 2)


@pytest.mark.parametrize(
    "text,problem",
    [("3", "K/N"), ("0/3", "1 to 3"), ("4/3", "1 to 3"), ("1/0", "1 to 1000"), ("a/b", "K/N")],
)
def test_a_bad_shard_says_what_is_wrong(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_shard(text)
    assert str(parse_shard(" 2 / 3 ")) == "2/3"


def run_of(store: Store, started: str, shard: str | None, bodies: list[dict]) -> int:
    run_id = store.begin_run({**HEADER, "started_at": started, "shard": shard})
    for n, b in enumerate(bodies):
        store.save_body(run_id, n, b)
    store.finish_run(run_id, {})
    return run_id


def test_history_of_a_body_stays_in_its_own_shard(tmp_path):
    """Shards' runs interleave in the history: the run before a body's run is usually another
    shard's, which did not audit it. Failing-since and the previous run skip those runs instead
    of taking them for a gap (which would restart every streak every night)."""
    a = next(i for i in map(str, range(100)) if shard_of(i, 2) == 1)
    b = next(i for i in map(str, range(100)) if shard_of(i, 2) == 2)
    with Store(str(tmp_path / "h.sqlite")) as store:
        first_a = run_of(store, "2026-11-01T00:00:00+00:00", "1/2", [body(a, {"x": "fail"})])
        first_b = run_of(store, "2026-11-01T00:05:00+00:00", "2/2", [body(b, {"x": "pass"})])
        second_a = run_of(store, "2026-11-02T00:00:00+00:00", "1/2", [body(a, {"x": "fail"})])
        second_b = run_of(store, "2026-11-02T00:05:00+00:00", "2/2", [body(b, {"x": "fail"})])
        stored = {r["id"]: r for r in store.runs()}
        assert stored[first_a]["shard"] == "1/2"
        since_a = next(store.bodies(second_a))["findings"][0]["failing_since"]
        assert since_a == "2026-11-01T00:00:00+00:00"  # not broken by shard 2's run between
        since_b = next(store.bodies(second_b))["findings"][0]["failing_since"]
        assert since_b == "2026-11-02T00:05:00+00:00"
        assert store.previous_finished(second_a)["id"] == first_a
        assert store.previous_finished(second_b)["id"] == first_b
        assert [p["run"] for p in store.trend(second_b)] == [first_b, second_b]
        # an unsharded run afterwards finds each body's history in its own shard's runs
        whole = run_of(
            store, "2026-11-03T00:00:00+00:00", None, [body(a, {"x": "fail"}), body(b, {})]
        )
        since = next(store.bodies(whole))["findings"][0]["failing_since"]
        assert since == "2026-11-01T00:00:00+00:00"
        assert store.previous_finished(whole) is None  # no unsharded run before it


def test_bodies_are_stored_compressed_and_read_back_whole(tmp_path):
    import sqlite3

    path = str(tmp_path / "h.sqlite")
    big = body("1", {f"k{i}": "fail" for i in range(40)})
    with Store(path) as store:
        run_id = run_of(store, "2026-11-01T00:00:00+00:00", None, [big])
        assert next(store.bodies(run_id))["findings"] == next(store.bodies(run_id))["findings"]
        assert len(next(store.bodies(run_id))["findings"]) == 40
    raw = sqlite3.connect(path).execute("SELECT data, length(packed) FROM bodies").fetchone()
    assert raw[0] == "" and raw[1] < len(json.dumps(big)) / 3


def test_prune_keeps_the_newest_runs_of_each_shard_and_gives_space_back(tmp_path):
    """`history prune --keep 1`: per shard the newest finished audit stays (with its dates of
    failing since, which need no older run), older ones and their re-evaluations go, an
    unfinished run stays (it may be resumed), and the file shrinks."""
    path = tmp_path / "h.sqlite"
    first = [i for i in map(str, range(200)) if shard_of(i, 2) == 1][:40]
    second = [i for i in map(str, range(200)) if shard_of(i, 2) == 2][:40]
    filler = {f"k{n}": "fail" for n in range(100)}
    with Store(str(path)) as store:
        ids = []
        for night in range(1, 4):
            for who, spec in ((first, "1/2"), (second, "2/2")):
                started = f"2026-11-0{night}T00:00:00+00:00"
                ids.append(run_of(store, started, spec, [body(i, filler) for i in who]))
        derived = store.begin_run({**HEADER, "started_at": "x", "shard": "1/2"}, "evaluate", ids[0])
        store.finish_run(derived, {})
        unfinished = store.begin_run({**HEADER, "started_at": "y", "shard": "1/2"})
        assert store.prunable(1) == sorted([*ids[:4], derived])
    before = sum(p.stat().st_size for p in tmp_path.glob("h.sqlite*"))
    proc = cli("history", "prune", "--db", path, "--keep", "1", "--dry-run")
    assert proc.returncode == 0 and "would prune run(s) 1, 2, 3, 4, 7" in proc.stdout
    proc = cli("history", "prune", "--db", path, "--keep", "1")
    assert proc.returncode == 0 and proc.stdout.startswith("pruned run(s) 1, 2, 3, 4, 7"), proc
    assert sum(p.stat().st_size for p in tmp_path.glob("h.sqlite*")) < before / 2
    with Store(str(path)) as store:
        assert [r["id"] for r in store.runs()] == [ids[4], ids[5], unfinished]
        since = next(store.bodies(ids[4]))["findings"][0]["failing_since"]
        assert since == "2026-11-01T00:00:00+00:00"  # carried in the kept body
    assert cli("history", "prune", "--db", path, "--keep", "0").returncode == 2
    again = cli("history", "prune", "--db", path, "--keep", "1")
    assert again.returncode == 0 and "nothing to prune" in again.stdout


def test_a_finished_run_gives_its_journal_pages_back(tmp_path):
    """The resume journal (websites and pages read) is deleted when a run is finished; a
    new SQLite history returns those pages to the file system at once."""
    import sqlite3

    path = str(tmp_path / "h.sqlite")
    with Store(path) as store:
        run_id = store.begin_run(HEADER)
        for n in range(300):
            store.save_site(run_id, f"b{n}", {"state": "fetched", "pad": "x" * 4000})
        store.save_body(run_id, 0, body("b0", {"x": "pass"}))
        store.complete(run_id)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental
    assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0
