"""Notice letters benchmark: the time to write N letters and their register, and per letter PDF.

    python benchmarks/notices.py REPORT.json [--letters 1000 5000] [--pdf 20]

The report's bodies with violations are copied under new ids until there are N of them (a real
report's letters, many times over). Prints seconds (wall and CPU: the wall
time of writing thousands of files is mostly the disk's) for the HTML letters and the register at
each N, and with --pdf the seconds per letter with each PDF engine over that many letters.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audit.report import notices, pdf  # noqa: E402


def multiplied(report: dict, n: int) -> dict:
    bodies = [
        e
        for e in report["entities"]
        if any(f["status"] == "fail" and f["severity"] == "violation" for f in e["findings"])
    ]
    if not bodies:
        sys.exit("the report has no body with a violation")
    out = dict(report)
    out["entities"] = []
    for i in range(n):
        body = copy.deepcopy(bodies[i % len(bodies)])
        body["id"] = f"{body['id']}{i:06d}"
        out["entities"].append(body)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("--letters", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--pdf", type=int, default=0, metavar="N", help="time N letters' PDF")
    parser.add_argument("--engines", nargs="+", help="PDF engines to time (default: all here)")
    args = parser.parse_args()
    report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    for n in args.letters:
        big = multiplied(report, n)
        with tempfile.TemporaryDirectory() as out:
            start, cpu = time.perf_counter(), time.process_time()
            written = notices.write_notices(big, out)
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(
            f"{len(written):6d} letters + register (HTML): {took:7.2f} s "
            f"(CPU {cpu:.2f} s, {1000 * cpu / len(written):.2f} ms a letter)"
        )
    if args.pdf:
        small = multiplied(report, args.pdf)
        for engine in args.engines or pdf.engines():
            with tempfile.TemporaryDirectory() as out:
                written = notices.write_notices(small, out)
                start = time.perf_counter()
                made = pdf.convert(written, engine)
                took = time.perf_counter() - start
            print(f"{engine:10} PDF: {took / max(len(made), 1):6.3f} s a letter ({len(made)} made)")


if __name__ == "__main__":
    main()
