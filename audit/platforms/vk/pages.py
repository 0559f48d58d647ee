"""VK pages through the API: every reference of a batch in as few requests as VK allows.

    groups.getById   ceil(N / 500) requests for N communities (ids and screen names mixed)
    execute          utils.resolveScreenName for names getById did not return (25 per request)
    execute          wall.get for every open community, 25 walls per request

Pages whose address is a personal profile (vk.com/id<N>) need no call.
"""

from __future__ import annotations

from audit.collect.apicall import CallResult, chunks, failed_page
from audit.collect.page_html import now_iso
from audit.observations import PageObservation
from audit.pageurls import PageRef
from audit.platforms.vk.answers import (
    access_fact,
    apply_wall,
    groups_of,
    page_from_group,
    wall_refusal,
)
from audit.platforms.vk.api import EXECUTE_LIMIT, VkApi, api_call
from audit.platforms.vk.comments import (
    comment_params,
    commented_posts,
    residents_comments,
)

GROUP_FIELDS = (
    "description,site,links,contacts,addresses,members_count,verified,status,"
    "is_government_organization,trust_mark,activity,fixed_post,wall,has_photo,photo_200,cover"
)
WALL_COUNT = 100  # wall.get maximum: enough for 30 days of a busy page
PAGE_FACT_CODES = frozenset({15, 18, 30, 203})  # access errors that describe the page itself


def failed(url: str, result: CallResult, observed_at: str) -> PageObservation:
    return failed_page("vk", url, result, observed_at)


async def collect_vk_api(api: VkApi, refs: list[PageRef]) -> dict[str, PageObservation]:
    """Observe every referenced VK page at once; one observation per distinct ref URL."""
    return await VkPages(api).collect(refs, final=True)


