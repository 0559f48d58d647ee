"""Every answer of the simulated VK validates against VK's own JSON schema (5.199).

The schema (../shared/data/reference/vk-api-schema, MIT, VKCOM/vk-api-schema @ 0efe478: read
from the shared material beside the checkout, never copied into the project) is written in draft-03
style (`"required": true` on properties) with `allOf`: it is rewritten to draft-07 on load
(required lists; `additionalProperties: false` dropped, see `draft7`).
Files the copy does not hold (users, photos ...) are accepted as "anything": the simulated VK
never sends the fields that point there.
"""

from __future__ import annotations

import functools
import json

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from audit.platforms.vk.pages import GROUP_FIELDS
from audit.world.scenario import load_scenario
from audit.world.vk import VkWorld
from tests.shared import VK_API_SCHEMA

SCHEMA_DIR = VK_API_SCHEMA
pytestmark = pytest.mark.skipif(
    not SCHEMA_DIR.is_dir(), reason=f"{SCHEMA_DIR}: the shared material is not beside the checkout"
)
BASE = "https://vk-api-schema.invalid/"


class Anything(dict):
    """A stand-in document: every pointer into it is the empty (accept-all) schema."""

    def __missing__(self, key):
        return Anything()


def draft7(node):
    """Move property-level `required: true` into the parent's `required` list."""
    if isinstance(node, list):
        return [draft7(n) for n in node]
    if not isinstance(node, dict):
        return node
    props = node.get("properties")
    names = (
        [n for n, p in props.items() if isinstance(p, dict) and p.get("required") is True]
        if isinstance(props, dict)
        else []
    )
    out = {k: draft7(v) for k, v in node.items() if k != "$schema"}
    if out.get("additionalProperties") is False:
        # VK's generator closes each allOf part on its own; draft-07 would then reject the
        # fields of the other parts. Unknown fields are accepted (VK adds fields over time).
        out.pop("additionalProperties")
    if isinstance(out.get("required"), bool):
        out.pop("required")
    if names:
        out["required"] = names
    return out


@functools.cache
def retrieve(uri: str) -> Resource:
    path = SCHEMA_DIR / uri.removeprefix(BASE)
    doc = draft7(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else Anything()
    return Resource.from_contents(doc, default_specification=DRAFT7)


REGISTRY = Registry(retrieve=retrieve)


def validator(file: str, definition: str) -> Draft7Validator:
    return Draft7Validator({"$ref": f"{BASE}{file}#/definitions/{definition}"}, registry=REGISTRY)


GET_BY_ID = validator("groups/responses.json", "groups_getById_object_response")
GET_BY_ID_LEGACY_ITEM = validator("groups/objects.json", "groups_group_full")
WALL_GET = validator("wall/responses.json", "wall_get_response")
ERROR = validator("base/objects.json", "base_error")


def check(v: Draft7Validator, doc) -> None:
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


@pytest.fixture(scope="module")
def vk() -> VkWorld:
    return VkWorld(load_scenario().vk)


FIELDS = GROUP_FIELDS  # what the auditor asks for (design fields included)
GET_COMMENTS = validator("wall/responses.json", "wall_getComments_response")


def test_schema_is_strict_enough():
    """The rewritten schema does reject wrong shapes (so the other tests can fail)."""
    assert list(GET_BY_ID.iter_errors({"response": {"groups": [{"id": "x"}]}}))
    assert list(WALL_GET.iter_errors({"response": {"items": []}}))  # count missing
    assert list(ERROR.iter_errors({"error_msg": "no code"}))


def test_groups_get_by_id_answers_match_the_schema(vk):
    token = {"access_token": vk.token, "v": "5.199"}
    every = ",".join(str(g) for g in vk.groups)
    answer = vk.handle_api("groups.getById", {**token, "group_ids": every, "fields": FIELDS}, None)
    check(GET_BY_ID, answer)
    assert len(answer["response"]["groups"]) == len(vk.groups)
    legacy = vk.handle_api(
        "groups.getById", {**token, "v": "5.131", "group_ids": every, "fields": FIELDS}, None
    )
    assert isinstance(legacy["response"], list)
    for item in legacy["response"]:
        check(GET_BY_ID_LEGACY_ITEM, item)


def test_wall_answers_match_the_schema(vk):
    token = {"access_token": vk.token, "v": "5.199"}
    open_groups = [
        g for g, spec in vk.groups.items() if not spec.get("closed") and not spec.get("deactivated")
    ]
    for gid in open_groups:
        answer = vk.handle_api(
            "wall.get", {**token, "owner_id": str(-gid), "count": "100", "filter": "owner"}, None
        )
        check(WALL_GET, answer)


def test_error_answers_match_the_schema(vk):
    token = {"access_token": vk.token, "v": "5.199"}
    cases = [
        ("groups.getById", {"group_ids": "no_such_page_anywhere"}),
        ("wall.get", {"owner_id": "-100003"}),  # closed
        ("wall.get", {"owner_id": "-100011"}),  # banned
        ("groups.getById", {"access_token": "wrong", "group_ids": "1"}),
        ("groups.getById", {"v": "5.0", "group_ids": "1"}),
    ]
    for method, params in cases:
        answer = vk.handle_api(method, {**token, **params}, None)
        check(ERROR, answer["error"])


def test_execute_slots_match_the_schema(vk):
    code = (
        'return [API.wall.get({"owner_id":-100100,"count":100,"filter":"owner"}),'
        'API.wall.get({"owner_id":-100003,"count":100,"filter":"owner"}),'
        'API.utils.resolveScreenName({"screen_name":"krivoy_sp"})];'
    )
    answer = vk.handle_api("execute", {"access_token": vk.token, "v": "5.199", "code": code}, None)
    first, closed, resolved = answer["response"]
    check(WALL_GET, {"response": first})
    assert closed is False and answer["execute_errors"][0]["error_code"] == 15
    assert resolved == {"object_id": 7000020, "type": "user"}


def test_comment_answers_match_the_schema():
    """wall.getComments with threads (page.replies), on a page residents commented, with the
    design fields of the same page: cover, has_photo, the address's map point."""
    spec = load_scenario().vk
    spec["groups"] = [
        *spec["groups"],
        {
            "id": 100777,
            "screen_name": "commented",
            "name": "Администрация",
            "cover": 1,
            "address": "ул. Ленина, 1",
            "map_point": [54.6, 39.7],
            "posts": {"last_hours": 72, "every_hours": 24, "count": 5},
            "replies": [2, None, 30],
        },
    ]
    vk = VkWorld(spec)
    token = {"access_token": vk.token, "v": "5.199"}
    group = vk.handle_api(
        "groups.getById", {**token, "group_ids": "100777", "fields": FIELDS}, None
    )
    check(GET_BY_ID, group)
    wall = vk.handle_api("wall.get", {**token, "owner_id": "-100777", "count": "100"}, None)
    newest = wall["response"]["items"][0]
    assert newest["comments"]["count"] == 3
    params = {"owner_id": "-100777", "post_id": str(newest["id"]), "thread_items_count": "10"}
    answer = vk.handle_api("wall.getComments", {**token, **params}, None)
    check(GET_COMMENTS, answer)
    threads = [c["thread"]["count"] for c in answer["response"]["items"]]
    assert sorted(threads) == [0, 1, 1]
