"""Ctrl-C and SIGTERM around the auditor's child processes (website readers, the report
follower, report writers).

A child is handed its work through a pipe as it starts; a signal that stopped the auditor
halfway through that would leave the child to die reading half a message, with a traceback on
the shared terminal. So while the auditor starts a child, Ctrl-C and SIGTERM are only noted,
and raised again the moment after. (Blocking them would not do: Python runs its handlers in
the main thread whichever thread the signal reached.)

Three ways CPython can lose a Ctrl-C are covered too. A KeyboardInterrupt raised where Python
cannot raise it (a finalizer, a weakref callback, a garbage collector's call) is printed as
"Exception ignored" and dropped; the run would go on to its end as if nobody had asked it to
stop. `interrupts_kept()` has such an interrupt raised again a moment later, in ordinary code.
And under `python -m`, an interrupt that ended a string `exec` (dataclasses build their methods
that way, so any import can be the place) makes the interpreter kill itself with SIGINT at exit
whatever exit code the program chose; `forget_ended_exec()` clears that mark. And code that
Cython generates for an extension module's start swallows every exception in places (lxml.etree
registers its memoryview type with collections.abc under a bare `except`): an interrupt landing
there vanishes, so `extension_imports_held()` starts extension modules with the signals held."""

from __future__ import annotations

import _thread
import contextlib
import importlib.abc
import importlib.machinery
import signal
import sys
import threading
from collections.abc import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)
RAISE_AGAIN_S = 0.1  # a dropped Ctrl-C takes effect this much later


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block (starting a child process) is over."""
    noted: list[int] = []
    before = {sig: signal.getsignal(sig) for sig in SIGNALS}
    for sig in SIGNALS:
        signal.signal(sig, lambda number, _frame: noted.append(number))
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
        for number in dict.fromkeys(noted):
            signal.raise_signal(number)


@contextlib.contextmanager
def interrupts_kept() -> Iterator[None]:
    """Within the block, a KeyboardInterrupt Python had to drop comes back as a new Ctrl-C,
    to whichever SIGINT handler is in place then (Python's, or asyncio's while a loop runs)."""
    before = sys.unraisablehook

    def hook(unraisable) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            _interrupt_soon()
        else:
            before(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = before


def _interrupt_soon() -> None:
    """Ctrl-C again, from another thread a moment later: by then the main thread is back in
    ordinary code (raised from here, it would be dropped once more)."""
    timer = threading.Timer(RAISE_AGAIN_S, _thread.interrupt_main, (signal.SIGINT,))
    timer.daemon = True
    try:
        timer.start()
    except KeyboardInterrupt:  # a Ctrl-C reached us while it started: ask once more
        _interrupt_soon()


class _HeldExtensionLoader(importlib.machinery.ExtensionFileLoader):
    """An extension module's loader whose module start runs with the signals held (in the
    main thread: only there can handlers change)."""

    def create_module(self, spec):
        with _held_in_main_thread():
            return super().create_module(spec)

    def exec_module(self, module) -> None:
        with _held_in_main_thread():
            super().exec_module(module)


class _ExtensionsHeld(importlib.abc.MetaPathFinder):
    """Finds modules as the other finders do; an extension module gets the held loader."""

    def find_spec(self, name, path, target=None):
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is None:
                continue
            loader = spec.loader
            if type(loader) is importlib.machinery.ExtensionFileLoader:
                spec.loader = _HeldExtensionLoader(loader.name, loader.path)
            return spec
        return None


@contextlib.contextmanager
def extension_imports_held() -> Iterator[None]:
    """Within the block, Ctrl-C and SIGTERM that arrive while an extension module starts take
    effect as soon as it has started (see the module's docstring)."""
    finder = _ExtensionsHeld()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def _held_in_main_thread() -> contextlib.AbstractContextManager:
    if threading.current_thread() is threading.main_thread():
        return held()
    return contextlib.nullcontext()


def forget_ended_exec() -> None:
    """Clear CPython's "a string exec ended with KeyboardInterrupt" mark after the interrupt
    was handled: under `python -m` the mark alone turns the chosen exit code into a death by
    SIGINT. Every string exec resets the mark as it starts."""
    exec("pass", {})


def child_started() -> None:
    """First thing in a child process: Ctrl-C is the auditor's to handle (it ends the child
    its own way); SIGTERM ends the child as usual; it logs as its parent does."""
    from audit.logs import configure_child

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_child()
