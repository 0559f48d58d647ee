"""Run `python -m audit ...` while a thread watches its resident memory every 5 ms.

    python benchmarks/rsstrace.py TRACE_FILE audit-args...

Whenever RSS passes its previous peak by 10 MB the thread appends to TRACE_FILE the time,
the RSS and the main thread's stack: where a short spike the outer sampler misses comes from.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback

STEP_MB = 10.0


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def watch(path: str, main_id: int) -> None:
    started, peak = time.monotonic(), 0.0
    with open(path, "w") as out:
        while True:
            mb = rss_mb()
            if mb > peak + STEP_MB:
                peak = mb
                frame = sys._current_frames().get(main_id)
                stack = "".join(traceback.format_stack(frame, limit=12)) if frame else ""
                out.write(f"--- {time.monotonic() - started:8.2f} s  {mb:7.0f} MB\n{stack}\n")
                out.flush()
            time.sleep(0.005)


def main() -> None:
    trace, args = sys.argv[1], sys.argv[2:]
    threading.Thread(target=watch, args=(trace, threading.get_ident()), daemon=True).start()
    sys.argv = ["pages-audit", *args]
    from audit.cli import main as cli_main

    raise SystemExit(cli_main())


if __name__ == "__main__":
    main()
