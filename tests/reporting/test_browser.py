"""The vetting pages and report.html in a real browser: headless Chromium driven by Selenium.

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install -y chromium chromium-driver``) and the
``selenium`` package (dev extra); skips with a reason where any is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed (pip install selenium)"
    )
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.skip("chromium / chromedriver not found (apt-get install -y chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    yield driver
    driver.quit()


def _open(driver, path: Path) -> None:
    driver.get(path.resolve().as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe
    sizes = driver.execute_script(
        "return Array.from(document.images).map(i => [i.alt, i.complete ? i.naturalWidth : 0])"
    )
    assert all(w > 0 for _, w in sizes), [a for a, w in sizes if w <= 0]


def test_index_sorts_and_sheet_images_load(browser, vet_pages: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, vet_pages / "index.html")

    def first_column():
        return [
            r.find_elements(By.TAG_NAME, "td")[0].text
            for r in browser.find_elements(By.CSS_SELECTOR, "#candidates tbody tr")
        ]

    before = first_column()
    assert sorted(before) == ["K00002.01", "K00752.01"]
    header = browser.find_elements(By.CSS_SELECTOR, "#candidates th")[0]
    header.click()
    once = first_column()
    header.click()
    twice = first_column()
    assert once == sorted(before) and twice == sorted(before, reverse=True)  # clicking reorders the rows
    browser.find_element(By.ID, "filter").send_keys("752")
    shown = [r for r in browser.find_elements(By.CSS_SELECTOR, "#candidates tbody tr") if r.is_displayed()]
    assert len(shown) == 1
    _open(browser, vet_pages / "K00752.01.html")
    assert len(browser.find_elements(By.TAG_NAME, "img")) >= 8


def test_report_opens_in_browser(browser, tmp_path: Path) -> None:
    from exomesa.evaluation.metrics import evaluate
    from exomesa.jobs.test import save_figure, write_report
    from exomesa.reporting import plots

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 10)
    p = rng.dirichlet([1, 1, 1], size=30)
    results = evaluate(y, p, proba_uncalibrated=p, temperature=1.2)
    fig = save_figure(
        plots.plot_confusion_matrix(results["classification"]["confusion_matrix"]),
        tmp_path / "confusion_matrix.png",
    )
    page = write_report(
        tmp_path / "report.html", results, {"confusion_matrix": fig}, {"lightcurve_sources": {"rendered": 30}}
    )
    _open(browser, page)


def test_training_column_and_majority_baseline_are_visible(browser, vet_pages: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from exomesa.evaluation.metrics import evaluate
    from exomesa.jobs.test import write_report

    _open(browser, vet_pages / "index.html")
    heads = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#candidates th")]
    col = heads.index("Training row")
    cells = [
        r.find_elements(By.TAG_NAME, "td")[col].text
        for r in browser.find_elements(By.CSS_SELECTOR, "#candidates tbody tr")
    ]
    assert cells == ["no", "no"]  # neither README example is a training row of the tiny model
    _open(browser, vet_pages / "K00752.01.html")
    assert browser.find_element(By.ID, "training-row").text == "Not a training row of this model."

    y = np.array([1] * 7 + [0] * 2 + [2])
    results = evaluate(y, np.eye(3)[y] * 0.8 + 0.2 / 3)
    _open(browser, write_report(tmp_path / "report.html", results, {}, {}, candidates="TOIs"))
    summary = browser.find_element(By.CSS_SELECTOR, "#summary + table")
    assert [th.text for th in summary.find_elements(By.TAG_NAME, "th")] == [
        "Metric",
        "Model",
        "Always CANDIDATE",
    ]
    first = [
        td.text
        for td in summary.find_elements(By.CSS_SELECTOR, "tbody tr")[1].find_elements(By.TAG_NAME, "td")
    ]
    assert first == ["Accuracy", "1.000", "0.700"]
    assert browser.find_element(By.ID, "majority-baseline").is_displayed()
    assert "Test TOIs" in browser.find_element(By.TAG_NAME, "body").text
