"""Evaluation: every check of the catalogue over one body's observations (pure, no I/O)."""

from __future__ import annotations

from audit.checks import Check, catalogue
from audit.model import Entity, Finding
from audit.observations import Observations
from audit.policy import Policy


def evaluate_entity(
    entity: Entity, obs: Observations, policy: Policy, checks: tuple[Check, ...] | None = None
) -> list[Finding]:
    return [f for check in (checks or catalogue()) for f in check.run(entity, obs, policy)]
