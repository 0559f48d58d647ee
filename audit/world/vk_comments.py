"""The simulated VK's residents' comments and the page's answers (wall.getComments).

A group's `replies` in the scenario lists, for residents' comments on its newest post, how many
hours later the page answers each one in the comment's thread (`null`: never):

    replies: [2, null, 30]

The comments are asked an hour apart from an hour after the post; an answer later than the
simulated clock is not there yet. Answers follow VK's schema (`wall_getComments_response` with
`thread_items_count`: each comment's `thread.items`)."""

from __future__ import annotations

from typing import Any

RESIDENT = 700100  # the first resident's user id


def comments_of(gid: int, post: dict, replies: list, now: float) -> list[dict]:
    items = []
    for n, after in enumerate(replies):
        asked = int(post["date"]) + 3600 * (n + 1)
        if asked > now:
            break
        thread = []
        if after is not None and asked + float(after) * 3600 <= now:
            thread.append(
                {
                    "id": 1000 + 2 * n + 1,
                    "from_id": -gid,
                    "owner_id": -gid,
                    "post_id": post["id"],
                    "date": int(asked + float(after) * 3600),
                    "text": "Здравствуйте! Ответ администрации.",
                    "reply_to_comment": 1000 + 2 * n,
                }
            )
        items.append(
            {
                "id": 1000 + 2 * n,
                "from_id": RESIDENT + n,
                "owner_id": -gid,
                "post_id": post["id"],
                "date": asked,
                "text": "Когда починят дорогу?",
                "thread": {"count": len(thread), "items": thread, "can_post": True},
            }
        )
    return items


def count_for(g: dict) -> int:
    """How many comments the newest post shows in wall.get."""
    return len(g.get("replies") or [])


def get_comments(world: Any, params: dict[str, str]) -> dict | None:
    """The answer to wall.getComments, or None when owner_id or post_id names nothing (the
    caller answers VK's error 100)."""
    owner, post_id = params.get("owner_id", ""), params.get("post_id", "")
    g = world.groups.get(int(owner[1:])) if owner.startswith("-") and owner[1:].isdigit() else None
    if g is None or not post_id.isdigit():
        return None
    posts = [p for p in world.posts(g) if not p.get("is_pinned")]
    post = next((p for p in posts if p["id"] == int(post_id)), None)
    if post is None:
        return None
    newest = post is posts[0]
    items = comments_of(int(g["id"]), post, g.get("replies") or [], world.clock()) if newest else []
    items.sort(key=lambda c: c["date"], reverse=params.get("sort") != "asc")
    return {"count": len(items), "items": items, "current_level_count": len(items)}
