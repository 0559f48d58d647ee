"""Report rendering: attacker-controlled text is inert; summaries count the right things."""

from audit.evidence import Evidence
from audit.model import Entity, EntityKind, Finding, Severity, Status
from audit.observations import Observations, SiteObservation
from audit.pageurls import PageRef, Reference
from audit.policy import Policy
from audit.report.html import render_html
from audit.report.json_report import build_report
from audit.report.render import msk
from audit.runner import EntityResult, RunResult
from audit.summary import body_status

EVIL = '<script>alert("x")</script>'


def report_with(name: str, message: str, final_url: str) -> dict:
    ent = Entity(
        id="1", name=name, kind=EntityKind.COURT, website="https://sud.ru", region="Область"
    )
    ev = Evidence(
        url="https://sud.ru",
        final_url=final_url,
        status=200,
        id="e1",
        fetched_at="2026-11-23T10:00:00+00:00",
        sha256="ab" * 32,
    )
    site = SiteObservation(
        state="fetched",
        url="https://sud.ru",
        status=200,
        evidence=[ev],
        title=EVIL,
        pages_read=["https://sud.ru"],
        references=[Reference(PageRef("vk", "screen_name", "sud"), "text", EVIL)],
    )
    findings = [
        Finding("1", "site.links.vk", Status.FAIL, Severity.VIOLATION, message, message, ("e1",))
    ]
    run = RunResult(
        started_at="2026-11-23T10:00:00+00:00",
        finished_at="2026-11-23T10:01:00+00:00",
        policy=Policy(),
        results=[EntityResult(ent, Observations(site), findings)],
    )
    return build_report(run)


def test_html_escapes_names_messages_and_urls():
    html = render_html(report_with(EVIL, f"found {EVIL}", "javascript:alert(1)"))
    assert EVIL not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_english_report_and_moscow_time():
    html = render_html(report_with("Суд", "msg", "https://sud.ru/"), lang="en")
    assert "Compliance per requirement" in html
    assert msk("2026-11-23T21:30:00+00:00") == "24.11.2026 00:30:00"


def test_body_status_order():
    v = Finding("1", "a", Status.FAIL, Severity.VIOLATION, "", "")
    w = Finding("1", "b", Status.FAIL, Severity.WARNING, "", "")
    e = Finding("1", "c", Status.ERROR, Severity.VIOLATION, "", "")
    p = Finding("1", "d", Status.PASS, Severity.VIOLATION, "", "")
    assert body_status([v, w, e]) == "violation"
    assert body_status([w, e]) == "incomplete"
    assert body_status([w, p]) == "warning"
    assert body_status([p]) == "compliant"


def test_summary_compliance_excludes_errors():
    report = report_with("Суд", "m", "https://sud.ru/")
    per_check = report["summary"]["per_check"]["site.links.vk"]
    assert per_check["fail"] == 1 and per_check["compliance_percent"] == 0.0
    assert report["summary"]["violations"] == 1


def test_page_names_and_urls_from_platforms_are_escaped():
    """A community's name and site are written by whoever runs the page."""
    from audit.observations import PageObservation

    report = report_with("Суд", "m", "https://sud.ru/")
    url = "https://vk.com/sud"
    page = PageObservation(
        "vk",
        url,
        "api",
        "found",
        "2026-11-23T10:00:00+00:00",
        name=EVIL,
        site="javascript:alert(2)",
    )
    entity = report["entities"][0]
    entity["observations"]["pages"] = {url: page.to_json()}
    entity["observations"]["chosen"] = {"vk": {"url": url, "source": "registry"}}
    entity["findings"].append(
        {
            "key": "page.name_matches[vk]",
            "check": "page.name_matches",
            "status": "fail",
            "severity": "warning",
            "message_ru": f"имя {EVIL}",
            "message_en": EVIL,
            "evidence": [],
            "platform": "vk",
        }
    )
    html = render_html(report)
    assert EVIL not in html and "&lt;script&gt;" in html
    assert "javascript:alert(2)" not in html
    assert 'table class="pages"' in html
