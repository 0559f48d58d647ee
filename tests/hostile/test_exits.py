"""A nightly job can tell a crash from a result: an internal error exits 4 with one line
naming where the details are (no secret in them); Ctrl-C or SIGTERM at any moment, imports
included, exits 130 without a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT

TOKEN = "vk1.a.CRASH-TEST-TOKEN-0123456789"


def test_an_internal_error_exits_4_with_one_line_and_a_scrubbed_report(tmp_path):
    # a real process, the real entry point, one check module broken on purpose
    code = (
        "import audit.cli.outputs, audit.__main__ as entry\n"
        "audit.cli.outputs.cmd_checks = lambda args: 1 / 0\n"
        "raise SystemExit(entry.main(['checks']))\n"
    )
    env = {**os.environ, "VK_TOKEN": TOKEN, "TMPDIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 4, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "internal error (ZeroDivisionError)" in lines[0]
    assert "Traceback" not in proc.stderr
    (report,) = tmp_path.glob("pages-audit-crash-*.txt")
    assert str(report) in lines[0]
    text = report.read_text(encoding="utf-8")
    assert "ZeroDivisionError" in text and TOKEN not in text


def test_crash_report_scrubs_database_passwords(tmp_path, monkeypatch):
    import tempfile

    import audit.__main__ as entry

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    try:
        raise RuntimeError("cannot use postgresql://u:DB-SECRET-99@h/d")
    except RuntimeError:
        path = entry.crash_report(["runs", "--db", "postgresql://u:DB-SECRET-99@h/d"])
    text = Path(path).read_text(encoding="utf-8")
    assert "RuntimeError" in text and "DB-SECRET-99" not in text


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("after", [0.15, 0.4, 1.0])
def test_an_interruption_in_the_first_second_exits_130_quietly(tmp_path, sig, after):
    proc = subprocess.Popen(
        [sys.executable, "-m", "audit", "run", "registry/courts.yaml", "--out", tmp_path,
         "--isolated", "--no-canaries", "--no-reference-sites"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(after)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err


def _entry_module(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    """`python -m` a module that replaces the command by `body` (a function of argv) and calls
    the real entry point: the interpreter's exit path is the one `python -m audit` takes."""
    (tmp_path / "entry_under_test.py").write_text(
        "import audit.cli, audit.__main__ as entry\n"
        f"{body}\n"
        "audit.cli.main = command\n"
        "raise SystemExit(entry.main(['checks']))\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "entry_under_test"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_an_interruption_that_ended_a_string_exec_still_exits_130(tmp_path):
    # dataclasses build their methods with exec: a Ctrl-C during an import can end one, and
    # CPython then kills a `python -m` process with SIGINT whatever code it exits with
    proc = _entry_module(tmp_path, "def command(argv):\n    exec('raise KeyboardInterrupt', {})\n")
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "pages-audit: interrupted\n"


def test_an_interruption_python_had_to_drop_still_stops_the_command(tmp_path):
    # a Ctrl-C that lands in a finalizer is dropped by Python ("Exception ignored"): the
    # command would run to its end; it is raised again instead
    proc = _entry_module(
        tmp_path,
        "import time, weakref\n"
        "class Thing: pass\n"
        "def command(argv):\n"
        "    thing = Thing()\n"
        "    def finalizer(_ref): raise KeyboardInterrupt\n"
        "    ref = weakref.ref(thing, finalizer)\n"
        "    del thing\n"
        "    end = time.monotonic() + 10\n"
        "    while time.monotonic() < end: pass\n"
        "    print('finished')\n"
        "    return 0\n",
    )
    assert proc.returncode == 130, proc.stderr
    assert "finished" not in proc.stdout
    assert proc.stderr == "pages-audit: interrupted\n"


def test_other_unraisable_errors_are_still_reported_and_the_hook_is_given_back():
    from audit.signals import interrupts_kept

    class Thing:
        def __del__(self):
            raise ValueError("in a finalizer")

    seen, before = [], sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        with interrupts_kept():
            Thing()
        assert [type(u.exc_value) for u in seen] == [ValueError]
        assert sys.unraisablehook == seen.append
    finally:
        sys.unraisablehook = before


INTERRUPT_IN_LXML_START = """
import abc, signal, sys
register = abc.ABCMeta.register
def register_and_interrupt(cls, subclass):
    if subclass.__name__ == "_memoryviewslice":  # lxml.etree's start, under a bare except
        print("signalled")
        signal.raise_signal(signal.SIG{sig})
    return register(cls, subclass)
abc.ABCMeta.register = register_and_interrupt
import audit.__main__  # its handlers: SIGTERM becomes Ctrl-C
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, audit.__main__._interrupt)
from audit.signals import extension_imports_held
try:
    with extension_imports_held():
        import lxml.etree
except KeyboardInterrupt:
    print("interrupted")
    sys.exit(0)
print("imported", lxml.etree.LXML_VERSION)
"""


@pytest.mark.parametrize("sig", ["INT", "TERM"])
def test_an_interruption_while_an_extension_module_starts_is_not_swallowed(sig):
    # Cython's code for lxml.etree's start drops any exception in one place: a Ctrl-C landing
    # there would let the run go on to its end; it takes effect once the module has started
    proc = subprocess.run(
        [sys.executable, "-c", INTERRUPT_IN_LXML_START.replace("{sig}", sig)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.stdout.split() == ["signalled", "interrupted"], proc.stderr
