"""Evaluation: every check of the catalogue over one body's observations (pure, no I/O), and
the one body step that `run` and `evaluate` both take (`judge`)."""

from __future__ import annotations

from datetime import date

from audit.canaries import Drift
from audit.checks import Check, catalogue
from audit.model import Entity, Finding
from audit.observations import Observations
from audit.policy import Policy
from audit.waivers import Waiver, apply_waivers


def evaluate_entity(
    entity: Entity, obs: Observations, policy: Policy, checks: tuple[Check, ...] | None = None
) -> list[Finding]:
    return [f for check in (checks or catalogue()) for f in check.run(entity, obs, policy)]


def judge(
    entity: Entity,
    obs: Observations,
    policy: Policy,
    drift: Drift | None = None,
    waivers: list[Waiver] | tuple = (),
    today: date | None = None,
) -> tuple[list[Finding], set]:
    """A body's findings as a run stores them: the checks, then `error` for what the run's
    canaries could not vouch for (detector drift), then the waivers. Returns the findings and
    the waivers found expired. A live run and `evaluate` of a stored run both come here, so
    the two never disagree."""
    findings = evaluate_entity(entity, obs, policy)
    if drift is not None and drift.failures:
        findings = drift.apply(findings)
    expired: set = set()
    if waivers:
        findings, expired = apply_waivers(findings, waivers, today)
    return findings, expired
