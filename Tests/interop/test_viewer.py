"""The xcube Viewer app (the built app shipped in the `xcube-core` wheel) served by `cubegen serve`
at /viewer/, first over plain HTTP, then driven in Debian's headless Chromium with Selenium.

`scripts/setup-viewer.sh` fetches the wheel from PyPI and extracts the app into the cache folder;
the server answers the app's `config/config.json` with its own URL, so the unmodified app talks
to it. In the browser: the dataset list shows the cube's title, the map's tile layer loads (the
map area holds pixels of the tiles' colour map, which the app's own chrome does not use), and a
click on the map in point mode fetches the point's time series and draws it as a chart. (The app
first asks for consent to its privacy notice; the test accepts it.)
Screenshots are kept in the test's temporary folder (printed on failure).

Chromium and its driver come from Debian (`scripts/test.sh` installs `chromium` and
`chromium-driver`); nothing downloads a browser. The browser test skips, saying so, only when
they are not installed.
"""
import base64
import io
import json
import os
import pathlib
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from PIL import Image

from conftest import BIN, ROOT
from test_pyramid import DAYS, build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def viewer_app(tmp_path_factory):
    """The app folder, installed by the setup script (kept in the user's cache between runs)."""
    result = subprocess.run([str(ROOT / "scripts" / "setup-viewer.sh")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    app = pathlib.Path(result.stdout.strip().splitlines()[-1])
    assert (app / "index.html").is_file() and (app / ".xcube-core-version").is_file()
    return app


def start(args, env=None):
    """A `cubegen serve` process, its base URL and its growing access log."""
    process = subprocess.Popen([str(BIN / "cubegen"), "serve", *map(str, args), "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    line = process.stdout.readline()
    assert line.startswith("serving "), line + process.stderr.read()
    viewer_line = process.stdout.readline()
    log = []
    threading.Thread(target=lambda: log.extend(process.stderr), daemon=True).start()
    return process, line.split()[3].rstrip("/"), viewer_line, log


def stop(process):
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0


@pytest.fixture(scope="module")
def served(tmp_path_factory, binaries, viewer_app):
    tmp = tmp_path_factory.mktemp("viewer")
    build(tmp, DAYS)
    process, url, viewer_line, log = start([tmp / "pyr.zarr", "--viewer", viewer_app])
    yield {"url": url, "tmp": tmp, "log": log, "app": viewer_app, "viewer_line": viewer_line}
    stop(process)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, follow=True):
    """(status, headers, bytes); 3xx/4xx/5xx do not raise."""
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_app_and_its_configuration_are_served(served):
    url, app = served["url"], served["app"]
    assert served["viewer_line"].startswith(f"xcube Viewer at {url}/viewer/")
    status, headers, _ = fetch(url + "/viewer?compact=1", follow=False)
    assert status == 302 and headers["Location"] == "/viewer/?compact=1"
    status, headers, page = fetch(url + "/viewer/")
    assert status == 200 and page == (app / "index.html").read_bytes()
    # Every asset index.html names, byte for byte, with a browser-usable content type.
    for reference in [part.split('"')[0] for part in page.decode().split('src="./')[1:] + page.decode().split('href="./')[1:]]:
        status, headers, body = fetch(f"{url}/viewer/{reference}")
        assert status == 200 and body == (app / reference).read_bytes(), reference
        if reference.endswith(".js"):
            assert "javascript" in headers["Content-Type"], (reference, headers["Content-Type"])
    # The configuration names the server by the address the client used (loopback here).
    status, headers, body = fetch(url + "/viewer/config/config.json")
    config = json.loads(body)
    assert status == 200 and config["server"]["url"] == url and config["branding"]["allowUserVariables"] is False
    localhost = url.replace("127.0.0.1", "localhost")
    assert json.loads(fetch(localhost + "/viewer/config/config.json")[2])["server"]["url"] == localhost
    # Branding images looked up beside the configuration are the app's own.
    status, _, logo = fetch(url + "/viewer/config/images/logo.png")
    assert status == 200 and logo == (app / "images" / "logo.png").read_bytes()
    # The optional endpoints the app calls answer as xcube Server does without those features.
    assert fetch(url + "/viewer/state?key=sentinel")[0] == 501
    status, _, body = fetch(url + "/expressions/capabilities")
    assert status == 200 and "namespace" in json.loads(body)
    # Nothing outside the app folder.
    for bad in ("/viewer/..%2f..%2fetc%2fpasswd", "/viewer/%2e%2e/%2e%2e/etc/passwd", "/viewer/config/..%2f..%2fetc%2fpasswd",
                "/viewer/nothing-here.js"):
        status, _, body = fetch(url + bad)
        assert 400 <= status < 500 and b"root:" not in body, (bad, status, body[:200])


def test_the_server_works_without_the_app_and_a_wrong_folder_is_one_line_error(served, tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "empty-cache"), "CUBEGEN_VIEWER_DIR": ""}
    process, url, viewer_line, _ = start([served["tmp"] / "pyr.zarr"], env=env)
    try:
        assert "setup-viewer.sh" in viewer_line
        status, headers, body = fetch(url + "/viewer/")
        assert status == 404 and headers["Content-Type"] == "application/json"
        assert "setup-viewer.sh" in json.loads(body)["error"]["message"]
        assert fetch(url + "/datasets")[0] == 200
    finally:
        stop(process)
    # CUBEGEN_VIEWER_DIR names the app as --viewer does.
    process, url, viewer_line, _ = start([served["tmp"] / "pyr.zarr"], env={**env, "CUBEGEN_VIEWER_DIR": str(served["app"])})
    try:
        assert viewer_line.startswith(f"xcube Viewer at {url}/viewer/") and fetch(url + "/viewer/")[0] == 200
    finally:
        stop(process)
    result = subprocess.run([str(BIN / "cubegen"), "serve", str(served["tmp"] / "pyr.zarr"), "--viewer", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and len(lines) == 1 and str(tmp_path) in lines[0] and "index.html" in lines[0], result.stderr


def viridis(url):
    """The server's viridis colour bar (256 colours), as RGB."""
    groups = json.loads(fetch(url + "/colorbars")[2])
    png = dict(entry for group in groups for entry in group[2])["viridis"]
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(png))).convert("RGB"))[0].astype(int)


def colour_map_share(image, colours, tolerance=6):
    """The share of the image's pixels within `tolerance` (per channel) of one of `colours`."""
    pixels = np.asarray(image.convert("RGB")).reshape(-1, 3).astype(int)
    sample = pixels[:: max(1, len(pixels) // 40000)]
    near = np.zeros(len(sample), bool)
    for start in range(0, len(colours), 32):
        d = np.abs(sample[:, None, :] - colours[None, start:start + 32, :]).max(axis=2)
        near |= (d <= tolerance).any(axis=1)
    return near.mean()


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def log_lines(served, prefix):
    return [line for line in list(served["log"]) if line.startswith(prefix)]


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                    reason="Debian's chromium and chromium-driver are not installed (scripts/test.sh installs them with apt-get)")
def test_the_viewer_in_headless_chromium_shows_the_cube_its_tiles_and_a_time_series(served, tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is missing from the oracle venv (scripts/setup-oracle.sh installs it)")
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not fetch drivers or browsers
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900",
                     "--use-gl=swiftshader", "--enable-unsafe-swiftshader", "--no-first-run", "--disable-extensions",
                     f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    shots = tmp_path / "screenshots"
    shots.mkdir()
    url = served["url"]
    try:
        driver.set_page_load_timeout(60)
        driver.get(url + "/viewer/")
        # The app asks for consent to its privacy notice before it connects to the server.
        wait_for(lambda: driver.find_elements(By.XPATH, "//button[contains(., 'Accept and continue')]"), 30, "the privacy notice")[0].click()
        # The dataset list shows the cube (the app picks the first dataset and variable).
        wait_for(lambda: "Pyramid test cube" in driver.find_element(By.TAG_NAME, "body").text, 30, "the dataset title on the page")
        # The tile layer loads: tiles answered, then the map area holds colours of the colour map.
        wait_for(lambda: any(" 200 " in line for line in log_lines(served, "GET /tiles/pyr/")), 30, "tile requests")
        map_element = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".ol-viewport"), 10, "the map")[0]
        colours = viridis(url)

        def map_share():
            driver.save_screenshot(str(shots / "map.png"))
            image = Image.open(shots / "map.png")
            r = map_element.rect
            scale = image.width / driver.execute_script("return window.innerWidth")
            box = [int(v * scale) for v in (r["x"], r["y"], r["x"] + r["width"], r["y"] + r["height"])]
            return colour_map_share(image.crop(box), colours) > 0.02

        wait_for(map_share, 20, "tiles drawn in the map (viridis pixels in the map area)")
        # A click in point mode yields a time series at that point, drawn as a chart.
        point_button = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "button[value='Point']"), 10,
                                "the point tool")[0]
        point_button.click()
        before = len(log_lines(served, "POST /timeseries/pyr/"))
        ActionChains(driver).move_to_element_with_offset(map_element, 0, 0).click().perform()
        wait_for(lambda: len(log_lines(served, "POST /timeseries/pyr/")) > before, 30, "a time-series request")
        assert any(" 200 " in line for line in log_lines(served, "POST /timeseries/pyr/")), log_lines(served, "POST /timeseries/")
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".recharts-surface .recharts-line, .recharts-surface path.recharts-curve"),
                 20, "a time-series chart")
        driver.save_screenshot(str(shots / "timeseries.png"))
    except BaseException:
        driver.save_screenshot(str(shots / "failure.png"))
        console = "\n".join(entry["message"] for entry in driver.get_log("browser"))
        print(f"screenshots in {shots}\nbrowser console:\n{console}\nserver log:\n{''.join(served['log'][-40:])}")
        raise
    finally:
        driver.quit()
