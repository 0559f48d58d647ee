"""A scenario: what the simulated web plays, read from YAML.

Scenario format (YAML):

    hosts:
      admin-example.ru:
        tls: valid            # valid (default) | mismatch (certificate for another name) |
                              # other_ca (signed by a second CA the auditor is not told of:
                              # `World.other_ca_bundle` is it, as an auditor would add it)
        dns: true             # false: the host does not resolve
        vars: {vk: https://vk.com/adm}   # {{vk}} in the HTML files is replaced
        routes:
          /: {file: gosweb.html}
          /contacts: {file: contacts.html, charset: windows-1251, header_charset: false}
          /old: {status: 301, redirect: https://admin-example.ru/}
          /slow: {file: x.html, delay: 1.5}
          /down: {hang: 30}
          /flaky: {file: x.html, fail_first: 2, fail_status: 503, retry_after: 1}
          /big: {size: 8000000}
          /bomb: {gzip_bomb: 50000000}   # a small gzip body that inflates to 50 MB
          /cut: {file: x.html, reset_after: 300}   # connection reset mid-body
          /old: {file: x.html, http10: true}       # HTTP/1.0, no Content-Length, close-delimited
          /mixed: {file: x.html, mixed_encoding: true}  # UTF-8 text with windows-1251 bytes inside
          /drip: {trickle: 60}      # a body that never ends (a few bytes every 0.2 s)

Platform faults: `vk: {fault: {status: 500}}` or `{error: 6}` makes every VK API call fail so;
`ok: {fault: {hang: 30}}` makes the OK API never answer in time; `{redirect: URL}` makes either
API answer 307 to URL (`{token}` in VK's is the simulated token).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from audit.urls import host_of
from audit.vantage import REFERENCE_SITES

SCENARIO_DIR = resources.files("audit.world") / "scenarios"
SITES_DIR = resources.files("audit.world") / "sites"
ROUTE_FIELDS = {
    "status",
    "file",
    "body",
    "charset",
    "header_charset",
    "content_type",
    "delay",
    "hang",
    "redirect",
    "fail_first",
    "fail_status",
    "retry_after",
    "size",
    "headers",
    "gzip_bomb",
    "gzip_layers",
    "reset_after",
    "http10",
    "mixed_encoding",
    "trickle",
    "pad",
    "jitter",
}


@dataclass
class Route:
    status: int = 200
    file: str | None = None
    body: str | None = None
    charset: str = "utf-8"
    header_charset: bool = True
    content_type: str = "text/html"
    delay: float = 0.0
    hang: float | None = None
    redirect: str | None = None
    fail_first: int = 0
    fail_status: int = 503
    retry_after: int | None = None
    size: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    gzip_bomb: int | None = None
    gzip_layers: int = 1  # gzip applied this many times: Content-Encoding: gzip, gzip, ...
    reset_after: int | None = None
    http10: bool = False
    mixed_encoding: bool = False
    trickle: float | None = None
    pad: int = 0  # bytes of news text added to the page (realistic 50-300 KB pages)
    jitter: float = 0.0  # up to this many seconds more than `delay`, at random


@dataclass
class Site:
    host: str
    tls: str = "valid"
    dns: bool = True
    vars: dict[str, str] = field(default_factory=dict)
    routes: dict[str, Route] = field(default_factory=dict)


VK_API_HOSTS = ("api.vk.com", "api.vk.ru")
VK_WEB_HOSTS = ("vk.com", "m.vk.com", "vk.ru", "m.vk.ru")
OK_API_HOSTS = ("api.ok.ru",)
OK_WEB_HOSTS = ("ok.ru", "m.ok.ru", "www.ok.ru")
# the auditor's default reference sites answer in the world too (a 404 is an answer)
REFERENCE_HOSTS = tuple(host_of(url) for url in REFERENCE_SITES)


@dataclass
class Scenario:
    sites: dict[str, Site]
    vk: dict = field(default_factory=dict)
    ok: dict = field(default_factory=dict)
    telegram: dict = field(default_factory=dict)  # t.me's channels (audit.world.telegram)


def load_scenario(path: str | os.PathLike | None = None) -> Scenario:
    """Read a scenario file (default: the bundled demo scenario)."""
    if path is None:
        text = (SCENARIO_DIR / "demo.yaml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    sites: dict[str, Site] = {}
    for host, spec in (doc.get("hosts") or {}).items():
        routes = {}
        for route_path, rspec in (spec.get("routes") or {}).items():
            unknown = set(rspec or {}) - ROUTE_FIELDS
            if unknown:
                raise ValueError(f"scenario {host}{route_path}: unknown fields {sorted(unknown)}")
            routes[route_path] = Route(**(rspec or {}))
        sites[host.lower()] = Site(
            host=host.lower(),
            tls=spec.get("tls", "valid"),
            dns=spec.get("dns", True),
            vars={k: str(v) for k, v in (spec.get("vars") or {}).items()},
            routes=routes,
        )
    return Scenario(sites, doc.get("vk") or {}, doc.get("ok") or {}, doc.get("telegram") or {})
