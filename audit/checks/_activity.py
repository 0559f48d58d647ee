"""Shared reading of a page's wall for the page.activity.* checks."""

from __future__ import annotations

from datetime import UTC, datetime

from audit.checks import Outcome, outcome
from audit.model import Status
from audit.observations import PageSlot
from audit.rudates import MSK

WALL_RU = {
    "closed": "сообщество закрыто, записи не видны",
    "wall_disabled": "стена сообщества отключена",
    "wall_unreadable": "соцсеть не отдала записи стены",
    "rate_limit": "превышен лимит запросов к API",
}
WALL_EN = {
    "closed": "the community is closed, posts are not visible",
    "wall_disabled": "the community's wall is disabled",
    "wall_unreadable": "the platform did not return the wall",
    "rate_limit": "the API rate limit was exceeded",
}


def unreadable_wall(slot: PageSlot) -> Outcome | None:
    page = slot.page
    if page.posts is not None:
        return None
    cause = page.wall_cause or "wall_unreadable"
    return outcome(
        Status.ERROR,
        f"Записи страницы не прочитаны: {WALL_RU.get(cause, cause)}.",
        f"The page's posts were not read: {WALL_EN.get(cause, cause)}.",
        slot.evidence,
    )


def msk(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).astimezone(MSK).strftime("%d.%m.%Y %H:%M")
