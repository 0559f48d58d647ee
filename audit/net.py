"""Where connections may go: host overrides (curl's --connect-to), isolation, the SSRF guard.

Every TCP connection the fetcher opens — first request and every redirect hop — passes through
`GuardedBackend.connect_tcp`, so one place decides where a name may connect:
- a `--connect-to` rule sends HOST:PORT to another address (the simulated web uses this, so the
  demo and the tests run the same code path as a real audit while staying on 127.0.0.1);
- in isolated mode a name no rule covers fails as unresolvable, never touching DNS;
- otherwise the name is resolved here and every address is checked: private, loopback,
  link-local, multicast and reserved addresses are refused (loopback only with allow_loopback).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import httpcore

from audit.streams import AsyncioBackend


class NameResolutionError(httpcore.ConnectError):
    """The host name does not resolve. `permanent` (the name does not exist) is False for a
    resolver that gave no answer; `retryable` says whether asking again may help."""

    def __init__(self, message: str, permanent: bool = True, retryable: bool | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retryable = not permanent if retryable is None else retryable


class BlockedAddressError(httpcore.ConnectError):
    """The host resolves to an address the auditor must not contact (SSRF guard)."""


@dataclass(frozen=True)
class ConnectTo:
    """One curl-style rule HOST:PORT:TARGET_HOST:TARGET_PORT; empty HOST or PORT match any."""

    host: str
    port: int | None
    target_host: str
    target_port: int | None

    @classmethod
    def parse(cls, text: str) -> ConnectTo:
        parts = text.rsplit(":", 3) if text.count(":") >= 3 else None
        if parts is None or len(parts) != 4:
            raise ValueError(f"--connect-to {text!r}: expected HOST:PORT:TARGET_HOST:TARGET_PORT")
        host, port, thost, tport = parts
        try:
            return cls(
                host.lower().strip("[]"),
                int(port) if port else None,
                thost.strip("[]"),
                int(tport) if tport else None,
            )
        except ValueError:
            raise ValueError(f"--connect-to {text!r}: ports must be numbers") from None

    def matches(self, host: str, port: int) -> bool:
        host = host.lower()
        if self.host.startswith("*."):  # our extension: every name below a domain
            named = host.endswith(self.host[1:])
        else:
            named = not self.host or self.host == host
        return named and (self.port is None or self.port == port)

    def __str__(self) -> str:
        return f"{self.host}:{self.port or ''}:{self.target_host}:{self.target_port or ''}"


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def address_refusal(address: str, allow_loopback: bool) -> str | None:
    """Why an IP address may not be contacted, or None when it may. Decided by the standard
    library's registry of special-purpose addresses (anything not globally reachable is
    refused: shared address space 100.64/10, benchmarking, site-local, documentation …), for
    the address and for every IPv4 address an IPv6 form carries (mapped, 6to4, Teredo, NAT64,
    IPv4-compatible)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    inner = embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else []
    if any(ip in net for net in NAT64) or (ip.ipv4_mapped if ip.version == 6 else None):
        candidates = inner  # only a carrier of the IPv4 address: judged by it
    else:
        candidates = [ip, *inner]
    for candidate in candidates:
        reason = _refusal(candidate, allow_loopback)
        if reason:
            return reason
    return None


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, by the forms that route to them."""
    found = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if any(ip in net for net in NAT64) or (ip.packed[:12] == bytes(12) and int(ip) > 1):
        found.append(ipaddress.IPv4Address(ip.packed[-4:]))  # NAT64, IPv4-compatible ::a.b.c.d
    return [a for a in found if a is not None]


def _refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_loopback: bool) -> str | None:
    if ip.is_loopback:
        return None if allow_loopback else "loopback address"
    if ip.is_link_local:
        return "link-local address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return "reserved address"
    if ip.is_private or getattr(ip, "is_site_local", False):
        return "private address"
    if not ip.is_global:
        return "special-purpose address"
    return None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that applies connect-to rules, isolation and the guard."""

    def __init__(
        self,
        rules: Iterable[ConnectTo] = (),
        isolated: bool = False,
        allow_loopback: bool = False,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ):
        self.rules = list(rules)
        # rules by exact host name (a world of 100 000 sites has 200 000 rules): a lookup,
        # not a scan; catch-all and wildcard rules are tried in their order with them
        self._by_host: dict[str, list[tuple[int, ConnectTo]]] = {}
        self._general: list[tuple[int, ConnectTo]] = []
        for n, rule in enumerate(self.rules):
            if rule.host and not rule.host.startswith("*."):
                self._by_host.setdefault(rule.host, []).append((n, rule))
            else:
                self._general.append((n, rule))
        self.isolated = isolated
        self.allow_loopback = allow_loopback
        self.inner = inner or AsyncioBackend()

    def rule_for(self, host: str, port: int) -> ConnectTo | None:
        """The first rule, in the order given, that covers host:port."""
        candidates = self._by_host.get(host.lower(), [])
        if self._general:
            candidates = sorted(candidates + self._general, key=lambda nr: nr[0])
        return next((rule for _, rule in candidates if rule.matches(host, port)), None)

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        rule = self.rule_for(host, port)
        if rule is not None:
            return await self.inner.connect_tcp(
                rule.target_host, rule.target_port or port, timeout, local_address, socket_options
            )
        if self.isolated:
            # the auditor chose not to ask: nothing is known about the name
            raise NameResolutionError(f"{host}: not resolvable in isolated mode", False, False)
        addresses = await self._resolve(host, port, timeout)
        refusals = []
        last_error: Exception | None = None
        for address in addresses:
            reason = address_refusal(address, self.allow_loopback)
            if reason:
                refusals.append(f"{address} ({reason})")
                continue
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        if last_error is not None:
            raise last_error
        raise BlockedAddressError(f"{host} refused: " + ", ".join(refusals))

    async def check_target(self, host: str, port: int, timeout: float | None = 10.0) -> None:
        """Refuse a target a proxy would be asked to reach when any address this machine
        resolves it to is one the auditor must not contact. A name this machine cannot
        resolve (isolated, or a network that resolves only through its proxy) is left to the
        proxy."""
        if self.isolated:
            try:
                ipaddress.ip_address(host)
            except ValueError:
                return
        try:
            addresses = await self._resolve(host, port, timeout)
        except NameResolutionError:
            return
        refusals = [
            f"{a} ({reason})"
            for a in addresses
            if (reason := address_refusal(a, self.allow_loopback))
        ]
        if refusals:
            raise BlockedAddressError(f"{host} refused: " + ", ".join(refusals))

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        try:
            ipaddress.ip_address(host)
            return [host]
        except ValueError:
            pass
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout
            )
        except TimeoutError:
            raise NameResolutionError(f"{host}: name resolution timed out", False) from None
        except socket.gaierror as exc:
            permanent = exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5))
            raise NameResolutionError(f"{host}: {exc.strerror}", permanent) from None
        seen: dict[str, None] = {}
        for info in infos:
            seen.setdefault(info[4][0], None)
        return list(seen)

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not used by the auditor")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
