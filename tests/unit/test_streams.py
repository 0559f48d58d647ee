"""httpcore's network backend over asyncio: real sockets on 127.0.0.1, and the failures a
website gives mapped to the causes the evidence names."""

from __future__ import annotations

import asyncio
import ssl

import httpcore
import pytest
import trustme

from audit.evidence import Cause
from audit.streams import AsyncioBackend
from audit.transport import classify


async def _server(handler):
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_a_request_and_its_answer_go_over_the_stream():
    async def answer(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        await writer.drain()
        writer.close()

    server, port = await _server(answer)
    async with server:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
        await stream.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5)
        got = b""
        while chunk := await stream.read(65536, timeout=5):
            got += chunk
        await stream.aclose()
    assert got.endswith(b"\r\n\r\nhello")
    assert stream.get_extra_info("server_addr")[1] == port


async def test_a_connection_the_server_closed_reads_as_readable():
    closed = asyncio.Event()

    async def hang_up(reader, writer):
        writer.close()
        closed.set()

    server, port = await _server(hang_up)
    async with server:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
        await closed.wait()
        await asyncio.sleep(0.05)
        assert stream.get_extra_info("is_readable") is True
        await stream.aclose()


async def test_a_kept_connection_with_nothing_to_read_is_not_readable():
    async def keep(reader, writer):
        await asyncio.sleep(1)

    server, port = await _server(keep)
    async with server:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
        assert stream.get_extra_info("is_readable") is False  # reusable for the next request
        await stream.aclose()


async def test_a_server_that_sends_nothing_is_a_read_timeout():
    async def silent(reader, writer):
        await asyncio.sleep(5)

    server, port = await _server(silent)
    async with server:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
        with pytest.raises(httpcore.ReadTimeout) as caught:
            await stream.read(1024, timeout=0.1)
        await stream.aclose()
    assert isinstance(caught.value.__cause__, TimeoutError)  # httpx makes it its ReadTimeout


async def test_a_closed_port_is_a_connect_error():
    server, port = await _server(lambda r, w: None)
    server.close()
    await server.wait_closed()
    with pytest.raises(httpcore.ConnectError) as caught:
        await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)


async def test_a_certificate_nobody_trusts_is_a_tls_fault_not_a_network_one():
    ca = trustme.CA()
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("site.example-sp.ru").configure_cert(served)
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0, ssl=served)
    port = server.sockets[0].getsockname()[1]
    async with server:
        stream = await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
        with pytest.raises(httpcore.ConnectError) as caught:
            await stream.start_tls(
                ssl.create_default_context(), server_hostname="site.example-sp.ru", timeout=5
            )
        await stream.aclose()
    cause, detail, retryable = classify(caught.value)
    assert cause is Cause.TLS and "certificate" in detail and not retryable
