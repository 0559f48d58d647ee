"""A hostile corner of the simulated web: sites that attack the fetcher, over real TCP."""

from __future__ import annotations

import pytest

from audit.transport import FetchConfig
from audit.world.scenario import Route, Scenario, Site
from audit.world.server import World

HOSTILE = {
    "huge.test": {"/": Route(size=9_000_000)},
    "bomb.test": {"/": Route(gzip_bomb=60_000_000)},
    "layers.test": {"/": Route(gzip_bomb=800_000_000, gzip_layers=3)},  # 800 MB in ~1 KB
    "manylinks.test": {  # 3.6 MB of distinct VK links
        "/": Route(
            body="<html><body>"
            + "".join(f'<a href="https://vk.com/club{n}">ВК {n}</a>\n' for n in range(90_000))
            + "</body></html>"
        )
    },
    "chain.test": {
        **{f"/{n}": Route(status=302, redirect=f"https://chain.test/{n + 1}") for n in range(15)},
        "/15": Route(file="simple.html"),
    },
    "drip.test": {"/": Route(trickle=30)},
    "cut.test": {"/": Route(file="gosweb.html", reset_after=400)},
    "old.test": {"/": Route(file="simple.html", http10=True)},
    "mixed.test": {"/": Route(file="simple.html", mixed_encoding=True)},
    "badcharset.test": {
        "/": Route(
            body="<html><body>Новости</body></html>",
            headers={"Content-Type": "text/html; charset=x-no-such"},
        )
    },
    "pdf.test": {"/": Route(body="%PDF-1.4", content_type="application/pdf", header_charset=False)},
    "evil.test": {"/": Route(file="evil.html")},
    "toprivate.test": {"/": Route(status=302, redirect="http://169.254.169.254/latest/meta-data/")},
    "tolocal.test": {"/": Route(status=301, redirect="http://127.0.0.1:1/admin")},
}
MISMATCH = {"wrongcert.test": {"/": Route(file="simple.html")}}


def hostile_scenario() -> Scenario:
    sites = {
        h: Site(
            h,
            vars={
                "title": "Администрация",
                "vk": "https://vk.com/gov_demo",
                "ok": "https://ok.ru/govdemo",
            },
            routes=r,
        )
        for h, r in HOSTILE.items()
    }
    sites.update(
        {
            h: Site(h, tls="mismatch", vars={"title": "x", "vk": "", "ok": ""}, routes=r)
            for h, r in MISMATCH.items()
        }
    )
    return Scenario(sites)


@pytest.fixture(scope="session")
def hostile_world():
    with World(hostile_scenario()) as w:
        yield w


def config_for(world: World, **overrides) -> FetchConfig:
    values = dict(
        isolated=False,  # names the world does not serve go to the resolver (and the guard)
        connect_timeout=2,
        read_timeout=2,
        total_timeout=4,
        retries=0,
        max_bytes=2_000_000,
    )
    values.update(overrides)
    return world.fetch_config(**values)
