"""The configuration file: a command's options written once, for a nightly job.

`pages-audit.toml` in the working directory (or `[tool.pages-audit]` in its pyproject.toml, or
the file `--config FILE` names) holds a table per command — `[run]`, `[demo]`, `[selfcheck]`,
`[evaluate]`, `[notices]` … — whose keys are that command's long options without the dashes
(`out`, `platforms`, `connect-timeout`, `archive = true`, `connect-to = ["…"]`). What the command
line gives wins over the file; secrets stay in the environment (VK_TOKEN, OK_*, a database
password in PGPASSWORD), never in the file. A key the command does not have, or a value of the
wrong type, is an error naming the file, its line and the key (exit 2)."""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

from audit.exits import UsageError

FILE = "pages-audit.toml"


def config_path(argv: list[str]) -> tuple[str | None, list[str]]:
    """The file `--config` names (and argv without it), else the default file when present."""
    rest, named = [], None
    it = iter(argv)
    for arg in it:
        if arg == "--config":
            named = next(it, None)
            if named is None:
                raise UsageError("--config needs a file")
        elif arg.startswith("--config="):
            named = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    if named is not None:
        if not Path(named).is_file():
            raise UsageError(f"--config {named}: no such file")
        return named, rest
    if Path(FILE).is_file():
        return FILE, rest
    if Path("pyproject.toml").is_file():
        try:
            doc = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return None, rest
        if "pages-audit" in doc.get("tool", {}):
            return "pyproject.toml", rest
    return None, rest


def load_tables(path: str) -> tuple[dict, str]:
    text = Path(path).read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    if Path(path).name == "pyproject.toml":
        doc = doc.get("tool", {}).get("pages-audit", {})
    return doc, text


def line_of(text: str, table: str, key: str) -> int:
    """The line of `key` in `[table]` (tomllib gives no positions): the first such assignment
    after the table's header."""
    lines = text.splitlines()
    header = re.compile(rf"^\s*\[\s*(?:tool\.pages-audit\.)?{re.escape(table)}\s*\]")
    assign = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    start = next((n for n, line in enumerate(lines) if header.match(line)), 0)
    return next((n + 1 for n in range(start, len(lines)) if assign.match(lines[n])), start + 1)


def apply(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """Give the command's parser the file's values as defaults; argv without `--config`."""
    path, argv = config_path(argv)
    if path is None:
        return argv
    command = next((a for a in argv if not a.startswith("-")), None)
    commands = _commands(parser)
    tables, text = load_tables(path)
    problems = []
    for table, values in tables.items():
        if table not in commands or not isinstance(values, dict):
            known = ", ".join(sorted(commands))
            problems.append(f"{path}:{line_of(text, table, table)}: [{table}]: not a command "
                            f"(known: {known})")  # fmt: skip
    if problems:
        raise UsageError("\n".join(problems))
    if command not in tables:
        return argv
    sub = commands[command]
    by_key = {
        a.option_strings[-1][2:]: a
        for a in sub._actions
        if a.option_strings and a.option_strings[-1].startswith("--") and a.dest != "help"
    }
    defaults = {}
    for key, value in tables[command].items():
        where = f"{path}:{line_of(text, command, key)}: {command}.{key}"
        action = by_key.get(key)
        if action is None:
            problems.append(f"{where}: not an option of {command} (known: {', '.join(by_key)})")
            continue
        try:
            defaults[action.dest] = _value(action, value)
        except (TypeError, ValueError, argparse.ArgumentTypeError) as exc:
            problems.append(f"{where}: {exc}")
            continue
        action.required = False  # given by the file
    if problems:
        raise UsageError("\n".join(problems))
    sub.set_defaults(**defaults)
    return argv


def _value(action: argparse.Action, value):
    if action.nargs == 0:  # a switch: --archive, --quiet
        if not isinstance(value, bool):
            raise TypeError(f"expected true or false, got {value!r}")
        return value
    if isinstance(action, argparse._AppendAction) or action.nargs in ("+", "*"):
        if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
            raise TypeError(f"expected a list, got {value!r}")
        return [_one(action, v) for v in value]
    if isinstance(value, bool | list | dict):
        raise TypeError(f"expected a single value, got {value!r}")
    return _one(action, value)


def _one(action: argparse.Action, value):
    converted = action.type(str(value)) if action.type is not None else str(value)
    if action.choices is not None and converted not in action.choices:
        raise ValueError(f"{value!r} is not one of {', '.join(map(str, action.choices))}")
    return converted


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}
