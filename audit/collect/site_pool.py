"""Websites read in other processes, each with its own event loop, HTTP client and parser.

Reading a website costs the auditor CPU twice: the HTTP exchange (2-3 ms through httpx) and the
parse (4-5 ms for a 150 KB page). In the auditor's one event loop both delay the platforms'
API look-ups that share it, and they use one core of several. A `SitePool` runs
`collect_site` in `workers` spawned processes; the auditor keeps the API collectors, the store
and the checks. A body goes to the process its website's host hashes to, so that the per-host
limit holds across processes. --concurrency bounds the bodies being read at once in all the
processes together (a body's requests are made one after another, so that is its requests at
once, as in one process): the slots float to whichever process needs them, and the sites that
hang until their timeout, ~2 % of a national run holding half the slots at any moment, do not
starve one process while another has slots to spare.

Bodies and observations travel as pickles over a socket pair (length-prefixed frames): asyncio
streams in the website process; in the auditor a thread sends the bodies as slots free up and
a thread per process reads its answers (neither side ever blocks on a full pipe: each reads
whatever the other does). With --archive the bodies a
process fetched travel back with the observation and are archived here, in the run's one
archive. A process that dies leaves its bodies, and every later one of its hosts, to this
process: the run goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import multiprocessing
import pickle
import queue
import socket
import struct
import threading
import zlib

from audit.collect.site import MAX_FOLLOW, collect_site
from audit.evidence import Evidence
from audit.fetch import Fetcher
from audit.model import Entity
from audit.observations import SiteObservation
from audit.signals import child_started, held
from audit.transport import FetchConfig
from audit.urls import host_of

_FRAME = struct.Struct("!Q")
_SPAWN = multiprocessing.get_context("spawn")  # this process runs threads: never fork it


class WorkerGone(Exception):
    """The website process ended before answering."""


async def _read(reader: asyncio.StreamReader):
    (size,) = _FRAME.unpack(await reader.readexactly(_FRAME.size))
    return pickle.loads(await reader.readexactly(size))


def _write(writer: asyncio.StreamWriter, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    writer.write(_FRAME.pack(len(data)))
    writer.write(data)


# ----------------------------------------------------------------------- the website process


# What one `collect_site` call fetched, when it is archived: (evidence, headers, body, sent).
_kept: contextvars.ContextVar[list] = contextvars.ContextVar("kept")


class _KeepForArchive:
    """Stands in for the archive in a website process: what would be archived is kept with
    the body's observation and sent to the auditor, which writes the run's one archive."""

    def record(self, evidence: Evidence, headers, body: bytes, secrets, sent=None) -> None:
        _kept.get().append((evidence, headers, body, sent))
        return None


def serve(sock: socket.socket, config: FetchConfig, max_follow: int, archive: bool) -> None:
    """A website process: read bodies, answer observations, until the auditor hangs up. Its
    event loop is uvloop's where there is one (~5 % less CPU a site than asyncio's)."""
    child_started()
    try:
        from uvloop import new_event_loop
    except ImportError:  # Windows
        new_event_loop = None
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(_serve(sock, config, max_follow, archive))


async def _serve(sock: socket.socket, config: FetchConfig, max_follow: int, archive: bool):
    reader, writer = await asyncio.open_connection(sock=sock)
    tasks: set[asyncio.Task] = set()
    async with Fetcher(config) as fetcher:
        if archive:
            fetcher.archive = _KeepForArchive()

        async def one(key: int, entity: Entity) -> None:
            kept: list = []
            _kept.set(kept)
            try:
                obs = await collect_site(entity, fetcher, max_follow)
            except Exception as exc:  # a bug, not a site's fault: the run reports it
                _write(writer, (key, None, f"{type(exc).__name__}: {exc}"))
            else:
                _write(writer, (key, (obs, kept), None))
            with contextlib.suppress(ConnectionError):
                await writer.drain()

        try:
            while True:
                key, entity = await _read(reader)
                task = asyncio.create_task(one(key, entity))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        except (asyncio.IncompleteReadError, ConnectionError):  # the auditor hung up: run over
            pass
        for task in tasks:  # none, unless the auditor ended early (failed, killed)
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(ConnectionError):  # a killed auditor hears nothing
            _write(writer, (None, fetcher.requests, None))
            await writer.drain()
    writer.close()


# ----------------------------------------------------------------------------- the auditor


def _send(sock: socket.socket, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_FRAME.pack(len(data)) + data)


def _recv(sock: socket.socket):
    (size,) = _FRAME.unpack(_recv_exactly(sock, _FRAME.size))
    return pickle.loads(_recv_exactly(sock, size))


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise EOFError("the website process hung up")
        data += chunk
    return bytes(data)


def _settle(future: asyncio.Future, answer, error) -> None:
    """In the event loop: a body's answer, a website process's error or its end."""
    if future.done():  # the run was cancelled meanwhile
        return
    if isinstance(error, BaseException):
        future.set_exception(error)
    elif error is not None:
        future.set_exception(RuntimeError(f"website process: {error}"))
    else:
        future.set_result(answer)


class _Worker:
    """A website process as the auditor's threads see it: its socket, the bodies it has been
    sent and not answered (each holding one of the run's slots)."""

    def __init__(self, process, sock: socket.socket):
        self.process = process
        self.sock = sock
        self.lock = threading.Lock()  # `pending` and `gone`: the dispatch and listening threads
        self.pending: dict[int, asyncio.Future] = {}
        self.requests = 0
        self.gone = False
        self.listener: threading.Thread | None = None

    def listen(self, slots: threading.Semaphore, loop: asyncio.AbstractEventLoop) -> None:
        """In a thread of its own: give each answered body's slot back at once and hand the
        answer to the event loop; when the process is gone, fail the waiting bodies over to
        the auditor."""
        try:
            while True:
                key, answer, error = _recv(self.sock)
                if key is None:
                    self.requests = answer
                    break
                with self.lock:
                    future = self.pending.pop(key, None)
                if future is not None:
                    slots.release()
                    loop.call_soon_threadsafe(_settle, future, answer, error)
        except (OSError, EOFError, pickle.UnpicklingError, struct.error):
            pass
        finally:
            with self.lock:
                self.gone = True
                left, self.pending = list(self.pending.values()), {}
            for future in left:
                slots.release()
                with contextlib.suppress(RuntimeError):  # the loop is closed: the run is over
                    loop.call_soon_threadsafe(_settle, future, None, WorkerGone())


class SitePool:
    """Use as `async with SitePool(workers, fetcher) as pool: site = await pool.collect(e)`.

    `fetcher` is the auditor's: websites are read with it when there are no worker processes
    (a small run), when a process has died, and its archive (if any) receives the bodies the
    processes fetched.

    The slots (--concurrency bodies sent and not answered) are taken and given back by
    threads, not by the event loop: the loop runs the checks, the store and the API
    look-ups in turns of tens of milliseconds, and a slot that waited for its turn to be
    given back and taken again idled ~20 ms a site (measured: 28 ms between a site's
    answer and the next body's start at 10 000 bodies)."""

    def __init__(self, workers: int, fetcher: Fetcher, max_follow: int = MAX_FOLLOW):
        self.size = max(0, workers)
        self.fetcher = fetcher
        self.max_follow = max_follow
        self._workers: list[_Worker] = []
        self._keys = itertools.count()
        self._slots = threading.Semaphore(fetcher.config.concurrency)  # bodies read at once
        self._queue: queue.SimpleQueue = queue.SimpleQueue()  # bodies to send, in order
        self._dispatcher: threading.Thread | None = None
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def requests(self) -> int:
        """HTTP requests the worker processes made (known once the pool has closed)."""
        return sum(w.requests for w in self._workers)

    async def __aenter__(self) -> SitePool:
        config = self.fetcher.config
        archive = self.fetcher.archive is not None
        self._loop = asyncio.get_running_loop()
        for _ in range(self.size):
            ours, theirs = socket.socketpair()
            process = _SPAWN.Process(
                target=serve,
                args=(theirs, config, self.max_follow, archive),
                daemon=True,
                name="pages-audit websites",
            )
            with held():
                process.start()
            theirs.close()
            worker = _Worker(process, ours)
            worker.listener = threading.Thread(
                target=worker.listen,
                args=(self._slots, self._loop),
                daemon=True,
                name="pages-audit websites: answers",
            )
            worker.listener.start()
            self._workers.append(worker)
        if self._workers:
            self._dispatcher = threading.Thread(
                target=self._dispatch, daemon=True, name="pages-audit websites: bodies"
            )
            self._dispatcher.start()
        return self

    def _dispatch(self) -> None:
        """In a thread of its own: send each body, in the order asked, once a slot is free."""
        while (item := self._queue.get()) is not None:
            worker, key, entity, future = item
            self._slots.acquire()
            with worker.lock:
                send = not worker.gone and not self._closing
                if send:
                    worker.pending[key] = future
            if send:
                with contextlib.suppress(OSError):  # gone: its listener fails the body over
                    _send(worker.sock, (key, entity))
                continue
            self._slots.release()
            self._loop.call_soon_threadsafe(_settle, future, None, WorkerGone())

    async def __aexit__(self, exc_type, *exc_info) -> None:
        """A run that ended normally lets the processes finish and report their request
        counts; one that failed or was cancelled stops them at once. Either way they are
        reaped here, so that their CPU time counts as the run's."""
        self._closing = True  # nothing more is sent
        self._queue.put(None)
        for worker in self._workers:
            if exc_type is not None or worker.gone:
                worker.process.terminate()  # its listener frees the slots its bodies held
        if self._dispatcher is not None:
            await asyncio.to_thread(self._dispatcher.join, 30)
        for worker in self._workers:
            if exc_type is None and not worker.gone:
                with contextlib.suppress(OSError):
                    worker.sock.shutdown(socket.SHUT_WR)  # "no more bodies"
        for worker in self._workers:
            if worker.listener is not None:
                await asyncio.to_thread(worker.listener.join, 30)
                if worker.listener.is_alive():
                    worker.process.kill()
            await asyncio.to_thread(_reap, worker.process)
            worker.sock.close()

    async def collect(self, entity: Entity) -> SiteObservation:
        """The body's website observation, read in the process its host belongs to."""
        worker = self._worker_for(entity)
        if worker is None:
            return await collect_site(entity, self.fetcher, self.max_follow)
        future = asyncio.get_running_loop().create_future()
        self._queue.put((worker, next(self._keys), entity, future))
        try:
            obs, kept = await future
        except WorkerGone:  # the process is gone: read it here, in this process's slots
            return await collect_site(entity, self.fetcher, self.max_follow)
        self._archive(kept)
        return obs

    def _worker_for(self, entity: Entity) -> _Worker | None:
        if not self._workers or not entity.website or entity.website_none:
            return None  # nothing to fetch, or no processes: read here
        host = host_of(entity.website)
        worker = self._workers[zlib.crc32(host.encode()) % len(self._workers)]
        return None if worker.gone else worker

    def _archive(self, kept: list) -> None:
        archive = self.fetcher.archive
        if archive is None:
            return
        secrets = sorted(self.fetcher.secrets, key=len, reverse=True)
        for evidence, headers, body, sent in kept:
            evidence.warc_record = archive.record(evidence, headers, body, secrets, sent)


def _reap(process) -> None:
    process.join(10)
    if process.is_alive():
        process.kill()
        process.join()
