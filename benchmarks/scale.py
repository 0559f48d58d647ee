"""Scale benchmark: N synthetic bodies, the simulated web in a separate process, the real CLI.

    python benchmarks/scale.py [N ...] [--latency 0.1] [--jitter 0.05] [--concurrency 64]
        [--workers auto] [--profile PREFIX] [--keep DIR] [--rss-trace PREFIX] [--repeat K]

For each N it writes a registry and a scenario with a realistic mix — 8 % of bodies without a
website, 3 % dead domains, 2 % sites that hang, 10 % windows-1251 pages, pages of 50-300 KB,
70 % of the sites setting a PHP session cookie, VK pages for 90 % and OK pages for 60 % of the
bodies, 10 % of them stale — starts
`pages-audit world` in its own process (so the server's CPU is not the auditor's), runs
`pages-audit run`, then on the same world a minimal peer of the website part (benchmarks/peer.py:
the same sites, concurrency, timeouts and retries; one regular expression for the links), and
prints:

    wall time, bodies/s, CPU ms per body of the auditor with its website and report
    writers (split into the audit, as the run records it, and the reports with the start; and
    the simulated web's), how busy the auditor's event loop was, its peak RSS (own high-water mark),
    HTTP requests per body (sites / VK / OK), API requests against the least the APIs allow
    (500 ids per groups.getById, 25 walls per execute, 100 groups per group.getInfo, topics one
    per group), and the bound: the wall time the run's own settings allow — each site one
    latency (mean), a site that sends nothing its read timeout on every attempt plus the
    backoff between, a name that does not resolve nothing; the APIs at their rates; no run
    shorter than its slowest site — beside the CPU floor (every process's CPU seconds, the
    simulated web's included, over the cores) and the peer's time. The headline is two ratios
    measured side by side: measured/bound and measured/peer; and the website processes' CPU
    per site against the peer's.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: a 100k world in seconds
# The simulated APIs refuse more than 20 (VK) and 1000 (OK) requests in any one second; the
# auditor is set a little under, as one would be against the real ones (requests leave evenly
# spaced but arrive with jitter: at exactly the limit some would be refused and retried).
VK_RATE, OK_RATE = 18, 900
# the run's fetch settings, which the bound and the peer use too
CONNECT_S, READ_S, TOTAL_S, RETRIES, BACKOFF_BASE = 3.0, 5.0, 8.0, 1, 1.0


def build(n: int, directory: Path, latency: float, jitter: float, seed: int = 7) -> dict:
    rnd = random.Random(seed)
    hosts, entities, vk_groups, ok_groups = {}, [], [], []
    counts = {"no_site": 0, "dead": 0, "hang": 0, "sites": 0, "vk": 0, "ok": 0}
    for i in range(n):
        body = {
            "id": f"b{i:06d}",
            "name": f"Администрация поселения {i}",
            "kind": "rural_settlement",
        }
        pages = {}
        if rnd.random() < 0.9:
            vk_groups.append(
                {
                    "id": 400000 + i,
                    "screen_name": f"sp{i}",
                    "name": body["name"],
                    "gov": True,
                    "site": f"http://sp{i}.example-sp.ru/",
                    "description": "Официальная страница администрации поселения.",
                    "phone": "+7 800 000-00-00",
                    "email": f"sp{i}@example-sp.ru",
                    "posts": {
                        "last_hours": rnd.choice([3, 30, 400]),
                        "every_hours": 24,
                        "count": 40,
                    },
                }
            )
            pages["vk"] = f"https://vk.com/sp{i}"
            counts["vk"] += 1
        if rnd.random() < 0.6:
            ok_groups.append(
                {
                    "id": 91000000000000 + i,
                    "name": body["name"],
                    "gov": True,
                    "homepage": f"http://sp{i}.example-sp.ru/",
                    "posts": {"last_hours": 10, "every_hours": 48, "count": 20},
                }
            )
            pages["ok"] = f"https://ok.ru/group/{91000000000000 + i}"
            counts["ok"] += 1
        if pages:
            body["pages"] = pages
        r = rnd.random()
        host = f"sp{i}.example-sp.ru"
        if r < 0.08:
            counts["no_site"] += 1
            body["website"] = "none"
        else:
            body["website"] = f"http://{host}/"
            counts["sites"] += 1
            route = {
                "file": "simple.html",
                "delay": latency,
                "jitter": jitter,
                "pad": rnd.randint(50_000, 300_000),
            }
            if i % 10 < 7:  # PHP's session cookie, as most CMSs of such sites set it
                route["headers"] = {"Set-Cookie": f"PHPSESSID={i:026x}; path=/"}
            spec = {
                "vars": {
                    "title": body["name"],
                    "vk": pages.get("vk", ""),
                    "ok": pages.get("ok", ""),
                },
                "routes": {"/": route},
            }
            if r < 0.11:  # a domain that does not resolve (no connect-to rule covers it)
                host = f"sp{i}.dead-sp.ru"
                body["website"] = f"http://{host}/"
                spec["dns"] = False
                counts["dead"] += 1
            elif r < 0.13:
                route.clear()
                route["hang"] = 30
                counts["hang"] += 1
            elif r < 0.23:
                route.update(charset="windows-1251", header_charset=False, file="oldcms_1251.html")
            hosts[host] = spec
        entities.append(body)
    scenario = {
        "hosts": hosts,
        "vk": {"token": "scale-token", "rate": 20, "groups": vk_groups},
        "ok": {
            "app_key": "SCALE",
            "app_secret": "scale-secret",
            "access_token": "scale-ok",
            "rate": 1000,
            "groups": ok_groups,
        },
    }
    (directory / "scenario.yaml").write_text(
        yaml.dump(scenario, Dumper=DUMPER, allow_unicode=True), encoding="utf-8"
    )
    (directory / "registry.yaml").write_text(
        yaml.dump({"region": "Бенчмарк", "entities": entities}, Dumper=DUMPER, allow_unicode=True),
        encoding="utf-8",
    )
    return counts


def measure(
    n: int,
    latency: float,
    jitter: float,
    concurrency: int,
    profile: str | None = None,
    keep: str | None = None,
    rss_trace: str | None = None,
    workers: str = "auto",
    history: str | None = None,
) -> dict:
    """Build the world for `n` bodies, audit it, print the figures; the headline ones back."""
    with tempfile.TemporaryDirectory(prefix="pages-audit-scale-") as tmp:
        d = Path(tmp)
        counts = build(n, d, latency, jitter)
        state = d / "world.json"
        world = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "audit",
                "world",
                "--scenario",
                str(d / "scenario.yaml"),
                "--state",
                str(state),
            ],
            stdout=subprocess.DEVNULL,
            stderr=(d / "world.log").open("w"),
        )
        try:
            for _ in range(6000):  # a 100k world reads a 70 MB scenario first
                if state.exists() and state.stat().st_size:
                    break
                if world.poll() is not None:
                    raise SystemExit("the simulated web stopped:\n" + (d / "world.log").read_text())
                time.sleep(0.1)
            # one wildcard rule for the sites instead of two per host (a 100k world would not
            # fit on a command line); the platforms' own rules as the world gives them
            world_state = json.loads(state.read_text())
            args, rules = [], world_state["cli_args"]
            for k, arg in enumerate(rules):
                if arg == "--connect-to" or (k and rules[k - 1] == "--connect-to"):
                    continue
                args.append(arg)
            for rule in world_state["connect_to"]:
                if not rule.split(":", 1)[0].endswith(".example-sp.ru"):
                    args += ["--connect-to", rule]
            args += [
                "--connect-to",
                f"*.example-sp.ru:80:127.0.0.1:{world_state['http_port']}",
                "--connect-to",
                f"*.example-sp.ru:443:127.0.0.1:{world_state['https_port']}",
            ]
            env = {
                **os.environ,
                "VK_TOKEN": "scale-token",
                "OK_APP_KEY": "SCALE",
                "OK_APP_SECRET": "scale-secret",
                "OK_ACCESS_TOKEN": "scale-ok",
            }
            started = time.monotonic()
            audit = subprocess.Popen(
                [
                    sys.executable,
                    *(["-m", "cProfile", "-o", f"{profile}.{n}"] if profile else []),
                    *(
                        [str(ROOT / "benchmarks" / "rsstrace.py"), f"{rss_trace}.{n}"]
                        if rss_trace
                        else ["-m", "audit"]
                    ),
                    "run",
                    str(d / "registry.yaml"),
                    "--out",
                    str(d / "out"),
                    "--quiet",
                    "--no-canaries",
                    "--timeout",
                    str(READ_S),
                    "--connect-timeout",
                    str(CONNECT_S),
                    "--total-timeout",
                    str(TOTAL_S),
                    "--retries",
                    str(RETRIES),
                    "--concurrency",
                    str(concurrency),
                    "--workers",
                    workers,
                    *(["--db", history] if history else []),
                    "--vk-rate",
                    str(VK_RATE),
                    "--ok-rate",
                    str(OK_RATE),
                    *args,
                ],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=(d / "audit.log").open("w"),  # a pipe nobody reads could block it
            )
            # (seconds since start, RSS MB, high-water RSS MB): where in the run memory peaks.
            # The peak is the process's own high-water mark (VmHWM), read to the end: wait4's
            # ru_maxrss would also count this benchmark's memory at the moment it spawned the
            # auditor (Linux carries the parent's RSS over fork and exec into the child's).
            samples = []
            while True:
                pid, status, usage = os.wait4(audit.pid, os.WNOHANG)
                if pid:
                    if status >> 8 not in (0, 1):  # 1: violations found, as expected
                        print((d / "audit.log").read_text()[-4000:], file=sys.stderr)
                    break
                samples.append(
                    (
                        time.monotonic() - started,
                        *rss_of(audit.pid),
                        cpu_of(audit.pid),
                        sum(rss_of(child)[0] for child in children_of(audit.pid)),
                    )
                )
                time.sleep(0.1)
            wall = time.monotonic() - started
            world_audit_cpu = cpu_of(world.pid)  # the simulated web's CPU for the run alone
            peer = run_peer(d / "registry.yaml", state, concurrency)
        finally:
            world.terminate()
            world_usage = None
            for _ in range(300):
                pid, _status, world_usage = os.wait4(world.pid, os.WNOHANG)
                if pid:
                    break
                time.sleep(0.1)
            world.returncode = 0  # reaped above
        report = json.loads((d / "out" / "report.json").read_text(encoding="utf-8"))
        db_file = Path(history) if history else d / "out" / "history.sqlite"
        db_bytes = sum(
            p.stat().st_size for p in db_file.parent.glob(db_file.name + "*") if p.is_file()
        )
        if keep:
            import shutil

            shutil.copytree(d / "out", Path(keep) / f"out-{n}", dirs_exist_ok=True)
            shutil.copy(d / "registry.yaml", Path(keep) / f"registry-{n}.yaml")
    cpu = usage.ru_utime + usage.ru_stime  # the auditor and the website processes it spawned
    world_cpu = world_usage.ru_utime + world_usage.ru_stime if world_usage else float("nan")
    audit_end = report["run"]["duration_s"]
    # the audit's own figure: the auditor and its website processes, first body to last
    audit_cpu = report["run"].get("cpu_s") or 0.0
    during = max((mb for t, mb, *_ in samples if t <= audit_end), default=0)
    after = max((mb for t, mb, *_ in samples if t > audit_end), default=0)
    # with its website processes and report writers: the memory the run needs, sampled
    together = max((mb + kids for _, mb, _, _, kids in samples), default=0)
    peak_at = max(samples, key=lambda s: s[1], default=(0.0,))[0]
    rss_mb = max((hwm for _, _, hwm, *_ in samples), default=0)
    # the auditor process's own CPU in the audit phase (not its website processes'): how busy
    # the one thread driving the API look-ups, the store and the checks is — near 100 % means
    # it is what bounds the run
    main_cpu = max((c for t, _, _, c, _ in samples if t <= audit_end), default=0.0)
    run = report["run"]
    vk, ok = run["api_requests"].get("vk", 0), run["api_requests"].get("ok", 0)
    # the least any client can make: groups.getById takes 500 communities, execute 25 walls
    # (every page of the world is open); OK's group.getInfo takes 100 groups, topics one each
    vk_min = math.ceil(counts["vk"] / 500) + math.ceil(counts["vk"] / 25)
    ok_min = math.ceil(counts["ok"] / 100) + counts["ok"]
    site_requests = run["requests"] - vk - ok
    bound = honest_bound(counts, latency, jitter, concurrency, vk, ok)
    cores = os.cpu_count() or 1
    floor = (cpu + world_audit_cpu) / cores  # every process of the run, the world's too
    sites_read = counts["sites"] - counts["dead"] - counts["hang"]
    site_cpu = run.get("site_cpu_s")
    health = report["health"]
    unread = {p: h["error_rate"] for p, h in health["platforms"].items()}
    unread["sites"] = health["sites"]["error_rate"]
    print(
        f"N={n:6d} wall {wall:7.1f} s (audit {run['duration_s']:.1f} s, reports and start "
        f"{wall - run['duration_s']:.1f} s)  {n / wall:6.1f} bodies/s  "
        f"CPU {1000 * cpu / n:5.1f} ms/body (audit {1000 * audit_cpu / n:.1f}, reports and "
        f"start {1000 * (cpu - audit_cpu) / n:.1f}; world {1000 * world_cpu / n:.1f}; auditor's "
        f"event loop busy {100 * main_cpu / max(audit_end, 1e-9):.0f} % of the audit)"
        f"  peak RSS {rss_mb:6.0f} MB (audit {during:.0f}, reports {after:.0f}; with its "
        f"processes {together:.0f}; "
        f"at {peak_at:.0f} s)  "
        f"requests/body: sites {site_requests / n:.2f} "
        f"VK {vk / n:.3f} OK {ok / n:.3f}  API vs minimum: VK {vk}/{vk_min} OK {ok}/{ok_min}  "
        f"bound {bound:6.1f} s  CPU floor {floor:6.1f} s ({cores} cores)  peer "
        f"{peer['wall']:6.1f} s  measured/bound {wall / bound:4.2f} (audit alone "
        f"{audit_end / bound:4.2f})  measured/peer {wall / peer['wall']:4.2f} (audit alone "
        f"{audit_end / peer['wall']:4.2f})  website CPU per site: "
        f"{'%.2f' % (1000 * site_cpu / sites_read) if site_cpu else '-'} ms (peer "
        f"{1000 * peer['cpu'] / max(peer['read'], 1):.2f} ms; sites with a link: peer "
        f"{peer['with_links']} of {peer['read']} read)  history {db_bytes / 1e6:.1f} MB "
        f"({db_bytes / n / 1e3:.1f} KB a body)  exit {status >> 8}  "
        f"unreadable % {unread}"
    )
    return {
        "wall": wall,
        "audit": audit_end,
        "bound": bound,
        "floor": floor,
        "peer": peer["wall"],
        "cpu": 1000 * cpu / n,
        "audit_cpu": 1000 * audit_cpu / n,
        "site_cpu": 1000 * (site_cpu or 0) / sites_read,
    }


def honest_bound(
    counts: dict, latency: float, jitter: float, concurrency: int, vk: int, ok: int
) -> float:
    """The wall time the run's own settings allow: the sites at `concurrency` in parallel,
    each one latency long (its mean), a site that sends nothing its read timeout on every
    attempt with the mean backoff between (the read timeout fires before the total one), a
    name that does not resolve nothing (it fails in milliseconds); the APIs at their rates;
    and no run shorter than its slowest site."""
    answering = counts["sites"] - counts["dead"] - counts["hang"]
    hang_cost = (RETRIES + 1) * READ_S + RETRIES * 0.75 * BACKOFF_BASE
    site_time = (answering * (latency + jitter / 2) + counts["hang"] * hang_cost) / concurrency
    longest = hang_cost + latency if counts["hang"] else latency + jitter
    return max(site_time, vk / VK_RATE, ok / OK_RATE, longest) + 0.5


def run_peer(registry: Path, state: Path, concurrency: int) -> dict:
    """benchmarks/peer.py on the same world with the run's settings: its figures."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "peer.py"),
            str(registry),
            str(state),
            "--concurrency",
            str(concurrency),
            "--connect-timeout",
            str(CONNECT_S),
            "--read-timeout",
            str(READ_S),
            "--total-timeout",
            str(TOTAL_S),
            "--retries",
            str(RETRIES),
            "--backoff-base",
            str(BACKOFF_BASE),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def median_line(n: int, runs: list[dict]) -> str:
    """The middle of repeated runs: a shared machine's neighbours move single figures."""
    mid = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    walls = ", ".join(f"{r['wall']:.1f}" for r in runs)
    ratios = ", ".join(f"{r['wall'] / r['peer']:.2f}" for r in runs)
    return (
        f"N={n:6d} median of {len(runs)}: wall {mid['wall']:.1f} s (audit {mid['audit']:.1f} s)"
        f"  CPU {mid['cpu']:.1f} ms/body (audit {mid['audit_cpu']:.1f}), website CPU "
        f"{mid['site_cpu']:.2f} ms/site  bound {mid['bound']:.1f} s, CPU floor "
        f"{mid['floor']:.1f} s, peer {mid['peer']:.1f} s  measured/bound "
        f"{statistics.median(r['wall'] / r['bound'] for r in runs):.2f} (audit alone "
        f"{statistics.median(r['audit'] / r['bound'] for r in runs):.2f})  measured/peer "
        f"{statistics.median(r['wall'] / r['peer'] for r in runs):.2f} (audit alone "
        f"{statistics.median(r['audit'] / r['peer'] for r in runs):.2f}); walls {walls} s; "
        f"measured/peer {ratios}"
    )


