"""pages-audit: compliance auditor for official pages of Russian state and municipal bodies."""

__version__ = "0.1.0"
