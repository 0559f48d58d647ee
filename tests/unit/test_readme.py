"""The README's command reference cannot drift from the parser: every command is in its table,
and every option of every command is named somewhere in it."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from audit.cli.parser import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands(parser, path=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from commands(sub, (*path, name))


def test_every_command_is_in_the_reference_table():
    table = [line for line in README.splitlines() if line.startswith("| `")]
    for path, _ in commands(build_parser()):
        assert any(line.startswith(f"| `{' '.join(path)}") for line in table), path


def test_every_option_is_documented():
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-v)\b", README))
    missing = {
        (" ".join(path), option)
        for path, parser in [((), build_parser()), *commands(build_parser())]
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option not in ("--help", "--version") and option not in named
    }
    assert not missing, sorted(missing)
