"""Commands for registries and single sites: validate, registry import/stats, links."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from audit import __version__
from audit.cli.common import _err, every_platform, fetch_config
from audit.exits import (
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
)
from audit.fetch import Fetcher
from audit.fetched import decode_body
from audit.links import discover
from audit.platforms import platform_keys, platforms
from audit.registry import load_registry


def cmd_validate(args: argparse.Namespace) -> int:
    reg = load_registry(args.paths)
    for problem in reg.problems:
        print(problem)
    if reg.problems:
        _err(f"{len(reg.problems)} problem(s) in {len(reg.files)} file(s)")
        return EXIT_USAGE
    print(f"ok: {len(reg.entities)} entities in {len(reg.files)} file(s)")
    return EXIT_OK


def cmd_registry_import(args: argparse.Namespace) -> int:
    """A user's table → a registry file; unusable rows reported with their row numbers."""
    import yaml

    from audit.importer import convert, fields

    every_platform()  # a table's Telegram column becomes the registry's `telegram` pages
    mapping = {}
    for item in args.map:
        column, _, target = item.rpartition("=")
        if not column or target not in fields():
            raise UsageError(
                f"--map {item!r}: expected COLUMN=FIELD, FIELD one of {', '.join(fields())}"
            )
        mapping[column] = target
    if not Path(args.file).is_file():
        raise UsageError(f"{args.file}: no such file")
    try:
        result = convert(args.file, mapping, args.kind, args.region, args.sheet)
    except (OSError, ValueError, KeyError) as exc:
        raise UsageError(f"{args.file}: cannot read the table ({exc})") from None
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc: dict = {
        "meta": {"source": Path(args.file).name, "imported_by": f"pages-audit {__version__}"},
        "entities": result.entities,
    }
    if args.region:
        doc["region"] = args.region
    out.write_text(
        yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )
    reg = load_registry([str(out)])
    bad_lines = sorted({p.line for p in reg.problems})
    if bad_lines:  # leave out the entities the registry validator refuses, and say which
        text = out.read_text(encoding="utf-8").splitlines()
        starts = [n + 1 for n, line in enumerate(text) if line.startswith("- id:")]
        refused = set()
        for problem in reg.problems:
            index = max(
                (i for i, start in enumerate(starts) if start <= problem.line), default=None
            )
            if index is not None:
                refused.add(index)
                e = result.entities[index]
                result.problems.append(
                    f"{args.file}: entity {e['id']!r}: {problem.field}: "
                    f"{problem.message} — row left out"
                )
        doc["entities"] = [e for i, e in enumerate(result.entities) if i not in refused]
        out.write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
        )
    for problem in result.problems:
        print(problem)
    mapped = ", ".join(f"{c} → {f}" for c, f in result.columns.items())
    _err(f"columns: {mapped or 'none recognised'}")
    _err(
        f"imported {len(doc['entities'])} bodies into {out}; {len(result.problems)} row(s) left out"
    )
    final = load_registry([str(out)])
    for problem in final.problems:
        print(problem)
    # the file holds every row that could be used; a row left out is the user's to fix
    return EXIT_OK if doc["entities"] and not result.problems and not final.problems else EXIT_USAGE


def cmd_registry_stats(args: argparse.Namespace) -> int:
    from collections import Counter

    reg = load_registry(args.paths)
    for problem in reg.problems:
        print(problem)
    by_kind = Counter(e.kind.value for e in reg.entities)
    by_region = Counter(e.region or "—" for e in reg.entities)
    no_site = sum(1 for e in reg.entities if not e.website)
    no_pages = sum(1 for e in reg.entities if not e.pages)
    stats = {
        "bodies": len(reg.entities),
        "files": len(reg.files),
        "with_website": len(reg.entities) - no_site,
        "without_website": no_site,
        "website_none": sum(1 for e in reg.entities if e.website_none),
        "without_pages": no_pages,
        **{f"with_{p}": sum(1 for e in reg.entities if p in e.pages) for p in platform_keys()},
        "by_kind": dict(by_kind.most_common()),
        "by_region": dict(sorted(by_region.items())),
    }
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        with_pages = ", ".join(f"{stats['with_' + p.key]} with {p.name_en}" for p in platforms())
        print(
            f"{stats['bodies']} bodies in {stats['files']} file(s): "
            f"{stats['with_website']} with a website, {stats['without_website']} without "
            f"(of which {stats['website_none']} declared none), {no_pages} without declared "
            f"pages ({with_pages})"
        )
        print("by kind:")
        for kind, n in by_kind.most_common():
            print(f"  {kind:26} {n:7}")
        print("by region:")
        for region, n in sorted(by_region.items()):
            print(f"  {region[:60]:60} {n:7}")
    return EXIT_USAGE if reg.problems else EXIT_OK


def cmd_links(args: argparse.Namespace) -> int:
    target = args.target
    if target.startswith(("http://", "https://")):

        async def fetch():
            async with Fetcher(fetch_config(args)) as f:
                return await f.get(target)

        result = asyncio.run(fetch())
        ev = result.evidence
        if not result.ok or result.text is None:
            reason = ev.error.value if ev.error else f"HTTP {ev.status}"
            _err(
                f"{target}: could not read the page ({reason}"
                f"{': ' + ev.error_detail if ev.error_detail else ''})"
            )
            return EXIT_USAGE
        html, base = result.text, args.base_url or ev.final_url
    else:
        try:
            data = Path(target).read_bytes()
        except OSError as exc:
            raise UsageError(f"{target}: cannot read ({exc.strerror})") from None
        html, _ = decode_body(data, None)
        base = args.base_url
    found = discover(html, base)
    if args.json:
        print(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
        return EXIT_OK
    for platform in platform_keys():
        pages = found.pages(platform)
        print(f"{platform}: {', '.join(pages) if pages else '-'}")
    print(
        f"pos_widget: {'yes' if found.pos.found else 'no'}"
        f"{' (' + ', '.join(found.pos.signatures) + ')' if found.pos.found else ''}"
    )
    for ref in found.references:
        print(f"  {ref.ref.url:45} via {ref.via:9} {ref.raw[:100]}")
    return EXIT_OK


def cmd_completion(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """The shell's completion script, generated from the parser (shtab): it cannot drift."""
    import shtab

    print(shtab.complete(parser, args.shell))
    return EXIT_OK
