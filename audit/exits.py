"""Exit codes, a contract with users' scripts and nightly jobs, and the error that means exit 2."""

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_INTERNAL = 4  # a bug: the traceback goes to a file, the user gets one line


class UsageError(Exception):
    """Bad command line or configuration: printed without a traceback, exit 2."""
