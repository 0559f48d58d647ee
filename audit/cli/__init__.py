"""Command line: parses arguments, calls the library and prints what it says. Exit codes are
in audit.exits; the application (a run's lifecycle, the verdict) is audit.pipeline."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys

from audit import logs
from audit.cli import config
from audit.cli.common import _err, history_of
from audit.cli.parser import build_parser
from audit.collect.apicall import ApiConfigError
from audit.exits import EXIT_OK, EXIT_USAGE, UsageError
from audit.pipeline.session import POOL_FROM, auto_workers
from audit.platforms import PLUGIN_PROBLEMS, enabling

__all__ = ["POOL_FROM", "auto_workers", "build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    if PLUGIN_PROBLEMS:
        for problem in PLUGIN_PROBLEMS:
            _err(f"pages-audit: a platform plugin did not load: {problem}")
        return EXIT_USAGE
    parser = build_parser()
    try:
        argv = config.apply(parser, list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
        _err(f"pages-audit: {exc}")
        return EXIT_USAGE
    args = parser.parse_args(argv)
    if args.verbose and args.brief:
        _err("pages-audit: -v and -q contradict each other: give one")
        return EXIT_USAGE
    if args.verbose:
        logs.configure(logging.INFO if args.verbose == 1 else logging.DEBUG)
    try:
        with enabling():
            return args.func(args)
    except UsageError as exc:
        _err(f"pages-audit: {exc}")
        return EXIT_USAGE
    except BrokenPipeError:  # `pages-audit diff ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except ApiConfigError as exc:
        _err(f"pages-audit: configuration error: {exc}")
        return EXIT_USAGE
    except sqlite3.DatabaseError as exc:  # a damaged page of the history, at any point
        _err(f"pages-audit: {history_of(args)}: the history database is damaged ({exc})")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("pages-audit: interrupted")
        return 130
