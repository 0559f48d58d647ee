"""What the wheel ships: every package of audit/ is in pyproject's list (an editable install
finds a package missing from it; an installed wheel would not have it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_is_listed_for_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    mapped = set(config["tool"]["setuptools"]["package-dir"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "audit").rglob("__init__.py")
    }
    data = {
        ".".join(d.relative_to(ROOT).parts)
        for d in (ROOT / "audit").rglob("*")
        if d.is_dir() and d.name != "__pycache__" and not (d / "__init__.py").exists()
    }
    assert found <= listed, sorted(found - listed)
    assert data <= listed, sorted(data - listed)  # data folders too: no "would be ignored"
    assert listed - found - data == mapped, sorted(listed - found - data - mapped)
