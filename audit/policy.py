"""Audit policy: the choices that vary by region and are not fixed by federal law."""

from __future__ import annotations

from dataclasses import asdict, dataclass

PLATFORM_RULES = ("any", "both", "vk", "ok")


@dataclass(frozen=True)
class Policy:
    """`platforms`: which official pages a body must have and link from its website.

    any  — at least one of VK/OK (the federal minimum, distribution order 2523-р);
    both — VK and OK (many regional acts); vk / ok — that platform is required.
    """

    platforms: str = "any"

    def __post_init__(self) -> None:
        if self.platforms not in PLATFORM_RULES:
            raise ValueError(f"platforms must be one of {', '.join(PLATFORM_RULES)}")

    def requires(self, platform: str) -> bool:
        """The platform is required by itself (not merely as one of 'any')."""
        return self.platforms in ("both", platform)

    def to_json(self) -> dict:
        return asdict(self)
