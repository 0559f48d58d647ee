"""The simulated web: official websites played on 127.0.0.1 from a scenario file, with faults.

A scenario names hosts (looking like real ones, e.g. `admin-example.ru`) and, per path, what the
site answers: an HTML file (optionally in windows-1251), a status, a redirect, a delay, a hang,
transient failures (503/429 with Retry-After) before success, or a body of a given size.
One plain-HTTP port and one HTTPS port serve every host (chosen by the Host header and SNI); the
HTTPS port presents certificates from a throw-away CA made by `trustme`. The auditor reaches the
world through `--connect-to` rules and `--ca-bundle`, so a demo run and a real run share one code
path. Hosts marked `dns: false` get no rule and so fail to resolve in isolated mode.

VK is played by `audit.world.vk` from the scenario's `vk:` section (api.vk.com, vk.com,
m.vk.com); see that module for its format.

The scenario's format: `audit.world.scenario`.
"""

from __future__ import annotations

import http.server
import json
import os
import ssl
import tempfile
import threading
from pathlib import Path

from audit.world.certs import certificate_names
from audit.world.handler import Handler
from audit.world.ok import OkWorld
from audit.world.scenario import (
    OK_API_HOSTS,
    OK_WEB_HOSTS,
    REFERENCE_HOSTS,
    SITES_DIR,
    VK_API_HOSTS,
    VK_WEB_HOSTS,
    Route,
    Scenario,
    Site,
    load_scenario,
)
from audit.world.telegram import telegram_site
from audit.world.vk import VkWorld


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # a run opens many connections at once

    def __init__(self, world: World, ssl_context: ssl.SSLContext | None):
        self.world = world
        self.ssl_context = ssl_context
        super().__init__(("127.0.0.1", 0), Handler)

    def finish_request(self, request, client_address) -> None:
        # The TLS handshake happens here, in the connection's own thread.
        if self.ssl_context is not None:
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address) -> None:  # clients hang up: not our problem
        pass


