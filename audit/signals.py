"""Ctrl-C and SIGTERM around the auditor's child processes (website readers, the report
follower, report writers).

A child is handed its work through a pipe as it starts; a signal that stopped the auditor
halfway through that would leave the child to die reading half a message, with a traceback on
the shared terminal. So while the auditor starts a child, Ctrl-C and SIGTERM are only noted,
and raised again the moment after. (Blocking them would not do: Python runs its handlers in
the main thread whichever thread the signal reached.)"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)


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


def child_started() -> None:
    """First thing in a child process: Ctrl-C is the auditor's to handle (it ends the child
    its own way); SIGTERM ends the child as usual; it logs as its parent does."""
    from audit.logs import configure_child

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_child()
