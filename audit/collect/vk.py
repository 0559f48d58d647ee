"""VK pages through the API: every reference of a batch in as few requests as VK allows.

    groups.getById   ceil(N / 500) requests for N communities (ids and screen names mixed)
    execute          utils.resolveScreenName for names getById did not return (25 per request)
    execute          wall.get for every open community, 25 walls per request

Pages whose address is a personal profile (vk.com/id<N>) need no call.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from audit.collect.apicall import CallResult, chunks, failed_page
from audit.collect.vk_api import EXECUTE_LIMIT, VkApi, api_call
from audit.links import PageRef
from audit.observations import PageObservation
from audit.textfacts import emails, has_address, phones, unique

GROUP_FIELDS = (
    "description,site,links,contacts,addresses,members_count,verified,status,"
    "is_government_organization,trust_mark,activity,fixed_post,wall"
)
WALL_COUNT = 100  # wall.get maximum: enough for 30 days of a busy page
PAGE_FACT_CODES = frozenset({15, 18, 30, 203})  # access errors that describe the page itself


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def groups_of(response: Any) -> list[dict]:
    """groups.getById answers {"groups": [...], "profiles": [...]} since 5.199, a list before."""
    if isinstance(response, dict):
        response = response.get("groups") or []
    return [g for g in response if isinstance(g, dict)] if isinstance(response, list) else []


def page_from_group(url: str, group: dict, observed_at: str) -> PageObservation:
    """An observation from one groups_group_full object."""
    state = {"deleted": "deleted", "banned": "banned"}.get(group.get("deactivated") or "", "found")
    page = PageObservation(
        platform="vk",
        url=url,
        source="api",
        state=state,
        observed_at=observed_at,
        page_id=str(group.get("id")),
        screen_name=group.get("screen_name"),
        kind=group.get("type") if group.get("type") in ("group", "page", "event") else "group",
        name=group.get("name"),
    )
    if state != "found":
        return page
    page.closed = bool(group.get("is_closed", 0))
    if page.closed:
        page.wall_cause = "closed"
    gov = group.get("is_government_organization")
    trust = group.get("trust_mark")
    page.gov_mark = bool(gov) if gov is not None else (True if trust == 3 else None)
    page.verified = bool(group.get("verified", 0))
    page.description = group.get("description") or ""
    page.site = group.get("site") or None
    page.links = [
        x["url"] for x in group.get("links") or [] if isinstance(x, dict) and x.get("url")
    ]
    contacts = [c for c in group.get("contacts") or [] if isinstance(c, dict)]
    main = (group.get("addresses") or {}).get("main_address") or {}
    text = " ".join(filter(None, [page.description, group.get("status")]))
    page.phones = unique(
        [c.get("phone", "") for c in contacts] + [main.get("phone", "")] + phones(text)
    )
    page.emails = unique([c.get("email", "") for c in contacts] + emails(text))
    address = ", ".join(
        filter(
            None,
            [
                main.get("city", {}).get("title") if isinstance(main.get("city"), dict) else None,
                main.get("address"),
            ],
        )
    )
    page.addresses = unique([address] + ([text] if has_address(text) else []))
    page.members = group.get("members_count")
    if group.get("wall") == 0:
        page.wall_cause = "wall_disabled"
        page.posts, page.posts_total, page.posts_cover_from = [], 0, 0
    return page


def apply_wall(page: PageObservation, wall: Any) -> None:
    """Fill the activity facts from one wall.get response (or False when the call failed)."""
    if not isinstance(wall, dict):
        page.wall_cause = "wall_unreadable"
        return
    items = [p for p in wall.get("items") or [] if isinstance(p, dict)]
    own = [p for p in items if not p.get("is_pinned") and isinstance(p.get("date"), int)]
    page.posts = sorted((p["date"] for p in own), reverse=True)
    page.posts_total = wall.get("count") if isinstance(wall.get("count"), int) else None
    complete = page.posts_total is not None and page.posts_total <= len(items)
    page.posts_cover_from = 0 if complete or not page.posts else page.posts[-1]
    can_post = [p["comments"].get("can_post") for p in own if isinstance(p.get("comments"), dict)]
    if can_post:
        page.comments_open = bool(can_post[0])


def access_fact(url: str, code: int, result: CallResult, observed_at: str) -> PageObservation:
    """VK refused to show the page: 18 — deleted or banned; 15/30/203 — it exists, closed."""
    page = PageObservation("vk", url, "api", "found", observed_at, evidence=list(result.evidence))
    page.detail = result.detail()
    if code == 18:
        page.state = "deleted"
    else:
        page.kind, page.closed, page.wall_cause = "group", True, "closed"
    return page


def wall_refusal(error: dict | None) -> str:
    """Why wall.get failed inside execute (VK's error_msg texts for code 15)."""
    msg = str((error or {}).get("error_msg", "")).lower()
    if "disabled" in msg:
        return "wall_disabled"
    if "members" in msg or "private" in msg:
        return "closed"
    return "wall_unreadable"


def failed(url: str, result: CallResult, observed_at: str) -> PageObservation:
    return failed_page("vk", url, result, observed_at)


async def collect_vk_api(api: VkApi, refs: list[PageRef]) -> dict[str, PageObservation]:
    """Observe every referenced VK page; one observation per distinct ref URL."""
    observed_at = now_iso()
    out: dict[str, PageObservation] = {}
    groups: dict[str, PageRef] = {}  # request key -> ref
    for ref in dict.fromkeys(refs):
        if ref.kind == "user":
            out[ref.url] = PageObservation(
                "vk", ref.url, "api", "found", observed_at, page_id=ref.key, kind="profile"
            )
        else:
            groups[ref.key] = ref

    by_id: dict[str, dict] = {}
    by_name: dict[str, dict] = {}
    evidence_of: dict[str, list] = {}  # group id -> evidence of the calls that read it

    facts: dict[str, tuple[int, CallResult]] = {}  # key -> access error about that page

    async def lookup(keys: list[str]) -> dict[str, CallResult]:
        """groups.getById over `keys`; returns the failed call per key that could not be asked."""
        failures: dict[str, CallResult] = {}
        for part in chunks(keys, api.settings.ids_per_call):
            failures.update(await lookup_part(part))
        return failures

    async def lookup_part(part: list[str]) -> dict[str, CallResult]:
        result = await api.call(
            "groups.getById",
            {"group_ids": ",".join(part), "fields": GROUP_FIELDS},
            f"groups.getById group_ids={','.join(part)}",
        )
        if not result.ok:
            if result.error_code in (100, 125):  # none of the ids is a community
                for key in part:
                    evidence_of.setdefault(f"key:{key}", []).extend(result.evidence)
                return {}
            if result.error_code in PAGE_FACT_CODES:
                if len(part) == 1:  # an access error about this very page: a fact
                    facts[part[0]] = (result.error_code, result)
                    return {}
                half = len(part) // 2  # which page? ask the halves apart
                return {**await lookup_part(part[:half]), **await lookup_part(part[half:])}
            return dict.fromkeys(part, result)
        for group in groups_of(result.response):
            gid = str(group.get("id"))
            by_id[gid] = group
            if group.get("screen_name"):
                by_name[str(group["screen_name"]).lower()] = group
            evidence_of.setdefault(gid, []).extend(result.evidence)
        return {}

    failures = await lookup(list(groups))

    def found(key: str) -> dict | None:
        return by_id.get(key) if key.isdigit() else by_name.get(key.lower())

    # Screen names getById did not return: a personal profile, a renamed page, or nothing.
    unresolved = [k for k in groups if k not in failures and found(k) is None and not k.isdigit()]
    resolved_ids: dict[str, str] = {}
    profiles: dict[str, str] = {}
    for part in chunks(unresolved, EXECUTE_LIMIT):
        calls = [api_call("utils.resolveScreenName", {"screen_name": k}) for k in part]
        result = await api.execute(calls, f"execute utils.resolveScreenName x{len(part)}")
        if not result.ok or not isinstance(result.response, list):
            failures.update(dict.fromkeys(part, result))
            continue
        for key, answer in zip(part, result.response, strict=False):
            evidence_of.setdefault(f"key:{key}", []).extend(result.evidence)
            if not isinstance(answer, dict) or "object_id" not in answer:
                continue  # [] or false: no such name
            kind, object_id = answer.get("type"), str(answer["object_id"])
            if kind == "user":
                profiles[key] = object_id
            elif kind in ("group", "page", "event"):
                resolved_ids[key] = object_id
    more = sorted({i for i in resolved_ids.values() if i not in by_id})
    if more:
        failures.update(await lookup(more))

    pages: dict[str, PageObservation] = {}  # group id -> observation (shared by its refs)
    for key, ref in groups.items():
        if key in failures:
            out[ref.url] = failed(ref.url, failures[key], observed_at)
            continue
        if key in facts:
            code, result = facts[key]
            out[ref.url] = access_fact(ref.url, code, result, observed_at)
            continue
        group = found(key) or by_id.get(resolved_ids.get(key, ""))
        extra_ev = evidence_of.get(f"key:{key}", [])
        if group is None:
            page = PageObservation("vk", ref.url, "api", "missing", observed_at)
            if key in profiles:
                page.state, page.kind, page.page_id = "found", "profile", profiles[key]
            page.evidence = list(extra_ev)
            out[ref.url] = page
            continue
        gid = str(group.get("id"))
        if gid not in pages:
            pages[gid] = page_from_group(ref.url, group, observed_at)
            pages[gid].evidence = list(evidence_of.get(gid, []))
        page = pages[gid]
        out[ref.url] = page if page.url == ref.url else _alias(page, ref.url, extra_ev)

    # Walls of open communities, 25 per execute.
    readable = [p for p in pages.values() if p.exists and not p.closed and p.posts is None]
    for part in chunks(readable, EXECUTE_LIMIT):
        calls = [
            api_call(
                "wall.get", {"owner_id": -int(p.page_id), "count": WALL_COUNT, "filter": "owner"}
            )
            for p in part
        ]
        result = await api.execute(
            calls,
            f"execute wall.get x{len(part)} owner_ids=" + ",".join(f"-{p.page_id}" for p in part),
        )
        answers = result.response if result.ok and isinstance(result.response, list) else []
        errors = iter(result.extra.get("execute_errors") or [])  # one per failed slot, in order
        for index, page in enumerate(part):
            page.evidence.extend(result.evidence)
            if not result.ok:
                page.wall_cause = result.cause
                continue
            answer = answers[index] if index < len(answers) else False
            apply_wall(page, answer)
            if answer is False:
                page.wall_cause = wall_refusal(next(errors, None))
    # aliases share the wall facts of their page
    for url, page in out.items():
        origin = pages.get(page.page_id or "")
        if origin is not None and page is not origin and page.url == url:
            _copy_wall(origin, page)
    return out


def _alias(page: PageObservation, url: str, extra_ev: list) -> PageObservation:
    """The same community reached through another address (club<id> vs screen name)."""
    from dataclasses import replace

    return replace(page, url=url, evidence=[*extra_ev, *page.evidence])


def _copy_wall(origin: PageObservation, alias: PageObservation) -> None:
    alias.posts, alias.posts_total = origin.posts, origin.posts_total
    alias.posts_cover_from, alias.wall_cause = origin.posts_cover_from, origin.wall_cause
    alias.comments_open = origin.comments_open
    alias.evidence = unique_evidence([*alias.evidence, *origin.evidence])


def unique_evidence(items: list) -> list:
    seen, out = set(), []
    for ev in items:
        if id(ev) not in seen:
            seen.add(id(ev))
            out.append(ev)
    return out
