"""What a finished run means for the job that ran it: incomplete (exit 3) or the gate (0/1)."""

from __future__ import annotations

from collections.abc import Callable

from audit.exits import EXIT_OK, EXIT_VIOLATIONS


def gate(
    report: dict,
    fail_on: str = "violation",
    fail_under: float | None = None,
    say: Callable[[str], None] = lambda _message: None,
) -> int:
    """The exit code CI acts on: 1 when the chosen condition holds, else 0 (`say` hears why)."""
    s = report["summary"]
    if fail_under is not None and (s.get("overall_compliance_percent") or 0) < fail_under:
        say(
            f"pages-audit: compliance {s.get('overall_compliance_percent')} % is under "
            f"--fail-under {fail_under:g} %"
        )
        return EXIT_VIOLATIONS
    if fail_on == "none":
        return EXIT_OK
    if fail_on == "new":
        new = new_violations(report)
        if new:
            say(f"pages-audit: {len(new)} new violation(s) since the last run")
        return EXIT_VIOLATIONS if new else EXIT_OK
    return EXIT_VIOLATIONS if s["violations"] else EXIT_OK


def new_violations(report: dict) -> list[tuple[str, str]]:
    """Violations of this run that were not failing in the previous one (all of them when
    there is no previous run)."""
    current = {
        (e["id"], f.get("key") or f["check"])
        for e in report["entities"]
        for f in e["findings"]
        if f["status"] == "fail" and f["severity"] == "violation"
    }
    changes = report.get("changes")
    if not changes:
        return sorted(current)
    new = {(c["entity"], c["key"]) for c in changes["new"]}
    return sorted(current & new)


def incomplete_reasons(report: dict, max_error_rate: float) -> list[str]:
    """Why the run must not be published as complete (exit 3); empty when it may."""
    reasons = []
    health = report["run"].get("vantage_health") or {}
    if health and not health.get("healthy", True):
        reasons.append(
            f"the auditor's network is not working (vantage): {health.get('detail')}; "
            "websites that gave no answer are not findings"
        )
    for drift in report["run"].get("drift") or []:
        what = "platform unreachable" if drift.get("network") else "detector drift"
        reasons.append(
            f"{what} on {drift['platform']}: {drift['url']} expected "
            f"{drift['expect']}, got {drift['got']}"
        )
    for platform, h in report["health"]["platforms"].items():
        if h["pages"] and h["error_rate"] > max_error_rate:
            reasons.append(
                f"{platform}: {h['errors']} of {h['pages']} pages unreadable "
                f"({h['error_rate']} % > {max_error_rate:g} %)"
            )
    return reasons
