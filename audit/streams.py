"""httpcore's network backend over asyncio's own streams.

httpcore's default backend goes through anyio: every read and write opens a cancel scope for
its timeout, every connect runs in a task group, and each asks sniffio which event loop runs.
On a website that is about a fifth of a request's CPU. The auditor only ever runs on asyncio,
so its connections are asyncio streams here, each timeout one `asyncio.timeout`. Errors are
httpcore's, raised from the original one (the chain is what `transport.classify` reads to
tell a certificate fault from a reset), as anyio's backend raises them.
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
import ssl
from collections.abc import Iterable, Iterator

import httpcore

_CONNECT_ERRORS = {TimeoutError: httpcore.ConnectTimeout, OSError: httpcore.ConnectError}
_READ_ERRORS = {TimeoutError: httpcore.ReadTimeout, OSError: httpcore.ReadError}
_WRITE_ERRORS = {TimeoutError: httpcore.WriteTimeout, OSError: httpcore.WriteError}


@contextlib.contextmanager
def _mapped(errors: dict[type[Exception], type[Exception]]) -> Iterator[None]:
    """Re-raise a socket's error as httpcore's (ssl.SSLError is an OSError: a TLS fault
    during a handshake is a connect error, as anyio's backend has it)."""
    try:
        yield
    except tuple(errors) as exc:
        for kind, ours in errors.items():
            if isinstance(exc, kind):
                raise ours(str(exc) or type(exc).__name__) from exc
        raise  # pragma: no cover - every key was tried


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection: an asyncio stream reader and writer."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self._reader, self._writer = reader, writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with _mapped(_READ_ERRORS):
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)  # b"" at the end of the stream

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        with _mapped(_WRITE_ERRORS):
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()

    async def aclose(self) -> None:
        """Closed without waiting for the peer: a TLS close would wait for its answer."""
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> AsyncioStream:
        with _mapped(_CONNECT_ERRORS):
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        return self

    def get_extra_info(self, info: str):
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        if info == "is_readable":
            return _readable(self._writer.get_extra_info("socket"))
        return None


def _readable(sock) -> bool:
    """A kept connection with something to read before a request is sent: the server closed
    it (or broke HTTP); httpcore then opens another."""
    if sock is None or sock.fileno() < 0:
        return True
    poller = select.poll()  # not select.select: it refuses descriptors from 1024 up
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections with asyncio. Addresses come here decided (net.GuardedBackend
    resolves and checks them first)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[tuple[int, int, int]] | None = None,
    ) -> AsyncioStream:
        with _mapped(_CONNECT_ERRORS):
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, local_addr=(local_address, 0) if local_address else None
                )
        sock: socket.socket = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not used by the auditor")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
