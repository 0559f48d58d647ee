"""Registry validation: every error kind is reported as file:line: field: message."""

import textwrap

from audit.model import EntityKind
from audit.registry import load_registry


def write(tmp_path, text, name="r.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def problems(tmp_path, text):
    reg = load_registry([write(tmp_path, text)])
    return [str(p).split(":", 1)[1] for p in reg.problems]  # drop the file name


def test_valid_registry(tmp_path):
    reg = load_registry(
        [
            write(
                tmp_path,
                """\
        region: Тестовая область
        entities:
          - id: 46701000
            name: Администрация района
            kind: municipal_district
            website: https://адм-район.рф/
            pages: {vk: "https://m.vk.com/public42", ok: "https://ok.ru/admrayon"}
          - id: "46701401"
            name: Сельское поселение
            kind: rural_settlement
            parent: "46701000"
            website: none
          - {id: "x1", name: Школа, kind: subordinate_organization, parent: "46701401"}
        """,
            )
        ]
    )
    assert reg.ok, reg.problems
    a, b, c = reg.entities
    assert a.id == "46701000" and a.kind is EntityKind.MUNICIPAL_DISTRICT
    assert a.pages == {"vk": "https://vk.com/club42", "ok": "https://ok.ru/admrayon"}
    assert a.region == "Тестовая область" and a.source_line == 3
    assert b.website_none and b.website is None
    assert c.website is None and not c.website_none  # unknown


def test_missing_required_fields(tmp_path):
    assert problems(
        tmp_path,
        """\
        entities:
          - website: https://a.ru
        """,
    ) == [
        "2: id: required field is missing",
        "2: name: required field is missing",
        "2: kind: required field is missing",
    ]


def test_unknown_kind_and_field(tmp_path):
    out = problems(
        tmp_path,
        """\
        entities:
          - id: a
            name: A
            kind: ministry
            colour: red
        """,
    )
    assert out[0].startswith("5: colour: unknown field")
    assert out[1].startswith("4: kind: unknown kind 'ministry'")


def test_bad_urls(tmp_path):
    out = problems(
        tmp_path,
        """\
        entities:
          - id: a
            name: A
            kind: court
            website: sud.ru
          - id: b
            name: B
            kind: court
            website: ftp://sud.ru
            pages:
              vk: https://ok.ru/notvk
              ok: https://vk.com/share.php?url=x
              tg: https://t.me/x
        """,
    )
    assert out == [
        "5: website: missing scheme (did you mean 'https://sud.ru'?): 'sud.ru'",
        "9: website: scheme must be http or https, not 'ftp': 'ftp://sud.ru'",
        "11: pages.vk: not a link to a VK page: 'https://ok.ru/notvk'",
        "12: pages.ok: not a link to an OK page: 'https://vk.com/share.php?url=x'",
        "13: pages.tg: unknown platform (allowed: vk, ok, telegram)",
    ]


def test_duplicate_ids_across_files(tmp_path):
    first = write(tmp_path, "entities:\n  - {id: a, name: A, kind: court}\n", "a.yaml")
    second = write(
        tmp_path,
        "entities:\n  - {id: b, name: B, kind: court}\n  - {id: a, name: A2, kind: court}\n",
        "b.yaml",
    )
    reg = load_registry([first, second])
    assert [str(p) for p in reg.problems] == [
        f"{second}:3: id: duplicate id 'a' (first at {first}:2)"
    ]


def test_unknown_parent_and_cycle(tmp_path):
    out = problems(
        tmp_path,
        """\
        entities:
          - {id: a, name: A, kind: court, parent: zzz}
          - {id: b, name: B, kind: court, parent: c}
          - {id: c, name: C, kind: court, parent: b}
        """,
    )
    assert out[0] == "2: parent: unknown parent id 'zzz'"
    assert "parent chain forms a cycle" in out[1]


def test_child_of_broken_entity_is_not_reported_twice(tmp_path):
    out = problems(
        tmp_path,
        """\
        entities:
          - {id: a, name: A, kind: nope}
          - {id: b, name: B, kind: court, parent: a}
        """,
    )
    assert len(out) == 1 and "kind" in out[0]


def test_duplicate_yaml_key(tmp_path):
    assert problems(
        tmp_path,
        """\
        entities:
          - id: a
            name: A
            name: B
            kind: court
        """,
    ) == ["4: name: duplicate key (first at line 3)"]


def test_not_yaml_and_object_tags(tmp_path):
    assert problems(tmp_path, "entities: [\n  {id: a\n")[0].startswith("3: yaml: not valid YAML")
    out = problems(tmp_path, "entities:\n  - !!python/object:os.system {}\n")
    assert out == [
        "2: entities: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed"
    ]


def test_wrong_top_level(tmp_path):
    assert problems(tmp_path, "- a\n- b\n") == [
        "1: document: a registry file must be a mapping with an 'entities' list"
    ]
    assert problems(tmp_path, "entities: 5\n") == ["1: entities: missing or not a list of entities"]


def test_bad_contacts(tmp_path):
    out = problems(
        tmp_path,
        """\
        entities:
          - id: a
            name: A
            kind: court
            contacts: {email: "", fax: "1"}
        """,
    )
    assert out == [
        "5: contacts.email: must be a non-empty text",
        "5: contacts.fax: unknown field (allowed: address, email, phone)",
    ]


def test_missing_path(tmp_path):
    reg = load_registry([str(tmp_path / "nope.yaml")])
    assert str(reg.problems[0]).endswith("nope.yaml:0: path: no such file or directory")


def test_directory_expansion(tmp_path):
    write(tmp_path, "entities:\n  - {id: a, name: A, kind: court}\n", "one.yaml")
    write(tmp_path, "entities:\n  - {id: b, name: B, kind: court}\n", "two.yml")
    reg = load_registry([str(tmp_path)])
    assert reg.ok and [e.id for e in reg.entities] == ["a", "b"]


def test_shipped_registries_are_valid():
    reg = load_registry(["registry"])
    assert reg.ok, [str(p) for p in reg.problems]
    assert len(reg.entities) >= 25


def test_a_run_reads_the_entities_again_instead_of_holding_them(tmp_path):
    first = write(
        tmp_path,
        "region: R\nentities:\n  - {id: a, name: A, kind: court}\n"
        "  - {id: bad, name: B, kind: nonsense}\n",
        "a.yaml",
    )
    second = write(tmp_path, "entities:\n  - {id: c, name: C, kind: court, parent: a}\n", "b.yaml")
    kept = load_registry([first, second])
    light = load_registry([first, second], keep=False)
    assert light.entities == [] and light.count == kept.count == 2
    assert [str(p) for p in light.problems] == [str(p) for p in kept.problems]
    assert list(light.stream()) == kept.entities == list(kept.stream())
    assert [e.region for e in light.stream()] == ["R", None]


def test_streamed_entities_do_not_wait_for_a_region_written_after_them(tmp_path):
    # machine-written files sort `region` after `entities`; the run must not hold every entity
    # until the end of the file to learn it
    path = write(
        tmp_path,
        "entities:\n  - {id: a, name: A, kind: court}\n  - {id: b, name: B, kind: court}\n"
        "region: Северная область\n",
        "sorted.yaml",
    )
    other = write(tmp_path, "entities:\n  - {id: c, name: C, kind: court}\n", "plain.yaml")
    reg = load_registry([path, other], keep=False)
    assert reg.regions == {path: "Северная область"}
    assert [(e.id, e.region) for e in reg.stream()] == [
        ("a", "Северная область"),
        ("b", "Северная область"),
        ("c", None),
    ]
    assert list(reg.stream()) == load_registry([path, other]).entities
    with open(path, "a", encoding="utf-8") as fh:  # the file's end is never reached first
        fh.write("meta: [unclosed\n")
    first = next(reg.stream())
    assert (first.id, first.region) == ("a", "Северная область")


def test_head_and_joint_page_coverage(tmp_path):
    reg = load_registry(
        [
            write(
                tmp_path,
                """\
        entities:
          - id: "48000001"
            name: Управление Судебного департамента в Липецкой области
            kind: court
            pages: {vk: "https://vk.com/sud48"}
          - id: "48RS0001"
            name: Липецкий областной суд
            kind: court
            covered_by: "48000001"
            head: {position: Председателю Липецкого областного суда, name: "Иванову  И. И."}
        """,
            )
        ]
    )
    assert reg.ok, reg.problems
    court = reg.entities[1]
    assert court.covered_by == "48000001"
    assert court.head == {
        "position": "Председателю Липецкого областного суда",
        "name": "Иванову И. И.",
    }


def test_bad_head_and_coverage(tmp_path):
    assert problems(
        tmp_path,
        """\
        entities:
          - {id: a, name: A, kind: court, pages: {vk: "https://vk.com/adm_a"}, covered_by: b}
          - {id: b, name: B, kind: court, covered_by: c}
          - {id: c, name: C, kind: court, covered_by: nowhere}
          - {id: d, name: D, kind: court, head: {post: x}}
          - {id: e, name: E, kind: court, head: Иванову}
          - {id: f, name: F, kind: court, covered_by: f}
        """,
    ) == [
        "2: covered_by: a body covered by another's joint page declares no pages",
        "5: head.post: unknown field (allowed: name, position)",
        "6: head: must be a mapping like {name: ..., position: ...}",
        "7: covered_by: an entity cannot be covered by itself",
        "3: covered_by: 'c' is itself covered by 'nowhere': name the body that keeps the "
        "joint page",
        "4: covered_by: unknown id 'nowhere'",
    ]
