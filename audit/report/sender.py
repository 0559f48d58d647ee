"""Who sends the notice letters: a small YAML file given with `notices --sender FILE`.

    organization: Министерство цифрового развития Н-ской области
    address: 000000, г. Н-ск, ул. Центральная, д. 1
    signatory: {position: Министр цифрового развития Н-ской области, name: И. И. Иванов}
    executor: {name: Петрова Анна Сергеевна, phone: +7 (000) 000-00-00, email: a@example.ru}
    basis: распоряжение Правительства Н-ской области от 01.11.2026 № 100-р «О мониторинге…»
    number: "01-12/{n}-{id}"   # optional: the outgoing number; {n} the letter's place in the
                               # batch, {id} the body's id, {date} the letter's date (ГГГГММДД)

A letter is an official document: nothing of it is invented. Every field but `number` is
required, and a missing or malformed one is named with its file and line.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from audit.yamlsrc import LDict, Problem, YamlError, load_yaml_file

TEXTS = ("organization", "address", "basis")
PEOPLE = {"signatory": ("position", "name"), "executor": ("name", "phone", "email")}
OPTIONAL = {"number": "{n}"}
NUMBER_FIELDS = {"n", "id", "date"}


@dataclass(frozen=True)
class Sender:
    organization: str
    address: str
    basis: str
    signatory: dict[str, str] = field(default_factory=dict)
    executor: dict[str, str] = field(default_factory=dict)
    number: str = "{n}"

    def outgoing_number(self, n: int, body_id: str, date: str) -> str:
        return self.number.format(n=n, id=body_id, date=date)


class SenderError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _text(value) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    return None


def load_sender(path: str) -> Sender:
    try:
        doc = load_yaml_file(path)
    except YamlError as exc:
        raise SenderError([exc.problem]) from None
    if not isinstance(doc, LDict):
        raise SenderError([Problem(path, 1, "sender", "expected a mapping of the sender's data")])
    problems: list[Problem] = []
    values: dict = {}
    known = {*TEXTS, *PEOPLE, *OPTIONAL}
    for key in doc:
        if key not in known:
            allowed = ", ".join(sorted(known))
            problems.append(Problem(path, doc.line_of(key), str(key), f"unknown field ({allowed})"))
    for key in TEXTS:
        if (text := _text(doc.get(key))) is None:
            problems.append(_missing(path, doc, key, "a non-empty text"))
        else:
            values[key] = text
    for key, parts in PEOPLE.items():
        person = doc.get(key)
        if not isinstance(person, LDict):
            problems.append(_missing(path, doc, key, f"a mapping {{{', '.join(parts)}}}"))
            continue
        values[key] = {}
        for part in parts:
            if (text := _text(person.get(part))) is None:
                problems.append(_missing(path, person, part, "a non-empty text", key))
            else:
                values[key][part] = text
    if "number" in doc:
        number = doc["number"]
        problem = _number_problem(number)
        if problem:
            problems.append(Problem(path, doc.line_of("number"), "number", problem))
        else:
            values["number"] = number
    if problems:
        raise SenderError(problems)
    return Sender(**values)


def _missing(path: str, doc: LDict, key: str, what: str, parent: str = "") -> Problem:
    name = f"{parent}.{key}" if parent else key
    said = "required field is missing" if key not in doc else f"must be {what}"
    return Problem(path, doc.line_of(key), name, said)


def _number_problem(pattern) -> str | None:
    if not isinstance(pattern, str) or not pattern.strip():
        return "must be a text such as '01-12/{n}'"
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None}
    except ValueError as exc:
        return f"not a pattern: {exc}"
    unknown = names - NUMBER_FIELDS
    if unknown or any(not re.fullmatch(r"\w+", n) for n in names):
        return f"unknown placeholder {', '.join(sorted(unknown))} (known: {{n}}, {{id}}, {{date}})"
    return None
