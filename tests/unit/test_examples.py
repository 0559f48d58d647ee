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
EXAMPLES = sorted([*(ROOT / "docs").glob("nightly-*.yml"), *(ROOT / "docs").glob("national-*.yml")])
# what the CI systems fill in when the job runs
CI_VALUES = {
    "${{ matrix.shard }}": "2",
    "$CI_NODE_INDEX": "2",
    "$CI_NODE_TOTAL": "4",
    '"$PAGES_AUDIT_DB"': "postgresql://audit@db.example.ru/pages_audit",
}


def commands(path: Path) -> list[list[str]]:
    yaml.safe_load(path.read_text(encoding="utf-8"))  # valid YAML first
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    for name, value in CI_VALUES.items():
        text = text.replace(name, value)
    found = []
    for line in re.findall(r"^\s*(?:-\s*|run:\s*)?(pages-audit\s.+?)(?:\s+#.*)?$", text, re.M):
        for piece in line.split("||"):  # `a || b`: both are commands (`|| true` is not)
            if piece.strip().startswith("pages-audit "):
                found.append(shlex.split(piece)[1:])
    return found


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


def test_the_national_examples_split_into_shards_and_merge(monkeypatch):
    """Each national example: shard jobs whose K/N covers 1..N (N the matrix's or parallel's
    size), a resume of the same shard, and a merge of the latest shards of the same history."""
    monkeypatch.chdir(ROOT)
    github = yaml.safe_load((ROOT / "docs/national-github.yml").read_text(encoding="utf-8"))
    gitlab = yaml.safe_load((ROOT / "docs/national-gitlab.yml").read_text(encoding="utf-8"))
    matrix = github["jobs"]["shard"]["strategy"]["matrix"]["shard"]
    assert matrix == list(range(1, len(matrix) + 1)) and gitlab["shard"]["parallel"] == len(matrix)
    assert github["jobs"]["merge"]["needs"] == "shard"
    for path in (ROOT / "docs/national-github.yml", ROOT / "docs/national-gitlab.yml"):
        parsed = [build_parser().parse_args(argv) for argv in commands(path)]
        runs = [a for a in parsed if a.command == "run"]
        assert {str(a.shard) for a in runs} == {f"2/{len(matrix)}"}
        assert [a.resume for a in runs] == [False, True]
        assert {a.db for a in runs} == {"postgresql://audit@db.example.ru/pages_audit"}
        merge = next(a for a in parsed if a.command == "report")
        assert merge.db == runs[0].db and merge.runs == "latest-shards" and merge.out


def test_the_example_policy_loads():
    policy = load_policy(str(ROOT / "docs/examples/policy.yaml"), regional=regional_requirements())
    assert policy.platforms == "any" and policy.site_down_confirm_runs == 2


def test_the_actions_audit_step_runs_a_command_the_parser_takes(tmp_path):
    """The composite action's audit step, run as the script it is with its inputs filled in
    (pages-audit replaced by a recorder): the command it builds is one the parser accepts."""
    import subprocess

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "audit")
    inputs = {k: v.get("default", "") for k, v in action["inputs"].items()}
    inputs |= {"registry": "registry/courts.yaml", "policy": "docs/examples/policy.yaml"}
    script = re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m.group(1)], step["run"])
    recorder = f'pages-audit() {{ printf "%s\\n" "$@" > "{tmp_path}/args"; }}\n'
    done = subprocess.run(["bash", "-c", recorder + script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    argv = (tmp_path / "args").read_text(encoding="utf-8").splitlines()
    args = build_parser().parse_args(argv)
    assert args.registry == ["registry/courts.yaml"] and args.fail_on == "violation"
    assert args.policy == "docs/examples/policy.yaml" and args.out == "report"


def test_the_dockerfile_installs_extras_that_exist_and_runs_the_console_script():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    extras = re.search(r"\[([\w,]+)\]\"", docker).group(1).split(",")
    assert set(extras) <= set(project["optional-dependencies"])
    assert 'ENTRYPOINT ["pages-audit"]' in docker and "pages-audit" in project["scripts"]
