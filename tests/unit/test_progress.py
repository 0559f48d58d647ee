"""Off a terminal a run says how far it is, now and then, in one plain line."""

from __future__ import annotations

from types import SimpleNamespace

from audit.cli.progress import ProgressLines, TerminalBar, progress


def result(error: bool = False):
    status = SimpleNamespace(value="error" if error else "pass")
    return SimpleNamespace(findings=[SimpleNamespace(status=status)])


def test_a_line_every_period_with_rate_errors_and_time_left(monkeypatch):
    monkeypatch.delenv("PAGES_AUDIT_PROGRESS_SECONDS", raising=False)
    now = [100.0]
    lines: list[str] = []
    bar = ProgressLines(1000, clock=lambda: now[0], write=lines.append)
    bar.update(100)  # a resumed run: 100 bodies were done before
    for n in range(200):
        now[0] += 0.04  # 25 bodies a second
        bar.advance(result(error=n % 10 == 0))
    assert len(lines) == 0  # 8 s: not yet
    for _ in range(100):
        now[0] += 0.04
        bar.advance(result())
    assert lines == [
        "pages-audit: 350 of 1000 bodies (35 %), 25.0 bodies/s, "
        "20 not fully checked so far, about 26 s left"
    ]


def test_where_the_output_goes(monkeypatch):
    assert progress(10, quiet=True) is None
    monkeypatch.setenv("CI", "true")
    assert isinstance(progress(10, quiet=False), ProgressLines)
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    assert isinstance(progress(10, quiet=False), TerminalBar)
