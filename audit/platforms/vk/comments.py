"""Residents' comments and the page's answers (page.replies), read with wall.getComments
(schema 5.199: `wall_getComments_response`, items `wall_wall_comment` with `from_id`, `date`,
`reply_to_comment`, `deleted` and `thread.items`; service tokens may call it). Each sampled
post takes one place in an `execute` of 25."""

from __future__ import annotations

from typing import Any

from audit.observations import PageObservation


def by_someone_else(post: dict) -> bool:
    owner, author = post.get("owner_id"), post.get("from_id")
    return isinstance(owner, int) and isinstance(author, int) and owner != author


def commented_posts(wall: Any, limit: int) -> list[int]:
    """The latest own posts (pinned left out) that residents commented, at most `limit`."""
    if not isinstance(wall, dict):
        return []
    out = []
    for post in wall.get("items") or []:
        if not isinstance(post, dict) or post.get("is_pinned") or by_someone_else(post):
            continue
        comments = post.get("comments")
        commented = isinstance(comments, dict) and (comments.get("count") or 0) > 0
        if commented and isinstance(post.get("id"), int):
            out.append(post["id"])
    return out[:limit]


def comment_params(page: PageObservation, post: int) -> dict:
    return {
        "owner_id": -int(page.page_id),
        "post_id": post,
        "count": 100,
        "sort": "desc",
        "thread_items_count": 10,
    }


def residents_comments(page: PageObservation, answer: dict) -> list[list[int | None]]:
    """[asked, answered] for every resident's comment of one wall.getComments answer: the
    page's answer is its first comment in the thread, or a comment of its own replying to
    this one (`reply_to_comment`)."""
    own = -int(page.page_id)
    items = [c for c in answer.get("items") or [] if isinstance(c, dict)]
    by_page = {
        c.get("reply_to_comment"): c.get("date")
        for c in items
        if c.get("from_id") == own and isinstance(c.get("date"), int)
    }
    out: list[list[int | None]] = []
    for c in items:
        if c.get("deleted") or not isinstance(c.get("date"), int):
            continue
        if not isinstance(c.get("from_id"), int) or c["from_id"] <= 0:
            continue  # the page's own comments, other communities'
        thread = c.get("thread") if isinstance(c.get("thread"), dict) else {}
        answers = [
            r["date"]
            for r in thread.get("items") or []
            if isinstance(r, dict) and r.get("from_id") == own and isinstance(r.get("date"), int)
        ]
        if c.get("id") in by_page:
            answers.append(by_page[c["id"]])
        out.append([c["date"], min(answers) if answers else None])
    return out
