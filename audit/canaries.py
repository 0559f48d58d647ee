"""Canaries: reference pages whose answer is known, read first in every run.

If the auditor's reading of a platform drifts — the platform changed its HTML or API, a rule
rotted, our network is filtered — a canary gives the wrong answer, and the run marks that
platform's findings `error` ("detector drift: …") instead of reporting violations it can no
longer vouch for. A failed `exists` or `missing` canary affects every page check of the
platform; a failed `gov_mark` canary only `page.gov_mark`.

The built-in list names real pages. Which VK and OK pages carry the state mark has not been
verified live from here (shared/platforms.md, open questions): check the list before relying on
it and give your own with `--canaries FILE`:

    vk:
      - {url: https://vk.com/apiclub, expect: exists}
      - {url: https://vk.com/some_name_nobody_has, expect: missing}
      - {url: https://vk.com/<a state-marked community>, expect: gov_mark}
    ok:
      - {url: https://ok.ru/apiok, expect: exists}
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from audit.evidence import NO_ANSWER
from audit.model import Finding, Status
from audit.observations import PageObservation
from audit.pageurls import PageRef, parse_page_url
from audit.platforms import platform_keys
from audit.yamlsrc import LDict, LList, Problem, YamlError, load_yaml_file

EXPECTATIONS = ("exists", "missing", "gov_mark")


@dataclass(frozen=True)
class Canary:
    platform: str
    url: str
    expect: str

    @property
    def ref(self) -> PageRef:
        return parse_page_url(self.url)[0]


BUILTIN = (
    # VK's own API community, the example screen name of VK's API documentation
    Canary("vk", "https://vk.com/apiclub", "exists"),
    Canary("vk", "https://vk.com/pages_audit_canary_no_such_page_7f3a9c", "missing"),
    # the Ministry of Digital Development's community (state mark: to verify live)
    Canary("vk", "https://vk.com/mincifry", "gov_mark"),
    # OK's API group, the example of OK's url.getInfo documentation
    Canary("ok", "https://ok.ru/apiok", "exists"),
    Canary("ok", "https://ok.ru/pages_audit_canary_no_such_group_7f3a9c", "missing"),
    Canary("ok", "https://ok.ru/mincifry", "gov_mark"),
    # Telegram's own channel; read only in runs that audit Telegram (see `of_platforms`)
    Canary("telegram", "https://t.me/telegram", "exists"),
    Canary("telegram", "https://t.me/pa_canary_no_such_channel_7f3a9c", "missing"),
)


def of_platforms(canaries: tuple[Canary, ...]) -> tuple[Canary, ...]:
    """The canaries of the platforms this run audits (an optional platform's are read only when
    it is enabled)."""
    return tuple(c for c in canaries if c.platform in platform_keys())


class CanaryError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_canaries(path: str) -> tuple[Canary, ...]:
    try:
        doc = load_yaml_file(path)
    except YamlError as exc:
        raise CanaryError([exc.problem]) from None
    if not isinstance(doc, LDict):
        raise CanaryError([Problem(path, 1, "canaries", "expected vk: and/or ok: lists")])
    out, problems = [], []
    for platform, items in doc.items():
        line = doc.line_of(platform)
        if platform not in platform_keys() or not isinstance(items, LList):
            problems.append(Problem(path, line, str(platform), "expected vk: or ok: with a list"))
            continue
        for index, item in enumerate(items):
            at = items.line_of(index)
            url = item.get("url") if isinstance(item, LDict) else None
            expect = item.get("expect") if isinstance(item, LDict) else None
            parsed = parse_page_url(str(url)) if url else None
            if parsed is None or parsed[0].platform != platform:
                problems.append(Problem(path, at, "url", f"not a {platform} page: {url!r}"))
            elif expect not in EXPECTATIONS:
                problems.append(Problem(path, at, "expect", f"one of {', '.join(EXPECTATIONS)}"))
            else:
                out.append(Canary(platform, parsed[0].url, expect))
    if problems:
        raise CanaryError(problems)
    return tuple(out)


def verdict(canary: Canary, page: PageObservation | None) -> str | None:
    """None when the canary answered as expected, else what it gave instead."""
    if page is None:
        return "nothing collected"
    got = page.state if page.state != "error" else f"error ({page.cause})"
    if canary.expect == "exists":
        return None if page.exists else got
    if canary.expect == "missing":
        return None if page.state == "missing" else got
    if not page.exists:
        return got
    if page.gov_mark is True:
        return None
    return "no state mark" if page.gov_mark is False else "state mark not reported"


@dataclass
class Drift:
    """Failed canaries per platform, with the checks each failure makes untrustworthy."""

    failures: list[dict]

    def scope(self, platform: str) -> set[str] | None:
        """Checks of `platform` affected: None for none, {'*'} for every page check."""
        hit = [f for f in self.failures if f["platform"] == platform]
        if not hit:
            return None
        if any(f["expect"] != "gov_mark" for f in hit):
            return {"*"}
        return {"page.gov_mark"}

    def unreachable(self, platform: str) -> bool:
        """Every failed canary of the platform got no answer at all: the network, not drift."""
        hit = [f for f in self.failures if f["platform"] == platform]
        return bool(hit) and all(f.get("network") for f in hit)

    def message(self, platform: str) -> tuple[str, str]:
        hit = [f for f in self.failures if f["platform"] == platform]
        en = "; ".join(f"{f['url']} expected {f['expect']} got {f['got']}" for f in hit)
        ru = "; ".join(f"{f['url']}: ожидалось {f['expect']}, получено {f['got']}" for f in hit)
        return ru, en

    def apply(self, findings: list[Finding]) -> list[Finding]:
        out = []
        for f in findings:
            scope = self.scope(f.platform) if f.platform else None
            hit = (
                scope is not None
                and f.check_id.startswith("page.")
                and ("*" in scope or f.check_id in scope)
            )
            if not hit or f.status is Status.NA:
                out.append(f)
                continue
            ru, en = self.message(f.platform)
            if self.unreachable(f.platform):
                head_ru = "Соцсеть недоступна из точки проверки (контрольная страница)"
                head_en = "platform unreachable from the vantage"
            else:
                head_ru, head_en = "Сбой детектора (контрольная страница)", "detector drift"
            out.append(
                replace(
                    f,
                    status=Status.ERROR,
                    message_ru=f"{head_ru}: {ru}. Вывод не делается. Было бы: {f.message_ru}",
                    message_en=f"{head_en}: {en}. No conclusion is drawn. Would have "
                    f"been: {f.message_en}",
                )
            )
        return out

    def to_json(self) -> list[dict]:
        return self.failures


def check_canaries(canaries: tuple[Canary, ...], pages: dict[str, PageObservation]) -> Drift:
    failures = []
    for c in canaries:
        page = pages.get(c.ref.url)
        got = verdict(c, page)
        if got is not None:
            # no answer at all: the network does not reach the platform (nothing drifted)
            unreachable = page is not None and page.state == "error" and page.cause in NO_ANSWER
            failures.append(
                {
                    "platform": c.platform,
                    "url": c.url,
                    "expect": c.expect,
                    "got": got,
                    "network": unreachable,
                }
            )
    return Drift(failures)
