"""Registry files (YAML) → validated `Entity` objects, or every problem with file:line: field.

File format (one file per region or per set of bodies):

    region: Демонстрационная область     # optional default region for the entities below
    meta: {source: ..., licence: ...}      # optional, free-form
    entities:
      - id: "46701000"                     # OKTMO, OGRN or another stable key
        name: Администрация ...
        kind: municipal_district           # see audit.model.EntityKind
        parent: "46000000"                 # optional id of the superior body
        website: https://admin-example.ru  # omitted = unknown; `none` = the body has no website
        pages: {vk: https://vk.com/adm, ok: https://ok.ru/adm}
        contacts: {email: ..., phone: ..., address: ...}
        head: {position: Главе администрации, name: Иванову И. И.}  # the addressee of letters,
                                           # in the dative case, as a letter names them
        covered_by: "48000001"             # a court (or body) whose official page is a joint
                                           # page kept by that body: page checks are its
        gospubliki: true                   # optional: connected to the Gosuslugi «Госпаблики»
                                           # component (the region's own list; no platform
                                           # publishes it)
        pages_exempt: "<basis>"            # optional: the stated basis on which the body keeps
                                           # no official page (page checks are not applicable)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from audit.model import Entity
from audit.registry.entity import read_entity, text_of
from audit.yamlsrc import LDict, Problem, YamlError, iter_mapping_file

TOP_FIELDS = {"region", "meta", "entities"}


@dataclass
class Registry:
    """Validated registry files. `entities` is empty when loaded with `keep=False`: a run then
    reads them again, file by file, through `stream()` (a national registry is never held)."""

    entities: list[Entity] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    count: int = 0  # valid entities, kept or not
    ids: list[str] = field(default_factory=list)  # of the valid entities, in registry order
    regions: dict[str, str | None] = field(default_factory=dict)  # file -> its `region`

    @property
    def ok(self) -> bool:
        return not self.problems

    def stream(self) -> Iterator[Entity]:
        """The valid entities in registry order, read again from the files."""
        if self.entities:
            yield from self.entities
            return
        for path in self.files:  # the file's region is known: no entity waits for it
            for entity, *_ in _entities_of(path, [], self.regions.get(path)):
                if entity is not None:
                    yield entity


def registry_files(paths: Iterable[str]) -> tuple[list[str], list[Problem]]:
    """Expand directories to their *.yaml / *.yml files (sorted); report missing paths."""
    files, problems = [], []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(
                str(f) for f in path.rglob("*") if f.suffix in (".yaml", ".yml") and f.is_file()
            )
            if not found:
                problems.append(Problem(p, 0, "path", "directory holds no .yaml files"))
            files.extend(found)
        elif path.is_file():
            files.append(str(path))
        else:
            problems.append(Problem(p, 0, "path", "no such file or directory"))
    return files, problems


@dataclass(frozen=True, slots=True)
class _Link:
    """What cross-entity validation needs of an entity: its parent and where it stands."""

    parent: str | None
    file: str
    line: int
    parent_line: int
    covered_by: str | None = None


def load_registry(paths: Iterable[str], keep: bool = True) -> Registry:
    """Load and validate registry files together (ids are unique across all of them).
    `keep=False` validates everything but keeps only ids and parents (see `Registry.stream`)."""
    files, problems = registry_files(paths)
    reg = Registry(problems=problems, files=files)
    first_seen: dict[str, tuple[str, int]] = {}
    links: dict[str, _Link] = {}  # valid entities
    broken_ids: set[str] = set()  # entities with errors: children should not report them unknown
    for path in files:
        found: list[tuple[Entity | None, str | None, int, int]] = []
        try:  # a file with a YAML error adds nothing but its error
            found = list(_entities_of(path, reg.problems, regions=reg.regions))
        except YamlError as exc:
            reg.problems.append(exc.problem)
            continue
        for entity, entity_id, line, parent_line in found:
            if entity_id is None:
                continue
            if entity_id in first_seen:
                f, ln = first_seen[entity_id]
                reg.problems.append(
                    Problem(path, line, "id", f"duplicate id {entity_id!r} (first at {f}:{ln})")
                )
                continue
            first_seen[entity_id] = (path, line)
            if entity is None:
                broken_ids.add(entity_id)
                continue
            reg.count += 1
            reg.ids.append(entity.id)
            if keep:
                reg.entities.append(entity)
            links[entity.id] = _Link(
                entity.parent,
                entity.source_file,
                entity.source_line,
                parent_line,
                entity.covered_by,
            )
    for link in links.values():
        if link.parent is not None and link.parent not in links and link.parent not in broken_ids:
            reg.problems.append(
                Problem(link.file, link.parent_line, "parent", f"unknown parent id {link.parent!r}")
            )
    reg.problems.extend(_parent_cycles(links))
    reg.problems.extend(_coverage_problems(links, broken_ids))
    return reg


def _coverage_problems(links: dict[str, _Link], broken_ids: set[str]) -> list[Problem]:
    """`covered_by` names a body of the registry that keeps its own page (no chains)."""
    problems = []
    for link in links.values():
        target = link.covered_by
        if target is None or target in broken_ids:
            continue
        if target not in links:
            problems.append(Problem(link.file, link.line, "covered_by", f"unknown id {target!r}"))
        elif links[target].covered_by is not None:
            problems.append(
                Problem(
                    link.file,
                    link.line,
                    "covered_by",
                    f"{target!r} is itself covered by {links[target].covered_by!r}: name the "
                    "body that keeps the joint page",
                )
            )
    return problems


def _parent_cycles(links: dict[str, _Link]) -> list[Problem]:
    problems, reported = [], set()
    for entity_id in links:
        seen, cur = [], entity_id
        while cur in links and links[cur].parent is not None and cur not in seen:
            seen.append(cur)
            cur = links[cur].parent
        if cur in links and cur in seen and cur not in reported:
            cycle = seen[seen.index(cur) :]
            reported.update(cycle)
            problems.append(
                Problem(
                    links[cur].file,
                    links[cur].line,
                    "parent",
                    "parent chain forms a cycle: " + " -> ".join([*cycle, cur]),
                )
            )
    return problems


_UNKNOWN: Any = object()  # a file's region not read yet


def _entities_of(
    path: str,
    problems: list[Problem],
    region: str | None = _UNKNOWN,
    regions: dict[str, str | None] | None = None,
):
    """Yield (entity or None when it has errors, its id text, its line, the line of parent),
    reading the file entity by entity (a file of 100 000 bodies never exists as one tree).

    The file's `region` applies to entities without their own, wherever it stands in the file
    (machine-written files often sort it after `entities`): entities wait for it unless it is
    given (`region`, from an earlier reading); `regions` records it per file."""
    problems_before = len(problems)
    region_known = region is not _UNKNOWN
    default_region = region if region_known else None
    has_list = False
    held: list = []  # entities read before the file's `region`, without a region of their own
    for part in iter_mapping_file(path, "entities"):
        if part.kind == "document":
            problems.append(
                Problem(
                    path,
                    max(part.line, 1),
                    "document",
                    "a registry file must be a mapping with an 'entities' list",
                )
            )
            return
        if part.kind == "value" and part.key not in TOP_FIELDS:
            problems.append(
                Problem(
                    path,
                    part.line,
                    str(part.key),
                    f"unknown field (allowed: {', '.join(sorted(TOP_FIELDS))})",
                )
            )
        elif part.kind == "value" and part.key == "region":
            if text_of(part.value) is None:
                problems.append(Problem(path, part.line, "region", "must be a non-empty text"))
                continue
            default_region = part.value
            if regions is not None:
                regions[path] = part.value
            for entity, entity_id, line, parent_line in held:
                yield replace(entity, region=text_of(default_region)), entity_id, line, parent_line
            held = []
        elif part.kind == "value" and part.key == "entities":
            problems.append(
                Problem(path, part.line, "entities", "missing or not a list of entities")
            )
        elif part.kind == "list":
            has_list = True
        elif part.kind == "item":
            item, index, line = part.value, part.key, part.line
            if not isinstance(item, LDict):
                problems.append(Problem(path, line, f"entities[{index}]", "must be a mapping"))
                continue
            entity = read_entity(item, path, line, default_region, problems)
            row = (entity, text_of(item.get("id")), line, item.line_of("parent"))
            waits = default_region is None and not region_known and "region" not in item
            if waits and entity is not None:  # for the file's region, further down
                held.append(row)
                continue
            yield row
    if not has_list and not any(
        p.field == "entities" and p.file == path for p in problems[problems_before:]
    ):
        problems.append(Problem(path, 1, "entities", "missing or not a list of entities"))
    yield from held
