"""What VK and OK API clients share: a per-token rate limiter, secret redaction, call results."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from audit.evidence import Evidence


class ApiConfigError(Exception):
    """The API refused our credentials or settings: the run cannot go on (exit 2).

    Its text never holds a secret: it is built from redacted parts only.
    """


class Redactor:
    """Replaces secrets (tokens, keys) in any text that may leave the process."""

    def __init__(self, secrets: Iterable[str | None]):
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


class RateLimiter:
    """At most `rate` calls per second for one token, spaced evenly (shared by all workers).

    Each caller takes the next free slot at once and sleeps until it comes: callers wait side
    by side, so the rate holds even when the event loop is busy (a lock held through the sleep
    would let one caller through per loop turn, however high the rate)."""

    def __init__(
        self,
        rate: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.sleep, self.clock = sleep, clock
        self._next = 0.0

    async def wait(self) -> None:
        now = self.clock()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await self.sleep(slot - now)


@dataclass
class CallResult:
    """One API call as the collector sees it: a response, or why there is none."""

    response: Any = None
    error_code: int | None = None
    error_msg: str | None = None
    cause: str | None = None  # None when `response` holds the answer
    evidence: list[Evidence] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. execute_errors

    @property
    def ok(self) -> bool:
        return self.cause is None

    def detail(self) -> str:
        if self.error_code is not None:
            return f"error {self.error_code}: {self.error_msg or ''}".strip()
        return self.error_msg or (self.cause or "")


def read_answer(got, redact: Redactor) -> Any | CallResult:
    """The decoded JSON of an API answer, or the CallResult saying why there is none. Every
    text of the answer, and the addresses its evidence records, pass the redactor: an API that
    echoes a token (in a redirect, in a group's description) leaks it nowhere."""
    ev = got.evidence
    ev.url, ev.final_url = redact(ev.url), redact(ev.final_url)
    if ev.error is not None:
        return CallResult(cause=ev.error.value, error_msg=redact(ev.error_detail))
    if ev.status is not None and 300 <= ev.status < 400:
        return CallResult(
            cause="http", error_msg=f"HTTP {ev.status}: the API redirected (not followed)"
        )
    if ev.status != 200 or got.content is None:
        return CallResult(cause="http", error_msg=f"HTTP {ev.status}")
    try:
        return json.loads(redact(got.content.decode("utf-8", errors="replace")))
    except ValueError as exc:
        return CallResult(cause="unparsable", error_msg=f"not JSON: {exc}")


def failed_page(platform: str, url: str, result: CallResult, observed_at: str):
    """The observation of a page whose API call failed: `error`, with the call's cause."""
    from audit.observations import PageObservation

    return PageObservation(
        platform=platform,
        url=url,
        source="api",
        state="error",
        observed_at=observed_at,
        cause=result.cause,
        detail=result.detail(),
        evidence=list(result.evidence),
    )


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]
