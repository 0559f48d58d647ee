"""A dead network is the auditor's problem, never the bodies': offline runs report no
violation and exit 3 naming the vantage; a site failure becomes a violation only when stored
runs in a row confirm it; proxies are honoured."""

from __future__ import annotations

import json
import select
import socket
import socketserver
import threading

import pytest

from tests.e2e.conftest import FAST, ROOT, cli, load_report, one_body

pytestmark = pytest.mark.e2e
OFFLINE = ["--isolated", "--timeout", "1", "--connect-timeout", "1", "--retries", "0"]


def violations(report: dict) -> list[tuple[str, str]]:
    return [
        (e["id"], f["key"])
        for e in report["entities"]
        for f in e["findings"]
        if f["status"] == "fail" and f["severity"] == "violation"
    ]


@pytest.mark.parametrize("canaries", [["--no-canaries"], []])
def test_offline_run_reports_no_violation_and_names_the_vantage(tmp_path, canaries):
    proc = cli("run", "registry/demo.yaml", "--out", tmp_path, *OFFLINE, *canaries)
    assert proc.returncode == 3, proc.stderr
    assert "audit incomplete: the auditor's network is not working (vantage)" in proc.stderr
    report = load_report(tmp_path)
    # the one body the registry itself declares without a website is the only violation
    assert violations(report) == [("99610417", "site.exists")]
    assert report["run"]["vantage_health"]["healthy"] is False
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Сеть проверяющего не работала" in html
    sites = [f for e in report["entities"] for f in e["findings"] if f["check"] == "site.exists"]
    assert any("на стороне проверяющего" in f["message_ru"] for f in sites)
    if not canaries:
        assert "platform unreachable on vk" in proc.stderr and "detector drift" not in proc.stderr
        assert 'id="unreachable"' in html and 'id="drift"' not in html


def test_offline_courts_registry_is_not_sixty_violations(tmp_path):
    """The first 60 shipped courts (no declared pages), offline."""
    courts = tmp_path / "courts.yaml"
    text = (ROOT / "registry" / "courts.yaml").read_text(encoding="utf-8")
    courts.write_text("\n  - id:".join(text.split("\n  - id:")[:61]) + "\n", encoding="utf-8")
    proc = cli("run", courts, "--out", tmp_path / "out", *OFFLINE, "--no-canaries")
    assert proc.returncode == 3, proc.stderr
    assert violations(load_report(tmp_path / "out")) == []


def test_selfcheck_says_network_unreachable_not_drift():
    proc = cli("selfcheck", *OFFLINE)
    assert proc.returncode == 3
    assert "network unreachable" in proc.stderr and "drift" not in proc.stderr
    assert {line.split()[0] for line in proc.stdout.splitlines()} == {"NET"}


def test_a_failing_site_is_confirmed_by_runs_in_a_row(world, tmp_path):
    """gorki-sp.ru answers 404: not confirmed on the first night, a violation on the second
    (the policy's span set to 0 h here), failing since the first; an offline night between
    breaks the streak."""
    reg = one_body(
        tmp_path,
        '{id: "g1", name: Администрация сельского поселения Горки, kind: rural_settlement, '
        'website: "https://gorki-sp.ru/"}',
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text("site_down_confirm_runs: 2\nsite_down_confirm_hours: 0\n", encoding="utf-8")
    common = ["--out", tmp_path / "out", "--policy", policy, "--no-canaries", *FAST]

    def night(*network):
        proc = cli("run", reg, *common, *network)
        report = load_report(tmp_path / "out")
        site = next(f for f in report["entities"][0]["findings"] if f["check"] == "site.exists")
        return proc, report, site

    proc, first, site = night(*world.cli_args())
    assert site["status"] == "error" and "не подтверждено" in site["message_ru"]
    proc, second, site = night(*world.cli_args())
    assert site["status"] == "fail" and proc.returncode == 1
    assert site["failing_since"] == first["run"]["started_at"]
    assert first["run"]["started_at"] in json.dumps(second["entities"][0]["observations"])
    # a night without network says nothing about the site and ends the streak
    proc, _, site = night(*OFFLINE)
    assert site["status"] == "error" and proc.returncode == 3
    proc, _, site = night(*world.cli_args())
    assert site["status"] == "error" and "не подтверждено" in site["message_ru"]
    # evaluate reads the same streak from the stored observations
    runs = cli("runs", "--db", tmp_path / "out" / "history.sqlite", "--json")
    second_id = json.loads(runs.stdout)[1]["id"]
    proc = cli(
        "evaluate", "--run", second_id, "--db", tmp_path / "out" / "history.sqlite",
        "--out", tmp_path / "eval", "--policy", policy,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr


class _Proxy(socketserver.ThreadingTCPServer):
    """A loopback HTTP proxy in front of the simulated web: CONNECT tunnels to its HTTPS port,
    absolute-form requests to its HTTP port; it records what it was asked."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, world):
        self.world, self.asked = world, []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class _ProxyHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode()
        method, target, _ = line.split(" ", 2)
        self.server.asked.append((method, target))
        world = self.server.world
        if method == "CONNECT":
            upstream = socket.create_connection(("127.0.0.1", world.https_port))
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            upstream = socket.create_connection(("127.0.0.1", world.http_port))
            path = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
            upstream.sendall(data.replace(target.encode(), path.encode(), 1))
        self._pipe(upstream)

    def _pipe(self, upstream):
        sockets = [self.request, upstream]
        try:
            while True:
                ready, _, _ = select.select(sockets, [], [], 10)
                if not ready:
                    return
                for s in ready:
                    chunk = s.recv(65536)
                    if not chunk:
                        return
                    (upstream if s is self.request else self.request).sendall(chunk)
        finally:
            upstream.close()


def test_https_proxy_from_the_environment_is_honoured(world, tmp_path):
    proxy = _Proxy(world)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        reg = one_body(
            tmp_path,
            '{id: "p1", name: Правительство Демонстрационной области, kind: regional_body, '
            'website: "https://gov-demo-oblast.ru/"}',
        )
        port = proxy.server_address[1]
        url = f"http://auditor:proxy-secret@127.0.0.1:{port}"
        proc = cli(
            "run", reg, "--out", tmp_path / "out", "--isolated", "--ca-bundle", world.ca_bundle,
            "--no-canaries", *FAST, env={"HTTPS_PROXY": url, "HTTP_PROXY": url},
        )  # fmt: skip
        assert proc.returncode in (0, 1), proc.stderr
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert ("CONNECT", "gov-demo-oblast.ru:443") in proxy.asked
    body = load_report(tmp_path / "out")["entities"][0]
    assert {f["key"]: f["status"] for f in body["findings"]}["site.exists"] == "pass"
    text = (tmp_path / "out" / "report.json").read_text(encoding="utf-8")
    assert "proxy-secret" not in text and "auditor:***@127.0.0.1" in text
