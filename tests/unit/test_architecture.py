"""The package's shape, read from its source with `ast`: every import (function-level ones
included; type-only ones left out) points down the layers of docs/architecture.md, there is no
import circle, and the library never prints (only the command line does)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "audit"
PRINTERS = ("audit.cli", "audit.__main__")  # and the modules of the audit.cli package
# a platform's folder: its descriptor and address grammar are pure values; these modules collect
PLATFORM_WORK = ("api", "answers", "pages", "html", "collector", "design", "comments")
PLATFORM_FOLDERS = ("vk", "ok", "telegram")
# bottom first; a module belongs to the layer of its longest listed prefix
LAYERS = (
    (
        "audit",
        "audit.model",
        "audit.urls",
        "audit.platforms",
        "audit.pageurls",
        "audit.evidence",
        "audit.encodings",
        "audit.fetched",
        "audit.rudates",
        "audit.textfacts",
        "audit.yamlsrc",
        "audit.policy",
        "audit.waivers",
        "audit.registry",
        "audit.importer",
        "audit.exits",
        "audit.plan",
        "audit.shard",
        "audit.logs",
        "audit.russian",
        "audit.signals",
        "audit.net",
        "audit.streams",
        "audit.interstitials",
    ),
    (
        "audit.transport",
        "audit.fetch",
        "audit.archive",
        "audit.links",
        "audit.widgets",
        "audit.observations",
        "audit.serialize",
        "audit.vantage",
        "audit.canaries",
    ),
    (
        "audit.collect",
        *(f"audit.platforms.{p}.{m}" for p in PLATFORM_FOLDERS for m in PLATFORM_WORK),
    ),
    ("audit.checks", "audit.evaluate", "audit.summary"),
    ("audit.store", "audit.codec", "audit.history"),
    ("audit.report",),
    ("audit.runner",),
    ("audit.pipeline",),
    ("audit.cli", "audit.__main__", "audit.world"),
)


def modules() -> dict[str, ast.Module]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"))
    return out


def runtime_nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:` (imports for annotations only)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            continue
        yield node
        yield from runtime_nodes(node)


def imports(tree: ast.Module, known: set[str]) -> set[str]:
    found = set()
    for node in runtime_nodes(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(n for n in names if n in known)
    return found


def layer(module: str) -> int:
    matches = [
        (len(prefix), level)
        for level, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    assert matches, f"{module} is in no layer: add it to LAYERS and docs/architecture.md"
    return max(matches)[1]


def test_imports_point_down_the_layers():
    trees = modules()
    upward = sorted(
        f"{name} -> {target}"
        for name, tree in trees.items()
        for target in imports(tree, set(trees))
        if layer(target) > layer(name)
    )
    assert upward == []


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
