"""The command line as a contract: every option says what it is for, and none is taken by an
abbreviation of it."""

from __future__ import annotations

import argparse

import pytest

from audit.cli.parser import build_parser


def parsers(parser: argparse.ArgumentParser, path=()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, (*path, name))


def test_every_option_and_argument_has_help():
    missing = [
        (" ".join(path), a.option_strings or a.dest)
        for path, parser in parsers(build_parser())
        for a in parser._actions
        if a.help is None and not isinstance(a, argparse._HelpAction | argparse._SubParsersAction)
    ]
    assert missing == []


def test_no_option_is_taken_by_an_abbreviation(capsys):
    for path, parser in parsers(build_parser()):
        assert parser.allow_abbrev is False, path
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["run", "r.yaml", "--out", "o", "--platform", "vk"])
    assert exit_.value.code == 2
    assert "--platform" in capsys.readouterr().err


@pytest.mark.parametrize("shell", ["bash", "zsh", "tcsh"])
def test_the_completion_script_knows_every_command(shell, capsys):
    from audit.cli import main

    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    for path, _ in parsers(build_parser()):
        if path:
            assert path[-1] in script, (shell, path)
    assert shell == "tcsh" or "--platforms" in script  # tcsh completes commands only
