"""The nightly examples in docs/ are commands that work: each `pages-audit` line parses with the
real parser and configuration file, and names files that exist; the example policy loads."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from audit.checks import regional_requirements
from audit.cli import config
from audit.cli.parser import build_parser
from audit.policy import load_policy

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "docs").glob("nightly-*.yml"))


def commands(path: Path) -> list[list[str]]:
    yaml.safe_load(path.read_text(encoding="utf-8"))  # valid YAML first
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    found = re.findall(
        r"^\s*(?:-\s*|run:\s*)?(pages-audit\s.+?)(?:\s*\|\|.*)?(?:\s+#.*)?$", text, re.M
    )
    return [shlex.split(c)[1:] for c in found]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_nightly_command_parses_and_names_files_that_exist(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    found = commands(path)
    assert len(found) >= 2, found  # the audit and the letters
    for argv in found:
        parser = build_parser()
        args = parser.parse_args(config.apply(parser, argv))
        for name in ("registry", "policy", "waivers", "sender"):
            for value in getattr(args, name, None) or []:
                if isinstance(value, str) and value.endswith((".yaml", ".yml")):
                    assert (ROOT / value).is_file(), (path.name, value)
            value = getattr(args, name, None)
            if isinstance(value, str):
                assert (ROOT / value).is_file(), (path.name, value)


def test_the_example_policy_loads():
    policy = load_policy(str(ROOT / "docs/examples/policy.yaml"), regional=regional_requirements())
    assert policy.platforms == "any" and policy.site_down_confirm_runs == 2
