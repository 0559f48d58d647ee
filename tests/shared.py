"""The real-world corpus: pages and API answers nobody on this project wrote, read from
../shared/data/realworld/ beside the checkout (never copied into the project)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
REALWORLD = SHARED / "realworld"
VK_API_SCHEMA = SHARED / "reference" / "vk-api-schema"


def realworld(relative: str) -> str:
    path = REALWORLD / relative
    if not path.is_file():
        pytest.skip(f"{path}: the shared real-world corpus is not beside the checkout")
    return path.read_text(encoding="utf-8", errors="replace")


def realworld_names(folder: str) -> list[str]:
    directory = REALWORLD / folder
    return sorted(p.name for p in directory.iterdir()) if directory.is_dir() else []
