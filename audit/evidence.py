"""What was fetched and how it failed, as values: the record a finding rests on. No HTTP
here: the checks, the store and the reports read evidence without loading the fetcher."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum


class Cause(StrEnum):
    INVALID_URL = "invalid_url"
    BLOCKED = "blocked"
    DNS = "dns"
    RESOLVER = "resolver"
    CONNECT = "connect"
    TLS = "tls"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    REDIRECTS = "redirects"
    PROTOCOL = "protocol"


# Failures in which nothing of the target answered: what a dead vantage gives for every host
# alike (a resolver that answers nothing, or private addresses for every name, included).
NO_ANSWER = frozenset(
    {Cause.RESOLVER, Cause.DNS, Cause.CONNECT, Cause.TIMEOUT, Cause.TLS, Cause.BLOCKED}
)


@dataclass
class Evidence:
    """What was fetched, when, and what came back: the record a finding rests on."""

    url: str
    method: str = "GET"
    request: str | None = None  # what was asked, for API calls (never a secret)
    final_url: str | None = None
    status: int | None = None
    fetched_at: str = ""  # UTC, ISO 8601
    elapsed_ms: int = 0
    sha256: str | None = None
    size: int = 0
    content_type: str | None = None
    charset: str | None = None
    redirects: list[dict] = field(default_factory=list)  # [{"status": 301, "url": ...}]
    attempts: int = 0
    retried: list[str] = field(
        default_factory=list
    )  # what the earlier attempts got: "503", "timeout"
    error: Cause | None = None
    error_detail: str | None = None
    id: str = ""
    warc_record: str | None = None  # WARC-Record-ID in the run's archive (--archive)
    tls_unverified: bool = False  # read over TLS without checking the certificate (site.tls)

    def to_json(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}  # flat: no asdict deep copy
        out["redirects"] = [dict(r) for r in self.redirects]
        out["retried"] = list(self.retried)
        out["error"] = self.error.value if self.error else None
        return out
