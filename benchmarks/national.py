"""National report benchmark: N bodies in S shards of one history, merged by the real CLI.

    python benchmarks/national.py [N] [--shards 4] [--db URL] [--keep DIR] [--no-browser]
        [--single 1000,2000]

Builds a history as S shard jobs would have left it: N bodies spread over the shards by the
documented hash, each a real body of the demo audit (run first against the simulated web, API
path) given the name, kind, region and parent of a real municipality of OKTMO (2019; their
schools, as subordinate organisations, fill N past the ~22 000 municipalities). The history is
a throw-away PostgreSQL server when Debian's postgresql package is installed (as the tests
start one), else SQLite; `--db` names another.

Then it runs `pages-audit report --db … --runs latest-shards --out DIR` and prints: the merge's
wall time, its peak memory (its own high-water mark, and the largest sum with its writer
processes, sampled every 0.1 s), the size of index.html, of the largest page and of the
whole site, and — with Chromium and chromedriver — the time headless Chromium takes to load
the overview, the largest region page and the largest page of bodies, and to show the first
search results (the search index loaded on first use).

`--single 1000,2000` also times Chromium on the single index.html of that many bodies (the
report below the site threshold), to choose the threshold from figures.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import children_of, rss_of  # noqa: E402

from audit.shard import shard_of  # noqa: E402
from audit.store import Store  # noqa: E402

OKTMO = ROOT.parent / "shared" / "data" / "oktmo" / "oktmo_mo_2019.csv"
KINDS = {
    "municipal_district": "municipal_district",
    "urban_okrug": "urban_okrug",
    "urban_settlement": "urban_settlement",
    "rural_settlement": "rural_settlement",
    "intracity_territory": "intracity_territory",
}


def demo_bodies(work: Path) -> tuple[list[dict], dict]:
    out = work / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "audit", "demo", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"the demo audit failed: {proc.stderr}")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report["entities"], report["run"]


def municipalities() -> list[dict]:
    rows = list(csv.DictReader(OKTMO.open(encoding="utf-8")))
    keep = {r["oktmo"]: r for r in rows if r["kind"] in KINDS}
    return [
        {
            "id": oktmo,
            "name": r["name"],
            "kind": KINDS[r["kind"]],
            "region": r["region"],
            "parent": r["parent_oktmo"] if r["parent_oktmo"] in keep else None,
        }
        for oktmo, r in keep.items()
    ]


def national_bodies(n: int) -> list[dict]:
    """The municipalities, then schools under them in turn until there are n bodies."""
    places = municipalities()
    out = places[:n]
    school = 0
    while len(out) < n:
        place = places[school % len(places)]
        school += 1
        out.append(
            {
                "id": f"{place['id']}-{school // len(places) + 1:02d}",
                "name": f"МБОУ «Средняя общеобразовательная школа № {school // len(places) + 1}» "
                f"({place['name']})",
                "kind": "subordinate_organization",
                "region": place["region"],
                "parent": place["id"],
            }
        )
    return out


def fill(db: str, n: int, shards: int, templates: list[dict], header: dict) -> None:
    bodies = national_bodies(n)
    meta = {
        k: header[k]
        for k in ("fetch", "platforms", "page_sources", "requests", "api_requests", "vantage")
        if k in header
    }
    texts = [json.dumps(t, ensure_ascii=False) for t in templates]
    with Store(db) as store:
        runs = {}
        for k in range(1, shards + 1):
            runs[k] = store.begin_run(
                {
                    "started_at": header["started_at"],
                    "tool_version": "bench",
                    "catalogue_version": "bench",
                    "registries": [{"path": "registry/national.yaml", "sha256": "n"}],
                    "registry_sha256": "n",
                    "policy": header["policy"],
                    "policy_sha256": header.get("policy_sha256") or "p",
                    "shard": f"{k}/{shards}",
                }
            )
        for start in range(0, n, 1000):
            with store.transaction():
                for position in range(start, min(n, start + 1000)):
                    entity = bodies[position]
                    body = json.loads(texts[position % len(texts)])
                    body.update({k: v for k, v in entity.items() if v is not None})
                    if entity["parent"] is None:
                        body.pop("parent", None)
                    store.save_body(runs[shard_of(entity["id"], shards)], position, body)
        for run_id in runs.values():
            store.finish_run(run_id, meta)


def merge(db: str, out: Path) -> dict:
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "audit", "report", "--db", db, "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    own = together = 0.0
    while proc.poll() is None:
        rss, hwm = rss_of(proc.pid)
        own = max(own, hwm)
        together = max(together, rss + sum(rss_of(c)[0] for c in children_of(proc.pid)))
        time.sleep(0.1)
    _, err = proc.communicate()
    if proc.returncode != 0:
        sys.exit(f"the merge failed ({proc.returncode}): {err}")
    return {"wall": time.monotonic() - started, "own_mb": own, "together_mb": together}


def sizes(out: Path) -> dict:
    pages = sorted((out / "pages").glob("*.html"), key=lambda p: p.stat().st_size)
    regions = [p for p in pages if p.name.startswith("region-")]
    bodies = [p for p in pages if not p.name.startswith("region-")]
    total = sum(p.stat().st_size for p in (out / "pages").iterdir())
    return {
        "index": out / "index.html",
        "region": regions[-1],
        "bodies": bodies[-1],
        "pages": len(pages),
        "site_mb": (total + (out / "index.html").stat().st_size) / 1e6,
        "search_mb": (out / "pages" / "search.js").stat().st_size / 1e6,
    }


def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_argument("--window-size=1280,900")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(600)
    return driver


def load_time(driver, path: Path) -> float:
    driver.get("about:blank")
    started = time.monotonic()
    driver.get(path.resolve().as_uri())  # returns once the page's load event has fired
    return time.monotonic() - started


def search_time(driver, index: Path, query: str) -> float:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(index.resolve().as_uri())
    started = time.monotonic()
    driver.find_element(By.ID, "search").send_keys(query)
    WebDriverWait(driver, 120, poll_frequency=0.02).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#found li")
    )
    return time.monotonic() - started


def single_pages(work: Path, counts: list[int], templates: list[dict], header: dict, driver):
    """Chromium on the single index.html of `count` bodies (below the site threshold)."""
    from audit.report.formats import Output, get_format
    from audit.report.json_report import report_document

    for count in counts:
        out = work / f"single-{count}"
        out.mkdir()
        bodies = []
        for i, entity in enumerate(national_bodies(count)):
            body = json.loads(json.dumps(templates[i % len(templates)], ensure_ascii=False))
            body.update({k: v for k, v in entity.items() if v is not None})
            bodies.append(body)
        report = report_document(header, bodies)
        output = Output(str(out), "ru", report["checks"], header.get("policy") or {}, None, None)
        sink = get_format("html").open(output)
        for b in bodies:
            sink.add(b)
        (path,) = sink.close(report)
        size = Path(path).stat().st_size / 1e6
        print(
            f"single index.html of {count} bodies: {size:.1f} MB, Chromium loads it in "
            f"{load_time(driver, Path(path)):.1f} s",
            flush=True,
        )


def throwaway_postgres(work: Path):
    """(URL, stop) of a new PostgreSQL server on 127.0.0.1, or None without one installed."""
    tools = {
        name: (sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)])[-1]
        for name in ("initdb", "pg_ctl")
    }
    if not all(tools.values()):
        return None
    base = work / "pg"
    base.mkdir()
    prefix = []
    if os.geteuid() == 0:  # initdb refuses root
        shutil.chown(base, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = str(base / "data")
    subprocess.run([*prefix, tools["initdb"], "-D", data, "-U", "postgres", "--auth=trust",
                    "-E", "UTF8"], check=True, capture_output=True)  # fmt: skip
    options = f"-p {port} -k {base} -h 127.0.0.1 -c fsync=off"
    subprocess.run([*prefix, tools["pg_ctl"], "-D", data, "-o", options, "-l",
                    str(base / "log"), "-w", "start"], check=True, capture_output=True)  # fmt: skip

    def stop() -> None:
        subprocess.run([*prefix, tools["pg_ctl"], "-D", data, "-m", "immediate", "stop"],
                       capture_output=True)  # fmt: skip

    return f"postgresql://postgres@127.0.0.1:{port}/postgres", stop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--db", help="a history to fill (default: a throw-away PostgreSQL)")
    parser.add_argument("--keep", help="keep the report here")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--single", default="", help="counts of single pages to time")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="national-"))
    if os.geteuid() == 0:
        os.chmod(work, 0o755)
    stop = None
    try:
        templates, header = demo_bodies(work)
        db = args.db
        if db is None:
            server = throwaway_postgres(work)
            db, stop = server if server else (str(work / "history.sqlite"), None)
        started = time.monotonic()
        fill(db, args.n, args.shards, templates, header)
        kind = "PostgreSQL" if db.startswith("postgresql") else "SQLite"
        print(f"history of {args.n} bodies in {args.shards} shards ({kind}) filled in "
              f"{time.monotonic() - started:.0f} s", flush=True)  # fmt: skip
        out = Path(args.keep) if args.keep else work / "report"
        figures = merge(db, out)
        found = sizes(out)
        largest = max(
            (found["index"], found["region"], found["bodies"]), key=lambda p: p.stat().st_size
        )
        print(
            f"merge (report --runs latest-shards): {figures['wall']:.1f} s, peak "
            f"{figures['own_mb']:.0f} MB (with its writer processes {figures['together_mb']:.0f}"
            f" MB); site: {found['pages']} pages, {found['site_mb']:.0f} MB, index.html "
            f"{found['index'].stat().st_size / 1e3:.0f} KB, largest page "
            f"{largest.stat().st_size / 1e6:.2f} MB ({largest.name}), search index "
            f"{found['search_mb']:.1f} MB",
            flush=True,
        )
        driver = None if args.no_browser else browser()
        if driver is None:
            print("Chromium timings skipped (no chromium/chromedriver, or --no-browser)")
            return
        try:
            print(
                f"Chromium: overview {load_time(driver, found['index']):.2f} s, largest region "
                f"page {load_time(driver, found['region']):.2f} s, largest page of bodies "
                f"{load_time(driver, found['bodies']):.2f} s "
                f"({found['bodies'].stat().st_size / 1e6:.2f} MB), first search results "
                f"{search_time(driver, found['index'], national_bodies(args.n)[-1]['name']):.2f} s",
                flush=True,
            )
            if args.single:
                counts = [int(c) for c in args.single.split(",")]
                single_pages(work, counts, templates, header, driver)
        finally:
            driver.quit()
    finally:
        if stop is not None:
            stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
