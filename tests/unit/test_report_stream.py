"""Run-sized reports: bodies are streamed (read again per writer), never held as one list, and
every writer gives the same document as for an in-memory report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook

from audit.report import xlsx
from audit.report.html import render_html
from audit.report.json_report import Bodies, report_document, run_header, write_json
from audit.report.tables import write_junit, write_xlsx
from audit.runner import RunResult


def body(n: int, statuses: list[str]) -> dict:
    return {
        "id": f"b{n}",
        "name": f"Орган {n}",
        "kind": "rural_settlement",
        "region": "Область",
        "status": "violation" if "fail" in statuses else "compliant",
        "findings": [
            {
                "key": f"site.check{i}",
                "check": "site.exists",
                "platform": None,
                "status": s,
                "severity": "violation",
                "message_ru": f"сообщение {s}",
                "message_en": f"message {s}",
                "evidence": [],
            }
            for i, s in enumerate(statuses)
        ],
        "evidence": [],
        "observations": {"site": {"state": "none"}, "pages": {}, "chosen": {}},
    }


HEAD = run_header(RunResult(started_at="2026-11-23T00:00:00+00:00"))
BODIES = [body(n, ["pass", "fail", "n/a", "error", "waived"][: 1 + n % 5]) for n in range(40)]
RUN = {  # a stored run's header
    "started_at": "2026-11-23T00:00:00+00:00",
    "tool_version": "0.1.0",
    "catalogue_version": "1",
    "registries": [],
    "registry_sha256": "r",
    "policy": {},
    "policy_sha256": "p",
}


def finished_run(store) -> int:
    """A finished run of BODIES in `store`; its id."""
    run_id = store.begin_run(RUN)
    for n, b in enumerate(BODIES):
        store.save_body(run_id, n, b)
    store.finish_run(run_id, dict(HEAD))
    return run_id


class Counting:
    """A body source that counts how often it is read and never gives a list."""

    def __init__(self) -> None:
        self.passes = 0

    def __call__(self):
        self.passes += 1
        yield from (json.loads(json.dumps(b)) for b in BODIES)


def test_streamed_report_writes_the_same_json_as_an_in_memory_one(tmp_path):
    source = Counting()
    streamed = report_document(HEAD, Bodies(source))
    in_memory = report_document(HEAD, list(BODIES))
    assert streamed["summary"] == in_memory["summary"] and streamed["health"] == in_memory["health"]
    assert source.passes == 1  # summary and health in one pass
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_json(streamed, str(tmp_path / "a"))
    write_json(in_memory, str(tmp_path / "b"))
    a = json.loads((tmp_path / "a" / "report.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b" / "report.json").read_text(encoding="utf-8"))
    assert a == b and len(a["entities"]) == 40 and source.passes == 2
    html = render_html(streamed)
    # the overview's index, the table, the details: three passes, no list
    assert html.count('<section class="body"') == 40 and source.passes == 5


def test_junit_counts_agree_with_its_cases(tmp_path):
    report = report_document(HEAD, Bodies(Counting()))
    root = ET.parse(write_junit(report, str(tmp_path))).getroot()
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases) == sum(len(b["findings"]) for b in BODIES)
    assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
    assert int(suite.get("errors")) == sum(1 for c in cases if c.find("error") is not None)
    assert int(suite.get("skipped")) == sum(1 for c in cases if c.find("skipped") is not None)


def test_xlsx_findings_sheet_is_the_to_do_list_and_stops_at_excels_limit(tmp_path, monkeypatch):
    report = report_document(HEAD, Bodies(Counting()))
    wb = load_workbook(write_xlsx(report, str(tmp_path)))
    _summary, findings, bodies = wb.worksheets
    results = [row[7] for row in findings.iter_rows(min_row=2, values_only=True)]
    words = {"fail": "нарушение", "error": "не удалось проверить", "waived": "исключение"}
    expected = [
        words[f["status"]]
        for b in BODIES
        for f in b["findings"]
        if f["status"] not in ("pass", "n/a")
    ]
    assert results == expected and bodies.max_row == 41
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 5)
    wb = load_workbook(write_xlsx(report, str(tmp_path)))
    rows = list(wb.worksheets[1].iter_rows(values_only=True))
    assert len(rows) == 6 and "report.csv" in rows[-1][0]


@pytest.fixture(params=["sqlite", "postgres"])
def history(request, tmp_path):
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    return str(tmp_path / "h.sqlite")


def test_writers_in_processes_write_what_one_process_writes(tmp_path, history):
    """A large stored run's writers run side by side, those in writer processes reading the
    store themselves (SQLite or PostgreSQL): the files are the ones the writers make one
    after another."""
    from audit.report.json_report import report_from_store
    from audit.report.outputs import write_reports
    from audit.store import Store

    db = history
    with Store(db) as store:
        run_id = finished_run(store)
        report = report_from_store(store, run_id)
        written = {}
        for mode, processes in (("one", 0), ("with_one_more", 1), ("side_by_side", 2)):
            out = tmp_path / mode
            out.mkdir()
            written[mode] = write_reports(report, str(out), store=(db, run_id), processes=processes)
    assert all(list(w) == ["html", "tables", "json"] for w in written.values())
    one = tmp_path / "one"
    for other in (tmp_path / "with_one_more", tmp_path / "side_by_side"):
        for name in ("report.json", "index.html", "report.csv", "junit.xml"):
            assert (one / name).read_bytes() == (other / name).read_bytes(), (other, name)
    assert (one / "index.html").read_text(encoding="utf-8").count('<section class="body"') == 40
    sheets = [load_workbook(d / "report.xlsx") for d in (one, tmp_path / "side_by_side")]
    for title in ("Сводка", "Нарушения и замечания", "Органы"):
        a, b = (list(wb[title].iter_rows(values_only=True)) for wb in sheets)
        assert a == b and len(a) > 1
        ws = sheets[1][title]
        if title == "Сводка":
            continue
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"


def test_writer_processes_leave_this_process_a_writer():
    from audit.report.outputs import report_processes

    assert report_processes(999, 8) == 0 and report_processes(10_000, 1) == 0
    assert report_processes(10_000, 2) == 1 and report_processes(10_000, 16) == 2


def test_a_writer_process_that_dies_leaves_its_files_to_this_process(tmp_path, monkeypatch):
    """A writer process killed mid-way (out of memory, a signal) costs time, not the report."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from audit.report import outputs

    class DeadPool:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def submit(self, *args):
            future: Future = Future()
            future.set_exception(BrokenProcessPool("killed"))
            return future

    monkeypatch.setattr(outputs, "ProcessPoolExecutor", DeadPool)
    report = report_document(HEAD, list(BODIES))
    written = outputs.write_reports(report, str(tmp_path), store=("unused.sqlite", 1), processes=2)
    assert list(written) == ["html", "tables", "json"]
    assert (tmp_path / "index.html").read_text(encoding="utf-8").count(
        '<section class="body"'
    ) == 40
    assert len(json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["entities"]) == 40


