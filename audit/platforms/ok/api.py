"""OK (Odnoklassniki) REST API client: signed calls to fb.do.

Signature (apiok.ru/dev/methods, verified on the published example, see the tests): take every
parameter except `sig`, `access_token` and `session_key`, sort by key, join as `key=value` with
raw (not URL-encoded) UTF-8 values, append the session secret — md5(access_token +
application secret key), lower-case hex, in a session; the application secret key itself without
one — and take the lower-case md5 of it all.

The access token and the secrets travel only in the form body (never in a URL) and pass through
a `Redactor` before any text leaves the client. Errors are `{"error_code", "error_msg",
"error_data"}`: 1, 2 (unknown, service unavailable) are retried; 8 (flood) and 11 (limit reached)
are retried with backoff and then reported as rate limiting; 101, 102, 103, 104, 105 (bad key,
expired session, bad signature) stop the run; the rest is handed to the collector as facts or
`error` for the pages concerned.
"""

from __future__ import annotations

import asyncio
import hashlib
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

RETRY_CODES = frozenset({1, 2})
FLOOD_CODES = frozenset({8, 11})
AUTH_CODES = frozenset({101, 102, 103, 104, 105})


def session_secret(access_token: str | None, app_secret: str) -> str:
    if not access_token:
        return app_secret
    return hashlib.md5((access_token + app_secret).encode("utf-8")).hexdigest().lower()


def ok_signature(params: dict[str, str], access_token: str | None, app_secret: str) -> str:
    """The `sig` parameter of an OK API call."""
    skip = ("sig", "access_token", "session_key")
    joined = "".join(f"{k}={params[k]}" for k in sorted(params) if k not in skip)
    secret = session_secret(access_token, app_secret)
    return hashlib.md5((joined + secret).encode("utf-8")).hexdigest().lower()


@dataclass(frozen=True)
class OkSettings:
    app_key: str | None = None  # application public key
    app_secret: str | None = field(default=None, repr=False)  # application secret key
    access_token: str | None = field(default=None, repr=False)  # optional: no session needed
    api_url: str = "https://api.ok.ru/fb.do"
    web_url: str = "https://ok.ru/"
    ids_per_call: int = 100  # group.getInfo uids per call (as users.getInfo's documented limit)
    rate: float = 3.0
    retries: int = 4

    @property
    def usable(self) -> bool:
        return bool(self.app_key and self.app_secret)

    def redacted(self) -> dict:
        return {
            "app_key": self.app_key,  # public by design: it identifies the application
            "app_secret": "***" if self.app_secret else None,
            "access_token": "***" if self.access_token else None,
            "api_url": self.api_url,
            "web_url": self.web_url,
            "ids_per_call": self.ids_per_call,
            "rate": self.rate,
        }


class OkApi:
    def __init__(
        self,
        fetcher: Fetcher,
        settings: OkSettings,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        if not settings.usable:
            raise ValueError("OkApi needs an application key and secret")
        self.fetcher, self.settings, self.sleep = fetcher, settings, sleep
        self.limiter = RateLimiter(settings.rate, sleep)
        secret = settings.app_secret or ""
        self.redact = Redactor(
            [settings.access_token, secret, session_secret(settings.access_token, secret)]
        )
        fetcher.secrets.update(self.redact.secrets)
        fetcher.keep_alive(settings.api_url, rate=settings.rate)
        self.calls = 0

    def signed(self, method: str, params: dict[str, str]) -> dict[str, str]:
        s = self.settings
        data = {**params, "method": method, "application_key": s.app_key or "", "format": "json"}
        data["sig"] = ok_signature(data, s.access_token, s.app_secret or "")
        if s.access_token:
            data["access_token"] = s.access_token
        return data

    async def call(self, method: str, params: dict[str, str], summary: str) -> CallResult:
        """Call `method`; never raises except ApiConfigError (bad key, secret or session)."""
        data = self.signed(method, params)
        attempt, earlier = 0, []
        while True:
            attempt += 1
            await self.limiter.wait()
            self.calls += 1
            got = await self.fetcher.request(
                "POST", self.settings.api_url, data=data, summary=summary
            )
            got.evidence.retried = [*earlier, *got.evidence.retried]
            result = self._parse(got)
            result.evidence = [got.evidence]
            code = result.error_code
            if code in AUTH_CODES:
                raise ApiConfigError(
                    f"OK API refused the application credentials ({method}: {result.detail()}). "
                    "Check OK_APP_KEY, OK_APP_SECRET and OK_ACCESS_TOKEN."
                )
            if (code in RETRY_CODES or code in FLOOD_CODES) and attempt <= self.settings.retries:
                earlier.append(f"ok:{code}")
                await self.sleep(min(8.0, 0.5 * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2))
                continue
            if code in FLOOD_CODES:
                result.cause = "rate_limit"
            return result

    def _parse(self, got) -> CallResult:
        doc = read_answer(got, self.redact)
        if isinstance(doc, CallResult):
            return doc
        if isinstance(doc, dict) and "error_code" in doc:
            code = doc.get("error_code")
            return CallResult(
                cause="api_error",
                error_code=code if isinstance(code, int) else None,
                error_msg=self.redact(str(doc.get("error_msg", ""))[:300]),
            )
        return CallResult(response=doc)
