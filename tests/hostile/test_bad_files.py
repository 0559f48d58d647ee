"""Bad files give `file:line` (or the file and the reason) and exit 2, never a traceback:
waivers with a time stamp or a list where one value goes, a policy of .nan and .inf, and the
tables `registry import` meets in the wild."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import cli

WAIVERS = (
    "waivers:\n"
    '  - {entity: "99610402", check: page.community, reason: r, approved_by: a,\n'
    "     expires: 2027-03-01T10:00:00}\n"
    "  - {entity: [e1], check: site.exists, reason: r, approved_by: a, expires: 2027-03-01}\n"
)


def test_waiver_time_stamps_and_lists_are_refused_before_any_request(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(WAIVERS, encoding="utf-8")
    proc = cli("run", "registry/demo.yaml", "--out", tmp_path / "out", "--waivers", path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{path}:3: expires: expected a date" in proc.stderr
    assert f"{path}:4: entity: expected one text value" in proc.stderr
    assert not (tmp_path / "out" / "history.sqlite").exists()  # nothing was started


def test_policy_numbers_must_be_finite(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("min_posts_per_week: .nan\nlast_post_fail_days: .inf\n", encoding="utf-8")
    proc = cli("run", "registry/demo.yaml", "--out", tmp_path / "out", "--policy", path)
    assert proc.returncode == 2
    assert f"{path}:1: min_posts_per_week: expected a finite number" in proc.stderr
    assert f"{path}:2: last_post_fail_days: expected a finite number" in proc.stderr


TABLES = {
    "truncated.xlsx": (b"PK\x03\x04 cut short", "not a readable XLSX file"),
    "encrypted.xlsx": (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600), "not a readable XLSX"),
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
    "five.json": (b'{"entities": 5}', "expected a list of rows"),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_unreadable_tables_are_named_with_the_reason(tmp_path, name):
    data, reason = TABLES[name]
    path = tmp_path / name
    path.write_bytes(data)
    proc = cli("registry", "import", path, "--out", tmp_path / "r.yaml")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{path}: cannot read the table" in proc.stderr and reason in proc.stderr


CSV_ROWS = [["ОКТМО", "Наименование", "Сайт"], ["99610402", "Администрация поселения", "a.ru"]]


@pytest.mark.parametrize(
    "name, data",
    [
        ("utf16.csv", "\n".join(";".join(r) for r in CSV_ROWS).encode("utf-16")),
        ("onecol.csv", "Наименование\nАдминистрация поселения\n".encode()),
        (
            "long.csv",
            ("ОКТМО;Наименование;Сайт\n99610402;" + "А" * 8000 + ";a.ru\n").encode(),
        ),
    ],
)
def test_tables_in_the_wild_are_read(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "r.yaml"
    proc = cli("registry", "import", path, "--out", out, "--kind", "rural_settlement")
    assert "Traceback" not in proc.stderr and "cannot read" not in proc.stderr, proc.stderr
    if name == "onecol.csv":  # read; its row has no id to import it by, and says so
        assert proc.returncode == 2 and ":row 2: id:" in proc.stdout + proc.stderr
        return
    assert proc.returncode == 0, proc.stderr
    assert "99610402" in out.read_text(encoding="utf-8")
    assert json.dumps("a.ru")[1:-1] in out.read_text(encoding="utf-8")
