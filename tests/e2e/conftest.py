"""End-to-end fixtures: the simulated web on 127.0.0.1 and a runner for the real CLI."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--timeout", "1", "--connect-timeout", "1", "--total-timeout", "3", "--retries", "1"]


def cli(*args, cwd=ROOT, timeout=120, env=None):
    """Run `python -m audit ...` as a separate process, like a user or a nightly job would.

    API credentials are taken out of the inherited environment: a test sets them when it wants
    the API."""
    secrets = ("VK_TOKEN", "OK_APP_KEY", "OK_APP_SECRET", "OK_ACCESS_TOKEN")
    environ = {k: v for k, v in os.environ.items() if k not in secrets}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "audit", *map(str, args)],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def load_report(out_dir):
    return json.loads((Path(out_dir) / "report.json").read_text(encoding="utf-8"))


def one_body(tmp_path, entity: str, *more: str):
    """A registry file holding bodies given as YAML flow mappings."""
    reg = tmp_path / "one.yaml"
    lines = "".join(f"  - {e}\n" for e in (entity, *more))
    reg.write_text(f"entities:\n{lines}", encoding="utf-8")
    return reg
