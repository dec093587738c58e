"""The README's picture of the page: `outpaint serve` with the shipped model, the photo beside
this script painted to 16:9, seen in headless Chromium (Debian's `chromium` and
`chromium-driver`, driven by Selenium, as the page's tests are).

    python docs/images/serve_page.py
"""

import io
import shutil
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

FOLDER = Path(__file__).resolve().parent
sys.path.insert(0, str(FOLDER.parents[1]))  # the repository, for the benchmark's server
from benchmarks.serve import running_server  # noqa: E402


def main() -> None:
    with running_server() as (address, _, _):
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1000"):
            options.add_argument(argument)
        browser = webdriver.Chrome(options=options, service=webdriver.ChromeService(shutil.which("chromedriver")))
        try:
            browser.get(address)
            browser.find_element(By.ID, "file").send_keys(str(FOLDER / "picos_de_europa.jpg"))
            Select(browser.find_element(By.ID, "kind")).select_by_visible_text("16:9")
            browser.find_element(By.ID, "paint").click()
            WebDriverWait(browser, 120).until(lambda driver: driver.find_element(By.ID, "download").is_displayed())
            WebDriverWait(browser, 30).until(
                lambda driver: driver.execute_script("return document.getElementById('after').naturalWidth > 0")
            )
            screenshot = browser.get_screenshot_as_png()
        finally:
            browser.quit()
    page = np.asarray(Image.open(io.BytesIO(screenshot)).convert("RGB"))
    inked = page.min(axis=2) < 250  # the window's blank right and bottom are left out
    bottom, right = (np.flatnonzero(inked.any(axis=axis)).max() + 24 for axis in (1, 0))
    page = page[:bottom, :right]
    # Chroma at full resolution (4:4:4) keeps the page's text sharp.
    Image.fromarray(page).save(FOLDER / "serve_page.jpg", quality=90, subsampling=0, optimize=True)
    print(f"{FOLDER / 'serve_page.jpg'}: {page.shape[1]} x {page.shape[0]}")


if __name__ == "__main__":
    main()