def rss_of(pid: int) -> tuple[float, float]:
    """Resident set size and its high-water mark of a running process in MB (0 when gone)."""
    rss = hwm = 0.0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, hwm


def children_of(pid: int) -> list[int]:
    """The processes a process started (website processes, report writers) and theirs."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                kids = [int(k) for k in fh.read().split()]
        except OSError:
            continue
        for kid in kids:
            out += [kid, *children_of(kid)]
    return out


def cpu_of(pid: int) -> float:
    """CPU seconds a running process has used itself (not its children); 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000])
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--jitter", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument(
        "--profile", metavar="PREFIX", help="run the auditor under cProfile, stats to PREFIX.N"
    )
    parser.add_argument("--keep", metavar="DIR", help="copy each run's output to DIR/out-N")
    parser.add_argument("--workers", default="auto", help="the auditor's --workers (auto)")
    parser.add_argument(
        "--rss-trace",
        metavar="PREFIX",
        help="trace the auditor's memory every 5 ms, the stack at each new peak to PREFIX.N",
    )
    parser.add_argument(
        "--history",
        metavar="FILE",
        help="one SQLite history for every run (--db): its size grows run by run",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="K",
        help="run each size K times and print the median too (a shared machine is noisy)",
    )
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    for n in args.sizes:
        runs = [
            measure(
                n,
                args.latency,
                args.jitter,
                args.concurrency,
                args.profile,
                args.keep,
                args.rss_trace,
                args.workers,
                args.history,
            )
            for _ in range(max(1, args.repeat))
        ]
        if len(runs) > 1:
            print(median_line(n, runs), flush=True)


if __name__ == "__main__":
    main()
