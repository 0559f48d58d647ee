"""The report site of a large run, as an official opens it from disk: the real CLI audits the
2 311 courts (offline: every site unanswered, so every body «не удалось проверить»), the
report is a folder of pages each under 2 MB, Russian only, with links that lead from the
overview to a region, a page of bodies and a card, and a search that finds a body anywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audit.plan import SITE_FROM
from tests.e2e.conftest import cli, load_report
from tests.e2e.test_reports import CHROMIUM, DRIVER, LATIN_ALLOWED, chromium_driver

OFFLINE = ["--isolated", "--no-canaries", "--no-reference-sites", "--retries", "0", "--quiet"]


@pytest.fixture(scope="module")
def courts(tmp_path_factory):
    out = tmp_path_factory.mktemp("courts")
    proc = cli("run", "registry/courts.yaml", "--out", out, *OFFLINE, timeout=300)
    assert proc.returncode == 3, proc.stderr  # offline: incomplete, never violations
    return out


def test_a_large_run_writes_a_site_of_small_pages(courts):
    report = load_report(courts)
    assert report["summary"]["bodies"] == 2311 >= SITE_FROM
    pages = sorted((courts / "pages").glob("*.html"))
    sizes = {p.name: p.stat().st_size for p in [courts / "index.html", *pages]}
    assert max(sizes.values()) < 2_000_000, max(sizes.items(), key=lambda kv: kv[1])
    regions = [p for p in pages if p.name.startswith("region-")]
    assert len(regions) == len(report["summary"]["per_region"])
    cards = sum(p.read_text(encoding="utf-8").count('<section class="body"') for p in pages)
    assert cards == 2311
    assert (courts / "pages" / "search.js").is_file()
    # `report DIR` renders the same site again from report.json
    again = cli("report", courts)
    assert again.returncode == 0 and again.stdout.strip().endswith("index.html")
    assert sorted(p.name for p in (courts / "pages").iterdir()) == sorted(
        [p.name for p in pages] + ["search.js"]
    )


@pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="Chromium and chromedriver are not installed (Debian packages chromium and "
    "chromium-driver; .ci/run installs them)",
)
def test_the_site_opens_from_disk_links_and_searches(courts):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium_driver()

    def russian_only() -> None:
        text = driver.execute_script(
            "var c = document.body.cloneNode(true);"
            "c.querySelectorAll('.mono, script, style').forEach(function (e) { e.remove(); });"
            "document.body.appendChild(c); var t = c.innerText; c.remove(); return t;"
        )
        text = re.sub(r"https?://\S+", " ", text)
        latin = set(re.findall(r"[A-Za-z][A-Za-z_.\-]+", text)) - LATIN_ALLOWED
        assert not latin, (driver.current_url, latin)

    try:
        driver.get((Path(courts) / "index.html").resolve().as_uri())
        russian_only()
        assert "Проверено органов" in driver.page_source
        driver.find_element(By.LINK_TEXT, "Тверская обл").click()
        assert driver.current_url.endswith(".html") and "/pages/region-" in driver.current_url
        russian_only()
        assert driver.find_element(By.TAG_NAME, "h1").text == "Тверская обл"
        driver.find_element(By.LINK_TEXT, "открыть").click()
        russian_only()
        rows = driver.find_elements(By.CSS_SELECTOR, "#bodies tbody tr")
        assert rows and all("Тверская" in r.text for r in rows)
        rows[0].find_element(By.TAG_NAME, "a").click()  # the row leads to its card
        assert driver.execute_script("return location.hash").startswith("#body-")
        # the search loads its index only when used, and leads to the card on its page
        assert driver.execute_script("return window.pagesAuditSearch === undefined")
        box = driver.find_element(By.ID, "search")
        box.send_keys("Кимрский городской")
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#found li a"))
        found = driver.find_elements(By.CSS_SELECTOR, "#found li a")
        assert [a.text for a in found] == ["Кимрский городской суд (Тверская область)"]
        found[0].click()
        target = driver.execute_script("return location.hash").removeprefix("#body-")
        card = driver.find_element(By.ID, f"body-{target}")
        assert "Кимрский городской суд" in card.text
        box = driver.find_element(By.ID, "search")
        box.send_keys("нет такого органа")
        WebDriverWait(driver, 10).until(
            lambda d: d.find_element(By.ID, "search-state").text == "Ничего не найдено"
        )
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
    finally:
        driver.quit()
