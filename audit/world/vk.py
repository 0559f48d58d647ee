"""The simulated VK: api.vk.com/method/* and the public vk.com pages, from a scenario's `vk:`.

Answers follow VK's JSON schema (5.199; tests validate them against it): groups.getById
({"groups", "profiles"} from 5.199 on, a plain list for older `v`), utils.resolveScreenName,
wall.get and execute (the `API.method({...})` calls the auditor sends, at most 25). It checks the
token (error 5), the version (error 8) and a per-token rate (error 6), and answers closed or
blocked walls with error 15, as VK does.

Scenario section:

    vk:
      token: demo-vk-token        # the service token the API accepts
      rate: 20                    # requests per second per token before error 6
      users: [{id: 700001, screen_name: ivan_petrov, name: Иван Петров}]
      groups:
        - id: 100001
          screen_name: gov_demo
          name: Правительство Демонстрационной области
          type: page              # group | page | event
          closed: 0               # 0 open, 1 closed, 2 private
          deactivated: banned     # deleted | banned (optional)
          gov: true               # is_government_organization
          verified: 1
          site: https://gov-demo-oblast.ru
          description: ...
          phone: "+7 800 100-00-01"
          email: info@gov-demo-oblast.ru
          address: пл. Советов, 1
          map_point: [54.63, 39.74]  # the address's latitude and longitude (optional)
          photo: 1                # has_photo: an avatar of its own (default 1)
          cover: 1                # cover.enabled (default 0)
          members: 15200
          posts: {last_hours: 5, every_hours: 8, count: 60, pinned_days: 200}
          comments: closed        # posts answer comments.can_post 0 (optional)
          replies: [2, null]      # residents' comments on the newest post, answered after so
                                  # many hours (null: never); see vk_comments (optional)
          web: challenge          # the public page answers: challenge | login (optional)
      web_quirk: error_template   # every public page carries VK's error text in a template
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from jinja2 import Environment, select_autoescape

from audit.rudates import format_ru_date
from audit.world.vk_comments import count_for, get_comments

EXECUTE_CALL = re.compile(r"API\.([a-zA-Z]+\.[a-zA-Z]+)\((\{[^{}]*\})\)")
PHOTO = "https://sun1-1.userapi.com/s/v1/ig2/demo.jpg"


class VkError(Exception):
    def __init__(self, code: int, msg: str):
        super().__init__(msg)
        self.code, self.msg = code, msg


def version_tuple(v: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in v.split("."))
    except ValueError:
        return (0,)


class VkWorld:
    def __init__(self, spec: dict, clock: Callable[[], float] = time.time):
        self.token = str(spec.get("token", "demo-vk-token"))
        self.rate = float(spec.get("rate", 20))
        self.clock = clock
        self.groups: dict[int, dict] = {}
        self.users: dict[int, dict] = {}
        self.names: dict[str, tuple[str, int]] = {}
        for g in spec.get("groups") or []:
            self.groups[int(g["id"])] = g
            if g.get("screen_name"):
                self.names[str(g["screen_name"]).lower()] = ("group", int(g["id"]))
        for u in spec.get("users") or []:
            self.users[int(u["id"])] = u
            if u.get("screen_name"):
                self.names[str(u["screen_name"]).lower()] = ("user", int(u["id"]))
        # "error_template": every page ships the text of VK's error page in a template, as if
        # VK had changed its markup (the canaries must notice; see tests)
        self.web_quirk = spec.get("web_quirk")
        self.fault: dict = dict(spec.get("fault") or {})  # {"status": 500} | {"error": 6}
        self._calls: dict[str, deque] = {}
        self._lock = threading.Lock()
        self.log: list[tuple[str, dict]] = []  # (method, answer) of every API request

    # --- the API ---
    def handle_api(self, method: str, params: dict[str, str], auth: str | None) -> dict:
        try:
            answer = self._api(method, params, auth)
        except VkError as err:
            answer = self.error(err.code, err.msg, method, params)
        with self._lock:
            self.log.append((method, answer))
        return answer

    def _api(self, method: str, params: dict[str, str], auth: str | None) -> dict:
        if self.fault.get("error"):
            msg = "Too many requests per second"
            if self.fault.get("echo_token"):  # a careless API that repeats what it was sent
                msg += f" (token {(auth or '').removeprefix('Bearer ')})"
            raise VkError(int(self.fault["error"]), msg)
        token = (auth or "").removeprefix("Bearer ").strip() or params.get("access_token", "")
        if not token:
            raise VkError(5, "User authorization failed: no access_token passed.")
        if token != self.token:
            raise VkError(5, "User authorization failed: invalid access_token (4).")
        version = params.get("v", "")
        if not version:
            raise VkError(8, "Invalid request: v (version) is required")
        if version_tuple(version) < (5, 81):
            raise VkError(8, "Invalid request: versions below 5.81 are deprecated")
        self._throttle(token)
        if method == "execute":
            return self._execute(params.get("code", ""), version)
        return {"response": self.call(method, params, version)}

    def _throttle(self, token: str) -> None:
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault(token, deque())
            while calls and now - calls[0] >= 1.0:
                calls.popleft()
            if len(calls) >= self.rate:
                raise VkError(6, "Too many requests per second")
            calls.append(now)

    def _execute(self, code: str, version: str) -> dict:
        calls = EXECUTE_CALL.findall(code)
        if not calls or not code.strip().startswith("return"):
            raise VkError(12, "Unable to compile code")
        if len(calls) > 25:
            raise VkError(13, "Runtime error occurred during code invocation: too many API calls")
        out, errors = [], []
        for method, args in calls:
            try:
                params = {k: str(v) for k, v in json.loads(args).items()}
                out.append(self.call(method, params, version))
            except VkError as err:
                out.append(False)
                errors.append({"method": method, "error_code": err.code, "error_msg": err.msg})
        answer: dict[str, Any] = {"response": out}
        if errors:
            answer["execute_errors"] = errors
        return answer

    def call(self, method: str, params: dict[str, str], version: str) -> Any:
        if method == "groups.getById":
            return self.groups_get_by_id(params, version)
        if method == "utils.resolveScreenName":
            return self.resolve(params.get("screen_name", ""))
        if method == "wall.get":
            return self.wall_get(params)
        if method == "wall.getComments":
            answer = get_comments(self, params)
            if answer is None:
                raise VkError(100, "One of the parameters specified was missing or invalid")
            return answer
        raise VkError(3, "Unknown method passed")

    def error(self, code: int, msg: str, method: str, params: dict[str, str]) -> dict:
        shown = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
        shown += [
            {"key": k, "value": v} for k, v in params.items() if k not in ("access_token", "code")
        ]
        error = {"error_code": code, "error_msg": msg, "request_params": shown}
        return {"error": {"inner_type": "base_error", **error}}  # as the schema requires

    def _group_key(self, key: str) -> int | None:
        key = key.strip().lower()
        for prefix in ("club", "public", "event"):
            if key.startswith(prefix) and key[len(prefix) :].isdigit():
                key = key[len(prefix) :]
        if key.isdigit():
            return int(key) if int(key) in self.groups else None
        kind, gid = self.names.get(key, ("", 0))
        return gid if kind == "group" else None

    def groups_get_by_id(self, params: dict[str, str], version: str) -> Any:
        keys = [k for k in (params.get("group_ids") or params.get("group_id") or "").split(",")]
        keys = [k for k in keys if k.strip()]
        if not keys:
            raise VkError(
                100,
                "One of the parameters specified was missing or invalid: group_ids is undefined",
            )
        if len(keys) > 500:
            raise VkError(
                100, "One of the parameters specified was missing or invalid: group_ids is too long"
            )
        fields = set((params.get("fields") or "").split(","))
        ids = [g for g in (self._group_key(k) for k in keys) if g is not None]
        if not ids:
            raise VkError(
                100, "One of the parameters specified was missing or invalid: group_ids is invalid"
            )
        groups = [self.group_object(self.groups[i], fields) for i in dict.fromkeys(ids)]
        if version_tuple(version) < (5, 199):
            return groups
        return {"groups": groups, "profiles": []}

    def group_object(self, g: dict, fields: set[str]) -> dict:
        gid = int(g["id"])
        obj: dict[str, Any] = {
            "id": gid,
            "name": g.get("name", f"club{gid}"),
            "screen_name": g.get("screen_name") or f"club{gid}",
            "is_closed": int(g.get("closed", 0)),
            "type": g.get("type", "group"),
            "photo_50": PHOTO,
            "photo_100": PHOTO,
            "photo_200": PHOTO,
        }
        if g.get("deactivated"):
            obj["deactivated"] = g["deactivated"]
            return obj
        values: dict[str, Any] = {
            "description": g.get("description", ""),
            "site": g.get("site", ""),
            "members_count": int(g.get("members", 0)),
            "verified": int(g.get("verified", 0)),
            "status": g.get("status", ""),
            "activity": g.get("activity", "Государственная организация"),
            "is_government_organization": bool(g.get("gov", False)),
            "trust_mark": 3 if g.get("gov") else 0,
            "wall": int(g.get("wall", 1)),
            "has_photo": int(g.get("photo", 1)),
            "cover": {"enabled": int(g.get("cover", 0)), "images": []},
            "links": [
                {"id": n + 1, "url": url, "name": url, "desc": "", "photo_50": PHOTO}
                for n, url in enumerate(g.get("links") or [])
            ],
            "contacts": (
                [
                    {
                        "user_id": 1,
                        "desc": "Приёмная",
                        **({"phone": g["phone"]} if g.get("phone") else {}),
                        **({"email": g["email"]} if g.get("email") else {}),
                    }
                ]
                if g.get("phone") or g.get("email")
                else []
            ),
            "addresses": (
                {
                    "is_enabled": True,
                    "main_address_id": 1,
                    "count": 1,
                    "main_address": {
                        "id": 1,
                        "address": g["address"],
                        "title": "Приёмная",
                        "country_id": 1,
                        "city_id": 1,
                        **(
                            {"latitude": g["map_point"][0], "longitude": g["map_point"][1]}
                            if g.get("map_point")
                            else {}
                        ),
                    },
                }
                if g.get("address")
                else {"is_enabled": False, "count": 0}
            ),
        }
        if "gov" not in g:  # as for a token VK does not tell the mark to
            del values["is_government_organization"], values["trust_mark"]
        if "fixed_post" in fields and (g.get("posts") or {}).get("pinned_days") is not None:
            obj["fixed_post"] = 1
        for name, value in values.items():
            if name in fields:
                obj[name] = value
        return obj

    def resolve(self, screen_name: str) -> Any:
        kind, oid = self.names.get(screen_name.strip().lower(), ("", 0))
        if not kind:
            return []
        if kind == "user":
            return {"object_id": oid, "type": "user"}
        return {"object_id": oid, "group_id": oid, "type": self.groups[oid].get("type", "group")}

    def posts(self, g: dict) -> list[dict]:
        """Posts newest first (pinned first, as VK returns it), generated relative to now."""
        spec = g.get("posts") or {}
        now = self.clock()
        gid = int(g["id"])
        out = []
        if spec.get("pinned_days") is not None:
            out.append(self._post(gid, 1, now - float(spec["pinned_days"]) * 86400, pinned=True))
        start = now - float(spec.get("last_hours", 24)) * 3600
        every = float(spec.get("every_hours", 24)) * 3600
        count = int(spec.get("count", 0))
        for n in range(count):
            out.append(self._post(gid, count - n + 1, start - n * every))
        if g.get("comments") == "closed":  # as VK answers a caller who may not comment
            for post in out:
                post["comments"]["can_post"] = 0
        newest = next((p for p in out if not p.get("is_pinned")), None)
        if newest is not None:
            newest["comments"]["count"] = count_for(g)
        return out

    @staticmethod
    def _post(gid: int, pid: int, when: float, pinned: bool = False) -> dict:
        post = {
            "id": pid,
            "owner_id": -gid,
            "from_id": -gid,
            "date": int(when),
            "text": "Закреплённая запись: контакты и приёмные дни."
            if pinned
            else f"Новости органа, запись {pid}.",
            "post_type": "post",
            "marked_as_ads": 0,
            "comments": {"count": 0, "can_post": 1},
            "likes": {"count": 3, "user_likes": 0, "can_like": 1, "can_publish": 1},
            "reposts": {"count": 0, "user_reposted": 0},
            "views": {"count": 120},
            "inner_type": "wall_wallpost",
            "attachments": [],
        }
        if pinned:
            post["is_pinned"] = 1
        return post

    def wall_get(self, params: dict[str, str]) -> dict:
        owner = params.get("owner_id", "")
        if not owner.lstrip("-").isdigit() or not owner.startswith("-"):
            raise VkError(100, "One of the parameters specified was missing or invalid: owner_id")
        g = self.groups.get(int(owner[1:]))
        if g is None:
            raise VkError(100, "One of the parameters specified was missing or invalid: owner_id")
        if g.get("deactivated"):
            raise VkError(15, "Access denied: group is blocked")
        if int(g.get("closed", 0)):
            raise VkError(15, "Access denied: this wall available only for community members")
        if int(g.get("wall", 1)) == 0:
            raise VkError(15, "Access denied: wall is disabled")
        posts = self.posts(g)
        count = min(100, int(params.get("count", 20) or 20))
        return {"count": len(posts), "items": posts[:count]}

    # --- the public pages ---
    def handle_web(self, path: str) -> tuple[int, dict[str, str], str]:
        name = path.strip("/").split("/")[0].lower()
        if name == "challenge.html":
            return 200, {}, page("vk_challenge.html")
        user = None
        if name.startswith("id") and name[2:].isdigit():
            user = self.users.get(int(name[2:]))
        elif self.names.get(name, ("",))[0] == "user":
            user = self.users[self.names[name][1]]
        if user is not None:
            return 200, {}, render("vk_user.html", u=user)
        gid = self._group_key(name)
        if gid is None:
            return 404, {}, page("vk_not_found.html")
        g = self.groups[gid]
        if g.get("web") == "challenge":
            return 302, {"Location": "https://vk.com/challenge.html?from=" + name}, ""
        if g.get("web") == "login":
            return 200, {}, page("vk_login.html")
        now = self.clock()
        posts = [
            {
                **p,
                "shown": format_ru_date(
                    datetime.fromtimestamp(p["date"], UTC), datetime.fromtimestamp(now, UTC)
                ),
            }
            for p in self.posts(g)[:11]
        ]
        html = render("vk_group.html", g=g, posts=posts, closed=int(g.get("closed", 0)))
        if self.web_quirk == "error_template":
            template = (
                '<script type="text/template" id="error_tpl"><div class="message_page">'
                "Страница удалена либо ещё не создана.</div></script>"
            )
            html = html.replace("</body>", template + "</body>")
        return 200, {}, html


_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


SITES = resources.files("audit.world") / "sites"


def page(name: str) -> str:
    return (SITES / name).read_text(encoding="utf-8")


def render(name: str, **values: Any) -> str:
    return _ENV.from_string(page(name)).render(**values)
