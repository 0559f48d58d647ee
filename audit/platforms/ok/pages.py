"""OK pages through the API.

    url.getInfo            one request per short name (ok.ru/<name>): group, profile or nothing
    group.getInfo          up to 100 groups per request (uids=...)
    mediatopic.getTopics   latest topics of each open group, one request per group

OK documents no batch call for topics, so activity costs one request per open group.
"""

from __future__ import annotations

import asyncio
from typing import Any

from audit.collect.apicall import CallResult, chunks, failed_page
from audit.collect.page_html import now_iso
from audit.observations import PageObservation
from audit.pageurls import PageRef
from audit.platforms.ok.api import OkApi
from audit.textfacts import emails, has_address, phones, unique
from audit.widgets import mentions_pos

GROUP_FIELDS = (
    "uid,name,description,shortname,homepage_url,members_count,private,access_type,"
    "gos_org,phone,address,city,blocked,pic_avatar,location_latitude,location_longitude"
)
TOPICS = 50  # latest topics asked for: enough for the 30-day window of most pages
NOT_FOUND_CODES = frozenset({100, 160, 300})  # bad or unknown group id, not found
RESTRICTED_CODES = frozenset({456, 457, 458})  # group, unauthorized, privacy restriction


def groups_of(response: Any) -> list[dict]:
    """group.getInfo answers a plain list; the documentation renders {"groups": [...]}."""
    if isinstance(response, dict):
        response = response.get("groups") or []
    return [g for g in response if isinstance(g, dict)] if isinstance(response, list) else []


def page_from_group(url: str, group: dict, observed_at: str) -> PageObservation:
    page = PageObservation(
        platform="ok",
        url=url,
        source="api",
        state="banned" if group.get("blocked") else "found",
        observed_at=observed_at,
        page_id=str(group.get("uid")),
        screen_name=group.get("shortname"),
        kind="group",
        name=group.get("name"),
    )
    if page.state != "found":
        return page
    access = str(group.get("access_type") or "").upper()
    page.closed = bool(group.get("private")) or access in ("CLOSED", "SECRET")
    if page.closed:
        page.wall_cause = "closed"
    gov = group.get("gos_org")
    page.gov_mark = None if gov is None else bool(gov)
    page.description = group.get("description") or ""
    page.site = group.get("homepage_url") or None
    text = " ".join(str(group.get(k) or "") for k in ("description", "phone", "address"))
    page.phones = unique([str(group.get("phone") or ""), *phones(text)])
    page.emails = unique(emails(text))
    address = group.get("address")
    city = group.get("city")
    page.addresses = unique(
        [", ".join(str(x) for x in (city, address) if x)] + ([text] if has_address(text) else [])
    )
    page.members = group.get("members_count")
    apply_design(page, group)
    return page


def apply_design(page: PageObservation, group: dict) -> None:
    """What group.getInfo tells of the page's design and settings. OK leaves out the fields a
    group has not filled, so an absent field is unknown, never "not set"; OK publishes no
    cover field."""
    if group.get("pic_avatar"):
        page.avatar = True
    if str(group.get("address") or "").strip():
        page.address_set = True
        coordinates = (group.get("location_latitude"), group.get("location_longitude"))
        if all(isinstance(x, int | float) and x for x in coordinates):
            page.map_point = True
    if any(mentions_pos(x) for x in (page.description, page.site)):
        page.pos_on_page = True


