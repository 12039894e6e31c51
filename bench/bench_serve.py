"""`cubegen serve` latency on a small synthetic cube (not yet the issue's T1 M workload, and not yet
beside `xcube serve`): tile p50/p99 with 16 concurrent clients over random tiles of zoom 0–4
(EPSG:3857 and OGC:CRS84), and a point time series over all steps, from the time-series copy and
from the cube itself. Builds the cube (140 × 100, STEPS daily steps, pyramid tile 16) in WORKDIR.

usage: CUBEGEN_BIN_DIR=$(swift build -c release --show-bin-path) .venv-oracle/bin/python bench/bench_serve.py WORKDIR [STEPS]
"""
import json
import pathlib
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Tests" / "interop"))
from conftest import BIN  # noqa: E402
from test_pyramid import RECIPE, write_day  # noqa: E402


def serve(cube):
    process = subprocess.Popen([str(BIN / "cubegen"), "serve", str(cube), "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    return process, process.stdout.readline().split()[3].rstrip("/")


def timed(url, body=None):
    start = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=60) as response:
        response.read()
        assert response.status == 200
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

    process, url = serve(work / "pyr.zarr")
    try:
        rng = random.Random(15)
        tiles = []
        for _ in range(400):
            crs = rng.choice(["EPSG:3857", "OGC:CRS84"])
            z = rng.randint(0, 4)
            nx, ny = (1 << z, 1 << z) if crs == "EPSG:3857" else (2 << z, 1 << z)
            tiles.append(f"{url}/tiles/pyr/tas/{z}/{rng.randrange(ny)}/{rng.randrange(nx)}?crs={crs}&time=2020-01-0{rng.randint(1, 3)}")
        with ThreadPoolExecutor(16) as pool:
            latencies = sorted(pool.map(timed, tiles))
        p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
        print(f"tiles, 16 clients, {len(tiles)} random (first requests, uncached): p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        point = json.dumps({"type": "Point", "coordinates": [10.3, 5.1]}).encode()
        series = [timed(f"{url}/timeseries/pyr/tas", point) for _ in range(5)]
        print(f"{steps}-step point series from the copy: first {series[0]:.1f} ms, then median {statistics.median(series[1:]):.1f} ms")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    shutil.move(str(work / "pyr.ts.zarr"), str(work / "pyr.ts.zarr.off"))
    process, url = serve(work / "pyr.zarr")
    try:
        series = [timed(f"{url}/timeseries/pyr/tas", point) for _ in range(5)]
        print(f"{steps}-step point series from the cube:  first {series[0]:.1f} ms, then median {statistics.median(series[1:]):.1f} ms")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        shutil.move(str(work / "pyr.ts.zarr.off"), str(work / "pyr.ts.zarr"))


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 92)
