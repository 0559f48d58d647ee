"""The command's entry point (`pages-audit`, `python -m audit`).

From its first instant, imports included: Ctrl-C or SIGTERM is an interruption (exit 130, one
line, no traceback); anything unexpected is an internal error — exit 4, which no result of an
audit uses, so a nightly job can tell a crash from a finding — with one line on stderr naming
the file that holds the details (secrets scrubbed)."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import traceback

from audit.exits import EXIT_INTERNAL, EXIT_INTERRUPTED
from audit.signals import extension_imports_held, forget_ended_exec, interrupts_kept

SECRET_VARIABLES = ("VK_TOKEN", "OK_APP_KEY", "OK_APP_SECRET", "OK_ACCESS_TOKEN")


def _interrupt(*_args) -> None:
    """SIGTERM is Ctrl-C: one way to stop, handled in one place (asyncio's, during a run)."""
    signal.raise_signal(signal.SIGINT)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with interrupts_kept(), extension_imports_held():
            from audit.cli import main as cli_main

            code = cli_main(argv)
    except KeyboardInterrupt:
        print("pages-audit: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    except Exception as exc:  # a bug: one line here, the details in a file
        where = crash_report(argv if argv is not None else sys.argv[1:])
        print(
            f"pages-audit: internal error ({type(exc).__name__}); details in {where}. "
            "Please report it.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    if code == EXIT_INTERRUPTED:
        forget_ended_exec()
    return code


def crash_report(argv: list[str]) -> str:
    """The traceback in a new file of the temporary directory (created exclusively), with
    every secret the process knows replaced by ***."""
    text = f"pages-audit {' '.join(argv)}\n\n{traceback.format_exc()}"
    secrets = [os.environ.get(name, "") for name in SECRET_VARIABLES]
    for n, arg in enumerate(argv):
        if (arg == "--db" and n + 1 < len(argv)) or arg.startswith("--db="):
            from audit.store import db_secrets

            secrets += db_secrets(arg.split("=", 1)[1] if "=" in arg else argv[n + 1])
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "***")
    fd, path = tempfile.mkstemp(prefix="pages-audit-crash-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


if __name__ == "__main__":
    raise SystemExit(main())
