"""`cubegen serve` beside `xcube serve` on the same small synthetic cube (not yet the issue's T1 M
workload): tile p50/p99 with 16 concurrent clients over the same 400 random tiles of zoom 0–4
(EPSG:3857 and OGC:CRS84), and a STEPS-step point time series. Builds the cube (140 × 100, STEPS
daily steps, pyramid tile 16, time-series copy) in WORKDIR.

xcube serves the same pyramid (`pyr.levels`, its own multi-level format, level 0 linked to the
cube), so both draw tiles from the same stored levels; its series read the cube (it has no notion
of the copy), cubegen's are timed from the copy and from the cube. xcube runs from the oracle venv
(`python -m xcube.cli.main serve`) with its server's requirements installed there by
scripts/bench.sh; without them its column says so and cubegen's numbers still print.

usage: CUBEGEN_BIN_DIR=$(swift build -c release --show-bin-path) .venv-oracle/bin/python bench/bench_serve.py WORKDIR [STEPS]
"""
import json
import os
import pathlib
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Tests" / "interop"))
from conftest import BIN  # noqa: E402
from test_pyramid import RECIPE, write_day  # noqa: E402


def serve(cube):
    process = subprocess.Popen([str(BIN / "cubegen"), "serve", str(cube), "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    return process, process.stdout.readline().split()[3].rstrip("/")


def xcube_serve(work):
    """`xcube serve` of pyr.levels on a free port, once it answers; (process, url) or (None, why)."""
    (work / "xcube.yaml").write_text(
        "Datasets:\n  - Identifier: pyr\n    Title: Pyramid test cube\n    FileSystem: file\n"
        f"    Path: {work / 'pyr.levels'}\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(work / "xcube-serve.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "xcube.cli.main", "serve", "--port", str(port), "--address", "127.0.0.1",
                                "-c", str(work / "xcube.yaml")], stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None, f"xcube serve exited ({process.returncode}); see {work / 'xcube-serve.log'}"
        try:
            with urllib.request.urlopen(url + "/datasets", timeout=5) as response:
                if response.status == 200:
                    return process, url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    process.kill()
    return None, "xcube serve did not answer within 120 s"


def tile_latencies(url, tiles):
    """p50, p99 (ms) of `tiles` (paths) fetched by 16 concurrent clients."""
    with ThreadPoolExecutor(16) as pool:
        latencies = sorted(pool.map(timed, [url + path for path in tiles]))
    return latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]


def series_latencies(url, body):
    """first and median-of-the-next-4 (ms) of a point series."""
    series = [timed(f"{url}/timeseries/pyr/tas", body) for _ in range(5)]
    return series[0], statistics.median(series[1:])


FAILED = []


def timed(url, body=None):
    """Milliseconds to the whole answer; a non-200 answer is timed too and noted in FAILED."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    if status != 200:
        FAILED.append((status, url))
    return (time.perf_counter() - start) * 1000


def main(work, steps):
    work.mkdir(parents=True, exist_ok=True)
    for k in range(steps):
        path = work / f"in_{7305 + k}.nc"
        if not path.exists():
            write_day(path, 7305.0 + k)
    text = RECIPE.format(pyramid="{tile: 16}") + "  timeseries: {chunks: {time: 512, y: 32, x: 32}}\n  overwrite: true\n"
    (work / "pyr.yaml").write_text(text)
    start = time.perf_counter()
    subprocess.run([str(BIN / "cubegen"), "run", str(work / "pyr.yaml"), "--force"], check=True, capture_output=True)
    print(f"run with pyramid and time-series copy: {time.perf_counter() - start:.2f} s")
    (work / "plain.yaml").write_text(RECIPE.format(pyramid="false").replace("pyr.zarr", "plain.zarr") + "  overwrite: true\n")
    start = time.perf_counter()
    subprocess.run([str(BIN / "cubegen"), "run", str(work / "plain.yaml"), "--force"], check=True, capture_output=True)
    print(f"run without them:                    {time.perf_counter() - start:.2f} s")

    rng = random.Random(15)
    tiles = []
    for _ in range(400):
        crs = rng.choice(["EPSG:3857", "OGC:CRS84"])
        z = rng.randint(0, 4)
        nx, ny = (1 << z, 1 << z) if crs == "EPSG:3857" else (2 << z, 1 << z)
        tiles.append(f"/tiles/pyr/tas/{z}/{rng.randrange(ny)}/{rng.randrange(nx)}?crs={crs}&time=2020-01-0{rng.randint(1, 3)}"
                     "&vmin=240&vmax=300&cmap=viridis")
    point = json.dumps({"type": "Point", "coordinates": [10.3, 5.1]}).encode()
    results = {}
    process, url = serve(work / "pyr.zarr")
    try:
        results["cubegen"] = {"tiles": tile_latencies(url, tiles), "copy": series_latencies(url, point)}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    shutil.move(str(work / "pyr.ts.zarr"), str(work / "pyr.ts.zarr.off"))
    process, url = serve(work / "pyr.zarr")
    try:
        results["cubegen"]["cube"] = series_latencies(url, point)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        shutil.move(str(work / "pyr.ts.zarr.off"), str(work / "pyr.ts.zarr"))
    process, url = xcube_serve(work)
    if process is None:
        print(f"xcube serve: not measured: {url}")
    else:
        try:
            results["xcube"] = {"tiles": tile_latencies(url, tiles), "cube": series_latencies(url, point)}
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def cell(server, key, index):
        value = results.get(server, {}).get(key)
        return f"{value[index]:9.1f}" if value else f"{'—':>9}"

    print(f"{'':42} {'cubegen':>9} {'xcube':>9}")
    print(f"{'tiles, 16 clients, 400 random, p50 (ms)':42} {cell('cubegen', 'tiles', 0)} {cell('xcube', 'tiles', 0)}")
    print(f"{'tiles, 16 clients, 400 random, p99 (ms)':42} {cell('cubegen', 'tiles', 1)} {cell('xcube', 'tiles', 1)}")
    print(f"{f'{steps}-step point series, copy, first (ms)':42} {cell('cubegen', 'copy', 0)} {'—':>9}")
    print(f"{f'{steps}-step point series, copy, then (ms)':42} {cell('cubegen', 'copy', 1)} {'—':>9}")
    print(f"{f'{steps}-step point series, cube, first (ms)':42} {cell('cubegen', 'cube', 0)} {cell('xcube', 'cube', 0)}")
    print(f"{f'{steps}-step point series, cube, then (ms)':42} {cell('cubegen', 'cube', 1)} {cell('xcube', 'cube', 1)}")
    if FAILED:
        print(f"{len(FAILED)} answers were not 200, e.g. {FAILED[:3]}")
    if "xcube" in results:
        ratio = results["xcube"]["tiles"][1] / results["cubegen"]["tiles"][1]
        print(f"p99 tile: xcube / cubegen = {ratio:.1f} (goal ≥ 5)")

if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 92)