def apply_topics(page: PageObservation, answer: Any) -> None:
    if not isinstance(answer, dict):
        page.wall_cause = "wall_unreadable"
        return
    topics = [t for t in answer.get("media_topics") or [] if isinstance(t, dict)]
    own = [t for t in topics if isinstance(t.get("created_ms"), int) and not t.get("is_pinned")]
    page.posts = sorted((t["created_ms"] // 1000 for t in own), reverse=True)
    complete = not answer.get("has_more") and len(topics) < TOPICS
    page.posts_total = len(page.posts) if complete else None
    page.posts_cover_from = 0 if complete or not page.posts else page.posts[-1]


async def collect_ok_api(api: OkApi, refs: list[PageRef]) -> dict[str, PageObservation]:
    """Observe every referenced OK page at once; one observation per distinct ref URL."""
    return await OkPages(api).collect(refs, final=True)


class OkPages:
    """OK pages of a run, batch after batch. A group.getInfo a batch would leave partly filled
    (fewer than 100 groups) waits for the next batch's groups unless the batch is `final`;
    pages waiting so are absent from `collect`'s answer and come with a later batch's."""

    def __init__(self, api: OkApi):
        self.api = api
        self.gid_of: dict[str, str] = {}  # ref url -> group id, not yet answered
        self.extra_ev: dict[str, list] = {}  # ref url -> url.getInfo evidence
        self.lookup: dict[str, None] = {}  # group ids waiting for group.getInfo
        self.asked: set[str] = set()
        self.groups: dict[str, dict] = {}
        self.group_ev: dict[str, list] = {}
        self.facts: dict[str, CallResult] = {}
        self.failures: dict[str, CallResult] = {}

    async def collect(self, refs: list[PageRef], final: bool = True) -> dict[str, PageObservation]:
        observed_at = now_iso()
        out: dict[str, PageObservation] = {}
        fresh = [r for r in dict.fromkeys(refs) if r.url not in self.gid_of]
        await asyncio.gather(*(self._resolve(r, out, observed_at) for r in fresh))
        for gid in self.gid_of.values():
            if gid not in self.asked:
                self.lookup[gid] = None
        size = self.api.settings.ids_per_call
        ids = list(self.lookup)
        if not final:
            ids = ids[: len(ids) - len(ids) % size]
        for gid in ids:
            del self.lookup[gid]
        self.asked.update(ids)
        for part in chunks(ids, size):
            await self._lookup(part)
        out.update(await self._answered(observed_at))
        live = set(self.gid_of.values())
        self.asked &= live
        for table in (self.groups, self.group_ev, self.facts, self.failures):
            for gid in [g for g in table if g not in live]:
                del table[gid]
        return out

    async def _resolve(self, ref: PageRef, out: dict, observed_at: str) -> None:
        """A group id for the address: directly, or through url.getInfo for a short name."""
        if ref.kind == "group":
            self.gid_of[ref.url] = ref.key
            return
        if ref.kind == "profile":
            out[ref.url] = PageObservation(
                "ok", ref.url, "api", "found", observed_at, page_id=ref.key, kind="profile"
            )
            return
        result = await self.api.call("url.getInfo", {"url": ref.url}, f"url.getInfo url={ref.url}")
        if not result.ok:
            if result.error_code in NOT_FOUND_CODES:
                out[ref.url] = PageObservation(
                    "ok", ref.url, "api", "missing", observed_at, evidence=list(result.evidence)
                )
            else:
                out[ref.url] = failed(ref.url, result, observed_at)
            return
        answer = result.response if isinstance(result.response, dict) else {}
        kind = str(answer.get("type") or "").upper()
        object_id = answer.get("objectIdStr") or answer.get("objectId")
        if kind == "GROUP" and object_id:
            self.gid_of[ref.url] = str(object_id)
            self.extra_ev[ref.url] = list(result.evidence)
        elif kind in ("USER", "PROFILE") and object_id:
            out[ref.url] = PageObservation(
                "ok",
                ref.url,
                "api",
                "found",
                observed_at,
                page_id=str(object_id),
                kind="profile",
                evidence=list(result.evidence),
            )
        else:
            out[ref.url] = PageObservation(
                "ok", ref.url, "api", "missing", observed_at, evidence=list(result.evidence)
            )

    async def _lookup(self, part: list[str]) -> None:
        result = await self.api.call(
            "group.getInfo",
            {"uids": ",".join(part), "fields": GROUP_FIELDS},
            f"group.getInfo uids={','.join(part)}",
        )
        if not result.ok:
            code = result.error_code
            if code in NOT_FOUND_CODES | RESTRICTED_CODES:
                if len(part) == 1:
                    self.facts[part[0]] = result
                    return
                half = len(part) // 2
                await self._lookup(part[:half])
                await self._lookup(part[half:])
                return
            self.failures.update(dict.fromkeys(part, result))
            return
        for group in groups_of(result.response):
            gid = str(group.get("uid"))
            self.groups[gid] = group
            self.group_ev[gid] = list(result.evidence)

    async def _answered(self, observed_at: str) -> dict[str, PageObservation]:
        """Every address whose group was asked about, with the latest topics of open groups."""
        out: dict[str, PageObservation] = {}
        pages: dict[str, PageObservation] = {}
        for url, gid in list(self.gid_of.items()):
            if gid in self.lookup:
                continue
            del self.gid_of[url]
            before = self.extra_ev.pop(url, [])
            if gid in self.failures:
                out[url] = failed(url, self.failures[gid], observed_at)
                continue
            if gid in self.facts:
                out[url] = fact_page(url, gid, self.facts[gid], before, observed_at)
                continue
            group = self.groups.get(gid)
            if group is None:
                out[url] = PageObservation(
                    "ok", url, "api", "missing", observed_at, page_id=gid, evidence=list(before)
                )
                continue
            page = page_from_group(url, group, observed_at)
            page.evidence = [*before, *self.group_ev.get(gid, [])]
            pages.setdefault(gid, page)
            out[url] = page

        async def topics(page: PageObservation) -> None:
            result = await self.api.call(
                "mediatopic.getTopics",
                {"gid": page.page_id or "", "count": str(TOPICS)},
                f"mediatopic.getTopics gid={page.page_id}",
            )
            page.evidence.extend(result.evidence)
            if result.ok:
                apply_topics(page, result.response)
            elif result.error_code in RESTRICTED_CODES:
                page.wall_cause = "closed"
            else:
                page.wall_cause = result.cause

        readable = [p for p in pages.values() if p.exists and not p.closed]
        await asyncio.gather(*(topics(p) for p in readable))
        for page in out.values():  # another address of a page already read shares its posts
            origin = pages.get(page.page_id or "")
            if origin is not None and origin is not page:
                page.posts, page.posts_total = origin.posts, origin.posts_total
                page.posts_cover_from, page.wall_cause = origin.posts_cover_from, origin.wall_cause
        return out


def fact_page(
    url: str, gid: str, result: CallResult, before: list, observed_at: str
) -> PageObservation:
    """group.getInfo refused this very group: not found, or found and restricted."""
    page = PageObservation(
        "ok",
        url,
        "api",
        "missing",
        observed_at,
        page_id=gid,
        evidence=[*before, *result.evidence],
        detail=result.detail(),
    )
    if result.error_code in RESTRICTED_CODES:
        page.state, page.kind, page.closed, page.wall_cause = "found", "group", True, "closed"
    return page


def failed(url: str, result: CallResult, observed_at: str) -> PageObservation:
    return failed_page("ok", url, result, observed_at)
