"""Audit policy: the choices that vary by region and are not fixed by federal law.

Federal law sets no number for how often a page must post or how long a description must be;
these thresholds are the auditor's policy (defaults below, overridable with `--policy FILE`)
and reports cite them as policy, never as law.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace

from audit.platforms import known_keys
from audit.yamlsrc import LDict, Problem, YamlError, load_yaml_file

PLATFORM_RULES = ("any", "both")  # besides a platform's key, or several joined by commas


def platform_rule_problem(rule: str) -> str | None:
    """What is wrong with a `platforms` rule, or None."""
    if rule in PLATFORM_RULES or all(key in known_keys() for key in rule.split(",")):
        return None
    known = ", ".join((*PLATFORM_RULES, *known_keys()))
    return f"must be one of {known}, or platforms joined by commas; got {rule!r}"


@dataclass(frozen=True)
class Policy:
    """`platforms`: which official pages a body must have and link from its website.

    any  — at least one of VK/OK (the federal minimum, distribution order 2523-р);
    both — VK and OK (many regional acts); vk / ok — that platform is required;
    keys joined by commas (`vk,ok,telegram`) — each of them is required.
    """

    platforms: str = "any"
    last_post_warn_days: float = 7  # a page silent longer gets a warning
    last_post_fail_days: float = 14  # ... and longer than this, a violation
    min_posts_per_week: float = 3  # averaged over the last 30 days (rating practice: 3/week)
    description_min_chars: int = 20
    name_match_min: int = 75  # 0..100, fuzzy similarity of page name and registry name
    # A website that does not answer is a violation only once it has not answered in this many
    # audits in a row, spanning at least this many hours (one failed night proves nothing).
    site_down_confirm_runs: int = 2
    site_down_confirm_hours: float = 20
    # A requirement beyond federal law (a number, a second platform, a rating criterion) is a
    # warning; it is a violation only of the regional act named here, for what the act sets.
    regional_act: str = ""
    regional_requirements: tuple[str, ...] = ()
    notice_deadline_days: int = 30  # the term a notice letter gives to remedy
    # rating and regional criteria checked beyond the default checks (page.design,
    # page.address, page.pos_widget, page.comments_open, page.replies, page.gospubliki)
    criteria: tuple[str, ...] = ()
    # page.replies: the deadline for answering a resident's comment (a regional number:
    # Sakhalin 24 h) and how many of the latest commented posts are read (one request place each)
    reply_deadline_hours: float = 24
    reply_sample_posts: int = 3

    def __post_init__(self) -> None:
        object.__setattr__(self, "regional_requirements", tuple(self.regional_requirements))
        object.__setattr__(self, "criteria", tuple(self.criteria))
        if self.regional_requirements and not self.regional_act.strip():
            raise ValueError("regional_requirements need regional_act: the act that sets them")
        if self.regional_act.strip() and not self.regional_requirements:
            raise ValueError("regional_act needs regional_requirements: what the act sets")
        if problem := platform_rule_problem(self.platforms):
            raise ValueError(f"platforms {problem}")
        if self.last_post_warn_days > self.last_post_fail_days:
            raise ValueError("last_post_warn_days must not exceed last_post_fail_days")
        if self.site_down_confirm_runs < 1:
            raise ValueError("site_down_confirm_runs must be at least 1")
        if not 1 <= self.reply_sample_posts <= 25:
            raise ValueError("reply_sample_posts must be between 1 and 25")
        if not 0 <= self.name_match_min <= 100:
            raise ValueError("name_match_min must be between 0 and 100")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int | float) and value < 0:
                raise ValueError(f"{f.name} must not be negative")

    def required_platforms(self) -> frozenset[str]:
        """The platforms required by themselves (not merely as one of 'any')."""
        if self.platforms == "any":
            return frozenset()
        if self.platforms == "both":
            return frozenset(("vk", "ok"))
        return frozenset(self.platforms.split(","))

    def requires(self, platform: str) -> bool:
        return platform in self.required_platforms()

    def sets_regionally(self, requirement: str) -> bool:
        """A regional act named in the policy sets this requirement."""
        return requirement in self.regional_requirements

    def to_json(self) -> dict:
        out = asdict(self)
        out["regional_requirements"] = list(self.regional_requirements)
        out["criteria"] = list(self.criteria)
        return out


class PolicyError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_policy(
    path: str,
    base: Policy | None = None,
    regional: Iterable[str] | None = None,
    criteria: Iterable[str] | None = None,
) -> Policy:
    """Read a policy YAML file (flat keys named as the Policy fields); errors name file:line.
    `regional`: what `regional_requirements` may name (`platforms` and the regional checks);
    `criteria`: what `criteria` may name (the optional checks)."""
    known_names = {"regional_requirements": regional, "criteria": criteria}
    try:
        doc = load_yaml_file(path)
    except YamlError as exc:
        raise PolicyError([exc.problem]) from None
    if doc is None:
        return base or Policy()
    if not isinstance(doc, LDict):
        raise PolicyError([Problem(path, 1, "policy", "expected a mapping of settings")])
    types = {f.name: f.type for f in fields(Policy)}
    values, problems = {}, []
    for key, value in doc.items():
        line = doc.line_of(key)
        if key not in types:
            problems.append(
                Problem(path, line, str(key), f"unknown setting (known: {', '.join(types)})")
            )
            continue
        kind = types[key]
        if kind == "str":
            ok = isinstance(value, str)
        elif kind == "tuple[str, ...]":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and isinstance(value, float) and not math.isfinite(value):
            # .nan and .inf would make report.json invalid JSON
            problems.append(Problem(path, line, key, f"expected a finite number, got {value!r}"))
            continue
        if not ok:
            expected = "list of texts" if kind.startswith("tuple") else kind
            problems.append(Problem(path, line, key, f"expected a {expected}, got {value!r}"))
            continue
        if known_names.get(key) is not None:
            known = set(known_names[key])
            unknown = [r for r in value if r not in known]
            if unknown:
                problems.append(
                    Problem(
                        path,
                        line,
                        key,
                        f"unknown {', '.join(map(repr, unknown))} "
                        f"(known: {', '.join(sorted(known))})",
                    )
                )
                continue
        values[key] = value
    if problems:
        raise PolicyError(problems)
    try:
        return replace(base or Policy(), **values)
    except ValueError as exc:
        # the message begins with the setting it is about: point at that setting's line
        key = next((k for k in values if str(exc).startswith(k)), None)
        at = doc.line_of(key) if key else 1
        raise PolicyError([Problem(path, at, key or "policy", str(exc))]) from None
