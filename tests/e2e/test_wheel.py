"""The package as a user installs it: the wheel built from this tree, installed into a fresh
virtual environment outside the repository, runs the demo in an empty directory. The wheel is
built without build isolation (no package index during the tests); the fresh environment
borrows this one's dependencies through a path file, not its editable `audit`."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e


def run(*args, cwd=None, timeout=300):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("wheel")
    built = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--no-index", "-w", str(base / "dist"), str(ROOT),
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    assert "would be ignored" not in built.stdout + built.stderr
    (wheel,) = (base / "dist").glob("pages_audit-*.whl")
    env_dir = base / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    ours = sysconfig.get_paths()["purelib"]  # the dependencies, as plain path entries
    (Path(site.stdout.strip()) / "dependencies.pth").write_text(ours + "\n", encoding="utf-8")
    got = run(str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel))
    assert got.returncode == 0, got.stdout + got.stderr
    return env_dir, wheel


def test_the_wheel_ships_every_package_and_file(installed):
    import zipfile

    _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "audit/platforms/vk/urls.py",
        "audit/store/schema.py",
        "audit/registry/entity.py",
        "audit/report/formats.py",
        "audit/templates/report.html.j2",
        "audit/world/scenarios/demo.yaml",
        "audit/registries/demo.yaml",
        "audit/examples/sender.yaml",
    ):
        assert needed in names, needed


def test_the_installed_demo_runs_in_an_empty_directory(installed, tmp_path):
    env_dir, _ = installed
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run(str(env_dir / "bin" / "pages-audit"), "demo", "--out", "out", cwd=empty)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (empty / "out" / "index.html").is_file() and (empty / "out" / "report.xlsx").is_file()
    imported = run(
        str(env_dir / "bin" / "python"), "-c", "import audit; print(audit.__file__)", cwd=empty
    )
    assert str(env_dir) in imported.stdout, imported.stdout  # the wheel's code, not the checkout
    notices = list((empty / "out" / "notices").glob("*.html"))
    assert notices and "ПРОЕКТ" not in notices[0].read_text(encoding="utf-8")  # example sender


def test_without_the_world_extra_the_demo_names_it(tmp_path):
    blocked = (
        "import sys; sys.modules['trustme'] = None\n"  # as if the extra were not installed
        "from audit.__main__ import main\n"
        "raise SystemExit(main(sys.argv[1:]))"
    )
    for command in (["demo", "--out", str(tmp_path)], ["world"]):
        proc = run(sys.executable, "-c", blocked, *command, cwd=ROOT, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert "pip install 'pages-audit[world]'" in proc.stderr and "Traceback" not in proc.stderr
