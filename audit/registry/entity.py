"""One entity of a registry file: its fields read and checked, every problem named with its
line (see `audit.registry` for the file format)."""

from __future__ import annotations

import functools
import os
import re

from audit.model import Entity, EntityKind
from audit.pageurls import parse_page_url
from audit.platforms import enable, known_keys, name_en, platform_keys
from audit.urls import website_problem
from audit.yamlsrc import LDict, Problem

ENTITY_FIELDS = {
    "id",
    "name",
    "short_name",
    "kind",
    "parent",
    "region",
    "website",
    "pages",
    "contacts",
    "head",
    "covered_by",
    "gospubliki",
    "pages_exempt",
}
CONTACT_FIELDS = {"email", "phone", "address"}
HEAD_FIELDS = {"position", "name"}
_ID = re.compile(r"^[\w.:/-]{1,128}$")


@functools.lru_cache(maxsize=64)
def _normpath(path: str) -> str:
    """One string per registry file, shared by its entities."""
    return os.path.normpath(path)


def text_of(value) -> str | None:
    """Scalars that are fine as text (ids are often written as bare numbers)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        text = str(value).strip()
        return text or None
    return None


def _other_id(item: LDict, key: str, entity_id: str | None, bad, itself: str) -> str | None:
    """A field naming another entity of the registry (`parent`, `covered_by`)."""
    if key not in item:
        return None
    other = text_of(item[key])
    if other is None:
        bad(key, "must be the id of another entity")
    elif other == entity_id:
        bad(key, itself)
    return other


def _texts(item: LDict, key: str, allowed: set[str], bad) -> dict[str, str]:
    """A small mapping of texts (contacts, head) with each bad part named."""
    out: dict[str, str] = {}
    raw = item.get(key)
    if raw is None:
        return out
    if not isinstance(raw, LDict):
        bad(key, f"must be a mapping like {{{': ..., '.join(sorted(allowed))}: ...}}")
        return out
    for name, value in raw.items():
        at = raw.line_of(name)
        if name not in allowed:
            bad(f"{key}.{name}", f"unknown field (allowed: {', '.join(sorted(allowed))})", at)
        elif text_of(value) is None:
            bad(f"{key}.{name}", "must be a non-empty text", at)
        else:
            out[name] = " ".join(str(value).split())
    return out


def read_entity(item: LDict, path: str, line: int, default_region, problems: list[Problem]):
    before = len(problems)

    def bad(key: str, message: str, at: int | None = None) -> None:
        problems.append(Problem(path, at or item.line_of(key.split(".")[0]), key, message))

    for key in item:
        if key not in ENTITY_FIELDS:
            bad(str(key), f"unknown field (allowed: {', '.join(sorted(ENTITY_FIELDS))})")

    entity_id = text_of(item.get("id"))
    if "id" not in item:
        bad("id", "required field is missing", line)
    elif entity_id is None or not _ID.match(entity_id):
        bad("id", "must be a text of letters, digits and . _ - : / (up to 128)")

    name = text_of(item.get("name"))
    if name is None or isinstance(item.get("name"), int):
        bad(
            "name",
            "required field is missing" if "name" not in item else "must be a non-empty text",
            line if "name" not in item else None,
        )

    kind = None
    if "kind" not in item:
        bad("kind", "required field is missing", line)
    else:
        try:
            kind = EntityKind(item["kind"])
        except ValueError:
            bad(
                "kind",
                f"unknown kind {item['kind']!r} (one of: {', '.join(k.value for k in EntityKind)})",
            )

    short_name = item.get("short_name")
    if short_name is not None and not isinstance(short_name, str):
        bad("short_name", "must be a text")

    parent = _other_id(item, "parent", entity_id, bad, "an entity cannot be its own parent")

    region = item.get("region", default_region)
    if "region" in item and text_of(region) is None:
        bad("region", "must be a non-empty text")

    website, website_none = None, False
    if "website" in item:
        value = item["website"]
        if isinstance(value, str) and value.strip().lower() == "none":
            website_none = True
        elif (problem := website_problem(value)) is not None:
            bad("website", f"{problem}: {value!r}" if isinstance(value, str) else problem)
        else:
            website = value

    pages: dict[str, str] = {}
    raw_pages = item.get("pages")
    if raw_pages is not None:
        if not isinstance(raw_pages, LDict):
            bad("pages", "must be a mapping like {vk: URL, ok: URL}")
        else:
            for platform, url in raw_pages.items():
                at = raw_pages.line_of(platform)
                enable([platform])  # an optional platform the registry names is audited
                if platform not in platform_keys():
                    allowed = ", ".join(known_keys())
                    bad(f"pages.{platform}", f"unknown platform (allowed: {allowed})", at)
                    continue
                parsed = parse_page_url(url) if isinstance(url, str) else None
                if parsed is None or parsed[0].platform != platform or parsed[1]:
                    name = name_en(platform)
                    article = "an" if name[0] in "AEIOU" else "a"
                    bad(f"pages.{platform}", f"not a link to {article} {name} page: {url!r}", at)
                    continue
                pages[platform] = parsed[0].url

    contacts = _texts(item, "contacts", CONTACT_FIELDS, bad)
    head = _texts(item, "head", HEAD_FIELDS, bad)

    covered_by = _other_id(
        item, "covered_by", entity_id, bad, "an entity cannot be covered by itself"
    )
    if covered_by is not None and covered_by != entity_id and pages:
        bad("covered_by", "a body covered by another's joint page declares no pages")

    gospubliki = item.get("gospubliki")
    if gospubliki is not None and not isinstance(gospubliki, bool):
        bad("gospubliki", "must be true or false (connected to the «Госпаблики» component)")
    pages_exempt = None
    if "pages_exempt" in item:
        pages_exempt = text_of(item["pages_exempt"])
        if pages_exempt is None or isinstance(item["pages_exempt"], int):
            bad("pages_exempt", "must be the stated basis on which the body keeps no page")
        elif pages:
            bad("pages_exempt", "a body exempt from keeping pages declares no pages")

    if len(problems) != before:
        return None
    return Entity(
        id=entity_id,
        name=" ".join(name.split()),
        kind=kind,
        region=text_of(region),
        parent=parent,
        website=website,
        website_none=website_none,
        short_name=short_name,
        pages=pages,
        contacts=contacts,
        head=head,
        covered_by=covered_by,
        gospubliki=gospubliki,
        pages_exempt=pages_exempt,
        source_file=_normpath(path),
        source_line=line,
    )
