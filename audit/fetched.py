"""What a fetch gives back: the response's evidence and body, the body decoded to text (only
when asked: API answers never are), and the wait a `Retry-After` header asks for. Pure values:
no network here."""

from __future__ import annotations

import email.utils
import time
from datetime import UTC

from bs4.dammit import UnicodeDammit

from audit.evidence import Evidence

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


class FetchResult:
    """A response: its evidence and body. An HTML-like body is decoded when `text` is first
    asked for, not before: API answers are parsed from `content` and never decoded as text;
    a website's page is decoded where it is parsed (collect.site, in a website process)."""

    __slots__ = ("_decoded", "_text", "content", "evidence", "header_charset")

    def __init__(
        self,
        evidence: Evidence,
        text: str | None = None,
        content: bytes | None = None,
        header_charset: str | None = None,
    ):
        self.evidence = evidence
        self.content = content  # the raw body (API answers are parsed from it)
        self.header_charset = header_charset  # the charset the Content-Type header declared
        self._text = text
        self._decoded = text is not None

    @property
    def ok(self) -> bool:
        ev = self.evidence
        return ev.error is None and ev.status is not None and 200 <= ev.status < 300

    @property
    def is_html(self) -> bool:
        """An HTML-like answer with a body (a missing Content-Type counts as HTML)."""
        return (self._text is not None or self.content is not None) and self._html_type()

    def _html_type(self) -> bool:
        ctype = (self.evidence.content_type or "").lower()
        return not ctype or ctype.startswith(HTML_TYPES)

    def ascii_lower(self) -> bytes | None:
        """The raw body with ASCII letters lower-cased, where ASCII words read in it as in the
        text (any charset but UTF-16 and UTF-32, whose ASCII letters come with NUL bytes):
        a cheap way to tell that a page cannot hold a word (bytes.lower is ~5x faster than
        str.lower of a Cyrillic page's text). None where it cannot tell."""
        body = self.content
        if body is None or b"\x00" in body[:1024]:
            return None
        return body.lower()

    @property
    def text(self) -> str | None:
        """The decoded body of an HTML-like answer (None for others); the evidence records the
        charset it was decoded with."""
        if not self._decoded:
            self._decoded = True
            if self.content is not None and self._html_type():
                self._text, self.evidence.charset = decode_body(self.content, self.header_charset)
        return self._text


def decode_body(body: bytes, header_charset: str | None) -> tuple[str, str | None]:
    """Decode HTML bytes: HTTP charset, BOM, <meta charset>, then detection (cp1251 is common)."""
    # a byte order mark decides over the header, as browsers do (WHATWG encoding sniffing)
    if body.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        header_charset = None
    known = [header_charset] if header_charset else []
    dammit = UnicodeDammit(body, known_definite_encodings=known, is_html=True)
    if dammit.unicode_markup is None:
        return body.decode("utf-8", errors="replace"), None
    return dammit.unicode_markup, dammit.original_encoding


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))
