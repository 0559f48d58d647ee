"""Bad input: every broken registry, policy or waiver file gets file:line: field: message and
exit 2; property-based tests of URL normalisation and the loader; link discovery fuzzed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.interstitials import classify
from audit.links import discover
from audit.pageurls import parse_page_url
from audit.registry import load_registry
from audit.world.scenario import SITES_DIR
from tests.e2e.conftest import cli

BAD_REGISTRIES = {
    "binary.yaml": (b"\x00\xff\xfe garbage \x00", "binary.yaml:0: file: not UTF-8"),
    "not_yaml.yaml": (b"entities: [\n  - {id: a, name: 'x'\n", "not_yaml.yaml:"),
    "types.yaml": (
        b"entities:\n  - id: [1, 2]\n    name: 42\n    kind: court\n",
        "types.yaml:2: id",
    ),
    "dup.yaml": (b"entities:\n  - id: a\n    id: b\n    name: x\n    kind: court\n", "dup.yaml:3"),
    "unknown.yaml": (
        b"entities:\n  - {id: a, name: x, kind: court, colour: red}\n",
        "unknown.yaml:2: colour",
    ),
    "tag.yaml": (b"entities:\n  - !!python/object/apply:os.system ['echo pwned']\n", "tag.yaml:2"),
}


def test_each_bad_registry_names_file_line_field(tmp_path):
    for name, (data, expected) in BAD_REGISTRIES.items():
        path = tmp_path / name
        path.write_bytes(data)
        proc = cli("validate", path)
        assert proc.returncode == 2, name
        assert expected in proc.stdout, (name, proc.stdout)
    assert not (Path.cwd() / "pwned").exists()


def test_huge_registry_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:
        fh.truncate(60 * 1024 * 1024)  # sparse: 60 MB of nothing
    proc = cli("validate", path)
    assert proc.returncode == 2 and "huge.yaml:0: file: file is 62914560 bytes" in proc.stdout


def test_bad_policy_and_waiver_files_exit_2(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("platforms: [vk]\nlast_post_fail_days: -1\n", encoding="utf-8")
    proc = cli("run", "registry/demo.yaml", "--out", tmp_path / "o", "--policy", policy)
    assert proc.returncode == 2 and f"{policy}:1: platforms" in proc.stderr
    tagged = tmp_path / "w.yaml"
    tagged.write_text("waivers: !!python/object:os.system {}\n", encoding="utf-8")
    proc = cli("run", "registry/demo.yaml", "--out", tmp_path / "o", "--waivers", tagged)
    assert proc.returncode == 2 and str(tagged) in proc.stderr


NAMES = st.from_regex(r"[a-z][a-z0-9_.]{2,30}", fullmatch=True)
HOSTS = st.sampled_from(
    [
        "vk.com",
        "m.vk.com",
        "vk.ru",
        "vkontakte.ru",
        "ok.ru",
        "m.ok.ru",
        "odnoklassniki.ru",
        "www.ok.ru",
        "example.ru",
    ]
)


@given(
    scheme=st.sampled_from(["http", "https", ""]),
    host=HOSTS,
    name=NAMES,
    tail=st.sampled_from(["", "/", "?w=wall-1_2", "#top", "/about"]),
)
def test_normalisation_is_idempotent(scheme, host, name, tail):
    url = f"{scheme}://{host}/{name}{tail}" if scheme else f"{host}/{name}{tail}"
    parsed = parse_page_url(url)
    if parsed is not None:
        ref = parsed[0]
        again = parse_page_url(ref.url)
        assert again is not None and again[0] == ref


@given(st.text(max_size=300))
def test_normalisation_never_raises(text):
    parse_page_url(text)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_registry_loader_never_raises(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r.yaml")
        Path(path).write_text(text, encoding="utf-8", errors="surrogatepass")
        reg = load_registry([path])
        assert reg.problems or reg.entities or text.strip() == "" or True
        for problem in reg.problems:
            assert str(problem).startswith(path)


SEEDS = [
    (SITES_DIR / name).read_text(encoding="utf-8")
    for name in ("gosweb.html", "federal.html", "widget_vk.html", "broken.html", "onclick.html")
]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    cuts=st.lists(st.integers(0, 20000), max_size=6),
    noise=st.text(max_size=40),
)
def test_link_discovery_survives_mutated_html(seed, cuts, noise):
    html = seed
    for cut in cuts:  # splice noise in and cut pieces out
        at = cut % (len(html) + 1)
        html = html[:at] + noise + html[at + len(noise) // 2 :]
    found = discover(html, "https://adm.example.ru/")
    found.to_json()
    classify(html, "https://adm.example.ru/")


@settings(max_examples=150)
@given(st.binary(max_size=2000).map(lambda b: b.decode("latin-1")))
def test_link_discovery_survives_random_bytes(text):
    discover(text, "https://adm.example.ru/")
    classify(text, None)


LAUGHS = "".join(
    f"{a}: &{a} [{', '.join([f'*{b}'] * 9) if b else ', '.join(['lol'] * 9)}]\n"
    for a, b in zip("abcdefghi", ["", *"abcdefgh"], strict=True)
)
BOMBS = {
    "laughs": (LAUGHS, ":4: ", "aliases repeat more than"),  # 9^9 values from 9 lines
    "deep": ("x: " + "{a: " * 800 + "1" + "}" * 800 + "\n", ":1: ", "nested deeper than 64"),
}


@pytest.mark.parametrize("kind", ["registry", "policy", "waivers", "canaries"])
@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_alias_bombs_and_deep_nesting_are_refused_with_file_and_line(tmp_path, kind, bomb):
    text, line, message = BOMBS[bomb]
    path = tmp_path / f"{bomb}.yaml"
    path.write_text(text, encoding="utf-8")
    if kind == "registry":
        proc = cli("validate", path, timeout=60)
    else:
        proc = cli(
            "run", "registry/demo.yaml", "--out", tmp_path / "out", f"--{kind}", path, timeout=60
        )
    assert proc.returncode == 2, proc.stderr
    said = proc.stdout + proc.stderr
    assert f"{path}{line}" in said and message in said, said
