"""A minimal peer of the auditor's website part, for benchmarks/scale.py to run beside it.

    python benchmarks/peer.py REGISTRY STATE --concurrency 64 --connect-timeout 3
        --read-timeout 5 --total-timeout 8 --retries 1 --backoff-base 1.0

Fetches every body's website of REGISTRY from the simulated web whose STATE file (`pages-audit
world --state`) gives its ports — the same concurrency, timeouts and retries as the run — and
finds VK and OK links with one plain regular expression. No parsing, no evidence, no store: what
any client must spend to read the same sites. Prints one JSON line: wall time, CPU seconds of
this process, sites asked, sites read, sites with a VK or OK link.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import yaml

LINK = re.compile(rb"(?:https?:)?//(?:www\.)?(?:vk\.com|ok\.ru)/[\w./-]+", re.I)
RETRYABLE = (httpx.TimeoutException, httpx.NetworkError, TimeoutError)


async def main(args) -> dict:
    state = json.loads(Path(args.state).read_text(encoding="utf-8"))
    registry = yaml.load(Path(args.registry).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    sites = [e["website"] for e in registry["entities"] if e.get("website", "none") != "none"]
    port = state["http_port"]
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=0)
    timeout = httpx.Timeout(
        connect=args.connect_timeout, read=args.read_timeout, write=args.read_timeout, pool=None
    )
    slots = asyncio.Semaphore(args.concurrency)
    read = found = 0
    loop = asyncio.get_running_loop()

    async def one(client: httpx.AsyncClient, url: str) -> None:
        nonlocal read, found
        host = urlsplit(url).hostname
        async with slots:
            try:  # the simulated web serves *.example-sp.ru; other names must resolve
                if not host.endswith(".example-sp.ru"):
                    await loop.getaddrinfo(host, 80, type=socket.SOCK_STREAM)
            except OSError:
                return
            for attempt in range(args.retries + 1):
                try:
                    async with asyncio.timeout(args.total_timeout):
                        r = await client.get(f"http://127.0.0.1:{port}/", headers={"host": host})
                    read += 1
                    found += LINK.search(r.content) is not None
                    return
                except RETRYABLE:
                    if attempt < args.retries:
                        await asyncio.sleep(args.backoff_base * random.uniform(0.5, 1.0))

    started, cpu = time.monotonic(), time.process_time()
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        await asyncio.gather(*(one(client, url) for url in sites))
    return {
        "wall": time.monotonic() - started,
        "cpu": time.process_time() - cpu,
        "sites": len(sites),
        "read": read,
        "with_links": found,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("registry")
    parser.add_argument("state")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--connect-timeout", type=float, default=3)
    parser.add_argument("--read-timeout", type=float, default=5)
    parser.add_argument("--total-timeout", type=float, default=8)
    parser.add_argument("--retries", type=int, default=1)
    parser.add_argument("--backoff-base", type=float, default=1.0)
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
