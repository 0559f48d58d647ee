"""How the simulated web answers one request: a platform's API or page (VK, OK, t.me, played
by their modules), or a site's route from the scenario with its faults (statuses, redirects,
delays, hangs, transient failures, sizes, compression bombs). The server and the world's
state: `audit.world.server`."""

from __future__ import annotations

import functools
import http.server
import json
import random
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

from audit.world.scenario import OK_API_HOSTS, OK_WEB_HOSTS, VK_API_HOSTS, VK_WEB_HOSTS

if TYPE_CHECKING:
    from audit.world.server import World, _Server


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle's algorithm the second waits for the
    # client's delayed ACK (40 ms on Linux) on a kept-alive connection: every API answer
    # would take 40 ms more than the world's own latency settings say.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        self.do_GET()

    def _app(self, world: World, host: str, path: str) -> bool:
        """Answer for a platform host (VK); False when the host is a plain site."""
        if host in VK_API_HOSTS and path.startswith("/method/"):
            fault = world.vk.fault
            if fault.get("redirect"):  # an API sending the caller (and its token) elsewhere
                self._send(307, b"", {"Location": fault["redirect"].format(token=world.vk.token)})
                return True
            if fault.get("status"):
                self._send(int(fault["status"]), b"<html><body>Bad Gateway</body></html>")
                return True
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8")) if length else {}
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            params = {k: v[0] for k, v in {**query, **form}.items()}
            answer = world.vk.handle_api(
                path[len("/method/") :], params, self.headers.get("Authorization")
            )
            body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            self._send(200, body, {"Content-Type": "application/json; charset=utf-8"})
            return True
        if host in OK_API_HOSTS and path == "/fb.do":
            if world.ok.fault.get("hang"):
                time.sleep(float(world.ok.fault["hang"]))
                self.close_connection = True
                return True
            if world.ok.fault.get("redirect"):  # 307: a client that follows POSTs again
                self._send(307, b"", {"Location": world.ok.fault["redirect"]})
                return True
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8")) if length else {}
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            params = {k: v[0] for k, v in {**query, **form}.items()}
            body = json.dumps(world.ok.handle_api(params), ensure_ascii=False).encode("utf-8")
            self._send(200, body, {"Content-Type": "application/json; charset=utf-8"})
            return True
        for hosts, app in ((VK_WEB_HOSTS, world.vk), (OK_WEB_HOSTS, world.ok)):
            if host in hosts:
                status, headers, text = app.handle_web(path)
                self._send(status, text.encode("utf-8"), headers)
                return True
        return False

    def do_GET(self) -> None:
        world = self.server.world
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        path = self.path.split("?", 1)[0]
        world.record(host, self.path)
        if self._app(world, host, path):
            return
        site = world.sites.get(host)
        route = site.routes.get(path) if site else None
        if route is None:
            self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>")
            return
        if route.fail_first and world.bump(host, path) <= route.fail_first:
            headers = {"Retry-After": str(route.retry_after)} if route.retry_after else {}
            self._send(route.fail_status, b"<html><body>try again</body></html>", headers)
            return
        if route.hang is not None:
            time.sleep(route.hang)
            self.close_connection = True
            return
        if route.delay or route.jitter:
            time.sleep(route.delay + random.uniform(0, route.jitter))
        if route.redirect:
            self._send(
                route.status if 300 <= route.status < 400 else 302,
                b"",
                {"Location": route.redirect},
            )
            return
        if route.trickle:
            self._trickle(route.trickle)
            return
        if route.gzip_bomb:
            body = _gzip_bomb(route.gzip_bomb, route.gzip_layers)
            self._send(200, body, {"Content-Encoding": ", ".join(["gzip"] * route.gzip_layers)})
            return
        body = world.body(site, route)
        if route.mixed_encoding:
            body = body.replace(b"</body>", "Новости района".encode("cp1251") + b"</body>")
        if route.reset_after is not None:
            self._reset(body, route.reset_after)
            return
        if route.http10:
            self._http10(body)
            return
        ctype = route.content_type
        if route.header_charset and ctype.startswith("text/"):
            ctype += f"; charset={route.charset}"
        self._send(route.status, body, {"Content-Type": ctype, **route.headers})

    def _reset(self, body: bytes, after: int) -> None:
        """Promise the whole body, send part of it, then reset the connection (RST)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:after])
        self.wfile.flush()
        import socket
        import struct

        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True

    def _trickle(self, seconds: float) -> None:
        """A body that never ends: a few bytes every 0.2 s for `seconds`."""
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                self.wfile.write(b"<p>.</p>")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass
        self.close_connection = True

    def _http10(self, body: bytes) -> None:
        """An HTTP/1.0 answer: no Content-Length, the body ends when the connection closes."""
        self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n")
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


@functools.cache
def _gzip_bomb(size: int, layers: int = 1) -> bytes:
    """`size` bytes of spaces inside <html>, gzip-compressed (about a thousandth of the size),
    and compressed again `layers` - 1 times (a gigabyte in a few hundred bytes)."""
    import gzip
    import io

    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
        gz.write(b"<html><body>")
        chunk = b" " * (1 << 20)
        for _ in range(size // len(chunk)):
            gz.write(chunk)
    body = out.getvalue()
    for _ in range(layers - 1):
        body = gzip.compress(body, compresslevel=9)
    return body
