"""Reports people use: CI gates, notices, the dashboard, and the demo report in a real browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.e2e.conftest import FAST, cli, load_report

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def nightly(world, tmp_path_factory):
    """Two runs into one history database, the second with --fail-on new."""
    out = tmp_path_factory.mktemp("nightly")
    env = {**world.ok_env(), "VK_TOKEN": world.vk_token}
    first = cli(
        "run", "registry/demo.yaml", "--out", out, "--quiet", *world.cli_args(), *FAST, env=env
    )
    second = cli(
        "run",
        "registry/demo.yaml",
        "--out",
        out,
        "--quiet",
        "--fail-on",
        "new",
        *world.cli_args(),
        *FAST,
        env=env,
    )
    return first, second, out


def test_fail_on_new_and_fail_under(nightly, world, tmp_path):
    first, second, _out = nightly
    assert first.returncode == 1  # the first night: every violation is new
    assert second.returncode == 0, second.stderr  # nothing new the second night
    none = cli(
        "run",
        "registry/demo.yaml",
        "--out",
        tmp_path,
        "--quiet",
        "--fail-on",
        "none",
        *world.cli_args(),
        *FAST,
    )
    assert none.returncode == 0
    overall = load_report(tmp_path)["summary"]["overall_compliance_percent"]
    under = cli(
        "run",
        "registry/demo.yaml",
        "--out",
        tmp_path,
        "--quiet",
        "--fail-on",
        "none",
        "--fail-under",
        str(overall + 1),
        *world.cli_args(),
        *FAST,
    )
    assert under.returncode == 1 and "under --fail-under" in under.stderr
    over = cli(
        "run",
        "registry/demo.yaml",
        "--out",
        tmp_path,
        "--quiet",
        "--fail-on",
        "none",
        "--fail-under",
        str(overall - 1),
        *world.cli_args(),
        *FAST,
    )
    assert over.returncode == 0


SENDER = "docs/examples/sender.yaml"


def test_notices_are_letters_that_can_be_sent(nightly):
    _, _, out = nightly
    proc = cli("notices", "--out", out, "--sender", SENDER, "--date", "2026-12-01")
    assert proc.returncode == 0, proc.stderr
    report = load_report(out)
    bad = [
        e
        for e in report["entities"]
        if any(f["status"] == "fail" and f["severity"] == "violation" for f in e["findings"])
    ]
    notices = sorted(p.name for p in (Path(out) / "notices").glob("*.html"))
    assert len(notices) == len(bad) + 1  # and the register
    soup = BeautifulSoup(
        (Path(out) / "notices" / "99610403.html").read_text(encoding="utf-8"), "lxml"
    )
    text = soup.get_text(" ", strip=True)
    # sender, number and date, addressee, heading, basis of the check, deadline, executor
    assert "Министерство цифрового развития Демонстрационной области" in text
    assert "Исх. № 01-12/" in text and "от 01.12.2026" in text
    assert "Администрация Полевого сельского поселения" in text
    assert soup.find("h1").get_text().startswith("О выявленных нарушениях")
    assert "На основании: распоряжение Правительства Демонстрационной области" in text
    assert "в срок до 31.12.2026" in text  # the policy's 30 days
    assert "Исполнитель: Петрова Анна Сергеевна" in text and "И. И. Иванов" in text
    assert "ПРОЕКТ" not in text
    # every violation carries its own evidence: the page's own address, not the API endpoint
    items = soup.select("ol.items > li")
    assert items and all(li.select("table.ev tr td") for li in items)
    first = items[0].get_text(" ", strip=True)
    assert "Наличие официальной страницы в «ВКонтакте»" in first
    assert "https://vk.com/polevoe_sp" in first and "api.vk.com" not in first
    assert "через программный интерфейс «ВКонтакте»" in first and "execute" not in first
    # no policy number, rating criterion or registry datum is printed as a breach of the law
    violations = " ".join(li.get_text(" ", strip=True) for li in items)
    for warning_only in ("Платформы обратной связи", "последней записи", "записей в неделю"):
        assert warning_only not in violations
    register = (Path(out) / "notices" / "index.html").read_text(encoding="utf-8")
    assert "Реестр уведомлений" in register and register.count('href="') == len(bad)


def test_notices_without_a_sender_are_drafts_and_a_bad_sender_is_named(nightly, tmp_path):
    _, _, out = nightly
    proc = cli("notices", "--out", out)
    assert proc.returncode == 0 and "drafts" in proc.stderr
    assert "ПРОЕКТ" in (Path(out) / "notices" / "99610403.html").read_text(encoding="utf-8")
    sender = tmp_path / "sender.yaml"
    sender.write_text("organization: Министерство\nsignatory: {position: Министр}\n")
    proc = cli("notices", "--out", out, "--sender", sender)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{sender}:2: signatory.name: required field is missing" in proc.stderr
    assert f"{sender}:1: address: required field is missing" in proc.stderr


def test_inspection_records_state_facts_only(nightly):
    _, _, out = nightly
    proc = cli("notices", "--out", out, "--kind", "act", "--sender", SENDER)
    assert proc.returncode == 0, proc.stderr
    soup = BeautifulSoup((Path(out) / "acts" / "99610403.html").read_text(encoding="utf-8"), "lxml")
    text = soup.get_text(" ", strip=True)
    assert "АКТ" in text and "осмотра официального сайта и официальных страниц" in text
    assert "Откуда и чем проводился осмотр" in text and "pages-audit" in text
    rows = soup.select("table.ev tr")[1:]
    assert rows and all(len(r.find_all("td")[4].get_text(strip=True)) >= 64 for r in rows)
    assert "Просим" not in text and "в срок до" not in text  # no demand
    assert "Реестр актов осмотра" in (Path(out) / "acts" / "index.html").read_text("utf-8")


def test_dashboard_parts(nightly):
    _, _, out = nightly
    soup = BeautifulSoup((Path(out) / "index.html").read_text(encoding="utf-8"), "lxml")
    assert soup.select_one("svg.trend") is not None  # two runs: a trend
    districts = [
        d.select_one("summary").get_text(" ", strip=True) for d in soup.select("details.district")
    ]
    assert any(d.startswith("Администрация Северного муниципального района") for d in districts)
    assert soup.find("h3", string="Больше всего нарушений") is not None
    cards = soup.select_one(".cards").get_text(" ", strip=True)
    assert "Доля без нарушений" in cards and "из" in cards and "." not in cards  # 50,0 %


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


def chromium_driver(size: str = "1280,900"):
    """Headless Chromium of a window `size` through chromedriver, keeping the console's log,
    with nothing of its own on the network."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size={size}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=options)


@pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="Chromium and chromedriver are not installed (Debian packages chromium and "
    "chromium-driver; .ci/run installs them)",
)
def test_demo_report_in_a_real_browser(nightly, tmp_path):
    from selenium.webdriver.common.by import By

    _, _, out = nightly
    driver = chromium_driver("1400,1000")
    try:
        driver.get((Path(out) / "index.html").resolve().as_uri())
        rows = lambda: [  # noqa: E731
            r for r in driver.find_elements(By.CSS_SELECTOR, "#bodies tbody tr") if r.is_displayed()
        ]
        names = lambda: [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows()]  # noqa: E731
        assert len(rows()) == 33
        driver.find_elements(By.CSS_SELECTOR, "#bodies thead th")[0].click()
        ascending = names()
        assert ascending == sorted(ascending, key=str.casefold) or ascending[0] <= ascending[-1]
        driver.find_elements(By.CSS_SELECTOR, "#bodies thead th")[0].click()
        assert names() == list(reversed(ascending))
        box = driver.find_element(By.ID, "filter")
        box.send_keys("школа")
        assert [n for n in names()] == ["МБОУ «Средняя школа № 5»"]
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == [], severe
        driver.save_screenshot(str(Path(out) / "report.png"))
        shutil.copy(Path(out) / "report.png", tmp_path / "report.png")
    finally:
        driver.quit()
    assert (Path(out) / "report.png").stat().st_size > 10_000


# What a Russian reader may see in Latin letters: names of formats, protocols and standards
# written so in Russian texts, the tool's and a vendor's name; URLs and hashes are data (.mono)
LATIN_ALLOWED = {
    "SHA-", "DNS-", "DNS", "HTTP", "TLS-", "TLS", "HTML-", "UTC", "WARC", "User-Agent",
    "pages-audit", "DDoS-Guard", "Python",
}  # fmt: skip


@pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="Chromium and chromedriver are not installed (Debian packages chromium and "
    "chromium-driver; .ci/run installs them)",
)
def test_the_russian_report_reads_fits_filters_and_prints(nightly, tmp_path):
    """index.html as a regional official sees it: Russian words only (no check id, no English
    word outside addresses and hashes), the body table within 1 280 px, status chips that
    filter, an A4 landscape print that keeps every column, no console error."""
    import base64
    import re

    from selenium.webdriver.common.by import By

    from audit.checks import catalogue

    _, _, out = nightly
    report = load_report(out)
    driver = chromium_driver()
    try:
        driver.get((Path(out) / "index.html").resolve().as_uri())
        text = driver.execute_script(
            "var c = document.body.cloneNode(true);"
            "c.querySelectorAll('.mono, script, style').forEach(function (e) { e.remove(); });"
            "document.body.appendChild(c); var t = c.innerText; c.remove(); return t;"
        )
        text = re.sub(r"https?://\S+", " ", text)
        ids = {c.id for c in catalogue()} | {c.id.rsplit(".", 1)[0] for c in catalogue()}
        assert not [i for i in ids if re.search(rf"(?<![\w.]){re.escape(i)}(?![\w])", text)]
        latin = set(re.findall(r"[A-Za-z][A-Za-z_.\-]+", text)) - LATIN_ALLOWED
        assert not latin, latin
        assert "«Не удалось проверить полностью»" not in text  # the figures, not the note
        counts = report["summary"]["by_body_status"]
        total = report["summary"]["bodies"]
        assert f"{counts['violation']} из {total}" in text
        viewport = driver.execute_script("return document.documentElement.clientWidth")
        right = driver.execute_script(
            "return document.getElementById('bodies').getBoundingClientRect().right"
        )
        assert right <= viewport and driver.execute_script(
            "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )

        def shown():
            rows = driver.find_elements(By.CSS_SELECTOR, "#bodies tbody tr")
            return [r for r in rows if r.is_displayed()]

        assert len(shown()) == total
        driver.find_element(By.CSS_SELECTOR, '.chip[data-status="violation"]').click()
        assert len(shown()) == counts["violation"]
        assert all(r.get_attribute("data-status") == "violation" for r in shown())
        driver.find_element(By.CSS_SELECTOR, '.chip[data-status=""]').click()
        assert len(shown()) == total
        from selenium.webdriver.support.ui import Select

        Select(driver.find_element(By.ID, "where")).select_by_value("vk")
        with_vk = [r for r in shown()]
        assert 0 < len(with_vk) < total
        assert all(" vk " in r.get_attribute("data-problems") for r in with_vk)
        Select(driver.find_element(By.ID, "where")).select_by_value("")

        # A4 landscape, 10 mm margins: 277 mm of printable width, 1 047 CSS pixels
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        driver.set_window_size(1047 + (1280 - viewport), 900)
        printed = driver.execute_script(
            "var t = document.getElementById('bodies').getBoundingClientRect();"
            "return [t.right, document.documentElement.clientWidth,"
            " document.documentElement.scrollWidth];"
        )
        assert printed[0] <= printed[1] and printed[2] <= printed[1], printed
        # printed as a browser prints it: the page size the report's CSS asks for
        printed_pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
        pdf = base64.b64decode(printed_pdf["data"])
        boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf))
        # A4 landscape: 842 x 595 points
        assert boxes and all(abs(float(w) - 842) < 2 and abs(float(h) - 595) < 2 for w, h in boxes)
        (tmp_path / "report.pdf").write_bytes(pdf)
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == [], severe
    finally:
        driver.quit()


def test_a_large_runs_reports_are_written_as_it_goes(world, tmp_path, monkeypatch):
    """The real run with its reports' follower (every run counts as large here): the tables and
    index.html are the ones `pages-audit report` writes from the run's report.json after it."""
    from audit.cli import main
    from audit.pipeline import session
    from audit.report import follow

    started = []

    class Recorded(follow.ReportFollower):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(session, "LARGE_RUN", 1)
    monkeypatch.setattr(follow, "ReportFollower", Recorded)
    for name, value in {**world.ok_env(), "VK_TOKEN": world.vk_token}.items():
        monkeypatch.setenv(name, value)
    out, again = tmp_path / "run", tmp_path / "again"
    args = ["run", "registry/demo.yaml", "--out", str(out), "--quiet", *world.cli_args(), *FAST]
    assert main([str(a) for a in args]) == 1  # the demo has violations
    assert sorted(f.writers for f in started) == [("html",), ("tables",)]  # side by side
    assert all(f.failure is None and f.process.exitcode == 0 for f in started)
    again.mkdir()
    shutil.copy(out / "report.json", again / "report.json")
    assert main(["report", str(again)]) == 0
    for name in ("report.csv", "junit.xml", "index.html"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
