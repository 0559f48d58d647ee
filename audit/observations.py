"""What the collectors saw, in a form the pure checks read (no network objects here)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime

from audit.evidence import Evidence
from audit.pageurls import PageLinks, PosWidget, Reference


@dataclass
class SiteObservation:
    """The official website as the auditor saw it.

    `state` is one of: unknown (registry gives no website), none (registry says the body has
    none), fetched (the home page answered; see `status`), failed (no HTTP answer: see `cause`).
    """

    state: str
    url: str | None = None
    final_url: str | None = None
    status: int | None = None
    cause: str | None = None  # fetch failure cause, not_html, or an interstitial's kind
    detail: str | None = None
    interstitial: str | None = None  # antibot | access_blocked | hosting_stub | parked | login_wall
    title: str | None = None
    references: list[Reference] = field(default_factory=list)
    pos: PosWidget = field(default_factory=PosWidget)
    pages_read: list[str] = field(default_factory=list)  # URLs whose HTML was searched
    evidence: list[Evidence] = field(default_factory=list)
    # set by the run before the checks, stored with the body so that `evaluate` sees the same:
    # the start times of the earlier audits in a row (newest first) that found the site down
    # from a working vantage; and why this run's own network is not to be trusted, if it is not
    down_before: list[str] = field(default_factory=list)
    vantage_fault: str | None = None
    # the certificate the auditor could not verify (the site was then read without verifying)
    tls_problem: str | None = None
    references_cut: int = 0  # references left out of the pages read (links.MAX_REFERENCES)

    @property
    def readable(self) -> bool:
        """The home page was fetched as HTML and searched for links."""
        return self.state == "fetched" and bool(self.pages_read)

    def links(self) -> PageLinks:
        return PageLinks(
            references=self.references, pos=self.pos, references_cut=self.references_cut
        )

    def evidence_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.evidence)

    def to_json(self) -> dict:
        return {
            "state": self.state,
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "cause": self.cause,
            "detail": self.detail,
            "interstitial": self.interstitial,
            "title": self.title,
            "pages_read": self.pages_read,
            "links": self.links().to_json(),
            "down_before": self.down_before,
            "vantage_fault": self.vantage_fault,
            "tls_problem": self.tls_problem,
        }


PAGE_STATES = ("found", "missing", "deleted", "banned", "error")


@dataclass
class PageObservation:
    """One VK or OK page as a collector saw it, whichever source (API or public HTML) it used.

    `state`: found | missing (no such page) | deleted | banned | error (the platform did not let
    us see: `cause` says why). Facts the source could not give are None, never a guess.
    `posts` holds the unix times of recent posts by the page itself (pinned posts left out),
    newest first; None when the wall could not be read (`wall_cause`).
    """

    platform: str
    url: str
    source: str  # api | html
    state: str
    observed_at: str = ""  # UTC, ISO 8601
    cause: str | None = None
    detail: str | None = None
    page_id: str | None = None
    screen_name: str | None = None
    kind: str | None = None  # group | page | event | profile
    closed: bool | None = None
    gov_mark: bool | None = None
    verified: bool | None = None
    name: str | None = None
    description: str | None = None
    site: str | None = None
    links: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    members: int | None = None
    posts: list[int] | None = None
    posts_total: int | None = None
    posts_cover_from: int | None = None  # `posts` lists every post since this time (0: all)
    wall_cause: str | None = None
    comments_open: bool | None = None  # residents can comment the page's posts
    # the page's design and settings, as far as the platform publishes them (None: it did not
    # say): an avatar of its own, a cover, an address set in the page's settings with a point
    # on the map, a Gosuslugi feedback (ПОС) form or link on the page itself
    avatar: bool | None = None
    cover: bool | None = None
    address_set: bool | None = None
    map_point: bool | None = None
    pos_on_page: bool | None = None
    # residents' comments on the latest posts as [asked, answered] (unix times; answered None:
    # no answer from the page); None when not read (read only when page.replies is enabled)
    replies: list[list[int | None]] | None = None
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return self.state == "found"

    @property
    def is_community(self) -> bool | None:
        return None if self.kind is None else self.kind != "profile"

    @property
    def canonical_id(self) -> str | None:
        """The page's numeric identity, comparable across URL forms (vk:club1 == vk.com/name)."""
        if self.page_id is None:
            return None
        prefix = "user" if self.kind == "profile" else "group"
        return f"{self.platform}:{prefix}:{self.page_id}"

    def observed_ts(self) -> float:
        return datetime.fromisoformat(self.observed_at).timestamp()

    def last_post(self) -> int | None:
        return self.posts[0] if self.posts else None

    def posts_within(self, days: float) -> int | None:
        """Posts in the `days` before the observation; None when the wall was not read or the
        posts seen do not reach back that far (a public page shows only the latest few)."""
        if self.posts is None:
            return None
        since = self.observed_ts() - days * 86400
        if self.posts_cover_from is None or self.posts_cover_from > since:
            return None
        return sum(1 for t in self.posts if t >= since)

    def posts_at_least(self, days: float) -> int:
        """Posts seen in the `days` before the observation: a lower bound when incomplete."""
        since = self.observed_ts() - days * 86400
        return sum(1 for t in self.posts or () if t >= since)

    def evidence_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.evidence)

    def to_json(self) -> dict:
        # fields read directly (asdict deep-copies every evidence record only to replace them)
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["evidence"] = [e.id for e in self.evidence]
        last = self.last_post()
        out["derived"] = {  # for readers of report.json; the checks compute their own
            "last_post_at": datetime.fromtimestamp(last, UTC).isoformat() if last else None,
            "posts_7d": self.posts_within(7) if self.observed_at else None,
            "posts_30d": self.posts_within(30) if self.observed_at else None,
        }
        return out


@dataclass(frozen=True)
class PageSlot:
    """One platform's official page of a body, as the per-platform checks read it.

    `url` is the page checked: the registry's page when declared, else the first page the
    website links (`source` says which); `page` is None when there is no page to check.
    """

    platform: str
    url: str | None
    source: str  # registry | website | none
    page: PageObservation | None
    site: SiteObservation

    @property
    def evidence(self) -> tuple[str, ...]:
        return self.page.evidence_ids() if self.page else ()


@dataclass
class Observations:
    """Everything collected for one body.

    `pages` maps each page URL the body refers to (registry and website links) to what was seen;
    `chosen` names per platform the page that stands for the body there.
    """

    site: SiteObservation
    pages: dict[str, PageObservation] = field(default_factory=dict)
    chosen: dict[str, tuple[str, str]] = field(default_factory=dict)  # platform -> (url, source)

    def slot(self, platform: str) -> PageSlot:
        url, source = self.chosen.get(platform, (None, "none"))
        page = self.pages.get(url) if url else None
        return PageSlot(platform, url, source, page, self.site)

    def identity(self, url: str) -> str | None:
        """The numeric identity of a referenced page, when a collector resolved it."""
        page = self.pages.get(url)
        return page.canonical_id if page else None
