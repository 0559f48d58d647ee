"""The store (migrations, bodies, failing-since, changes), waivers and the JSON round trip."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from audit.history import changes
from audit.model import Finding, Severity, Status
from audit.observations import Observations, PageObservation, SiteObservation
from audit.serialize import observations_from_json, site_record
from audit.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError
from audit.store.schema import statements
from audit.waivers import WaiverError, apply_waivers, load_waivers

HEADER = {
    "started_at": "2026-11-20T00:00:00+00:00",
    "tool_version": "0.1.0",
    "catalogue_version": "1",
    "registries": [{"path": "r.yaml", "sha256": "x"}],
    "registry_sha256": "abc",
    "policy": {"platforms": "any"},
    "policy_sha256": "p",
}


def body(entity: str, statuses: dict[str, str]) -> dict:
    return {
        "id": entity,
        "name": f"Орган {entity}",
        "region": "Р",
        "status": "violation",
        "findings": [
            {
                "key": k,
                "check": k.split("[")[0],
                "status": s,
                "severity": "violation",
                "platform": None,
                "message_ru": "",
                "message_en": "",
                "evidence": [],
            }
            for k, s in statuses.items()
        ],
        "evidence": [],
    }


def add_run(store: Store, started: str, bodies: list[dict]) -> int:
    run_id = store.begin_run({**HEADER, "started_at": started})
    for n, b in enumerate(bodies):
        store.save_body(run_id, n, b)
    store.finish_run(run_id, {})
    return run_id


def test_migrations_from_version_1_keep_data(tmp_path):
    path = str(tmp_path / "old.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    for statement in statements(MIGRATIONS[0].replace("{serial}", "INTEGER PRIMARY KEY")):
        db.execute(statement)
    db.execute("PRAGMA user_version=1")
    db.execute(
        "INSERT INTO runs (started_at, state, tool_version, catalogue_version, registries, "
        "registry_sha256, policy, policy_sha256, meta) VALUES "
        "('2026-01-01', 'finished', '0.0.9', '1', '[]', 'r', '{}', 'p', '{}')"
    )
    db.close()
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION == 6
        assert [r["tool_version"] for r in store.runs()] == ["0.0.9"]
        store.save_site(1, "a", {"state": "none"})  # a table of migration 2
        assert store.sites(1) == {"a": {"state": "none"}}


def test_newer_or_foreign_files_are_refused(tmp_path):
    newer = tmp_path / "newer.sqlite"
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer pages-audit"):
        Store(str(newer))
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="not a pages-audit history database"):
        Store(str(junk))


@pytest.fixture(params=["sqlite", "postgres"])
def target(request, tmp_path):
    """The same store tests on both backends."""
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    return str(tmp_path / "h.sqlite")


def test_failing_since_follows_unbroken_streaks(target):
    with Store(target) as store:
        add_run(store, "2026-11-01", [body("a", {"x": "fail", "y": "fail"})])
        add_run(store, "2026-11-02", [body("a", {"x": "fail", "y": "pass"})])
        add_run(store, "2026-11-03", [body("a", {"x": "fail", "y": "fail"})])
        assert store.failing_since_of(3, "a", ["x", "y"]) == {"x": "2026-11-01", "y": "2026-11-03"}
        stored = {f["key"]: f["failing_since"] for f in next(store.bodies(3))["findings"]}
        assert stored == {"x": "2026-11-01", "y": "2026-11-03"}  # dated when saved
        # a body saved without dates (before schema 4) is walked back run by run
        store.sql(
            "UPDATE bodies SET data=? WHERE run_id=2",
            (json.dumps(body("a", {"x": "fail", "y": "pass"})),),
        )
        store._history.clear()
        assert store.failing_since_of(3, "a", ["x"]) == {"x": "2026-11-01"}


def test_report_json_copies_stored_bodies_and_dates_older_rows(target, tmp_path):
    from audit.report.json_report import report_from_store, write_json

    with Store(target) as store:
        add_run(store, "2026-11-01", [body("a", {"x": "fail"}), body("b", {"x": "fail"})])
        run = add_run(store, "2026-11-02", [body("a", {"x": "fail"}), body("b", {"x": "fail"})])
        # "b" as an older version stored it: spaced JSON, its failure undated
        store.sql(
            "UPDATE bodies SET data=? WHERE run_id=? AND entity_id='b'",
            (json.dumps(body("b", {"x": "fail"}), ensure_ascii=False), run),
        )
        stored_a = next(store.body_texts(run))
        write_json(report_from_store(store, run), str(tmp_path))
    lines = (tmp_path / "report.json").read_text(encoding="utf-8").splitlines()
    a = next(line for line in lines if line.startswith('{"id":"a"'))
    b = next(line for line in lines if line.startswith('{"id":"b"'))
    assert a.rstrip(",") == stored_a  # copied through as stored, byte for byte
    assert json.loads(b)["findings"][0]["failing_since"] == "2026-11-01"  # dated from history
    assert b == json.dumps(json.loads(b), ensure_ascii=False, separators=(",", ":"))


def test_changes_between_runs(target):
    with Store(target) as store:
        a = add_run(
            store,
            "1",
            [
                body("a", {"x": "fail", "y": "pass"}),
                body("b", {"x": "fail"}),
                body("gone", {"x": "fail"}),
            ],
        )
        b = add_run(store, "2", [body("a", {"x": "pass", "y": "fail"}), body("b", {"x": "fail"})])
        diff = changes(store, a, b)
        assert diff.new == [("a", "y")]
        assert diff.fixed == [("a", "x")]  # "gone" left the registry: not a fix
        assert diff.still == [("b", "x")]


def test_bodies_come_back_in_registry_order_and_resume_journal_is_dropped(target):
    with Store(target) as store:
        run_id = store.begin_run(HEADER)
        store.save_body(run_id, 1, body("second", {}))
        store.save_body(run_id, 0, body("first", {}))
        store.save_pages(run_id, {"https://vk.com/a": {"platform": "vk"}})
        assert [r["id"] for r in store.unfinished_audits()] == [run_id]
        assert [b["id"] for b in store.bodies(run_id)] == ["first", "second"]
        store.finish_run(run_id, {"requests": 3})
        assert store.pages(run_id) == {} and store.unfinished_audits() == []


def test_a_run_writing_its_reports_drops_its_journal_while_they_are_written(target, tmp_path):
    """Finished but for its reports, a run keeps its journal until the auditor has a moment
    (its own report.json written, the followers still at work: `meanwhile`); once the reports
    are in place nothing of it is left."""
    from audit.report.json_report import report_document
    from audit.report.outputs import write_reports

    with Store(target) as store:
        run_id = store.begin_run(HEADER)
        store.save_body(run_id, 0, body("first", {}))
        store.save_pages(run_id, {"https://vk.com/a": {"platform": "vk"}})
        store.finish_run(run_id, {"requests": 1}, state="writing")
        assert store.pages(run_id) != {}
        calls = []

        class Follower:  # writes the HTML and the tables; collected after `meanwhile`
            writers = ("html", "tables")

            def hand(self, report):
                calls.append("hand")

            def collect(self):
                calls.append("collect")
                return {"html": ["index.html"], "tables": ["report.csv"]}

        report = report_document({"policy": {}}, store.bodies(run_id))

        def meanwhile():
            calls.append("meanwhile")
            store.drop_journal(run_id)

        written = write_reports(report, str(tmp_path), follower=Follower(), meanwhile=meanwhile)
        assert calls == ["hand", "meanwhile", "collect"]
        assert written["json"] == [str(tmp_path / "report.json")]
        assert store.pages(run_id) == {}
        store.complete(run_id)
        assert store.pages(run_id) == {} and store.unfinished_audits() == []


def finding(key: str, status: Status = Status.FAIL) -> Finding:
    check, _, platform = key.partition("[")
    return Finding(
        "e1", check, status, Severity.VIOLATION, "ru", "en", (), platform.rstrip("]") or None
    )


def test_waivers_apply_until_they_expire(tmp_path):
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "waivers:\n"
        "  - entity: e1\n    check: page.community\n    reason: Реорганизация\n"
        "    approved_by: Иванов\n    expires: 2026-12-31\n"
        "  - entity: e1\n    check: site.exists\n    reason: Переезд сайта\n"
        "    approved_by: Петров\n    expires: 2026-01-31\n",
        encoding="utf-8",
    )
    waivers = load_waivers(str(path))
    found = [
        finding("page.community[vk]"),
        finding("page.community[ok]", Status.PASS),
        finding("site.exists"),
        finding("page.gov_mark[vk]"),
    ]
    out, expired = apply_waivers(found, waivers, dt.date(2026, 11, 23))
    assert [f.status for f in out] == [Status.WAIVED, Status.PASS, Status.FAIL, Status.FAIL]
    assert "Реорганизация" in out[0].message_ru and "Иванов" in out[0].message_ru
    assert [w.check for w in expired] == ["site.exists"]
    later, expired = apply_waivers(found, waivers, dt.date(2027, 1, 1))
    assert later[0].status is Status.FAIL and len(expired) == 2


def test_waiver_file_errors_name_file_and_line(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(
        "waivers:\n  - entity: e1\n    check: x\n    reason: r\n    expires: someday\n"
        "    colour: red\n",
        encoding="utf-8",
    )
    with pytest.raises(WaiverError) as info:
        load_waivers(str(path))
    text = str(info.value)
    assert f"{path}:6: colour: unknown field" in text
    assert f"{path}:2: approved_by: required" in text
    assert f"{path}:5: expires: expected a date" in text


def test_observations_round_trip_through_json():
    site = SiteObservation(
        state="fetched", url="https://a.ru", status=200, pages_read=["https://a.ru"]
    )
    page = PageObservation(
        "vk",
        "https://vk.com/a",
        "api",
        "found",
        "2026-11-23T10:00:00+00:00",
        page_id="1",
        kind="group",
        posts=[1, 2],
        posts_cover_from=0,
    )
    obs = Observations(site=site, pages={page.url: page}, chosen={"vk": (page.url, "registry")})
    again = observations_from_json(
        {
            "site": site_record(site),
            "pages": {page.url: page.to_json()},
            "chosen": {"vk": {"url": page.url, "source": "registry"}},
        },
        [],
    )
    assert again.site == obs.site and again.pages == obs.pages and again.chosen == obs.chosen


def test_store_versions_and_names_on_both_backends(target):
    with Store(target) as store:
        assert store.version == SCHEMA_VERSION
        run_id = add_run(store, "1", [body("a", {"x": "fail"})])
        assert store.names(run_id) == {"a": "Орган a"}
        assert store.counts(run_id) == (1, 1)
    with Store(target) as again:  # opening again migrates nothing and keeps everything
        assert again.version == SCHEMA_VERSION and len(again.runs()) == 1


def test_postgres_connection_errors_hide_the_password():
    with pytest.raises(StoreError) as info:
        Store("postgresql://user:s3cret-pass@127.0.0.1:1/db")
    assert "s3cret-pass" not in str(info.value)


def test_a_run_resumes_with_the_same_registries_wherever_they_are():
    from audit.history import same_registries

    stored = [
        {"path": "/old/checkout/a.yaml", "sha256": "1"},
        {"path": "/old/b.yaml", "sha256": "2"},
    ]
    moved = [{"path": "b.yaml", "sha256": "2"}, {"path": "ci/a.yaml", "sha256": "1"}]
    assert same_registries(stored, moved)
    assert not same_registries(stored, [{"path": "/old/checkout/a.yaml", "sha256": "3"}])
    assert not same_registries(stored, moved[:1])
