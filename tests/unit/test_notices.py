"""Letters' parts as pure functions: the sender file, a finding's own evidence, the numbering."""

from datetime import date

import pytest

from audit.report.notices import evidence_rows, letters_of
from audit.report.sender import SenderError, load_sender

SENDER = """\
organization: Министерство
address: г. Н-ск, ул. Ленина, 1
signatory: {position: Министр, name: И. И. Иванов}
executor: {name: А. С. Петрова, phone: "+7 000", email: a@example.ru}
basis: распоряжение № 1
number: "01-12/{n}-{id}-{date}"
"""


def test_sender_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SENDER, encoding="utf-8")
    sender = load_sender(str(path))
    assert sender.signatory == {"position": "Министр", "name": "И. И. Иванов"}
    assert sender.outgoing_number(3, "99610403", "20261201") == "01-12/3-99610403-20261201"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (SENDER.replace("basis: распоряжение № 1\n", ""), ":1: basis: required field is missing"),
        (SENDER.replace('phone: "+7 000", ', ""), ":4: executor.phone: required field"),
        (SENDER.replace("{n}-{id}-{date}", "{n}-{who}"), ":6: number: unknown placeholder who"),
        (SENDER + "fax: 1\n", ":7: fax: unknown field"),
        (
            SENDER.replace("signatory: {position: Министр, name: И. И. Иванов}", "signatory: x"),
            ":3: signatory: must be a mapping",
        ),
        ("- a\n", ":1: sender: expected a mapping"),
    ],
)
def test_sender_problems_name_line_and_field(tmp_path, text, problem):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SenderError) as caught:
        load_sender(str(path))
    assert any(problem in str(p) for p in caught.value.problems), caught.value.problems


BODY = {
    "id": "1",
    "name": "Администрация",
    "observations": {"chosen": {"vk": {"url": "https://vk.com/adm", "source": "registry"}}},
    "evidence": [
        {
            "id": "e1",
            "url": "https://adm.ru/",
            "final_url": "https://adm.ru/main",
            "status": 200,
            "fetched_at": "2026-11-30T09:00:00+00:00",
            "sha256": "a" * 64,
            "warc_record": None,
        },
        {
            "id": "e2",
            "url": "https://api.vk.com/method/execute",
            "request": "execute wall.get x3",
            "status": 200,
            "fetched_at": "2026-11-30T09:00:01+00:00",
            "sha256": "b" * 64,
            "warc_record": "<urn:uuid:1>",
        },
        {
            "id": "e3",
            "url": "https://down.ru/",
            "status": None,
            "error": "timeout",
            "fetched_at": "2026-11-30T09:00:02+00:00",
            "sha256": None,
        },
    ],
    "findings": [],
}


def test_evidence_is_the_page_itself_not_the_api_endpoint():
    by_id = {ev["id"]: ev for ev in BODY["evidence"]}
    site, api, down = evidence_rows(
        {"platform": "vk", "evidence": ["e1", "e2", "e3", "missing"]}, BODY, by_id
    )
    assert (site["url"], site["final_url"], site["how"]) == (
        "https://adm.ru/",
        "https://adm.ru/main",
        "код ответа 200",
    )
    assert api["url"] == "https://vk.com/adm" and "записи на стене сообщества" in api["how"]
    assert "execute" not in api["how"] and "wall.get" not in api["how"]  # no code in a letter
    assert api["shared"] and api["warc_record"] == "<urn:uuid:1>"
    assert down["how"].startswith("не получен ответ") and "timeout" not in down["how"]


def test_letters_number_bodies_with_violations_and_keep_warnings_apart(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SENDER, encoding="utf-8")
    check = {"title_ru": "Т", "remediation_ru": "Р", "legal_basis_ru": "8-ФЗ"}
    fail = {"check": "c", "status": "fail", "severity": "violation", "evidence": ["e1"]}
    warn = {"check": "c", "status": "fail", "severity": "warning", "evidence": []}
    bodies = [
        {**BODY, "id": "1", "findings": [dict(fail), dict(warn)]},
        {**BODY, "id": "2", "findings": [dict(warn)]},  # warnings only: no letter
        {**BODY, "id": "3", "findings": [dict(fail)]},
    ]
    report = {"checks": [{"id": "c", **check}], "run": {"policy": {}}, "entities": bodies}
    letters = list(letters_of(report, load_sender(str(path)), date(2026, 12, 1)))
    assert [(lt.entity["id"], lt.number) for lt in letters] == [
        ("1", "01-12/1-1-20261201"),
        ("3", "01-12/2-3-20261201"),
    ]
    assert len(letters[0].violations) == 1 and len(letters[0].warnings) == 1
    assert letters[0].opened[0]["url"] == "https://adm.ru/"


def small_report(*ids):
    from audit.checks import catalogue

    fail = {
        "check": "site.exists",
        "key": "site.exists",
        "status": "fail",
        "severity": "violation",
        "message_ru": "У органа нет официального сайта.",
        "evidence": ["e1"],
        "platform": None,
    }
    return {
        "tool": {"version": "t", "catalogue_version": "2"},
        "run": {
            "started_at": "2026-11-30T09:00:00+00:00",
            "finished_at": "2026-11-30T09:05:00+00:00",
            "policy": {"notice_deadline_days": 10},
        },
        "checks": [c.to_json() for c in catalogue()],
        "entities": [
            {
                **BODY,
                "id": i,
                "name": f"Администрация {i}",
                "kind": "rural_settlement",
                "findings": [dict(fail)],
            }
            for i in ids
        ],
    }


def test_a_new_batch_replaces_the_old_one_whole(tmp_path):
    from audit.report.notices import write_notices

    write_notices(small_report("1", "2"), str(tmp_path), on=date(2026, 12, 1))
    assert sorted(p.name for p in (tmp_path / "notices").iterdir()) == [
        "1.html",
        "2.html",
        "index.html",
    ]
    letter = (tmp_path / "notices" / "1.html").read_text(encoding="utf-8")
    assert "ПРОЕКТ" in letter and "в срок до 11.12.2026" in letter
    write_notices(small_report("2"), str(tmp_path), on=date(2026, 12, 2))
    # body 1 has no violation any more: no letter of the earlier batch is left for it
    assert sorted(p.name for p in (tmp_path / "notices").iterdir()) == ["2.html", "index.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["notices"]  # nothing staged is left
