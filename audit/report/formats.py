"""The output formats: each one a sink fed a run's bodies one at a time, and one line in
`FORMATS`. Every place that writes outputs drives the same sinks: `pages-audit run` and
`report` here, the writer processes (report.outputs) and the follower that writes a large
run's outputs while it runs (report.follow).

A sink is opened with the run's checks, policy and output directory (`Output`), `add`s bodies
in registry order, and `close(report)` puts its files in place and returns their paths. The
report given to `close` holds the head (run, summary, changes…) and, except in the follower,
`entities`, which a sink may read again: one that could not write from what was added (the
HTML report when a body brought a platform the first ones had not) returns None from the
follower and is written after the run. `discard` leaves nothing behind. A format that
`streams` is fed; report.json is not (it copies the stored bodies' text at `close`)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from audit.plan import SITE_FROM
from audit.report.html import BodyPages, write_html
from audit.report.json_report import write_json
from audit.report.site import HtmlSite
from audit.report.tables import Tables


@dataclass(frozen=True)
class Output:
    out: str
    lang: str
    checks: list[dict]
    policy: dict
    templates: str | None = None
    bodies: int | None = None  # how many the report holds, when known: a large one is a site


class Sink(Protocol):
    def add(self, body: dict) -> None: ...

    def prepare(self, body: dict) -> Any:
        """What `put` needs of the body, made without the bodies before it (the follower
        prepares bodies stored past one still out); `add` is `put(prepare(body))`."""

    def put(self, prepared: Any) -> None:
        """The next body in registry order, as `prepare` made it."""

    def close(self, report: dict) -> list[str] | None: ...

    def discard(self) -> None: ...


class HtmlReport:
    """index.html: each body's row and details rendered as it comes (BodyPages), the overview
    around them at `close`; rendered whole from the report's bodies when the parts will not do."""

    def __init__(self, output: Output):
        self.output = output
        self.scratch = tempfile.TemporaryDirectory(dir=output.out, prefix=".html-")
        self.pages = BodyPages(
            output.checks, output.policy, self.scratch.name, output.lang, output.templates
        )

    def add(self, body: dict) -> None:
        self.pages.add(body)

    def prepare(self, body: dict) -> Any:
        return self.pages.prepare(body)

    def put(self, prepared: Any) -> None:
        self.pages.put(prepared)

    def close(self, report: dict) -> list[str] | None:
        o = self.output
        try:
            if (path := self.pages.write(report, o.out)) is not None:
                return [path]
            if "entities" not in report:
                return None
            return [write_html(report, o.out, o.lang, o.templates)]
        finally:
            self.scratch.cleanup()

    def discard(self) -> None:
        self.pages.discard()
        self.scratch.cleanup()


class TableReports(Tables):
    """report.csv, report.xlsx and junit.xml in one pass (see report.tables)."""

    def __init__(self, output: Output):
        super().__init__(output.checks, output.out, output.lang, policy=output.policy)


class JsonReport:
    """report.json: written at `close` from the report, its bodies as they were stored."""

    def __init__(self, output: Output):
        self.out = output.out

    def add(self, body: dict) -> None:
        pass

    def prepare(self, body: dict) -> None:
        pass

    def put(self, prepared: None) -> None:
        pass

    def close(self, report: dict) -> list[str] | None:
        return [write_json(report, self.out)] if "entities" in report else None

    def discard(self) -> None:
        pass


@dataclass(frozen=True)
class Format:
    name: str  # the writer's name: `written` maps it to its files
    open: Callable[[Output], Sink]
    streams: bool = True  # fed body by body (and so written by the follower too)


def html_report(output: Output) -> Sink:
    """The single index.html, or from SITE_FROM bodies the report site (report.site)."""
    if output.bodies is not None and output.bodies >= SITE_FROM:
        return HtmlSite(output)
    return HtmlReport(output)


# slowest first: the first ones go to writer processes
FORMATS: tuple[Format, ...] = (
    Format("html", html_report),
    Format("tables", TableReports),
    Format("json", JsonReport, streams=False),
)
FORMAT_NAMES = tuple(f.name for f in FORMATS)


def get_format(name: str) -> Format:
    return next(f for f in FORMATS if f.name == name)


def output_of(report: dict, out: str, lang: str, templates: str | None = None) -> Output:
    return Output(
        out,
        lang,
        report["checks"],
        report["run"].get("policy") or {},
        templates,
        report["summary"]["bodies"],
    )


def write_format(fmt: Format, report: dict, output: Output) -> list[str]:
    """One format's files from a whole report (its bodies read here, in order)."""
    sink = fmt.open(output)
    try:
        if fmt.streams:
            for body in report["entities"]:
                sink.add(body)
        paths = sink.close(report)
    except BaseException:
        sink.discard()
        raise
    if paths is None:  # a whole report always writes; a format that would not is a bug
        raise RuntimeError(f"the {fmt.name} output was not written from the whole report")
    return paths