class World:
    """Run with `with World() as w:`; `w.connect_to` lists the rules for the auditor."""

    def __init__(self, scenario: Scenario | None = None, state_dir: str | None = None):
        scenario = scenario if scenario is not None else load_scenario()
        self.sites = dict(scenario.sites)
        self.sites.setdefault("t.me", telegram_site(scenario.telegram))
        for host in (*VK_API_HOSTS, *VK_WEB_HOSTS, *OK_API_HOSTS, *OK_WEB_HOSTS, *REFERENCE_HOSTS):
            self.sites.setdefault(host, Site(host))
        self.vk = VkWorld(scenario.vk)
        self.ok = OkWorld(scenario.ok)
        self._state_dir = state_dir
        self._counters: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []
        self._servers: list[_Server] = []
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.ca_bundle = ""
        self.other_ca_bundle = ""

    # --- request bookkeeping (used by tests) ---
    def record(self, host: str, path: str) -> None:
        with self._lock:
            self.requests.append((host, path))

    def reset_faults(self) -> None:
        """Count `fail_first` faults from zero again (a test that needs them fresh)."""
        with self._lock:
            self._counters.clear()

    def bump(self, host: str, path: str) -> int:
        with self._lock:
            n = self._counters.get((host, path), 0) + 1
            self._counters[(host, path)] = n
            return n

    def body(self, site: Site, route: Route) -> bytes:
        if route.size is not None:
            filler = "<p>" + "Новости района. " * 20 + "</p>\n"
            text = "<html><body>" + filler * (route.size // len(filler.encode()) + 1)
            return text.encode(route.charset)[: route.size]
        if route.file:
            text = (SITES_DIR / route.file).read_text(encoding="utf-8")
        else:
            text = route.body or ""
        for name, value in site.vars.items():
            text = text.replace("{{" + name + "}}", value)
        if route.pad:
            news = "<p>Новости поселения: ремонт дорог, приём граждан, благоустройство.</p>\n"
            text = text.replace("</body>", news * (route.pad // len(news.encode()) + 1) + "</body>")
        return text.encode(route.charset, errors="xmlcharrefreplace")

    # --- lifecycle ---
    def start(self) -> World:
        import trustme  # optional dependency (extra "world")

        directory = self._state_dir
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="pages-audit-world-")
            directory = self._tmp.name
        ca = trustme.CA(organization_name="pages-audit simulated web")
        valid = certificate_names(h for h, s in self.sites.items() if s.tls == "valid")
        good = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*valid or ["localhost"]).configure_cert(good)
        wrong = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("certificate-for-another-host.invalid").configure_cert(wrong)
        other_ca = trustme.CA(organization_name="pages-audit simulated national CA")
        others = sorted(h for h, s in self.sites.items() if s.tls == "other_ca")
        foreign = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        other_ca.issue_cert(*others or ["localhost"]).configure_cert(foreign)
        contexts = {h: wrong for h, s in self.sites.items() if s.tls == "mismatch"}
        contexts.update(dict.fromkeys(others, foreign))

        def pick_cert(sslobj, server_name, _ctx):
            if server_name and server_name.lower() in contexts:
                sslobj.context = contexts[server_name.lower()]

        good.sni_callback = pick_cert
        self.ca_bundle = os.path.join(directory, "world-ca.pem")
        ca.cert_pem.write_to_path(self.ca_bundle)
        self.other_ca_bundle = os.path.join(directory, "world-other-ca.pem")
        other_ca.cert_pem.write_to_path(self.other_ca_bundle)
        self._servers = [_Server(self, None), _Server(self, good)]
        for server in self._servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> World:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def http_port(self) -> int:
        return self._servers[0].server_address[1]

    @property
    def https_port(self) -> int:
        return self._servers[1].server_address[1]

    @property
    def connect_to(self) -> list[str]:
        rules = []
        for host, site in sorted(self.sites.items()):
            if site.dns:
                rules.append(f"{host}:443:127.0.0.1:{self.https_port}")
                rules.append(f"{host}:80:127.0.0.1:{self.http_port}")
        return rules

    @property
    def vk_token(self) -> str:
        return self.vk.token

    def fetch_config(self, **settings):
        """Fetcher settings that point the auditor at this world, as `cli_args` do for the CLI:
        every host of the world to its servers, no other name resolved, its CA trusted."""
        from audit.net import ConnectTo
        from audit.transport import FetchConfig

        pointed = {
            "connect_to": tuple(ConnectTo.parse(r) for r in self.connect_to),
            "isolated": True,
            "ca_bundle": self.ca_bundle,
        }
        return FetchConfig(**{**pointed, **settings})

    def cli_args(self) -> list[str]:
        """The `pages-audit run` options that point the auditor at this world."""
        args = ["--isolated", "--ca-bundle", self.ca_bundle]
        for rule in self.connect_to:
            args += ["--connect-to", rule]
        return args

    def state(self) -> dict:
        return {
            "http_port": self.http_port,
            "https_port": self.https_port,
            "ca_bundle": self.ca_bundle,
            "connect_to": self.connect_to,
            "cli_args": self.cli_args(),
            "vk_token": self.vk_token,
            "ok_env": self.ok_env(),
        }

    def ok_env(self) -> dict[str, str]:
        """The environment that gives `pages-audit run` the simulated OK's credentials."""
        return {
            "OK_APP_KEY": self.ok.app_key,
            "OK_APP_SECRET": self.ok.app_secret,
            "OK_ACCESS_TOKEN": self.ok.access_token,
        }

    def write_state(self, path: str) -> None:
        """Written whole or not at all: a script waiting for the file never reads half of it
        (a 100 000-site world's state is tens of megabytes)."""
        tmp = Path(path).with_name(Path(path).name + ".tmp")
        tmp.write_text(json.dumps(self.state(), indent=2), encoding="utf-8")
        os.replace(tmp, path)
