"""pages-audit.toml: a command's options written once; the command line wins; a wrong key or
value is named with its file and line."""

from __future__ import annotations

import pytest

from audit.cli import config, main
from audit.cli.parser import build_parser
from audit.exits import UsageError

FILE = """# the nightly audit
[run]
out = "reports/nightly"
platforms = "both"
connect-timeout = 2.5
archive = true
connect-to = ["a.ru:443:127.0.0.1:8443"]
"""


def parsed(argv):
    parser = build_parser()
    return parser.parse_args(config.apply(parser, argv))


def test_the_file_gives_a_commands_options_and_the_command_line_wins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pages-audit.toml").write_text(FILE, encoding="utf-8")
    args = parsed(["run", "r.yaml"])  # --out is required, and the file gives it
    assert (args.out, args.platforms, args.connect_timeout) == ("reports/nightly", "both", 2.5)
    assert args.archive is True and args.connect_to == ["a.ru:443:127.0.0.1:8443"]
    args = parsed(["run", "r.yaml", "--platforms", "vk", "--out", "elsewhere"])
    assert (args.out, args.platforms) == ("elsewhere", "vk")
    assert parsed(["validate", "r.yaml"]).paths == ["r.yaml"]  # no [validate]: untouched


def test_config_names_another_file_and_pyproject_holds_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nightly.toml").write_text('[run]\nout = "n"\n', encoding="utf-8")
    assert parsed(["run", "r.yaml", "--config", "nightly.toml"]).out == "n"
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.pages-audit.run]\nout = "p"\n', encoding="utf-8"
    )
    assert parsed(["run", "r.yaml"]).out == "p"
    with pytest.raises(UsageError, match="no such file"):
        parsed(["run", "r.yaml", "--config", "missing.toml"])


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            '[run]\nout = "o"\n\nplatform = "vk"\n',
            "pages-audit.toml:4: run.platform: not an option",
        ),
        ('[run]\narchive = "yes"\n', "pages-audit.toml:2: run.archive: expected true or false"),
        ('[run]\nplatforms = "max"\n', "pages-audit.toml:2: run.platforms: must be one of"),
        ('[run]\nlang = "de"\n', "pages-audit.toml:2: run.lang: 'de' is not one of ru, en"),
        ('[runn]\nout = "o"\n', "pages-audit.toml:1: [runn]: not a command"),
        ("[run\n", "pages-audit.toml: not valid TOML"),
    ],
)
def test_a_wrong_key_or_value_is_named_with_its_line(tmp_path, monkeypatch, capsys, text, said):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pages-audit.toml").write_text(text, encoding="utf-8")
    assert main(["run", "r.yaml"]) == 2
    assert said in capsys.readouterr().err
