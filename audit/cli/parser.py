"""The command line's grammar: every command, option and help text."""

from __future__ import annotations

import argparse

from audit import __version__
from audit.cli import history, outputs, run, tools
from audit.cli.common import (
    add_canary_options,
    add_fetch_options,
    add_history_options,
    add_platform_options,
    iso_date,
)
from audit.cli.run import DEMO_REGISTRY, DEMO_SENDER
from audit.pipeline.session import POOL_FROM
from audit.policy import platform_rule_problem
from audit.shard import Shard, parse_shard


def platform_rule(text: str) -> str:
    if problem := platform_rule_problem(text):
        raise argparse.ArgumentTypeError(problem)
    return text


def shard(text: str) -> Shard:
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_history_db(p: argparse.ArgumentParser) -> None:
    """--db for the commands that read a stored history (runs, diff, evaluate)."""
    p.add_argument(
        "--db",
        required=True,
        metavar="PATH",
        help="the history database: a SQLite file or postgresql://…",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pages-audit",
        description="Audit official websites and VK/OK official pages of Russian state bodies.",
    )
    parser.add_argument("--version", action="version", version=f"pages-audit {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log to standard error: -v the steps of a run, -vv also every request",
    )
    parser.add_argument(
        "-q",
        "--brief",
        action="store_true",
        help="print only what a command concludes: no progress bar or progress lines, no log "
        "(run prints its summary; run --quiet prints nothing)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="the command's options from FILE (default: pages-audit.toml here, or "
        "[tool.pages-audit] in pyproject.toml); the command line wins",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check registry files; print file:line: field: message")
    p.add_argument("paths", nargs="+", metavar="PATH", help="registry files or directories")
    p.set_defaults(func=tools.cmd_validate)

    def add_report_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lang", choices=("ru", "en"), default="ru", help="report language (ru)")
        p.add_argument(
            "--templates",
            metavar="DIR",
            help="directory of edited templates that override the bundled ones",
        )

    p = sub.add_parser("run", help="audit the bodies of one or more registries")
    p.add_argument("registry", nargs="+", metavar="REGISTRY", help="registry files or directories")
    p.add_argument(
        "--out", required=True, metavar="DIR", help="where report.json and index.html go"
    )
    p.add_argument(
        "--platforms",
        type=platform_rule,
        metavar="RULE",
        help="official pages required: any (one of VK/OK: the federal minimum; default), both, "
        "a platform (vk, ok), or platforms joined by commas (vk,ok,telegram)",
    )
    p.add_argument("--policy", metavar="FILE", help="policy YAML: thresholds and platforms")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    add_history_options(p)
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the unfinished run of these registries in the history database",
    )
    p.add_argument(
        "--shard",
        type=shard,
        metavar="K/N",
        help="audit only the K-th of N shards of the bodies (a stable hash of the id; one job a "
        "shard, all into one --db); `report --runs latest-shards` merges them",
    )
    p.add_argument(
        "--chunk",
        type=int,
        default=500,
        help="bodies collected together; their page look-ups share API requests (500)",
    )
    p.add_argument(
        "--workers",
        default="auto",
        metavar="N",
        help="processes reading (fetching and parsing) the websites; 0: read them in this one "
        f"(auto: one a core, up to 4, for {POOL_FROM} bodies or more on 2 cores or more; else 0)",
    )
    p.add_argument(
        "--archive",
        action="store_true",
        help="keep every fetched body in DIR/archive/run-<id>.warc.gz (evidence links to it)",
    )
    p.add_argument(
        "--fail-on",
        choices=("violation", "new", "none"),
        default="violation",
        help="exit 1 on any violation (default), only on violations new since the last run, "
        "or never",
    )
    p.add_argument(
        "--fail-under",
        type=float,
        metavar="PERCENT",
        help="exit 1 when the share of bodies without violations is under PERCENT",
    )
    p.add_argument(
        "--max-error-rate",
        type=float,
        default=20.0,
        metavar="PERCENT",
        help="a platform with more unreadable pages makes the run exit 3 (20)",
    )
    add_canary_options(p)
    add_report_options(p)
    add_fetch_options(p)
    add_platform_options(p)
    p.set_defaults(func=run.cmd_run)

    p = sub.add_parser(
        "selfcheck", help="read only the canary pages: exit 3 when a detector has drifted"
    )
    add_canary_options(p)
    add_fetch_options(p)
    add_platform_options(p)
    p.set_defaults(func=run.cmd_selfcheck)

    p = sub.add_parser("runs", help="list the runs in a history database")
    add_history_db(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=history.cmd_runs)

    p = sub.add_parser(
        "diff", help="new, fixed and still-open failures between two runs (default: last two)"
    )
    p.add_argument(
        "runs",
        nargs="*",
        type=int,
        metavar="RUN",
        help="two run ids; one compares it with the run before; none, the last two",
    )
    add_history_db(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--all", action="store_true", help="also list the still-open failures")
    p.add_argument("--violations-only", action="store_true", help="leave out failed warnings")
    p.set_defaults(func=history.cmd_diff)

    p = sub.add_parser("history", help="keep the history database small: history prune")
    hsub = p.add_subparsers(dest="history_command", required=True, metavar="ACTION")
    q = hsub.add_parser(
        "prune",
        help="delete the runs older than the N newest finished audits of each shard (and their "
        "re-evaluations), then give the space back",
    )
    add_history_db(q)
    q.add_argument(
        "--keep",
        type=int,
        required=True,
        metavar="N",
        help="finished audits kept per shard; keep at least the policy's "
        "site_down_confirm_runs (2) so a site down over runs is still confirmed",
    )
    q.add_argument("--dry-run", action="store_true", help="only say which runs would go")
    q.set_defaults(func=history.cmd_prune)

    p = sub.add_parser(
        "evaluate", help="recompute findings of a stored run with another policy (no network)"
    )
    p.add_argument("--run", type=int, required=True, metavar="ID", help="the stored run")
    add_history_db(p)
    p.add_argument("--out", required=True, metavar="DIR", help="where the new report goes")
    p.add_argument("--policy", metavar="FILE", help="policy YAML: thresholds and platforms")
    p.add_argument(
        "--platforms", type=platform_rule, metavar="RULE", help="any, both, vk, ok or vk,ok,…"
    )
    p.add_argument("--waivers", metavar="FILE", help="waivers YAML: accepted exceptions")
    add_report_options(p)
    p.set_defaults(func=history.cmd_evaluate)

    p = sub.add_parser(
        "report",
        help="render DIR/index.html again from DIR/report.json; or, with --db, one report over "
        "stored runs (the shards of a national audit)",
    )
    p.add_argument("dir", nargs="?", metavar="DIR", help="an output directory holding report.json")
    p.add_argument(
        "--db", metavar="PATH", help="a history database: report over its runs (with --out)"
    )
    p.add_argument(
        "--runs",
        metavar="WHICH",
        help="latest-shards (default: the newest finished run of every shard of the newest "
        "sharded registry) or run ids joined by commas",
    )
    p.add_argument("--out", metavar="DIR", help="where the report over --db's runs goes")
    p.add_argument(
        "--allow-partial",
        action="store_true",
        help="write the report even when shards are missing or unfinished (it says so at the "
        "top); without it such a set is refused with exit 3",
    )
    add_report_options(p)
    p.set_defaults(func=outputs.cmd_report)

    p = sub.add_parser(
        "notices", help="a notice letter per body with violations: DIR/notices/<id>.html"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="where notices/ goes")
    p.add_argument("--report", metavar="PATH", help="report.json or its directory (default: --out)")
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also PDF: WeasyPrint when installed (the pdf extra), else headless Chromium",
    )
    p.add_argument(
        "--templates", metavar="DIR", help="edited copies of templates/notice.html.j2, act.html.j2"
    )
    p.add_argument(
        "--sender",
        metavar="FILE",
        help="YAML: sender, signatory, executor, basis of the check, number pattern "
        "(see docs/examples/sender.yaml); without it the letters are drafts",
    )
    p.add_argument(
        "--kind",
        choices=("notice", "act"),
        default="notice",
        help="notice: letters demanding a remedy (DIR/notices/); act: inspection records, "
        "facts only (DIR/acts/)",
    )
    p.add_argument(
        "--date", type=iso_date, metavar="YYYY-MM-DD", help="the letters' date (default: today)"
    )
    p.set_defaults(func=outputs.cmd_notices)

    p = sub.add_parser("registry", help="import a table into a registry; registry statistics")
    rsub = p.add_subparsers(dest="registry_command", required=True, metavar="ACTION")
    q = rsub.add_parser(
        "import", help="CSV (UTF-8, UTF-16 or windows-1251), XLSX, XLS, ODS or JSON → registry"
    )
    q.add_argument("file", metavar="FILE", help="the table: CSV, XLSX, XLS, ODS or JSON")
    q.add_argument("--out", required=True, metavar="FILE.yaml", help="the registry to write")
    q.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="map a column to a field (id, name, short_name, kind, region, parent, "
        "website, vk, ok, email, phone, address, oktmo, ogrn, inn); repeatable",
    )
    q.add_argument("--kind", help="kind for rows whose kind cannot be told")
    q.add_argument("--region", help="region of every body")
    q.add_argument("--sheet", help="XLSX sheet (default: the first)")
    q.set_defaults(func=tools.cmd_registry_import)
    q = rsub.add_parser("stats", help="counts by kind and region; bodies lacking site or pages")
    q.add_argument("paths", nargs="+", metavar="PATH", help="registry files or directories")
    q.add_argument("--json", action="store_true", help="print JSON instead of text")
    q.set_defaults(func=tools.cmd_registry_stats)

    p = sub.add_parser("checks", help="list the checks with their legal basis")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--lang", choices=("ru", "en"), default="ru", help="language of the texts")
    p.set_defaults(func=outputs.cmd_checks)

    p = sub.add_parser("links", help="show the VK/OK references and ПОС widget found on one page")
    p.add_argument("target", metavar="URL_OR_FILE", help="a page's address or a saved page")
    p.add_argument("--base-url", metavar="URL", help="address the file was saved from")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_fetch_options(p)
    p.set_defaults(func=tools.cmd_links)

    p = sub.add_parser("world", help="serve the simulated web on 127.0.0.1 until interrupted")
    p.add_argument("--scenario", metavar="FILE", help="scenario YAML (default: the demo world)")
    p.add_argument("--state", metavar="FILE", help="write ports, CA bundle and rules as JSON")
    p.set_defaults(func=run.cmd_world)

    p = sub.add_parser("demo", help="run the audit of the demo registry against the simulated web")
    p.add_argument(
        "--registry",
        default=DEMO_REGISTRY,
        help=f"the registry to audit (default: {DEMO_REGISTRY}, or the copy the package ships)",
    )
    p.add_argument("--out", default="reports/demo", help="output directory (reports/demo)")
    p.add_argument(
        "--sender",
        metavar="FILE",
        help=f"the demo letters' sender (default: {DEMO_SENDER}; see notices --sender)",
    )
    p.add_argument(
        "--platforms", type=platform_rule, metavar="RULE", help="any, both, vk, ok or vk,ok,…"
    )
    p.add_argument("--policy", metavar="FILE", help="policy YAML: thresholds and platforms")
    add_history_options(p)
    add_canary_options(p)
    p.add_argument(
        "--html", action="store_true", help="no API credentials: read the simulated public pages"
    )
    p.add_argument("--lang", choices=("ru", "en"), default="ru", help="language of the report")
    p.set_defaults(func=run.cmd_demo)
    p = sub.add_parser("completion", help="print the shell completion script (bash, zsh, tcsh)")
    p.add_argument(
        "shell",
        choices=("bash", "zsh", "tcsh"),
        help='the shell: eval "$(pages-audit completion bash)" in ~/.bashrc',
    )
    p.set_defaults(func=lambda args: tools.cmd_completion(args, build_parser()))

    no_abbreviations(parser)
    return parser


def no_abbreviations(parser: argparse.ArgumentParser) -> None:
    """An option is taken only as written: a misspelt `--platform` must not pass for
    `--platforms` (argparse's prefix matching), on every command."""
    parser.allow_abbrev = False
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                no_abbreviations(sub)