def test_reports_written_as_the_run_goes_are_the_reports_written_after_it(tmp_path, history):
    """The follower takes the bodies in registry order as they are stored, waiting at a gap (a
    body carried to the next batch is stored after the ones behind it), and finishes when
    handed the report's head: its files are the ones the writers make from the finished run."""
    import time

    from audit.report.follow import ReportFollower
    from audit.report.json_report import report_from_store
    from audit.report.outputs import write_reports
    from audit.store import Store

    followed, after = tmp_path / "followed", tmp_path / "after"
    followed.mkdir()
    after.mkdir()
    batches = [[0, 1, 2, *range(4, 10)], [3, *range(10, 15), *range(16, 20)], [15, *range(20, 40)]]
    with Store(history) as store:
        run_id = store.begin_run(RUN)
        follower = ReportFollower(history, run_id, str(followed), "ru")
        for batch in batches:
            for n in batch:
                store.save_body(run_id, n, BODIES[n])
            time.sleep(1.5)  # the follower reads what is stored: up to the gap
        store.finish_run(run_id, dict(HEAD))
        report = report_from_store(store, run_id)
        written = write_reports(
            report, str(followed), store=(history, run_id), processes=1, follower=follower
        )
        write_reports(report, str(after))
    assert follower.failure is None and not follower.process.is_alive()
    tables = ("report.csv", "report.xlsx", "junit.xml")
    assert written["tables"] == [str(followed / name) for name in tables]
    assert written["html"] == [str(followed / "index.html")]
    for name in ("report.csv", "junit.xml", "report.json", "index.html"):
        assert (followed / name).read_bytes() == (after / name).read_bytes(), name
    sheets = [load_workbook(d / "report.xlsx") for d in (followed, after)]
    for title in ("Сводка", "Нарушения и замечания", "Органы"):
        a, b = (list(wb[title].iter_rows(values_only=True)) for wb in sheets)
        assert a == b and len(a) > 1
    assert sorted(p.name for p in followed.iterdir()) == sorted(p.name for p in after.iterdir())


