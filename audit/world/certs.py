"""The names the simulated web's certificate is issued for."""

from __future__ import annotations

WILDCARD_FROM = 16  # hosts under one domain from which a wildcard name stands for them


def certificate_names(hosts) -> list[str]:
    """The names of the world's certificate: hosts one by one, but a wildcard for a domain
    with many of them (a scale world of 100 000 sites would make a certificate too large for
    a TLS handshake). A wildcard covers one label, so `*.example.ru` is used only for hosts
    exactly one label below a domain with WILDCARD_FROM or more of them."""
    by_parent: dict[str, list[str]] = {}
    for host in hosts:
        parent = host.split(".", 1)[1] if host.count(".") >= 2 else ""
        by_parent.setdefault(parent, []).append(host)
    names = []
    for parent, members in sorted(by_parent.items()):
        if parent and len(members) >= WILDCARD_FROM:
            names.append(f"*.{parent}")
        else:
            names.extend(sorted(members))
    return names
