"""The evidence archive: every fetched body as a WARC response record (warcio), on request.

A prosecutor or auditor can open the file with any WARC tool and see exactly the bytes the
auditor saw; each evidence record names its WARC-Record-ID. Secrets the API clients registered
(tokens, keys) are replaced by *** in what is archived — the record then carries
`WARC-Pages-Audit-Redacted: true`, and its payload digest differs from the evidence's sha256,
which is always that of the bytes received.
"""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from audit.fetch import Evidence


class WarcArchive:
    def __init__(self, path: str):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = open(path, "ab")  # a resumed run appends to the same file  # noqa: SIM115
        self._writer = WARCWriter(self._file, gzip=True)
        self.records = 0

    def close(self) -> None:
        self._file.close()

    def record(
        self,
        evidence: Evidence,
        headers: list[tuple[str, str]],
        body: bytes,
        secrets: list[str],
    ) -> str:
        """Write one response record; returns its WARC-Record-ID."""
        redacted = False
        for secret in secrets:
            token = secret.encode("utf-8")
            if token and token in body:
                body, redacted = body.replace(token, b"***"), True
        clean = []
        for name, value in headers:
            for secret in secrets:
                if secret and secret in value:
                    value, redacted = value.replace(secret, "***"), True
            clean.append((name, value))
        status = f"{evidence.status} {_REASONS.get(evidence.status or 0, '')}".strip()
        http = StatusAndHeaders(status, clean, protocol="HTTP/1.1")
        extra = {
            "WARC-Pages-Audit-Evidence-Sha256": evidence.sha256 or "",
            "WARC-Pages-Audit-Request": evidence.request or f"{evidence.method} {evidence.url}",
        }
        if redacted:
            extra["WARC-Pages-Audit-Redacted"] = "true"
        rec = self._writer.create_warc_record(
            evidence.final_url or evidence.url,
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict=extra,
        )
        self._writer.write_record(rec)
        self._file.flush()
        self.records += 1
        return rec.rec_headers.get_header("WARC-Record-ID")


_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found",
            403: "Forbidden", 429: "Too Many Requests", 500: "Internal Server Error",
            503: "Service Unavailable"}  # fmt: skip