def _started(tmp_path, bodies: int):
    from audit.report.follow import ReportFollower
    from audit.store import Store

    db, out = str(tmp_path / "h.sqlite"), tmp_path / "out"
    out.mkdir()
    with Store(db) as store:
        run_id = store.begin_run(RUN)
        for n in range(bodies):
            store.save_body(run_id, n, BODIES[n])
    return ReportFollower(db, run_id, str(out), "ru"), out


def test_an_interrupted_run_leaves_no_reports_behind(tmp_path):
    import time

    follower, out = _started(tmp_path, 30)
    time.sleep(1.5)  # it has written rows by now
    follower.stop()
    assert not follower.process.is_alive() and list(out.iterdir()) == []


def test_the_follower_ends_when_the_auditor_is_gone(tmp_path):
    follower, out = _started(tmp_path, 30)
    follower.conn.close()  # as when the auditor is killed: its end of the pipe closes
    follower.process.join(30)
    assert follower.process.exitcode == 0 and list(out.iterdir()) == []


def test_reports_are_written_after_the_run_when_the_follower_failed(tmp_path):
    from audit.report.follow import ReportFollower
    from audit.report.json_report import report_from_store
    from audit.report.outputs import write_reports
    from audit.store import Store

    db = str(tmp_path / "h.sqlite")
    with Store(db) as store:
        run_id = finished_run(store)
        report = report_from_store(store, run_id)
        failing = ReportFollower(db, run_id, str(tmp_path / "no-such-dir"), "ru")
        out = tmp_path / "out"
        out.mkdir()
        written = write_reports(report, str(out), follower=failing)
    assert "FileNotFoundError" in failing.failure
    assert (out / "report.csv").read_text(encoding="utf-8").count("\n") > 40
    assert written["tables"][0] == str(out / "report.csv")
    assert written["html"] == [str(out / "index.html")]


def test_followed_index_gives_way_when_a_later_body_brings_a_platform(tmp_path):
    """The overview's columns are the platforms of the first body the follower saw; a body
    with another platform means index.html is rendered whole after the run instead."""
    from audit.checks import catalogue
    from audit.report.html import BodyPages

    first, later = body(0, ["pass"]), body(1, ["fail"])
    later["findings"][0]["platform"] = "ok"
    pages = BodyPages([c.to_json() for c in catalogue()], {}, str(tmp_path), "ru")
    pages.add(first)
    pages.add(later)
    report = report_document(HEAD, [first, later])
    assert pages.write(report, str(tmp_path)) is None
    assert not (tmp_path / "index.html").exists()


def test_report_json_is_read_back_a_body_at_a_time(tmp_path):
    """`read_json` of a written report.json gives the same report as `json.loads`, its bodies
    read again from the file on each pass; a report.json in another layout is read whole."""
    from audit.report.json_report import Bodies, read_json

    report = report_document(HEAD, list(BODIES), extras={"changes": None, "trend": []})
    path = write_json(report, str(tmp_path))
    whole = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    back = read_json(path)
    assert isinstance(back["entities"], Bodies)
    assert list(back["entities"]) == list(back["entities"]) == whole["entities"]
    assert {k: v for k, v in back.items() if k != "entities"} == {
        k: v for k, v in whole.items() if k != "entities"
    }
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(whole, ensure_ascii=False, indent=2), encoding="utf-8")
    assert read_json(str(pretty)) == whole
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something/else"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a pages-audit report"):
        read_json(str(other))


