"""The page in a real browser (headless Chromium from Debian, driven by Selenium): a typed
sentence and an uploaded espeak-ng clip are scored, and the page shows the service's score, the
words coloured by their shifts, the alignment and the heatmaps; a bundle's page scores by
``/predict`` and ``/clip``.

Screenshots of both are taken (``screenshot``); with ``SHIFTMSA_SCREENSHOTS=1`` they are written to
docs/figures/serve_*.png, as committed, else to the test's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from serve_helpers import SPOKEN

FIGURES = Path(__file__).resolve().parents[2] / "docs" / "figures"
SENTENCE = "what a wonderful film with a dull ending"


def browser():
    """Headless Chromium from the system's packages, or a skip saying what is missing."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install -e '.[test]'")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip("no Chromium and chromedriver (Debian: apt-get install -y chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1500", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    try:
        return webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver_path))
    except Exception as error:  # noqa: BLE001 (a browser that will not start: say why and skip)
        pytest.skip(f"Chromium did not start: {' '.join(str(error).split())[:200]}")


@pytest.fixture(scope="module")
def driver():
    chrome = browser()
    yield chrome
    chrome.quit()


@contextmanager
def served(scorer):
    """The service around ``scorer`` on a free loopback port, in a thread; yields its URL."""
    import uvicorn

    from shiftmsa.serve.app import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(scorer), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def screenshot(driver, name: str, folder: Path) -> Path:
    """The whole page as ``serve_<name>.png`` in docs/figures (``SHIFTMSA_SCREENSHOTS=1``) or ``folder``."""
    target = (FIGURES if os.environ.get("SHIFTMSA_SCREENSHOTS") == "1" else folder) / f"serve_{name}.png"
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False})
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        assert driver.save_screenshot(str(target))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return target


def wait_for(driver, condition, seconds: float = 120.0):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: condition(d))


def submit(driver, url: str, text: str, clip: Path | None = None) -> float:
    """Load the page, give it ``text`` (and ``clip``), press Score; the score the page shows."""
    from selenium.webdriver.common.by import By

    driver.get(url)
    wait_for(driver, lambda d: d.find_element(By.ID, "card-fields").text)
    if clip is not None:
        driver.find_element(By.ID, "clip").send_keys(str(clip))
        assert clip.name in driver.find_element(By.ID, "clip-name").text
    driver.find_element(By.ID, "text").send_keys(text)
    driver.find_element(By.ID, "score-button").click()
    shown = wait_for(driver, lambda d: d.find_element(By.ID, "score").get_attribute("data-score")
                     or (d.find_element(By.ID, "error").is_displayed() and d.find_element(By.ID, "error").text))
    assert not driver.find_element(By.ID, "error").is_displayed(), shown
    return float(shown)


def chips(driver, modality: str) -> list[tuple[str, float, str]]:
    """(word, data-shift, computed background colour) of the word chips of one gate."""
    from selenium.webdriver.common.by import By

    return [(chip.text, float(chip.get_attribute("data-shift")), chip.value_of_css_property("background-color"))
            for chip in driver.find_elements(By.CSS_SELECTOR, f"#shifts span.word[data-modality={modality}]")]


def test_a_typed_sentence_is_scored_on_the_page(driver, scorer_of, text_checkpoint, tmp_path):
    import httpx
    from selenium.webdriver.common.by import By

    with served(scorer_of(text_checkpoint)) as url:
        shown = submit(driver, url, SENTENCE)
        expected = httpx.post(f"{url}/explain", json={"text": SENTENCE}, timeout=60).json()
        assert shown == pytest.approx(expected["score"], abs=1e-6)
        assert driver.find_element(By.ID, "score").text == f"{expected['score']:+.3f}"
        # text-only shifts nothing: the words are listed plain, and the page says why
        assert [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#shifts span.word")] == SENTENCE.split()
        assert "no per-word shifts" in driver.find_element(By.ID, "shift-note").text
        canvas = driver.find_element(By.CSS_SELECTOR, "#attention canvas")
        assert int(canvas.get_attribute("data-size")) == len(expected["figures"]["attention"]["tokens"])
        assert "acc2_non0" in driver.find_element(By.ID, "metrics").text and "0.7500" in driver.find_element(
            By.ID, "metrics").text
        screenshot(driver, "sentence", tmp_path)


def test_an_uploaded_clip_is_scored_with_its_reasons_on_the_page(driver, scorer_of, clip_checkpoint, spoken_clip,
                                                                  tmp_path):
    import httpx
    from selenium.webdriver.common.by import By

    with served(scorer_of(clip_checkpoint)) as url:
        shown = submit(driver, url, SPOKEN, clip=spoken_clip)
        expected = httpx.post(f"{url}/explain", files={"clip": (spoken_clip.name, spoken_clip.read_bytes())},
                              data={"transcript": SPOKEN}, timeout=120).json()
    assert shown == pytest.approx(expected["score"], abs=1e-6)
    shifts = expected["figures"]["shifts"]
    largest = max(max(values) for values in shifts["arrays"].values())
    for modality in ("text", "acoustic"):
        shown_chips = chips(driver, modality)
        assert [word for word, _, _ in shown_chips] == SPOKEN.split()
        for (_, value, colour), expected_value in zip(shown_chips, shifts["arrays"][f"shift/{modality}"]):
            assert value == pytest.approx(expected_value, rel=1e-6)
            alpha = float(colour.rstrip(")").split(",")[3]) if colour.startswith("rgba") else 1.0
            # the darker, the larger: alpha is the shift over the largest (in 1/255s, read to 2 decimals)
            assert alpha == pytest.approx(value / largest, abs=6e-3)
    rows = driver.find_elements(By.CSS_SELECTOR, "#alignment tr")
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows[1:]] == SPOKEN.split()
    assert all(r.find_elements(By.TAG_NAME, "td")[3].text == "aligner" for r in rows[1:])
    assert len(driver.find_elements(By.CSS_SELECTOR, "#p-att canvas")) == 1
    screenshot(driver, "clip", tmp_path)


def test_a_bundle_s_page_scores_with_predict_and_clip(driver, scorer_of, text_bundle, clip_bundle, spoken_clip):
    import httpx
    from selenium.webdriver.common.by import By

    with served(scorer_of(text_bundle)) as url:
        shown = submit(driver, url, SENTENCE)
        [expected] = httpx.post(f"{url}/predict", json=[{"text": SENTENCE}], timeout=60).json()
        assert shown == pytest.approx(expected["score"], abs=1e-6)
        assert driver.find_element(By.ID, "status").text == "Scored by /predict."
        assert "bundle" in driver.find_element(By.ID, "card-fields").text
    with served(scorer_of(clip_bundle)) as url:
        shown = submit(driver, url, SPOKEN, clip=spoken_clip)
        expected = httpx.post(f"{url}/clip", files={"clip": (spoken_clip.name, spoken_clip.read_bytes())},
                              data={"transcript": SPOKEN}, timeout=120).json()
    assert shown == pytest.approx(expected["score"], abs=1e-6)
    assert driver.find_element(By.ID, "status").text == "Scored by /clip."
    text_chips = chips(driver, "text")
    assert [word for word, _, _ in text_chips] == [w["word"] for w in expected["words"]]
    assert [value for _, value, _ in text_chips] == pytest.approx([w["text_shift"] for w in expected["words"]])
    assert chips(driver, "acoustic") == []  # a bundle keeps MSG-T's shift only
