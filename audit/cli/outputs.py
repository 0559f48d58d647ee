"""Commands that write or list outputs: report, notices, checks."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from audit.checks import catalogue
from audit.checks.legal import BASIS_KIND_TITLES, joined, weakest
from audit.cli.common import _err, sender_from
from audit.exits import (
    EXIT_OK,
    UsageError,
)


def cmd_report(args: argparse.Namespace) -> int:
    from audit.report.formats import FORMATS, output_of, write_format
    from audit.report.json_report import read_json

    source = Path(args.dir) / "report.json"
    try:
        report = read_json(str(source))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{source}: cannot read report ({exc})") from None
    output = output_of(report, args.dir, args.lang, args.templates)
    # every output but report.json itself, drawn from it again
    written = {f.name: write_format(f, report, output) for f in FORMATS if f.name != "json"}
    print(written["html"][0])
    return EXIT_OK


def cmd_notices(args: argparse.Namespace) -> int:
    from audit.report.json_report import read_json
    from audit.report.notices import write_notices
    from audit.report.pdf import engines as pdf_engines

    source = Path(args.report or args.out)
    source = source / "report.json" if source.is_dir() else source
    try:
        report = read_json(str(source))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{source}: cannot read report ({exc})") from None
    sender = sender_from(args.sender)
    if sender is None:
        _err("pages-audit: no --sender file: the letters are drafts without the sender's data")
    if args.pdf and not pdf_engines():
        _err(
            "pages-audit: neither WeasyPrint (pip install 'pages-audit[pdf]') nor Chromium is "
            "installed: letters are written as HTML only"
        )
    written = write_notices(
        report, args.out, args.templates, args.pdf, sender, args.date, args.kind
    )
    folder, noun = ("acts", "record") if args.kind == "act" else ("notices", "notice")
    print(f"{len(written)} {noun}(s) in {Path(args.out) / folder}")
    return EXIT_OK


def cmd_checks(args: argparse.Namespace) -> int:
    checks = catalogue()
    if args.json:
        print(json.dumps([c.to_json() for c in checks], ensure_ascii=False, indent=2))
        return EXIT_OK
    for c in checks:
        title = c.title_ru if args.lang == "ru" else c.title_en
        kind = BASIS_KIND_TITLES[weakest(c.basis)][0 if args.lang == "ru" else 1]
        basis = joined(c.basis, args.lang)
        print(f"{c.id:28} {c.severity.value:9} {title}\n{'':28} [{kind}] {basis}")
    return EXIT_OK
