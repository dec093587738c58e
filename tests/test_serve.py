"""The local page of ``outpaint serve``: its API on generated photos, and the page itself in a
real headless Chromium (Selenium), uploading, painting and downloading as a user would."""

import io
import os
import shutil
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from outpaint_lib.inference import Outpainter  # noqa: E402
from outpaint_lib.web.app import create_app  # noqa: E402
from outpaint_lib.web.jobs import FOLDER_PREFIX, IN_USE, PaintQueue  # noqa: E402
from support import encode, free_ports, smooth_image  # noqa: E402


def _png(image: np.ndarray) -> bytes:
    return encode(Image.fromarray(image), "PNG")


@pytest.fixture(scope="module")
def painter(every_side_checkpoint):
    return Outpainter.load(every_side_checkpoint, precision="float32")


@pytest.fixture
def client(painter):
    with TestClient(create_app(painter, max_upload_bytes=200_000)) as client:
        yield client


def _wait(client, number: int) -> dict:
    for _ in range(600):
        job = client.get(f"/api/jobs/{number}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError("the job never finished")


def test_the_page_paints_an_upload_to_16_9_around_the_photos_own_pixels(client):
    photo = smooth_image(36, 48, seed=2)
    planned = client.post("/api/plan", data=dict(width=48, height=36, kind="aspect", value="16:9")).json()
    assert planned == {"final_size": [64, 36], "photo_position": [8, 0], "rounds": 1}
    job = client.post("/api/paint", files={"photo": ("beach.png", _png(photo), "image/png")},
                      data=dict(kind="aspect", value="16:9", blend="false")).json()
    assert _wait(client, job["id"])["state"] == "done"
    response = client.get(f"/api/jobs/{job['id']}/result.png")
    assert "beach-outpainted.png" in response.headers["content-disposition"]
    result = np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"))
    assert result.shape == (36, 64, 3)
    np.testing.assert_array_equal(result[:, 8:56], photo)
    assert [listed["id"] for listed in client.get("/api/jobs").json()] == [job["id"]]


def test_every_mistake_is_one_line(client):
    def error(response):
        assert response.status_code == 400, response.text
        line = response.json()["error"]
        assert "\n" not in line and "Traceback" not in line
        return line

    def paint(upload, value="16:9"):
        return client.post("/api/paint", files={"photo": upload}, data=dict(kind="aspect", value=value))

    assert "notes.txt" in error(paint(("notes.txt", b"not an image", "text/plain")))
    assert "limit" in error(paint(("big.png", b"\0" * 230_000, "image/png")))  # over 200,000 bytes, read
    refused = paint(("huge.png", b"\0" * 400_000, "image/png"))  # refused by its length, unread
    assert refused.status_code == 413 and "limit" in refused.json()["error"]
    assert "already" in error(paint(("square.png", _png(smooth_image(40, 40)), "image/png"), "1:1"))
    assert "whole number" in error(client.post("/api/plan", data=dict(width=40, height=40, kind="width", value="x")))
    assert "at least 8 x 8" in error(client.post("/api/plan", data=dict(width=10, height=0, kind="times", value="1")))
    assert "no photo 7" in error(client.get("/api/jobs/7"))


def test_concurrent_uploads_queue_and_the_folder_is_removed_on_close(painter):
    with TestClient(create_app(painter)) as client:
        upload = ("photo.png", _png(smooth_image(32, 40, seed=1)), "image/png")
        numbers = [client.post("/api/paint", files={"photo": upload}, data=dict(kind="times", value="2")).json()["id"]
                   for _ in range(3)]
        assert [_wait(client, number)["state"] for number in numbers] == ["done"] * 3
        folder = Path(client.app.state.paint_queue.folder)
        assert sorted(path.name for path in folder.iterdir()) == sorted(
            [IN_USE] + [f"{n}.png" for n in numbers] + [f"{n}-painted.png" for n in numbers])
    assert not folder.exists()


def test_a_killed_servers_folder_is_removed_by_the_next_server_and_no_other(painter, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    running = PaintQueue(painter)
    killed = tmp_path / f"{FOLDER_PREFIX}killed"  # as a server killed mid-job leaves it: nobody holds its lock
    killed.mkdir()
    (killed / IN_USE).touch()
    (killed / "1.png").write_bytes(_png(smooth_image(8, 8)))
    stranger = tmp_path / f"{FOLDER_PREFIX}stranger"  # no lock file: not a server's folder, not ours to remove
    stranger.mkdir()
    starting = PaintQueue(painter)
    try:
        assert not killed.exists() and stranger.exists()
        assert running.folder.exists() and starting.folder.exists()  # both servers' lock is held
    finally:
        running.close()
        starting.close()
    assert not running.folder.exists() and not starting.folder.exists()


# The page in a browser.
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def served(painter):
    import uvicorn

    port = free_ports(1)[0]
    server = uvicorn.Server(uvicorn.Config(create_app(painter), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser():
    if CHROMEDRIVER is None:
        pytest.skip("no chromedriver: apt-get install chromium chromium-driver (.ci/run does)")
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1000"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    yield driver
    driver.quit()


def test_in_a_browser_a_photo_is_painted_to_16_9_and_downloaded(served, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    photo = smooth_image(60, 80, seed=3)
    path = tmp_path / "beach.png"
    Image.fromarray(photo).save(path)
    browser.get(served)
    browser.find_element(By.ID, "file").send_keys(str(path))
    Select(browser.find_element(By.ID, "kind")).select_by_visible_text("16:9")
    WebDriverWait(browser, 30).until(lambda driver: driver.find_element(By.ID, "preview").is_displayed())
    browser.find_element(By.ID, "blend").click()  # the photo's own pixels, bit for bit
    browser.find_element(By.ID, "paint").click()
    link = WebDriverWait(browser, 120).until(lambda driver: driver.find_element(By.ID, "download").is_displayed()
                                             and driver.find_element(By.ID, "download"))
    WebDriverWait(browser, 30).until(lambda driver: driver.execute_script(
        "return document.getElementById('after').complete && document.getElementById('after').naturalWidth > 0"))
    with urllib.request.urlopen(link.get_attribute("href")) as response:
        result = np.asarray(Image.open(io.BytesIO(response.read())).convert("RGB"))
    assert result.shape == (60, 107, 3)
    left = (107 - 80) // 2
    np.testing.assert_array_equal(result[:, left : left + 80], photo)
    assert "beach.png" in browser.find_element(By.ID, "session").text
    browser.save_screenshot(os.environ.get("OUTPAINT_SCREENSHOT", str(tmp_path / "page.png")))


def test_in_a_browser_a_text_file_gives_one_line_of_error(served, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    path = tmp_path / "notes.txt"
    path.write_text("not a photo")
    browser.get(served)
    browser.find_element(By.ID, "file").send_keys(str(path))
    browser.find_element(By.ID, "paint").click()
    line = WebDriverWait(browser, 30).until(lambda driver: driver.find_element(By.ID, "error").text)
    assert line == "notes.txt: not a recognised image format"


def test_serve_says_its_address_and_warns_when_others_can_reach_it(checkpoint):
    import subprocess
    import sys

    port = free_ports(1)[0]
    command = [sys.executable, "-m", "outpaint_lib", "serve", "--host", "0.0.0.0", "--port", str(port),
               "--checkpoint", str(checkpoint)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
                    assert b"outpaint" in response.read()
                break
            except OSError:
                time.sleep(0.05)
    finally:
        process.terminate()
        output, errors = process.communicate(timeout=30)
    assert f"http://0.0.0.0:{port}/" in output
    assert "warning: listening on 0.0.0.0: anyone who can reach this machine can use the page" in errors
