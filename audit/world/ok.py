"""The simulated OK: api.ok.ru/fb.do and the public ok.ru pages, from a scenario's `ok:`.

The API verifies the signature exactly as OK documents it (a wrong one answers error 104), the
application key (101) and the session (102), limits requests per second (8, flood), and answers
url.getInfo, group.getInfo (a plain list, as real clients see it) and mediatopic.getTopics.

Scenario section:

    ok:
      app_key: CBADEMOAPP
      app_secret: DEMO-SECRET
      access_token: demo-ok-token
      rate: 20
      users: [{id: 500000000001, shortname: ivanov, name: Иван Иванов}]
      groups:
        - id: 70000000000001
          shortname: govdemo
          name: ...
          gov: true            # gos_org (left out of answers when the key is absent)
          access: OPEN         # OPEN | CLOSED | SECRET
          blocked: false
          homepage: https://gov-demo-oblast.ru
          description: ...
          phone: ...
          address: ...
          members: 1200
          posts: {last_hours: 5, every_hours: 8, count: 60}
          web: captcha         # the public page shows a captcha (optional)
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from audit.platforms.ok.api import ok_signature
from audit.rudates import format_ru_date
from audit.world.vk import page, render


class OkError(Exception):
    def __init__(self, code: int, msg: str):
        super().__init__(msg)
        self.code, self.msg = code, msg


class OkWorld:
    def __init__(self, spec: dict, clock: Callable[[], float] = time.time):
        self.app_key = str(spec.get("app_key", "CBADEMOAPP"))
        self.app_secret = str(spec.get("app_secret", "DEMO-OK-APP-SECRET-0123456789"))
        self.access_token = str(spec.get("access_token", "demo-ok-access-token"))
        self.rate = float(spec.get("rate", 20))
        self.fault: dict = dict(spec.get("fault") or {})  # {"hang": seconds}
        self.clock = clock
        self.groups: dict[str, dict] = {str(g["id"]): g for g in spec.get("groups") or []}
        self.users: dict[str, dict] = {str(u["id"]): u for u in spec.get("users") or []}
        self.names: dict[str, tuple[str, str]] = {}
        for gid, g in self.groups.items():
            if g.get("shortname"):
                self.names[str(g["shortname"]).lower()] = ("GROUP", gid)
        for uid, u in self.users.items():
            if u.get("shortname"):
                self.names[str(u["shortname"]).lower()] = ("USER", uid)
        self._calls: deque = deque()
        self._lock = threading.Lock()
        self.log: list[tuple[str, Any]] = []

    # --- the API ---
    def handle_api(self, params: dict[str, str]) -> Any:
        method = params.get("method", "")
        try:
            answer = self._api(method, params)
        except OkError as err:
            answer = {"error_code": err.code, "error_msg": err.msg, "error_data": None}
        with self._lock:
            self.log.append((method, answer))
        return answer

    def _api(self, method: str, params: dict[str, str]) -> Any:
        if params.get("application_key") != self.app_key:
            raise OkError(101, "PARAM_API_KEY : Application key is invalid")
        token = params.get("access_token")
        expected = ok_signature(params, token, self.app_secret)
        if params.get("sig", "").lower() != expected:
            raise OkError(104, "PARAM_SIGNATURE : Invalid signature")
        if token is not None and token != self.access_token:
            raise OkError(102, "PARAM_SESSION_EXPIRED : Session expired")
        self._throttle()
        if method == "url.getInfo":
            return self.url_info(params.get("url", ""))
        if method == "group.getInfo":
            return self.group_info(params)
        if method == "mediatopic.getTopics":
            return self.topics(params)
        raise OkError(3, f"METHOD : Method {method} does not exist")

    def _throttle(self) -> None:
        now = time.monotonic()
        with self._lock:
            while self._calls and now - self._calls[0] >= 1.0:
                self._calls.popleft()
            if len(self._calls) >= self.rate:
                raise OkError(8, "FLOOD_BLOCKED : Too many requests")
            self._calls.append(now)

    def url_info(self, url: str) -> dict:
        path = urlsplit(url).path.strip("/").lower()
        parts = path.split("/")
        if len(parts) == 2 and parts[0] in ("group", "profile") and parts[1].isdigit():
            kind = "GROUP" if parts[0] == "group" else "USER"
            known = self.groups if kind == "GROUP" else self.users
            if parts[1] in known:
                return {"objectId": int(parts[1]), "objectIdStr": parts[1], "type": kind}
        elif path in self.names:
            kind, oid = self.names[path]
            return {"objectId": int(oid), "objectIdStr": oid, "type": kind}
        raise OkError(300, "NOT_FOUND : Object not found")

    def group_info(self, params: dict[str, str]) -> list[dict]:
        uids = [u for u in params.get("uids", "").split(",") if u.strip()]
        if not uids:
            raise OkError(100, "PARAM : uids is required")
        if len(uids) > 100:
            raise OkError(100, "PARAM : too many uids")
        fields = set(params.get("fields", "").lower().split(","))
        return [self.group_object(self.groups[u], fields) for u in uids if u in self.groups]

    def group_object(self, g: dict, fields: set[str]) -> dict:
        access = str(g.get("access", "OPEN")).upper()
        values: dict[str, Any] = {
            "uid": str(g["id"]),
            "name": g.get("name", ""),
            "shortname": g.get("shortname") or "",
            "description": g.get("description", ""),
            "homepage_url": g.get("homepage", ""),
            "members_count": int(g.get("members", 0)),
            "private": access != "OPEN",
            "access_type": access,
            "phone": g.get("phone", ""),
            "address": g.get("address", ""),
            "city": g.get("city", ""),
            "blocked": bool(g.get("blocked", False)),
        }
        if "gov" in g:
            values["gos_org"] = bool(g["gov"])
        return {k: v for k, v in values.items() if k in fields or k == "uid"}

    def posts(self, g: dict) -> list[int]:
        """Topic times in ms, newest first, generated relative to now."""
        spec = g.get("posts") or {}
        start = self.clock() - float(spec.get("last_hours", 24)) * 3600
        every = float(spec.get("every_hours", 24)) * 3600
        return [int((start - n * every) * 1000) for n in range(int(spec.get("count", 0)))]

    def topics(self, params: dict[str, str]) -> dict:
        g = self.groups.get(params.get("gid", ""))
        if g is None:
            raise OkError(160, "PARAM_GROUP_ID : Invalid group id")
        if g.get("blocked"):
            raise OkError(300, "NOT_FOUND : Group not found")
        if str(g.get("access", "OPEN")).upper() != "OPEN":
            raise OkError(456, "GROUP_RESTRICTION : Group is private")
        count = min(100, int(params.get("count", 20) or 20))
        times = self.posts(g)
        gid = str(g["id"])
        items = [
            {
                "id": str(9000000 + n),
                "created_ms": ms,
                "author_ref": f"group:{gid}",
                "owner_ref": f"group:{gid}",
                "media": [{"type": "text", "text": f"Новости, запись {n + 1}"}],
            }
            for n, ms in enumerate(times[:count])
        ]
        return {"media_topics": items, "has_more": len(times) > count}

    # --- the public pages ---
    def handle_web(self, path: str) -> tuple[int, dict[str, str], str]:
        parts = path.strip("/").lower().split("/")
        if parts[0] == "captcha":
            return 200, {}, page("ok_captcha.html")
        if len(parts) >= 2 and parts[0] == "profile" and parts[1] in self.users:
            return 200, {}, render("ok_user.html", u=self.users[parts[1]])
        gid = None
        if len(parts) >= 2 and parts[0] == "group" and parts[1] in self.groups:
            gid = parts[1]
        elif self.names.get(parts[0], ("",))[0] == "GROUP":
            gid = self.names[parts[0]][1]
        elif self.names.get(parts[0], ("",))[0] == "USER":
            return 200, {}, render("ok_user.html", u=self.users[self.names[parts[0]][1]])
        if gid is None:
            return 200, {}, page("ok_not_found.html")  # ok.ru answers 200 for missing pages
        g = self.groups[gid]
        if g.get("web") == "captcha":
            return 302, {"Location": "https://ok.ru/captcha?st.fromUrl=" + path}, ""
        now = self.clock()
        posts = [
            format_ru_date(datetime.fromtimestamp(ms / 1000, UTC), datetime.fromtimestamp(now, UTC))
            for ms in self.posts(g)[:10]
        ]
        closed = str(g.get("access", "OPEN")).upper() != "OPEN"
        return 200, {}, render("ok_group.html", g=g, posts=posts, closed=closed)
