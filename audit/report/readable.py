"""What a reader is shown of a finding's evidence, in the report's words: for a page read through
a platform's API, the page's own address (not the API endpoint, which nobody can open) and what
the answer told; for a website, the address, the code of the answer or why there was none. The
HTML report and the letters show the same rows."""

from __future__ import annotations

from urllib.parse import urlsplit

from audit.checks.causes import CAUSE_EN, CAUSE_RU
from audit.platforms import platforms

# What a platform's API method tells, in words (a reader is shown no code): `execute` bundles
# calls of one method, named after it in the evidence's request.
API_READINGS = {
    "ru": {
        "groups.getById": "сведения о сообществе",
        "wall.get": "записи на стене сообщества",
        "utils.resolveScreenName": "чья это страница по её адресу",
        "group.getInfo": "сведения о группе",
        "url.getInfo": "чья это страница по её адресу",
        "mediatopic.getTopics": "публикации группы",
        None: "сведения о странице",
    },
    "en": {
        "groups.getById": "the community's details",
        "wall.get": "the community's wall posts",
        "utils.resolveScreenName": "whose page the address is",
        "group.getInfo": "the group's details",
        "url.getInfo": "whose page the address is",
        "mediatopic.getTopics": "the group's posts",
        None: "the page's details",
    },
}
HOW = {
    "ru": {
        "api": "через программный интерфейс «{platform}»: {reading}",
        "no_answer": "не получен ответ: {cause}",
        "unknown_cause": "ошибка соединения",
        "status": "код ответа {status}",
    },
    "en": {
        "api": "through the {platform} API: {reading}",
        "no_answer": "no answer: {cause}",
        "unknown_cause": "connection error",
        "status": "answer code {status}",
    },
}


def api_platform(host: str, lang: str = "ru") -> str | None:
    """The name of the platform whose API answers at `host`."""
    for p in platforms():
        if host in p.api_hosts:
            return p.name_ru if lang == "ru" else p.name_en
    return None


def api_reading(request: str | None, lang: str = "ru") -> str:
    words = (request or "").split()
    method = words[1] if words[:1] == ["execute"] and len(words) > 1 else words[0] if words else ""
    readings = API_READINGS[lang]
    return readings.get(method, readings[None])


def evidence_rows(
    finding: dict, entity: dict, by_id: dict[str, dict], lang: str = "ru"
) -> list[dict]:
    """A finding's own evidence as a reader can check it."""
    chosen = (entity.get("observations") or {}).get("chosen") or {}
    page_url = (chosen.get(finding.get("platform") or "") or {}).get("url")
    how_words, causes = HOW[lang], CAUSE_RU if lang == "ru" else CAUSE_EN
    rows = []
    for eid in finding.get("evidence") or ():
        ev = by_id.get(eid)
        if ev is None:
            continue
        api = api_platform(urlsplit(ev["url"]).hostname or "", lang)
        if api:
            how = how_words["api"].format(
                platform=api, reading=api_reading(ev.get("request"), lang)
            )
        elif ev.get("error"):
            cause = causes.get(ev["error"], how_words["unknown_cause"])
            how = how_words["no_answer"].format(cause=cause)
        else:
            how = how_words["status"].format(status=ev["status"]) if ev.get("status") else "—"
        final = ev.get("final_url")
        rows.append(
            {
                "url": page_url if api and page_url else ev["url"],
                "final_url": final if final and final != ev["url"] and not api else None,
                "how": how,
                "shared": bool(api),  # one answer about many pages: its hash is the batch's
                "fetched_at": ev.get("fetched_at"),
                "sha256": ev.get("sha256"),
                "warc_record": ev.get("warc_record"),
                "attempts": ev.get("attempts") or 0,
                "request": ev.get("request"),  # the API call as made (method, ids), for the record
            }
        )
    return rows
