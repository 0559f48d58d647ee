"""VK and OK widgets written as script calls (VK.Widgets.Group(…), OK.CONNECT.insertGroupWidget,
OK's group widget function): the page each one shows, read from the call's arguments."""

from __future__ import annotations

import re

from audit.pageurls import PageRef
from audit.platforms.vk.urls import vk_owner

_WIDGET_CALL = re.compile(
    r"(VK\.Widgets\.(?:Group|CommunityMessages|Subscribe|Post|AllowMessagesFromCommunity)"
    r"|OK\.CONNECT\.insertGroupWidget)\s*\(",
)


# OK's group widget is a function that calls OK.CONNECT.insertGroupWidget(id, did, st) and is
# invoked as (document, "<container>", "<group id>", …): the stock code, and its variants with
# their own container id ("od_groups") or the id unquoted (a Joomla module). Bounded
# repetitions only: linear on any input.
_OK_WIDGET_INVOKE = re.compile(
    r"\(\s{0,40}document\s{0,40},\s{0,40}[\"'][^\"'<>\n]{0,200}[\"']\s{0,40},\s{0,40}"
    r"[\"']?(\d{1,20})[\"']?\s{0,40}[,)]"
)


def _call_args(text: str, start: int) -> list[str]:
    """Split the arguments of a JS call whose '(' is just before `start`; tolerant of nesting."""
    args, depth, current, quote = [], 0, [], None
    for ch in text[start : start + 2000]:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
            current.append(ch)
        elif ch in "([{":
            depth += 1
            current.append(ch)
        elif ch in ")]}":
            if depth == 0:
                args.append("".join(current).strip())
                return args
            depth -= 1
            current.append(ch)
        elif ch == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    return args


def _int_arg(args: list[str], index: int) -> str | None:
    if len(args) <= index:
        return None
    value = args[index].strip("\"' ")
    return value if re.fullmatch(r"-?\d+", value) else None


def widgets_in_script(text: str) -> list[tuple[PageRef, str, str]]:
    """VK/OK widget calls in script text → (reference, via, raw call)."""
    found = []
    for m in _WIDGET_CALL.finditer(text):
        name = m.group(1)
        args = _call_args(text, m.end())
        raw = m.group(0) + ", ".join(args) + ")"
        if name == "OK.CONNECT.insertGroupWidget":
            gid = _int_arg(args, 1)
            if gid and not gid.startswith("-"):
                found.append((PageRef("ok", "group", gid), "widget", raw))
            continue
        short = name.rsplit(".", 1)[1]
        if short == "Group":
            gid = _int_arg(args, 2)
            ref = PageRef("vk", "club", gid.lstrip("-")) if gid else None
            via = "widget"
        elif short in ("CommunityMessages", "AllowMessagesFromCommunity"):
            gid = _int_arg(args, 1) or _int_arg(args, 2)
            ref = PageRef("vk", "club", gid.lstrip("-")) if gid else None
            via = "widget"
        elif short == "Subscribe":
            oid = _int_arg(args, 2)
            ref = vk_owner("-" if oid.startswith("-") else "", oid.lstrip("-")) if oid else None
            via = "widget"
        else:  # Post: a single post embedded: it belongs to its page
            oid = _int_arg(args, 1)
            ref = vk_owner("-" if oid.startswith("-") else "", oid.lstrip("-")) if oid else None
            via = "content"
        if ref and ref.key != "0":
            found.append((ref, via, raw))
    if "insertGroupWidget" in text:
        for m in _OK_WIDGET_INVOKE.finditer(text):
            found.append((PageRef("ok", "group", m.group(1)), "widget", m.group(0)))
    return found


def mentions_pos(text: str | None) -> bool:
    """A page's own text or link leads to a Gosuslugi feedback (ПОС) form: every ПОС form and
    widget is served from pos.gosuslugi.ru."""
    return bool(text) and "pos.gosuslugi.ru" in text.lower()
