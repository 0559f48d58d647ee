"""A WARC record describes the bytes it holds: a body kept decoded loses its Content-Encoding and
gets its kept length; requests are recorded before their responses, secrets replaced."""

from __future__ import annotations

import gzip
from types import SimpleNamespace

from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker

from audit.archive import WarcArchive
from audit.evidence import Evidence

PAGE = "<html><body>Администрация</body></html>".encode()


def test_a_decoded_body_is_described_as_kept_and_checks_clean(tmp_path):
    path = tmp_path / "run-1.warc.gz"
    archive = WarcArchive(str(path), "pages-audit 9.9")
    evidence = Evidence(url="https://adm.ru/", status=200, sha256="abc")
    sent_headers = [("Host", "adm.ru"), ("User-Agent", "pages-audit"), ("Accept-Encoding", "gzip")]
    received = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Encoding", "gzip"),
        ("Content-Length", str(len(gzip.compress(PAGE)))),
        ("Transfer-Encoding", "chunked"),
    ]
    record_id = archive.record(evidence, received, PAGE, [], (sent_headers, b""))
    api = Evidence(url="https://api.vk.com/method/execute", status=200, method="POST")
    archive.record(
        api,
        [("Content-Type", "application/json")],
        b'{"response": 1}',
        ["s3cret-token"],
        ([("Host", "api.vk.com")], b"access_token=s3cret-token&v=5.199"),
    )
    archive.close()
    assert Checker(SimpleNamespace(inputs=[str(path)], verbose=False)).process_all() == 0
    with path.open("rb") as fh:
        records = [
            (r.rec_headers, r.http_headers, r.content_stream().read()) for r in ArchiveIterator(fh)
        ]
    kinds = [h.get_header("WARC-Type") for h, _, _ in records]
    assert kinds == ["warcinfo", "request", "response", "request", "response"]
    assert b"pages-audit 9.9" in records[0][2]
    request, response = records[1], records[2]
    assert request[0].get_header("WARC-Concurrent-To") == record_id
    assert response[0].get_header("WARC-Record-ID") == record_id
    assert response[1].get_header("Content-Encoding") is None
    assert response[1].get_header("Transfer-Encoding") is None
    assert response[1].get_header("Content-Length") == str(len(PAGE)) and response[2] == PAGE
    assert response[0].get_header("WARC-Pages-Audit-Decoded-From") == "gzip"
    api_request, api_response = records[3], records[4]
    assert api_request[2] == b"access_token=***&v=5.199"
    assert api_response[0].get_header("WARC-Pages-Audit-Redacted") == "true"
    assert b"s3cret-token" not in gzip.decompress(path.read_bytes())


def test_a_resumed_archive_gets_no_second_warcinfo(tmp_path):
    path = tmp_path / "run-1.warc.gz"
    WarcArchive(str(path)).close()
    again = WarcArchive(str(path))
    again.record(Evidence(url="https://adm.ru/", status=200), [], b"x", [])
    again.close()
    with path.open("rb") as fh:
        kinds = [r.rec_headers.get_header("WARC-Type") for r in ArchiveIterator(fh)]
    assert kinds == ["warcinfo", "response"]
