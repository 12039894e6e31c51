"""`POST /statistics` of `cubegen serve` beside `xcube serve` on the same cube: latency (p50/p99 of
sequential requests, after one warm-up) of a polygon's statistics at one time step, and the two
answers side by side (count, minimum, maximum, mean, deviation, histogram bins).

The cube is test_pyramid.py's (140 × 100 at 0.5°, STEPS daily steps, pyramid tile 16), built in
WORKDIR; xcube serves its pyramid (`pyr.levels`, level 0 linked to the cube) from the oracle venv
(`python -m xcube.cli.main serve`), as bench_serve.py does.

usage: CUBEGEN_BIN_DIR=$(swift build -c release --show-bin-path) .venv-oracle/bin/python bench/bench_statistics.py WORKDIR [STEPS] [N]
"""
import json
import pathlib
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Tests" / "interop"))
from bench_serve import serve, xcube_serve  # noqa: E402
from conftest import BIN  # noqa: E402
from test_pyramid import RECIPE, write_day  # noqa: E402

# Edges between pixel centres (0.5° grid, centres at .25/.75), so no centre sits near an edge.
RING = [[0.1, 0.1], [20.1, 0.1], [20.1, 14.9], [9.1, 24.9], [0.1, 14.9], [0.1, 0.1]]


def post(url, path, body):
    request = urllib.request.Request(url + path, data=body, method="POST", headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        data = response.read()
    return (time.perf_counter() - start) * 1000, json.loads(data)["result"]


def main(work, steps, n):
    work.mkdir(parents=True, exist_ok=True)
    for k in range(steps):
        path = work / f"in_{7305 + k}.nc"
        if not path.exists():
            write_day(path, 7305.0 + k)
    (work / "pyr.yaml").write_text(RECIPE.format(pyramid="{tile: 16}") + "  overwrite: true\n")
    shutil.rmtree(work / "pyr.levels", ignore_errors=True)
    subprocess.run([str(BIN / "cubegen"), "run", str(work / "pyr.yaml")], check=True, capture_output=True)
    body = json.dumps({"type": "Polygon", "coordinates": [RING]}).encode()
    path = "/statistics/pyr/tas?time=2020-01-02"
    servers = {"cubegen": serve(work / "pyr.zarr")}
    xcube, why = xcube_serve(work)
    if xcube is None:
        print(f"xcube serve: not measured ({why})")
    else:
        servers["xcube"] = (xcube, why)
    answers, medians = {}, {}
    try:
        for name, (process, url) in servers.items():
            post(url, path, body)  # warm-up: opening the cube, first chunk reads
            times = []
            for _ in range(n):
                ms, answers[name] = post(url, path, body)
                times.append(ms)
            times.sort()
            medians[name] = statistics.median(times)
            print(f"{name:8s} POST /statistics polygon ({answers[name]['count']} pixels): "
                  f"p50 {medians[name]:.2f} ms, p99 {times[min(n - 1, int(0.99 * n))]:.2f} ms over {n}")
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=30)
    if "xcube" in medians:
        print(f"ratio cubegen/xcube p50: {medians['cubegen'] / medians['xcube']:.3f}")
        mine, theirs = answers["cubegen"], answers["xcube"]
        for key in ("count", "minimum", "maximum", "mean", "deviation"):
            print(f"  {key:9s} cubegen {mine[key]!r:24} xcube {theirs[key]!r}")
        bins = sum(abs(a - b) <= 1e-9 * max(1, abs(b)) for a, b in zip(mine["histogram"]["values"], theirs["histogram"]["values"]))
        print(f"  histogram: {bins} of {len(theirs['histogram']['values'])} bins equal")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3, int(sys.argv[3]) if len(sys.argv) > 3 else 50)
