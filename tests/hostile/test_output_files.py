"""Output files: one notice letter per body whatever its id, every HTML output inert, and no
planted link in the output directory is ever written through."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import cli

OFFLINE = ["--isolated", "--no-canaries", "--no-reference-sites", "--retries", "0"]
IDS = ["a/b", "a_b", "a:b", "Администрация", "x" * 90, "index", "A1", "a1", "con", "abc--1"]
RLO = "\u202e"


def registry(path: Path) -> Path:
    """Bodies the registry declares without a website: a violation each, with no network."""
    rows = [
        f"  - {{id: {json.dumps(i)}, name: {json.dumps(f'Администрация {n} {RLO}gpj.exe')}, "
        "kind: rural_settlement, website: none}"
        for n, i in enumerate(IDS)
    ]
    path.write_text("entities:\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_one_letter_per_body_whatever_the_ids(tmp_path):
    out = tmp_path / "out"
    proc = cli("run", registry(tmp_path / "r.yaml"), "--out", out, *OFFLINE)
    assert proc.returncode == 1, proc.stderr
    proc = cli("notices", "--out", out)
    assert proc.returncode == 0, proc.stderr
    letters = sorted(p for p in (out / "notices").glob("*.html") if p.name != "index.html")
    assert len(letters) == len(IDS)
    for ident in IDS:  # each body's letter is its own
        holding = [p for p in letters if ident in p.read_text("utf-8")]
        assert holding, ident
    assert (out / "notices" / "a_b.html").is_file()  # a plain id keeps its name
    index = (out / "notices" / "index.html").read_text(encoding="utf-8")
    assert index.count('<tr><td class="num">') == len(IDS) and RLO not in index
    for path in [*letters, out / "index.html"]:
        assert RLO not in path.read_text(encoding="utf-8"), path


def test_planted_links_are_never_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    out = tmp_path / "out"
    (out / "notices").mkdir(parents=True)
    planted = [
        "report.json.tmp",
        "index.html.tmp",
        "report.csv.tmp",
        "report.xlsx.tmp",
        "junit.xml.tmp",
        "notices/a_b.html.tmp",
        "notices/index.html.tmp",
    ]
    for name in planted:
        (out / name).symlink_to(victim)
    proc = cli("run", registry(tmp_path / "r.yaml"), "--out", out, *OFFLINE)
    assert proc.returncode == 1, proc.stderr
    assert cli("notices", "--out", out).returncode == 0
    assert cli("report", out).returncode == 0
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["summary"]
    left = [p.name for p in out.rglob("*.tmp") if not p.is_symlink()]
    assert left == []  # the temporary files are gone once the outputs are in place
    probe = tmp_path / "probe"
    probe.touch()  # outputs are as readable as any file the umask allows
    for name in ("report.json", "index.html", "report.csv", "report.xlsx", "junit.xml"):
        assert (out / name).stat().st_mode & 0o777 == probe.stat().st_mode & 0o777, name
