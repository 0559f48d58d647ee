"""A large run's HTML report as a small static site that opens at any size.

One index.html of 10 000 bodies is 130 MB, which a browser needs minutes and gigabytes to open;
at 100 000 none does. From SITE_FROM bodies the report is instead:

- `index.html`: the overview — figures, the regions with their compliance (each a link), the
  bodies with the most violations, the trend, changes, the legal bases, the run;
- `pages/region-N.html`: one per region — its figures, its municipal districts and okrugs
  with theirs, its worst bodies, links to the pages of bodies;
- `pages/N.html`: the bodies of one district (or the region's bodies outside any district),
  PAGE_BODIES at most and about PAGE_BYTES at most, with the same table, filters and cards as
  the single page;
- `pages/search.js`: a compact index of every body (name, id, page), loaded by the search box
  only when it is used (a script, not a fetch: it works from disk too).

Links are relative: the folder is published as it is, or opened from disk. A body's row and
card are rendered as it comes (`add`, the follower's way) into a scratch SQLite file, so the
pages are assembled from it whatever their order, in bounded memory.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jinja2.filters import do_urlencode
from markupsafe import Markup

from audit.report.atomic import replaced, staged_directory, swap_directory
from audit.report.bodyindex import IndexEntry, district_heads, index_platforms, worst
from audit.report.html import BodyRenderer, labels, page_context
from audit.report.overview import headline, policy_rows, trend_svg
from audit.report.render import environment, inert
from audit.summary import compliance

PAGE_BODIES = 500  # bodies on one page at most
PAGE_BYTES = 1_500_000  # and about this much of their rows and cards (a page stays under ~2 MB)
PAGES = "pages"  # the folder beside index.html
CHANGES_SHOWN = 200  # rows of the overview's changes table (the rest are in the tables)
STATUSES = ("compliant", "violation", "warning", "incomplete")


@dataclass
class BodyPage:
    number: int
    region: int  # index into the site's regions
    title: str  # the district's name, or "" for the region's bodies outside districts
    part: int
    parts: int
    seqs: list[int] = field(default_factory=list)

    @property
    def file(self) -> str:
        return f"{self.number}.html"


@dataclass
class Region:
    number: int
    name: str
    entries: list[IndexEntry] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)  # {title, head, pages, counts…}

    @property
    def file(self) -> str:
        return f"region-{self.number}.html"


def counts_of(entries: list[IndexEntry]) -> dict:
    """The headline figures of some bodies (as overview.headline has them for a report)."""
    by = {s: 0 for s in STATUSES}
    for e in entries:
        by[e.status] = by.get(e.status, 0) + 1
    return headline({"bodies": len(entries), "by_body_status": by})


class HtmlSite:
    """The site's sink (see report.formats): `add` renders each body's row and card into the
    scratch file; `close` plans the pages and writes them."""

    def __init__(self, output):
        self.output = output
        self.scratch = tempfile.TemporaryDirectory(dir=output.out, prefix=".site-")
        self.db = sqlite3.connect(Path(self.scratch.name) / "parts.sqlite", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute(
            "CREATE TABLE parts (seq INTEGER PRIMARY KEY, row TEXT, details TEXT, size INTEGER)"
        )
        o = output
        self.renderer = BodyRenderer(o.checks, o.policy, o.lang, o.templates)
        self.pending: list[tuple] = []

    @property
    def index(self) -> list[IndexEntry]:
        return self.renderer.index

    @property
    def platforms(self) -> list[str] | None:
        return self.renderer.platforms

    def add(self, e: dict) -> None:
        self._put(self.renderer.add(e))

    def prepare(self, e: dict):
        return self.renderer.prepare(e)

    def put(self, prepared) -> None:
        self._put(self.renderer.put(prepared))

    def _put(self, parts: tuple[str, str] | None) -> None:
        if parts is not None:
            self._keep(len(self.index) - 1, parts)

    def _keep(self, seq: int, parts: tuple[str, str]) -> None:
        row, details = parts
        size = len(row.encode("utf-8")) + len(details.encode("utf-8"))
        self.pending.append((seq, row, details, size))
        if len(self.pending) >= 200:
            self._flush()

    def _flush(self) -> None:
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO parts VALUES (?, ?, ?, ?)", self.pending)
        self.db.execute("COMMIT")
        self.pending = []

    def discard(self) -> None:
        self.db.close()
        self.scratch.cleanup()

    def close(self, report: dict) -> list[str] | None:
        try:
            if not self.renderer.usable:
                if "entities" not in report:
                    return None  # the follower: written after the run from the whole report
                self._render_again(report["entities"])
            self._flush()
            return self._write(report)
        finally:
            self.discard()

    def _render_again(self, bodies) -> None:
        """Every body again, with the columns of every platform the bodies have."""
        self.db.execute("DELETE FROM parts")
        self.pending = []
        self.renderer.use(index_platforms(self.index))
        for seq, e in enumerate(bodies):
            self._keep(seq, self.renderer.render(e))

    # --- the pages ---
    def _plan(self) -> tuple[list[Region], list[BodyPage]]:
        """Regions by name; in each, its districts by name, then its bodies outside any; each
        group split into pages by count and size, bodies in registry order."""
        sizes = dict(self.db.execute("SELECT seq, size FROM parts"))
        heads = district_heads(self.index)
        by_id = {e.id: e for e in self.index}
        grouped: dict[str, dict[str | None, list[int]]] = {}
        for seq, e in enumerate(self.index):
            grouped.setdefault(e.region, {}).setdefault(heads[seq], []).append(seq)
        regions, pages = [], []
        for number, name in enumerate(sorted(grouped, key=lambda n: (n == "—", n)), start=1):
            region = Region(number, name)
            regions.append(region)
            groups = grouped[name]
            order = sorted((h for h in groups if h is not None), key=lambda h: by_id[h].name)
            for head in [*order, *([None] if None in groups else [])]:
                seqs = groups[head]
                chunks = split(seqs, sizes)
                group_pages = []
                for part, chunk in enumerate(chunks, start=1):
                    page = BodyPage(
                        len(pages) + 1,
                        number,
                        by_id[head].name if head else "",
                        part,
                        len(chunks),
                        chunk,
                    )
                    pages.append(page)
                    group_pages.append(page)
                members = [self.index[s] for s in seqs]
                ok = sum(1 for m in members if m.status in ("compliant", "warning"))
                bad = sum(1 for m in members if m.status == "violation")
                region.groups.append(
                    {
                        "title": by_id[head].name if head else "",
                        "bodies": len(members),
                        "violation": bad,
                        "compliance": compliance(ok, bad),
                        "pages": group_pages,
                    }
                )
                region.entries.extend(members)
        return regions, pages

    def _write(self, report: dict) -> list[str]:
        o = self.output
        out = Path(o.out)
        regions, pages = self._plan()
        self._place(pages)
        page_of = {seq: page for page in pages for seq in page.seqs}
        href = {
            e.id: f"{page_of[seq].file}#body-{do_urlencode(e.id)}"
            for seq, e in enumerate(self.index)
        }
        env = environment(o.templates)
        platforms = self.platforms if self.platforms is not None else []
        context = page_context(report["checks"], platforms, o.lang, report["run"]["policy"])
        common = {
            "r": report,
            **context,
            "now": datetime.now(UTC).isoformat(),
            "status_words": {s: str(context["t"]["body_status"][s]) for s in STATUSES},
            "regions": regions,
        }
        staged = staged_directory(out / PAGES)
        try:
            self._write_search(staged / "search.js", pages, page_of)
            body_page = env.get_template("site_bodies.html.j2")
            for page in pages:
                entries = [self.index[s] for s in page.seqs]
                rows = self._parts("row", page)
                cards = self._parts("details", page)
                with replaced(staged / page.file, "w", encoding="utf-8") as fh:
                    fh.writelines(
                        body_page.generate(
                            **common,
                            base="",
                            home="../index.html",
                            page=page,
                            region=regions[page.region - 1],
                            headline=counts_of(entries),
                            previous=pages[page.number - 2] if page.number > 1 else None,
                            next=pages[page.number] if page.number < len(pages) else None,
                            rows=rows,
                            details=cards,
                        )
                    )
            region_page = env.get_template("site_region.html.j2")
            for region in regions:
                with replaced(staged / region.file, "w", encoding="utf-8") as fh:
                    fh.writelines(
                        region_page.generate(
                            **common,
                            base="",
                            home="../index.html",
                            region=region,
                            headline=counts_of(region.entries),
                            worst=worst(region.entries),
                            href=href,
                        )
                    )
            swap_directory(staged, out / PAGES)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        wanted = {
            c["entity"]
            for part in ("new", "fixed")
            for c in (report.get("changes") or {}).get(part, [])[:CHANGES_SHOWN]
        }
        index = out / "index.html"
        with replaced(index, "w", encoding="utf-8") as fh:
            fh.writelines(
                env.get_template("site_index.html.j2").generate(
                    **common,
                    base=f"{PAGES}/",
                    home="index.html",
                    headline=headline(report["summary"]),
                    summary_keys=list(report["summary"]["per_check"]),
                    worst=worst(self.index, 20),
                    href={k: f"{PAGES}/{v}" for k, v in href.items()},
                    names={e.id: e.name for e in self.index if e.id in wanted},
                    changes_shown=CHANGES_SHOWN,
                    trend_svg=Markup(
                        trend_svg(report.get("trend") or [], context["t"]["trend_axis"], o.lang)
                    ),
                    policy_rows=policy_rows(
                        report["run"].get("policy") or {},
                        labels(o.lang),
                        context["title_of"],
                        o.lang,
                    ),
                )
            )
        return [str(index), str(out / PAGES)]

    def _place(self, pages: list[BodyPage]) -> None:
        self.db.execute("CREATE TABLE placed (seq INTEGER PRIMARY KEY, page INTEGER)")
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT INTO placed VALUES (?, ?)", ((s, p.number) for p in pages for s in p.seqs)
        )
        self.db.execute("COMMIT")
        self.db.execute("CREATE INDEX placed_page ON placed (page, seq)")

    def _parts(self, column: str, page: BodyPage):
        """A page's rendered rows or cards, in registry order, read as the page is written."""
        query = (
            f"SELECT p.{column} FROM placed x JOIN parts p ON p.seq = x.seq WHERE x.page = ? "
            "ORDER BY x.seq"
        )
        for (text,) in self.db.execute(query, (page.number,)):
            yield Markup(text)

    def _write_search(self, path: Path, pages: list[BodyPage], page_of: dict) -> None:
        """`window.pagesAuditSearch = {pages: [file…], statuses: […], bodies: [[id, name, page,
        status(, anchor)]…]}`: the anchor only where the id is not its own anchor."""
        status_index = {s: n for n, s in enumerate(STATUSES)}
        with replaced(path, "w", encoding="utf-8") as fh:
            fh.write('window.pagesAuditSearch = {"pages": ')
            fh.write(json.dumps([p.file for p in pages]))
            fh.write(', "statuses": ' + json.dumps(list(STATUSES)) + ', "bodies": [\n')
            for seq, e in enumerate(self.index):
                # what the pages print passes `inert` (Jinja's finalize); this file does not
                # go through Jinja, so its texts are made inert here
                name = inert(e.name)[:160]
                item = [inert(e.id), name, page_of[seq].number - 1, status_index.get(e.status, 3)]
                anchor = str(do_urlencode(e.id))
                if anchor != e.id:
                    item.append(anchor)
                fh.write(("," if seq else "") + json_line(item) + "\n")
            fh.write("]};\n")


def json_line(value) -> str:
    """JSON a script may hold: no line or paragraph separator raw (old engines end a line
    there), nothing that could end a script element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
    )


def split(seqs: list[int], sizes: dict[int, int]) -> list[list[int]]:
    """A group's bodies in pages of at most PAGE_BODIES and about PAGE_BYTES (a page holds at
    least one body, however large)."""
    chunks: list[list[int]] = [[]]
    size = 0
    for seq in seqs:
        grown = size + sizes.get(seq, 0)
        if chunks[-1] and (len(chunks[-1]) >= PAGE_BODIES or grown > PAGE_BYTES):
            chunks.append([])
            grown = sizes.get(seq, 0)
        chunks[-1].append(seq)
        size = grown
    return chunks
