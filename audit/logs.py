"""The library logs through `logging` (loggers under "audit"); the command line decides how
much is shown (-v the steps of a run, -vv every request) and the child processes it starts
show the same (PAGES_AUDIT_LOG_LEVEL, set for them)."""

from __future__ import annotations

import logging
import os
import sys

LEVEL_VARIABLE = "PAGES_AUDIT_LOG_LEVEL"


def configure(level: int) -> None:
    """Log records of the "audit" loggers at `level` or above to standard error, one line
    each with the time, and hand the level to child processes."""
    logger = logging.getLogger("audit")
    logger.setLevel(level)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.propagate = False
    os.environ[LEVEL_VARIABLE] = logging.getLevelName(level)


def configure_child() -> None:
    """In a child process: the level its parent showed, if any."""
    level = os.environ.get(LEVEL_VARIABLE)
    if level and isinstance(logging.getLevelName(level), int):
        configure(logging.getLevelName(level))