def test_the_summary_counted_as_bodies_are_stored_is_the_one_read_back(tmp_path):
    """A run's journal counts the summary and health as it stores each body, so the report
    need not read every body back for them; counted over fewer bodies than the run holds (a
    resumed run), they are read back."""
    from audit.report.json_report import report_from_store
    from audit.store import Store
    from audit.summary import Health, Summary

    def tally(bodies) -> tuple[Summary, Health]:
        counted = Summary(), Health()
        for b in bodies:
            counted[0].add(b)
            counted[1].add(b)
        return counted

    def head(report: dict) -> dict:
        return {k: v for k, v in report.items() if k != "entities"}

    with Store(str(tmp_path / "h.sqlite")) as store:
        run_id = finished_run(store)
        read_back = head(report_from_store(store, run_id))
        assert read_back["summary"]["bodies"] == len(BODIES)
        assert head(report_from_store(store, run_id, tally(BODIES))) == read_back
        # what was counted is what the report says: the bodies are not read for it
        same_count = tally([BODIES[1]] * len(BODIES))
        used = head(report_from_store(store, run_id, same_count))
        assert used["summary"] == same_count[0].to_json() != read_back["summary"]
        # counted over some of the bodies only: read back
        assert head(report_from_store(store, run_id, tally(BODIES[:5]))) == read_back


def test_bodies_past_a_gap_are_prepared_and_written_as_after_the_run(tmp_path, monkeypatch):
    """The follower's loop, driven here: the bodies stored past one still out (its pages wait
    for the next batch) are prepared while it waits — the report site's rows and cards, the
    tables' lines and cells — and written once it is in; the files are the ones written from
    the finished run, a parent in the XLSX named only when it came before in registry order."""
    from audit.checks import in_force
    from audit.plan import SITE_FROM
    from audit.report import follow
    from audit.report.formats import FORMATS, Output, write_format
    from audit.report.json_report import report_from_store
    from audit.store import Store

    monkeypatch.setattr(follow, "AHEAD", 12)  # the window of prepared bodies fills and moves
    bodies = [body(n, ["pass", "fail", "n/a", "error", "waived"][: 1 + n % 5]) for n in range(60)]
    bodies[9]["parent"], bodies[30]["parent"] = "b25", "b6"  # later, earlier than the body
    batches = [[0, 1, 2, 3, *range(8, 20)], [*range(20, 31), 4, 5], [6, 7, *range(31, 60)]]
    prepared = []
    with Store(str(tmp_path / "h.sqlite")) as store:
        run_id = store.begin_run(RUN)

        class Auditor:  # the pipe from the auditor: each look stores the next batch
            def poll(self, timeout):
                if batches:
                    for n in batches.pop(0):
                        store.save_body(run_id, n, bodies[n])
                    return False
                return True

            def recv(self):
                store.finish_run(run_id, dict(HEAD))
                report = report_from_store(store, run_id)
                return "close", {k: v for k, v in report.items() if k != "entities"}

        checks = [c.to_json() for c in in_force(())]
        outputs = {}
        for name in ("followed", "after"):
            (tmp_path / name).mkdir()
            outputs[name] = Output(str(tmp_path / name), "ru", checks, {}, None, SITE_FROM)
        sinks = [fmt.open(outputs["followed"]) for fmt in FORMATS if fmt.streams]
        for sink in sinks:
            real = sink.prepare
            sink.prepare = lambda b, real=real: prepared.append(b["id"]) or real(b)
        head = follow._take(Auditor(), store, run_id, sinks)
        for sink in sinks:
            assert sink.close(head) is not None
        report = report_from_store(store, run_id)
        for fmt in FORMATS:
            if fmt.streams:
                write_format(fmt, report, outputs["after"])
    assert {f"b{n}" for n in range(8, 20)} <= set(prepared)  # past the gap at 4
    followed, after = tmp_path / "followed", tmp_path / "after"
    files = sorted(p.relative_to(after) for p in after.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(followed) for p in followed.rglob("*") if p.is_file())
    assert len(files) > 4  # the site's pages and the tables
    for name in files:
        if name.suffix != ".xlsx":
            assert (followed / name).read_bytes() == (after / name).read_bytes(), name
    sheets = [load_workbook(d / "report.xlsx") for d in (followed, after)]
    for title in ("Сводка", "Нарушения и замечания", "Органы"):
        a, b = (list(wb[title].iter_rows(values_only=True)) for wb in sheets)
        assert a == b and len(a) > 1
    parents = {row[0]: row[4] for row in sheets[0]["Органы"].iter_rows(values_only=True)}
    assert parents["b9"] == "b25" and parents["b30"] == "Орган 6 (b6)"
