"""What the collectors saw, in a form the pure checks read (no network objects here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.fetch import Evidence
from audit.links import PageLinks, PosWidget, Reference


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
    cause: str | None = None  # fetch failure cause, or not_html for a non-HTML home page
    detail: str | None = None
    title: str | None = None
    references: list[Reference] = field(default_factory=list)
    pos: PosWidget = field(default_factory=PosWidget)
    pages_read: list[str] = field(default_factory=list)  # URLs whose HTML was searched
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        """The home page was fetched as HTML and searched for links."""
        return self.state == "fetched" and bool(self.pages_read)

    def links(self) -> PageLinks:
        return PageLinks(references=self.references, pos=self.pos)

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
            "title": self.title,
            "pages_read": self.pages_read,
            "links": self.links().to_json(),
        }


@dataclass
class Observations:
    """Everything collected for one body; later issues add `pages` (VK, OK)."""

    site: SiteObservation
