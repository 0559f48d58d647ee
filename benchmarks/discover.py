"""Website page reading benchmark: what the auditor spends per page on recognising stand-ins
and discovering links (`interstitials.classify` + `links.discover`, the website processes'
CPU besides HTTP), on pages like the scale benchmark's (the world's templates padded with news
to 50-300 KB) and on the real-world site pages of ../shared/data/realworld.

    python benchmarks/discover.py [--pages 200] [--repeat 5]

Prints ms per page (median of the repeats) for each kind of page.
"""

from __future__ import annotations

import argparse
import inspect
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audit.interstitials import classify  # noqa: E402
from audit.links import discover  # noqa: E402
from audit.world.scenario import SITES_DIR  # noqa: E402

REALWORLD = ROOT.parent / "shared" / "data" / "realworld" / "site"
NEWS = "<p>Новости поселения: ремонт дорог, приём граждан, благоустройство.</p>\n"
VARS = {"title": "Администрация поселения", "vk": "https://vk.com/club1", "ok": "https://ok.ru/x"}


def template(name: str) -> str:
    text = (SITES_DIR / name).read_text(encoding="utf-8")
    for key, value in VARS.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def padded(text: str, size: int) -> str:
    return text.replace("</body>", NEWS * (size // len(NEWS.encode()) + 1) + "</body>")


def measure(pages: list[str], repeat: int) -> float:
    """Median over `repeat` passes of the ms one page costs, as a run reads it: from its raw
    bytes lower-cased (FetchResult.ascii_lower) and its text (where the code takes them)."""
    raw = [html.encode("utf-8") for html in pages]  # what came over the network
    lowered = "lower" in inspect.signature(discover).parameters  # the code before did not
    times = []
    for _ in range(repeat):
        started = time.process_time()
        for html, body in zip(pages, raw, strict=True):
            classify(html, "https://sp.example-sp.ru/")
            if lowered:
                discover(html, "https://sp.example-sp.ru/", body.lower())
            else:
                discover(html, "https://sp.example-sp.ru/")
        times.append((time.process_time() - started) * 1000 / len(pages))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rnd = random.Random(7)
    kinds = {
        "simple.html 50-300 KB": [
            padded(template("simple.html"), rnd.randint(50_000, 300_000)) for _ in range(args.pages)
        ],
        "gosweb.html 50-300 KB": [
            padded(template("gosweb.html"), rnd.randint(50_000, 300_000)) for _ in range(args.pages)
        ],
        "simple.html as served (small)": [template("simple.html")] * args.pages,
    }
    if REALWORLD.is_dir():
        real = [p.read_text("utf-8", errors="replace") for p in sorted(REALWORLD.iterdir())]
        kinds["realworld/site (4 pages)"] = real * max(1, args.pages // len(real))
    for kind, pages in kinds.items():
        print(f"{kind:32} {measure(pages, args.repeat):7.3f} ms/page")


if __name__ == "__main__":
    main()
