"""What VK's API answers say about a page: a community from groups.getById, its wall from
wall.get, a refusal by its code. Pure functions of the answers (tests feed them VK's real
ones); the batching that asks for them: `audit.platforms.vk.pages`."""

from __future__ import annotations

from typing import Any

from audit.collect.apicall import CallResult
from audit.observations import PageObservation
from audit.platforms.vk.comments import by_someone_else
from audit.platforms.vk.design import apply_design
from audit.textfacts import emails, has_address, phones, unique


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
    apply_design(page, group)
    if group.get("wall") == 0:
        page.wall_cause = "wall_disabled"
        page.posts, page.posts_total, page.posts_cover_from = [], 0, 0
        page.comments_open = False  # no wall: nothing residents could comment on
    return page


def apply_wall(page: PageObservation, wall: Any) -> None:
    """Fill the activity facts from one wall.get response (or False when the call failed)."""
    if not isinstance(wall, dict):
        page.wall_cause = "wall_unreadable"
        return
    items = [p for p in wall.get("items") or [] if isinstance(p, dict)]
    # residents' posts on an open wall are not the page's activity (wall.get is asked for the
    # owner's posts; an answer that holds others anyway is not a listing of the page's own)
    others = [p for p in items if by_someone_else(p)]
    own = [
        p
        for p in items
        if not p.get("is_pinned") and isinstance(p.get("date"), int) and not by_someone_else(p)
    ]
    if others and not own:
        page.wall_cause = "wall_unreadable"
        return
    page.posts = sorted((p["date"] for p in own), reverse=True)
    page.posts_total = wall.get("count") if isinstance(wall.get("count"), int) else None
    complete = not others and page.posts_total is not None and page.posts_total <= len(items)
    page.posts_cover_from = 0 if complete or not page.posts else page.posts[-1]
    # `comments.can_post` is about the caller (a service token may not comment anywhere): it
    # proves comments open, never closed; a post residents commented on proves it too
    comments = [p["comments"] for p in own if isinstance(p.get("comments"), dict)]
    if any(c.get("can_post") == 1 or (c.get("count") or 0) > 0 for c in comments):
        page.comments_open = True


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