class VkPages:
    """VK pages of a run, batch after batch, in as few requests as VK's limits allow.

    A request a batch would leave partly filled (fewer than 500 ids, fewer than 25 calls in an
    execute) waits for the next batch's pages unless the batch is `final`: a run then makes
    exactly the requests its pages need, not one partial request per batch and method. Pages
    waiting so are absent from `collect`'s answer; they come with a later batch's.
    """

    def __init__(self, api: VkApi):
        self.api = api
        self.refs: dict[str, dict[str, PageRef]] = {}  # key -> {url: ref}, not yet answered
        self.lookup: dict[str, None] = {}  # keys (names, ids) waiting for groups.getById
        self.names: dict[str, None] = {}  # names getById did not return, for resolveScreenName
        self.walls: dict[str, PageObservation] = {}  # group id -> page waiting for its wall
        self.asked: set[str] = set()  # keys groups.getById was asked about
        self.by_id: dict[str, dict] = {}
        self.by_name: dict[str, dict] = {}
        self.evidence_of: dict[str, list] = {}  # group id or "key:<key>" -> evidence
        self.facts: dict[str, tuple[int, CallResult]] = {}  # key -> access error about it
        self.failures: dict[str, CallResult] = {}  # key or id -> the call that failed
        self.resolved_ids: dict[str, str] = {}  # name -> community id
        self.profiles: dict[str, str] = {}  # name -> user id
        self.pages: dict[str, PageObservation] = {}  # group id -> observation (shared by refs)

    async def collect(self, refs: list[PageRef], final: bool = True) -> dict[str, PageObservation]:
        observed_at = now_iso()
        out: dict[str, PageObservation] = {}
        for ref in dict.fromkeys(refs):
            if ref.kind == "user":
                out[ref.url] = PageObservation(
                    "vk", ref.url, "api", "found", observed_at, page_id=ref.key, kind="profile"
                )
                continue
            waiting = self.refs.setdefault(ref.key, {})
            if not waiting and ref.key not in self.asked:
                self.lookup[ref.key] = None
            waiting[ref.url] = ref
        while await self._advance(final):
            pass
        out.update(self._answered(observed_at))
        self._forget_answered()
        return out

    def _take(self, queue: dict, size: int, final: bool) -> list:
        """The queue's items that fill whole requests (all of them when final)."""
        items = list(queue)
        if not final:
            items = items[: len(items) - len(items) % size]
        for item in items:
            del queue[item]
        return items

    async def _advance(self, final: bool) -> bool:
        """Send every request that is full (or, when final, every one); False when none was."""
        sent = False
        keys = self._take(self.lookup, self.api.settings.ids_per_call, final)
        if keys:
            sent = True
            self.asked.update(keys)
            for part in chunks(keys, self.api.settings.ids_per_call):
                self.failures.update(await self._lookup_part(part))
            for key in keys:  # names getById did not return: a profile, a renamed page, nothing
                if self._unresolved(key):
                    self.names[key] = None
        names = self._take(self.names, EXECUTE_LIMIT, final)
        if names:
            sent = True
            await self._resolve(names)
        for key in self.refs:  # communities known: their walls are read next
            group = self._group(key)
            if group is not None and str(group.get("id")) not in self.pages:
                gid = str(group.get("id"))
                url = next(iter(self.refs[key]))
                page = page_from_group(url, group, now_iso())
                page.evidence = list(self.evidence_of.get(gid, []))
                self.pages[gid] = page
                if page.exists and not page.closed and page.posts is None:
                    self.walls[gid] = page
        walls = self._take(self.walls, EXECUTE_LIMIT, final)
        if walls:
            sent = True
            for part in chunks(walls, EXECUTE_LIMIT):
                await self._read_walls([self.pages[gid] for gid in part])
        return sent

    async def _lookup_part(self, part: list[str]) -> dict[str, CallResult]:
        """groups.getById over `part`; returns the failed call per key that could not be asked."""
        result = await self.api.call(
            "groups.getById",
            {"group_ids": ",".join(part), "fields": GROUP_FIELDS},
            f"groups.getById group_ids={','.join(part)}",
        )
        if not result.ok:
            if result.error_code in (100, 125):  # none of the ids is a community
                for key in part:
                    self.evidence_of.setdefault(f"key:{key}", []).extend(result.evidence)
                return {}
            if result.error_code in PAGE_FACT_CODES:
                if len(part) == 1:  # an access error about this very page: a fact
                    self.facts[part[0]] = (result.error_code, result)
                    return {}
                half = len(part) // 2  # which page? ask the halves apart
                return {
                    **await self._lookup_part(part[:half]),
                    **await self._lookup_part(part[half:]),
                }
            return dict.fromkeys(part, result)
        for group in groups_of(result.response):
            gid = str(group.get("id"))
            self.by_id[gid] = group
            if group.get("screen_name"):
                self.by_name[str(group["screen_name"]).lower()] = group
            self.evidence_of.setdefault(gid, []).extend(result.evidence)
        return {}

    async def _resolve(self, names: list[str]) -> None:
        """utils.resolveScreenName, 25 per execute; communities found so are looked up next."""
        for part in chunks(names, EXECUTE_LIMIT):
            calls = [api_call("utils.resolveScreenName", {"screen_name": k}) for k in part]
            result = await self.api.execute(calls, f"execute utils.resolveScreenName x{len(part)}")
            if not result.ok or not isinstance(result.response, list):
                self.failures.update(dict.fromkeys(part, result))
                continue
            for key, answer in zip(part, result.response, strict=False):
                self.evidence_of.setdefault(f"key:{key}", []).extend(result.evidence)
                if not isinstance(answer, dict) or "object_id" not in answer:
                    continue  # [] or false: no such name
                kind, object_id = answer.get("type"), str(answer["object_id"])
                if kind == "user":
                    self.profiles[key] = object_id
                elif kind in ("group", "page", "event"):
                    self.resolved_ids[key] = object_id
                    if object_id not in self.by_id and object_id not in self.asked:
                        self.lookup[object_id] = None

    async def _read_walls(self, part: list[PageObservation]) -> None:
        """wall.get of up to 25 open communities in one execute."""
        calls = [
            api_call(
                "wall.get", {"owner_id": -int(p.page_id), "count": WALL_COUNT, "filter": "owner"}
            )
            for p in part
        ]
        result = await self.api.execute(
            calls,
            f"execute wall.get x{len(part)} owner_ids=" + ",".join(f"-{p.page_id}" for p in part),
        )
        answers = result.response if result.ok and isinstance(result.response, list) else []
        errors = iter(result.extra.get("execute_errors") or [])  # one per failed slot, in order
        threads: list[tuple[PageObservation, int]] = []
        for index, page in enumerate(part):
            page.evidence.extend(result.evidence)
            if not result.ok:
                page.wall_cause = result.cause
                continue
            answer = answers[index] if index < len(answers) else False
            apply_wall(page, answer)
            if answer is False:
                page.wall_cause = wall_refusal(next(errors, None))
            elif self.api.settings.comment_posts:
                posts = commented_posts(answer, self.api.settings.comment_posts)
                threads += [(page, post) for post in posts]
                if not posts and page.posts is not None:
                    page.replies = []
        if threads:
            await self._read_comments(threads)

    async def _read_comments(self, threads: list[tuple[PageObservation, int]]) -> None:
        """wall.getComments with their answers (threads) for the sampled posts, 25 per execute;
        a page with any post left unread keeps `replies` unknown."""
        failed: set[int] = set()
        for part in chunks(threads, EXECUTE_LIMIT):
            calls = [
                api_call("wall.getComments", comment_params(page, post)) for page, post in part
            ]
            result = await self.api.execute(calls, f"execute wall.getComments x{len(part)}")
            answers = result.response if result.ok and isinstance(result.response, list) else []
            for index, (page, _) in enumerate(part):
                if result.evidence and result.evidence[0] not in page.evidence:
                    page.evidence.extend(result.evidence)
                answer = answers[index] if index < len(answers) else None
                if not isinstance(answer, dict) or id(page) in failed:
                    failed.add(id(page))
                    page.replies = None
                    continue
                page.replies = [*(page.replies or []), *residents_comments(page, answer)]

    def _unresolved(self, key: str) -> bool:
        return (
            key in self.refs
            and not key.isdigit()
            and self._group(key) is None
            and key not in self.failures
            and key not in self.facts
        )

    def _group(self, key: str) -> dict | None:
        found = self.by_id.get(key) if key.isdigit() else self.by_name.get(key.lower())
        return found or self.by_id.get(self.resolved_ids.get(key, ""))

    def _answer(self, key: str, url: str, observed_at: str) -> PageObservation | None:
        """The observation of one address, or None while a request about it waits."""
        if key in self.lookup or key in self.names:
            return None
        if key in self.failures:
            return failed(url, self.failures[key], observed_at)
        if key in self.facts:
            code, result = self.facts[key]
            return access_fact(url, code, result, observed_at)
        resolved = self.resolved_ids.get(key, "")
        if resolved in self.lookup:
            return None
        group = self._group(key)
        extra_ev = self.evidence_of.get(f"key:{key}", [])
        if group is None:
            if resolved in self.failures:
                return failed(url, self.failures[resolved], observed_at)
            page = PageObservation("vk", url, "api", "missing", observed_at)
            if key in self.profiles:
                page.state, page.kind, page.page_id = "found", "profile", self.profiles[key]
            page.evidence = list(extra_ev)
            return page
        gid = str(group.get("id"))
        if gid in self.walls:
            return None
        page = self.pages[gid]
        return page if page.url == url else _alias(page, url, extra_ev)

    def _answered(self, observed_at: str) -> dict[str, PageObservation]:
        out: dict[str, PageObservation] = {}
        for key, urls in list(self.refs.items()):
            answers = {url: self._answer(key, url, observed_at) for url in urls}
            if all(page is not None for page in answers.values()):
                out.update(answers)  # type: ignore[arg-type]
                del self.refs[key]
        return out

    def _forget_answered(self) -> None:
        """Keep only what the addresses still waiting need: memory does not grow with a run."""
        keys = set(self.refs)
        live = {self.resolved_ids[k] for k in keys if k in self.resolved_ids}
        live |= {str(g.get("id")) for k in keys if (g := self._group(k)) is not None}
        live |= keys | set(self.lookup)
        self.asked &= live
        self.by_id = {k: v for k, v in self.by_id.items() if k in live}
        self.by_name = {k: v for k, v in self.by_name.items() if str(v.get("id")) in live}
        self.evidence_of = {k: v for k, v in self.evidence_of.items() if k in live or k[4:] in keys}
        self.facts = {k: v for k, v in self.facts.items() if k in keys}
        self.failures = {k: v for k, v in self.failures.items() if k in live}
        self.resolved_ids = {k: v for k, v in self.resolved_ids.items() if k in keys}
        self.profiles = {k: v for k, v in self.profiles.items() if k in keys}
        self.pages = {k: v for k, v in self.pages.items() if k in live}


def _alias(page: PageObservation, url: str, extra_ev: list) -> PageObservation:
    """The same community reached through another address (club<id> vs screen name)."""
    from dataclasses import replace

    return replace(page, url=url, evidence=[*extra_ev, *page.evidence])
