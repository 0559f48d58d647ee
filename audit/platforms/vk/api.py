"""VK API client: form-encoded POST to /method/<name>, token in the Authorization header.

The token travels only in a request header, so no URL, evidence record or exception text can
carry it; error texts pass through a `Redactor` all the same (VK echoes request parameters).
Error handling (codes from VK's errors.json): 6 (too many requests per second), 9 (flood),
1 and 10 (unknown / server error) are retried with backoff; 29 (daily rate limit) is retried a
couple of times with a longer pause and then reported; 5, 27, 28 (authorization) stop the run;
everything else is handed to the collector, which turns it into facts about pages.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from audit.collect.apicall import (
    ApiConfigError,
    CallResult,
    RateLimiter,
    Redactor,
    read_answer,
)
from audit.fetch import Fetcher

RETRY_CODES = frozenset({1, 6, 9, 10})
QUOTA_CODE = 29
AUTH_CODES = frozenset({5, 27, 28})
EXECUTE_LIMIT = 25  # API calls inside one execute (dev.vk.com/ru/execute)


@dataclass(frozen=True)
class VkSettings:
    token: str | None = field(default=None, repr=False)  # never in a repr or traceback
    version: str = "5.199"
    api_url: str = "https://api.vk.com/method/"
    web_url: str = "https://vk.com/"
    ids_per_call: int = 500  # groups.getById limit
    rate: float = 3.0  # requests per second per token
    retries: int = 4  # API-level retries for codes 1/6/9/10
    quota_retries: int = 1  # for code 29
    quota_pause: float = 30.0
    comment_posts: int = 0  # latest commented posts per page whose comments are read (replies)

    def redacted(self) -> dict:
        return {
            "token": "***" if self.token else None,
            "version": self.version,
            "api_url": self.api_url,
            "web_url": self.web_url,
            "ids_per_call": self.ids_per_call,
            "rate": self.rate,
            "comment_posts": self.comment_posts,
        }


class VkApi:
    def __init__(
        self,
        fetcher: Fetcher,
        settings: VkSettings,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        if not settings.token:
            raise ValueError("VkApi needs a token")
        self.fetcher, self.settings, self.sleep = fetcher, settings, sleep
        self.limiter = RateLimiter(settings.rate, sleep)
        self.redact = Redactor([settings.token])
        fetcher.secrets.update(self.redact.secrets)
        fetcher.keep_alive(settings.api_url, rate=settings.rate)
        self.calls = 0  # HTTP requests made to the API

    async def call(self, method: str, params: dict[str, str], summary: str) -> CallResult:
        """Call `method`; never raises except ApiConfigError (bad token or version)."""
        s = self.settings
        data = {**params, "v": s.version}
        headers = {"Authorization": f"Bearer {s.token}"}
        evidence, attempt, earlier = [], 0, []
        while True:
            attempt += 1
            await self.limiter.wait()
            self.calls += 1
            got = await self.fetcher.request(
                "POST", s.api_url + method, data=data, headers=headers, summary=summary
            )
            ev = got.evidence
            ev.retried = [*earlier, *ev.retried]
            evidence = [ev]
            result = self._parse(got)
            result.evidence = evidence
            code = result.error_code
            if code in AUTH_CODES:
                raise ApiConfigError(
                    f"VK API refused the access token ({method}: {result.detail()}). "
                    "Check VK_TOKEN (a service token from the app settings)."
                )
            if code == 8 and "version" in (result.error_msg or "").lower():
                raise ApiConfigError(
                    f"VK API rejected the API version {s.version}: {result.detail()}"
                )
            if code in RETRY_CODES and attempt <= s.retries:
                earlier.append(f"vk:{code}")
                await self.sleep(min(8.0, 0.5 * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2))
                continue
            if code == QUOTA_CODE and attempt <= s.quota_retries:
                earlier.append(f"vk:{code}")
                await self.sleep(s.quota_pause)
                continue
            if code in RETRY_CODES or code == QUOTA_CODE:
                result.cause = "rate_limit" if code in (6, 9, QUOTA_CODE) else "api_error"
            return result

    def _parse(self, got) -> CallResult:
        doc = read_answer(got, self.redact)
        if isinstance(doc, CallResult):
            return doc
        if not isinstance(doc, dict):
            return CallResult(cause="unparsable", error_msg="not a JSON object")
        if "error" in doc:
            err = doc["error"] if isinstance(doc["error"], dict) else {}
            code = err.get("error_code")
            return CallResult(
                cause="api_error",
                error_code=code if isinstance(code, int) else None,
                error_msg=self.redact(str(err.get("error_msg", ""))[:300]),
            )
        if "response" not in doc:
            return CallResult(cause="unparsable", error_msg="no 'response' in the answer")
        extra = {"execute_errors": doc.get("execute_errors") or []}
        return CallResult(response=doc["response"], extra=extra)

    async def execute(self, calls: list[str], summary: str) -> CallResult:
        """Run up to 25 `API.method({...})` expressions in one request; returns their list."""
        if len(calls) > EXECUTE_LIMIT:
            raise ValueError("execute takes at most 25 API calls")
        code = "return [" + ",".join(calls) + "];"
        return await self.call("execute", {"code": code}, summary)


def api_call(method: str, params: dict) -> str:
    """One VKScript call expression; params are JSON, which VKScript reads as object literals."""
    return f"API.{method}({json.dumps(params, ensure_ascii=False, separators=(',', ':'))})"
