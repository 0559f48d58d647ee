"""A large run's HTML report as a site: every body on exactly one page of its region and
district, pages bounded by count and size, relative links that resolve, a search index that
finds every body, and the same cards as the single page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from audit.report import site
from audit.report.formats import Output, html_report
from audit.report.json_report import report_document
from tests.unit.test_report_stream import HEAD, body


def national(n: int) -> list[dict]:
    """Bodies of three regions: in each, districts (okrugs) with settlements under them, and
    bodies outside any district; names that need escaping here and there."""
    out = []
    for i in range(n):
        region = ["Алтайский край", "Тверская область", "Республика <Тест>"][i % 3]
        b = body(i, ["pass", "fail", "n/a", "error"][: 1 + i % 4])
        b["region"] = region
        if i % 10 == 0:
            b.update(kind="municipal_district", name=f"Район {i} «{region}»")
        elif i % 7 == 0:
            b.update(kind="regional_body", name=f"Министерство {i} & <b>")
        else:
            b.update(parent=f"b{i - i % 10}")  # the district of its ten
        out.append(b)
    return out


def write_site(tmp_path: Path, bodies: list[dict]) -> list[str]:
    """The site of `bodies`, written as a run's writers write it (fed body by body)."""
    report = report_document(HEAD, bodies)
    sink = site.HtmlSite(output(tmp_path, report))
    try:
        for b in report["entities"]:
            sink.add(b)
        return sink.close(report)
    except BaseException:
        sink.discard()
        raise


def output(tmp_path: Path, report: dict) -> Output:
    return Output(str(tmp_path), "ru", report["checks"], {}, None, report["summary"]["bodies"])


def test_the_html_report_is_a_site_from_the_threshold(tmp_path, monkeypatch):
    report = report_document(HEAD, national(10))
    assert type(html_report(output(tmp_path, report))).__name__ == "HtmlReport"
    monkeypatch.setattr("audit.report.formats.SITE_FROM", 10)
    assert isinstance(html_report(output(tmp_path, report)), site.HtmlSite)


def test_every_body_is_on_one_page_and_every_link_resolves(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "PAGE_BODIES", 4)  # districts of ten split into parts
    bodies = national(300)
    written = write_site(tmp_path, bodies)
    assert written == [str(tmp_path / "index.html"), str(tmp_path / "pages")]
    pages = sorted((tmp_path / "pages").glob("*.html"))
    cards = {}
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for anchor in re.findall(r'<section class="body" id="body-([^"]+)"', html):
            assert anchor not in cards, anchor
            cards[anchor] = page.name
        rows = html.count("<tr data-name=")
        assert rows == html.count('<section class="body"') <= 4
        assert " & <b>" not in html and "<Тест>" not in html  # names escaped
    assert sorted(cards) == sorted(b["id"] for b in bodies)
    # every relative link of every page leads to a file that exists, and anchors to cards
    for page in [tmp_path / "index.html", *pages]:
        for href in re.findall(r'href="([^"#:]+\.html)(?:#body-([^"]+))?"', page.read_text()):
            target = (page.parent / href[0]).resolve()
            assert target.is_file(), (page.name, href)
            if href[1]:
                assert cards[href[1]] == target.name
    # a district's bodies are together: settlement b23 is on a page of its district b20
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Республика &lt;Тест&gt;" in index and "<Тест>" not in index
    by_page: dict[str, list[str]] = {}
    for anchor, page in cards.items():
        by_page.setdefault(page, []).append(anchor)
    together = [int(a[1:]) for a in by_page[cards["b23"]]]
    assert all(n // 10 == 2 and (n % 7 or n % 10 == 0) for n in together), together
    assert "bodies outside" not in index
    regions = [p for p in pages if p.name.startswith("region-")]
    assert len(regions) == 3
    tver = next(p.read_text() for p in regions if "<h1>Тверская область</h1>" in p.read_text())
    assert "Органы вне муниципальных районов и округов" in tver and "часть 2 из 3" in tver


def test_the_search_index_finds_every_body_and_is_inert(tmp_path):
    bodies = national(120)
    bodies[5]["name"] = "Орган </script><script>alert(1)</script>\u2028\u202e\x07"
    write_site(tmp_path, bodies)
    text = (tmp_path / "pages" / "search.js").read_text(encoding="utf-8")
    assert "</script>" not in text and "\u2028" not in text
    assert "\u202e" not in text and "\x07" not in text  # no bidi override, no control
    data = json.loads(text.removeprefix("window.pagesAuditSearch = ").rstrip().rstrip(";"))
    assert len(data["bodies"]) == 120
    for ident, _name, page, status, *anchor in data["bodies"]:
        html = (tmp_path / "pages" / data["pages"][page]).read_text(encoding="utf-8")
        assert f'id="body-{anchor[0] if anchor else ident}"' in html
        assert data["statuses"][status] in ("compliant", "violation", "warning", "incomplete")


def test_pages_stay_under_the_size_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "PAGE_BYTES", 40_000)
    bodies = national(200)
    for b in bodies:  # cards of ~6 KB each
        b["findings"][0]["message_ru"] = "длинное сообщение " * 300
    write_site(tmp_path, bodies)
    sizes = [p.stat().st_size for p in (tmp_path / "pages").glob("[0-9]*.html")]
    assert max(sizes) < 40_000 + 60_000  # the bound plus the page's own frame
    assert len(sizes) > 20


def test_a_body_with_a_new_platform_renders_the_site_again_with_its_column(tmp_path):
    bodies = national(30)
    bodies[12]["findings"].append(
        {**bodies[12]["findings"][0], "key": "page.exists.vk", "check": "page.exists",
         "platform": "vk"}
    )  # fmt: skip
    written = write_site(tmp_path, bodies)
    assert len(written) == 2
    text = "".join(p.read_text() for p in (tmp_path / "pages").glob("[0-9]*.html"))
    assert text.count("<th>ВКонтакте</th>") >= 1


def test_a_failed_write_leaves_the_previous_site(tmp_path, monkeypatch):
    write_site(tmp_path, national(40))
    before = sorted(p.name for p in (tmp_path / "pages").iterdir())

    def broken(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(site.HtmlSite, "_write_search", broken)
    with pytest.raises(OSError):
        write_site(tmp_path, national(50))
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
