"""The package's shape, read from its source with `ast`: no import circle (function-level
imports included), and the library never prints (only the command line does)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "audit"
PRINTERS = ("audit.cli", "audit.__main__")  # and the modules of the audit.cli package


def modules() -> dict[str, ast.Module]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"))
    return out


def imports(tree: ast.Module, known: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(n for n in names if n in known)
    return found


def test_no_import_circle():
    trees = modules()
    graph = {name: imports(tree, set(trees)) - {name} for name, tree in trees.items()}
    # a package's __init__ importing its own submodules is not a circle of the layers
    graph = {
        name: {t for t in targets if not t.startswith(name + ".")}
        for name, targets in graph.items()
    }
    visiting: list[str] = []
    done: set[str] = set()
    circles = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            circles.append([*visiting[visiting.index(name) :], name])
            return
        visiting.append(name)
        for target in sorted(graph[name]):
            visit(target)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    assert circles == []


def test_the_library_never_prints():
    printing = sorted(
        name
        for name, tree in modules().items()
        if not name.startswith(PRINTERS)
        and any(
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "print"
            for node in ast.walk(tree)
        )
    )
    assert printing == []


def test_checks_store_and_reports_load_without_the_http_stack():
    """A report writer process imports what it uses: not httpx, httpcore, bs4 or lxml (they
    cost a writer ~0.16 s at every start)."""
    import subprocess
    import sys

    code = (
        "import sys, audit.checks, audit.store, audit.report.outputs, audit.report.notices\n"
        "print(sorted(m for m in ('httpx', 'httpcore', 'bs4', 'lxml', 'audit.fetch') "
        "if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PACKAGE.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.strip() == "[]"
