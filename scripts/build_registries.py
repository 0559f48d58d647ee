"""Build the shipped registries in registry/ from the public data in ../shared/data.

    python scripts/build_registries.py [--data ../shared/data] [--out registry]

Reproducible: the same input gives byte-identical YAML. Licences travel with the data: every
file names its sources and licence in `meta`, and registry/SOURCES.md is written beside them
(CC BY-SA data stays attributed and the derived files are CC BY-SA too).
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from pathlib import Path

import yaml

# Municipal formations shipped with their hierarchy (OKTMO region prefix → file name).
MUNICIPAL_REGIONS = {"79": "adygea", "85": "kalmykia", "58": "pskov"}
OKTMO_KINDS = {
    "municipal_district": "municipal_district",
    "urban_okrug": "urban_okrug",
    "intracity_territory": "intracity_territory",
    "intracity_district": "intracity_territory",
    "urban_settlement": "urban_settlement",
    "rural_settlement": "rural_settlement",
}


def dump(path: Path, doc: dict) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")


def regions(data: Path) -> tuple[list[dict], dict[str, str]]:
    rows = list(csv.DictReader((data / "regions" / "region.csv").open(encoding="utf-8")))
    out, names = [], {}
    for r in rows:
        code = r["kladr_id"][:2]
        full = r["name_with_type"]
        names[code] = full
        out.append(
            {
                "id": f"region-{code}",
                "name": f"Высший исполнительный орган: {full}",
                "short_name": full,
                "kind": "regional_body",
                "region": full,
            }
        )
    return out, names


def federal(data: Path) -> list[dict]:
    path = data / "govdomains" / "refined" / "feddomains.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    sites = defaultdict(list)
    for r in rows:
        if r["Domain type"] == "Сайт органа власти" and r["Organization"]:
            sites[r["Organization"]].append(r)
    out = []
    for n, (org, candidates) in enumerate(sorted(sites.items()), 1):

        def rank(r):
            domain = r["Domain"].lower()
            return (
                r["Status"] != "Активен",
                domain.startswith("www."),
                domain.count("."),
                len(domain),
                domain,
            )

        best = min(candidates, key=rank)["Domain"].lower().removeprefix("www.")
        out.append(
            {
                "id": f"fed-{n:03d}",
                "name": org,
                "kind": "federal_body",
                "region": "Российская Федерация",
                "website": f"https://{best}/",
            }
        )
    return out


def courts(data: Path, names: dict[str, str]) -> list[dict]:
    doc = json.loads((data / "courts" / "sudrf_websites.json").read_text(encoding="utf-8"))
    codes = json.loads((data / "courts" / "rf_region_codes.json").read_text(encoding="utf-8"))
    out, seen = [], set()
    for code in sorted(doc):
        for c in sorted(doc[code], key=lambda c: c["court_id"]):
            if c["court_id"] in seen:
                continue
            seen.add(c["court_id"])
            entry = {
                "id": f"court-{c['court_id']}",
                "name": c["court_name"],
                "kind": "court",
                "region": names.get(code) or codes.get(code) or code,
            }
            if c.get("court_website"):
                entry["website"] = c["court_website"].rstrip("/") + "/"
            out.append(entry)
    return out


def municipal(data: Path, prefix: str) -> tuple[str, list[dict]]:
    path = data / "oktmo" / "oktmo_mo_2019.csv"
    rows = [
        r for r in csv.DictReader(path.open(encoding="utf-8")) if r["region_oktmo"][:2] == prefix
    ]
    keep = {r["oktmo"]: r for r in rows if r["kind"] in OKTMO_KINDS}
    region = rows[0]["region"]
    out = []
    for oktmo, r in keep.items():
        entry = {"id": oktmo, "name": r["name"], "kind": OKTMO_KINDS[r["kind"]]}
        if r["parent_oktmo"] and r["parent_oktmo"] in keep:
            entry["parent"] = r["parent_oktmo"]
        out.append(entry)  # no website in the data: unknown, not "none"
    return region, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data")
    )
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "registry"))
    args = parser.parse_args()
    data, out = Path(args.data), Path(args.out)
    region_entities, names = regions(data)
    hflabs = {"source": "hflabs/region @ 0c9550cc (region.csv)", "licence": "CC BY-SA 4.0"}
    dump(
        out / "regions.yaml",
        {
            "meta": {
                **hflabs,
                "note": "the executive authority of each "
                "region as of the source (2022); website unknown",
            },
            "entities": region_entities,
        },
    )
    dump(
        out / "federal.yaml",
        {
            "meta": {
                "source": "infoculture/govdomains @ 4a72e7f9 (refined/feddomains.csv, domains "
                "of type 'Сайт органа власти'; the active, shortest one is the website)",
                "licence": "CC BY-SA 3.0",
            },
            "entities": federal(data),
        },
    )
    dump(
        out / "courts.yaml",
        {
            "meta": {
                "source": "dataout-org/sudrfparser @ 5bcffd99 (courts_info/sudrf_websites.json,"
                " scraped 2023-11-18)",
                "licence": "CC BY-SA 4.0",
            },
            "entities": courts(data, names),
        },
    )
    for prefix, name in MUNICIPAL_REGIONS.items():
        region, entities = municipal(data, prefix)
        dump(
            out / f"municipal-{name}.yaml",
            {
                "region": region,
                "meta": {
                    "source": "OKTMO (ОК 033-2013) via koo2018/oktmoregions @ aedc6fff, 2019 "
                    "snapshot; region names hflabs/region (CC BY-SA 4.0)",
                    "licence": "OKTMO is an official classifier; region names CC BY-SA 4.0",
                    "note": "state of 2019; websites unknown",
                },
                "entities": entities,
            },
        )


if __name__ == "__main__":
    main()
