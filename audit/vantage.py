"""Is the auditor's own network working? Decided before any website failure counts.

A website that does not answer is a finding about the body only if the auditor could have
reached it. Two signs say the vantage itself is broken:
- reference sites — large, stable state sites that answer from anywhere in Russia — give no
  HTTP answer at all (read first in every run, like the canaries; `--reference-sites`);
- a burst: across many unrelated hosts, most websites of the run fail with the same
  network-level cause (a resolver that does not answer, connections that time out).
While the vantage is unhealthy every website that gave no HTTP answer is `error` "the problem is
on the auditor's side", the report says so at the top, and the run exits 3.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from audit.evidence import NO_ANSWER
from audit.observations import SiteObservation
from audit.transport import FetchConfig
from audit.urls import host_of

# Large, stable sites of the state that answer from any Russian network. Any HTTP answer,
# even an error page, shows that the network reaches them.
REFERENCE_SITES = (
    "https://www.gosuslugi.ru/",
    "http://government.ru/",
    "http://kremlin.ru/",
)
BURST_MIN_HOSTS = 10  # distinct hosts before a burst may be called
BURST_SHARE = 0.8  # of the sites tried, failing with one network-level cause


@dataclass
class VantageHealth:
    """What the run knows of its own network; `fault` is None while it works."""

    probes: list[dict] = field(default_factory=list)  # {url, answered, cause}
    fault: str | None = None  # reference_hosts | burst
    detail: str = ""
    burst: dict = field(default_factory=dict)  # {sites, failed, cause} once called
    _hosts: set[str] = field(default_factory=set)
    _causes: Counter = field(default_factory=Counter)

    def add_sites(self, sites: list[SiteObservation]) -> None:
        """Count a batch's websites; call a burst when most distinct hosts failed alike."""
        for site in sites:
            host = _host(site.url)
            if site.state not in ("fetched", "failed") or not host or host in self._hosts:
                continue
            self._hosts.add(host)
            self._causes[site.cause if site.state == "failed" else "answered"] += 1
        if self.fault is not None or len(self._hosts) < BURST_MIN_HOSTS:
            return
        cause, count = max(
            ((c, n) for c, n in self._causes.items() if c in NO_ANSWER),
            key=lambda cn: cn[1],
            default=(None, 0),
        )
        if cause is not None and count >= BURST_SHARE * len(self._hosts):
            self.fault = "burst"
            self.detail = f"{count} of {len(self._hosts)} sites failed with {cause}"
            self.burst = {"sites": len(self._hosts), "failed": count, "cause": cause}

    def mark(self, site: SiteObservation) -> None:
        """A website that gave no HTTP answer while the vantage is unhealthy says nothing."""
        if self.fault is not None and site.state == "failed":
            site.vantage_fault = self.fault

    def to_json(self) -> dict:
        return {
            "healthy": self.fault is None,
            "fault": self.fault,
            "detail": self.detail,
            "burst": self.burst,
            "reference_sites": self.probes,
        }


def _host(url: str | None) -> str:
    return host_of(url) if url else ""


async def probe(fetcher, urls: tuple[str, ...]) -> VantageHealth:
    """Read the reference sites; the vantage is broken when none of them answered."""
    health = VantageHealth()
    if not urls:
        return health
    results = await asyncio.gather(*(fetcher.get(u) for u in urls))
    for url, result in zip(urls, results, strict=True):
        ev = result.evidence
        answered = ev.status is not None
        health.probes.append(
            {"url": url, "answered": answered, "cause": ev.error.value if ev.error else None}
        )
    if not any(p["answered"] for p in health.probes):
        health.fault = "reference_hosts"
        causes = ", ".join(f"{p['url']}: {p['cause']}" for p in health.probes)
        health.detail = f"no reference site answered ({causes})"
    return health


def describe_vantage(config: FetchConfig) -> dict:
    """Where the audit looked from: what a reader needs to reproduce what was seen."""
    import platform as host_platform

    if config.connect_to:
        rules = len(config.connect_to)
        resolver = f"--connect-to rules ({rules})" + (
            ", other names not resolved (--isolated)" if config.isolated else ", else system"
        )
        resolver_ru = f"адреса из заданных правил ({rules}), " + (
            "прочие имена не разрешались (изолированный режим)"
            if config.isolated
            else "прочие — системной службой имён"
        )
    else:
        resolver, resolver_ru = "system resolver", "системная служба имён (DNS)"
    return {
        "host": host_platform.node(),
        "user_agent": config.user_agent,
        "resolver": resolver,
        "resolver_ru": resolver_ru,
        "python": host_platform.python_version(),
        "system": f"{host_platform.system()} {host_platform.release()}",
    }
