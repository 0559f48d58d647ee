"""A community's design and settings from groups_group_full (VK's schema 5.199), for the
rating's criteria (page.design, page.address, page.pos_widget)."""

from __future__ import annotations

from audit.observations import PageObservation
from audit.widgets import mentions_pos


def apply_design(page: PageObservation, group: dict) -> None:
    """Design and settings from groups_group_full (VK's schema): `has_photo` (0/1), an avatar
    uploaded to VK's own image hosts, `cover.enabled`, `addresses.is_enabled` with its main
    address's coordinates. A field VK did not return leaves the fact unknown."""
    if group.get("has_photo") in (0, 1):
        page.avatar = bool(group["has_photo"])
    elif isinstance(group.get("photo_200"), str) and ".userapi.com/" in group["photo_200"]:
        page.avatar = True
    cover = group.get("cover")
    if isinstance(cover, dict) and cover.get("enabled") in (0, 1):
        page.cover = bool(cover["enabled"])
    addresses = group.get("addresses")
    if isinstance(addresses, dict) and isinstance(addresses.get("is_enabled"), bool):
        main = addresses.get("main_address")
        main = main if isinstance(main, dict) else {}
        page.address_set = addresses["is_enabled"] and bool(main or addresses.get("count"))
        if all(isinstance(main.get(k), int | float) for k in ("latitude", "longitude")):
            page.map_point = True
    if any(mentions_pos(x) for x in (page.description, page.site, *page.links)):
        page.pos_on_page = True
