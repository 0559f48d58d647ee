"""The simulated Telegram: public channel previews on t.me, from a scenario's `telegram:`.

The markup follows what public scrapers read from t.me (kulapard/tg2feed's parser tests,
RSSHub's channel route): `.tgme_channel_info` with its header title, description and counters,
posts as `.tgme_widget_message[data-post]` with `time[datetime]`; a name without a public
preview is sent on (302) to its card `t.me/<name>` (`.tgme_page`), which for a name nobody
holds has no title.

    telegram:
      channels:
        - name: adm_demo                   # the channel's public username
          title: Администрация Демо
          description: Официальный канал администрации. Сайт https://demo.ru
          subscribers: 1.2K
          posts: {last_hours: 5, every_hours: 24, count: 20}
          preview: false                   # the channel shows its posts only in the app
      missing: [old_channel]               # names nobody holds
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from html import escape

from audit.world.scenario import Route, Site

PREVIEW_POSTS = 20  # t.me/s shows about this many of the latest posts
# addresses in a description, which Telegram shows as links (with or without a scheme)
ADDRESS = re.compile(
    r"(?<![@\w.-])(?:https?://)?(?:[a-z0-9-]+\.)+(?:ru|su|com|org|net)\b(?!@)[^\s,;]*", re.I
)


def linked(text: str) -> str:
    """A description as t.me renders it: escaped, its addresses made links."""
    out, last = [], 0
    for m in ADDRESS.finditer(text):
        href = m.group(0) if "://" in m.group(0) else "http://" + m.group(0)
        out += [
            escape(text[last : m.start()]),
            f"<a href='{escape(href)}' target='_blank' rel='noopener'>{escape(m.group(0))}</a>",
        ]
        last = m.end()
    return "".join(out) + escape(text[last:])


def _page(body: str, title: str) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)} – Telegram</title>"
        f"<meta property='og:title' content='{escape(title)}'></head>"
        f"<body>{body}</body></html>"
    )


def _message(name: str, n: int, when: float, title: str) -> str:
    stamp = datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds")
    return (
        "<div class='tgme_widget_message_wrap js-widget_message_wrap'>"
        f"<div class='tgme_widget_message text_not_supported_wrap js-widget_message' "
        f"data-post='{name}/{n}'><div class='tgme_widget_message_bubble'>"
        "<div class='tgme_widget_message_author accent_color'>"
        f"<a class='tgme_widget_message_owner_name' href='https://t.me/{name}'>"
        f"<span dir='auto'>{escape(title)}</span></a></div>"
        f"<div class='tgme_widget_message_text js-message_text' dir='auto'>Новости, запись {n}."
        "</div><div class='tgme_widget_message_footer compact js-message_footer'>"
        "<div class='tgme_widget_message_info short js-message_info'>"
        "<span class='tgme_widget_message_views'>1.1K</span>"
        "<span class='tgme_widget_message_meta'><a class='tgme_widget_message_date' "
        f"href='https://t.me/{name}/{n}'><time datetime='{stamp}' class='time'>10:00</time>"
        "</a></span></div></div></div></div></div>"
    )


def preview(channel: dict, now: float) -> str:
    name, title = channel["name"], channel.get("title", channel["name"])
    spec = channel.get("posts") or {}
    start = now - float(spec.get("last_hours", 24)) * 3600
    every = float(spec.get("every_hours", 24)) * 3600
    count = min(int(spec.get("count", 0)), PREVIEW_POSTS)
    # oldest first, as the preview lists them
    messages = [
        _message(name, count - n, start - (count - 1 - n) * every, title) for n in range(count)
    ]
    header = (
        "<div class='tgme_channel_info'><div class='tgme_channel_info_header'>"
        "<i class='tgme_page_photo_image bgcolor0' data-content='А'>"
        "<img src='https://cdn4.cdn-telegram.org/file/demo.jpg'></i>"
        "<div class='tgme_channel_info_header_title_wrap'>"
        f"<div class='tgme_channel_info_header_title'><span dir='auto'>{escape(title)}</span>"
        "</div></div><div class='tgme_channel_info_header_username'>"
        f"<a href='https://t.me/{name}'>@{name}</a></div></div>"
        "<div class='tgme_channel_info_counters'><div class='tgme_channel_info_counter'>"
        f"<span class='counter_value'>{escape(str(channel.get('subscribers', '0')))}</span> "
        "<span class='counter_type'>subscribers</span></div></div>"
        f"<div class='tgme_channel_info_description'>{linked(channel.get('description', ''))}"
        "</div></div>"
    )
    return _page(
        header + "<section class='tgme_channel_history'>" + "".join(messages) + "</section>", title
    )


def card(title: str | None, extra: str, name: str) -> str:
    inner = (
        f"<div class='tgme_page_title'><span dir='auto'>{escape(title)}</span></div>"
        f"<div class='tgme_page_extra'>{escape(extra)}</div>"
        if title
        else ""
    )
    return _page(
        "<div class='tgme_page_wrap'><div class='tgme_page'>"
        "<div class='tgme_page_photo'></div>"
        f"{inner}<div class='tgme_page_action'><a class='tgme_action_button_new' "
        f"href='tg://resolve?domain={name}'>View in Telegram</a></div>"
        "<div class='tgme_page_context_link_wrap'>If you have <strong>Telegram</strong>, you "
        "can contact <a class='tgme_username_link'>@" + name + "</a> right away.</div>"
        "</div></div>",
        title or "Telegram: Contact @" + name,
    )


# the built-in canaries (audit/canaries.py) as the simulated t.me plays them
CANARIES = {
    "channels": [
        {
            "name": "telegram",
            "title": "Telegram News",
            "description": "The official Telegram on Telegram.",
            "subscribers": "9.8M",
            "posts": {"last_hours": 30, "every_hours": 72, "count": 10},
        }
    ],
    "missing": ["pa_canary_no_such_channel_7f3a9c"],
}


def telegram_site(spec: dict, now: float | None = None) -> Site:
    """t.me with the scenario's channels and the canaries."""
    now = time.time() if now is None else now
    routes: dict[str, Route] = {}
    channels = [*CANARIES["channels"], *(spec.get("channels") or [])]
    spec = {"channels": channels, "missing": [*CANARIES["missing"], *(spec.get("missing") or [])]}
    for channel in spec["channels"]:
        name, title = channel["name"], channel.get("title", channel["name"])
        routes[f"/{name}"] = Route(
            body=card(title, f"{channel.get('subscribers', '0')} subscribers", name)
        )
        if channel.get("preview", True):
            routes[f"/s/{name}"] = Route(body=preview(channel, now))
        else:
            routes[f"/s/{name}"] = Route(status=302, redirect=f"https://t.me/{name}")
    for name in spec.get("missing") or []:
        routes[f"/{name}"] = Route(body=card(None, "", name))
        routes[f"/s/{name}"] = Route(status=302, redirect=f"https://t.me/{name}")
    return Site("t.me", routes=routes)
