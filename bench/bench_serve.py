"""Issue 15's benchmark on the T1 M workload: `cubegen serve` beside `xcube serve` on the same cube and
pyramid, and what the pyramid and the time-series copy add to the run.

1. Runs T1 (bench/t1.yaml.in on INPUTS) RUNS times each, interleaved, without and with
   `pyramid: {levels: auto, tile: 256}` + `timeseries: {chunks: {time: 512, y: 32, x: 32}}`:
   wall time and peak RSS (`/usr/bin/time`), the median of each and the overhead in %.
2. Serves the cube with `cubegen serve` and its pyramid `NAME.levels` with `xcube serve` (level 0
   linked to the cube, so both draw tiles from the same stored levels), each from a cold start:
   the same TILES random tiles (EPSG:3857 and OGC:CRS84, zoom ZOOMS, inside the cube's lon/lat
   box, random variable and time step) fetched by 16 concurrent clients: p50/p99 of the whole
   answer; then a point time series of every step (92), first and median of the next 4.
   xcube's series read the cube (it has no notion of the copy); cubegen's are timed from the copy
   and, with the copy moved away, from the cube.
Answers other than 200 are counted per server and the first few printed.

usage: CUBEGEN_BIN_DIR=$(swift build -c release --show-bin-path) .venv-oracle/bin/python bench/bench_serve.py \
         WORKDIR --inputs ~/.cache/cubegen-bench/M/input [--runs 2] [--tiles 400]
"""
import argparse
import json
import os
import pathlib
import random
import re
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

HERE = pathlib.Path(__file__).resolve().parent
BIN = pathlib.Path(os.environ.get("CUBEGEN_BIN_DIR", HERE.parent / ".build" / "release"))
VARIABLES = {"t2m": (250, 310), "precip": (0, 10), "ndvi": (-0.2, 1)}
EXTRA = "  pyramid: {levels: auto, tile: 256}\n  timeseries: {chunks: {time: 512, y: 32, x: 32}}\n"


def timed_run(recipe, work):
    """(wall s, peak RSS MB) of `cubegen run --force recipe`."""
    out = work / "time.txt"
    subprocess.run(["/usr/bin/time", "-o", str(out), "-f", "%e %M", str(BIN / "cubegen"), "run", "--force", str(recipe)],
                   check=True, capture_output=True)
    wall, rss = out.read_text().split()[-2:]
    return float(wall), int(rss) / 1024


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(process, url, log):
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(url + "/datasets", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{url} did not answer within 180 s; see {log}")


def cubegen_serve(cube, work):
    log = work / "cubegen-serve.log"
    process = subprocess.Popen([str(BIN / "cubegen"), "serve", str(cube), "--port", "0"], stdout=subprocess.PIPE,
                               stderr=open(log, "w"), text=True)
    url = process.stdout.readline().split()[3].rstrip("/")
    wait_for(process, url, log)
    return process, url


def xcube_serve(work, levels):
    config = work / "xcube.yaml"
    config.write_text(f"Datasets:\n  - Identifier: pyr\n    Title: T1 M\n    FileSystem: file\n    Path: {levels}\n")
    port = free_port()
    log = work / "xcube-serve.log"
    process = subprocess.Popen([sys.executable, "-m", "xcube.cli.main", "serve", "--port", str(port), "--address", "127.0.0.1",
                                "-c", str(config)], stdout=open(log, "w"), stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONWARNINGS": "ignore"})
    url = f"http://127.0.0.1:{port}"
    wait_for(process, url, log)
    return process, url


def stop(process):
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def fetch(url, body=None):
    """(milliseconds to the whole answer, status)."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return (time.perf_counter() - start) * 1000, status


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def tile_bench(url, tiles, failures):
    """p50, p99 (ms) of `tiles` fetched by 16 concurrent clients."""
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda path: (path, *fetch(url + path)), tiles))
    failures.extend((status, path) for path, _, status in results if status != 200)
    latencies = [ms for _, ms, _ in results]
    return percentile(latencies, 0.5), percentile(latencies, 0.99)


def series_bench(url, body, failures):
    """first and median of the next 4 (ms) of a point series of t2m; the number of steps answered."""
    times, steps = [], 0
    for _ in range(5):
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(urllib.request.Request(f"{url}/timeseries/pyr/t2m", data=body,
                                                               headers={"Content-Type": "application/json"}), timeout=120) as r:
                answer = json.loads(r.read())
            steps = len(answer.get("result", []))
        except urllib.error.HTTPError as error:
            failures.append((error.code, "timeseries " + error.read()[:200].decode(errors="replace")))
        times.append((time.perf_counter() - start) * 1000)
    return times[0], statistics.median(times[1:]), steps


def tile_list(count, bbox, dates, zooms, seed=15):
    """Random tiles whose area meets the cube's lon/lat box, over `zooms`, both tile CRSs."""
    import math
    rng = random.Random(seed)
    west, south, east, north = bbox
    tiles = []
    while len(tiles) < count:
        crs = rng.choice(["EPSG:3857", "OGC:CRS84"])
        z = rng.choice(zooms)
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if crs == "EPSG:3857":
            n = 1 << z
            x = int((lon + 180) / 360 * n)
            y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        else:
            x, y = int((lon + 180) / 180 * (1 << z)), int((90 - lat) / 180 * (1 << z))
        variable = rng.choice(sorted(VARIABLES))
        low, high = VARIABLES[variable]
        tiles.append(f"/tiles/pyr/{variable}/{z}/{y}/{x}?crs={crs}&time={rng.choice(dates)}&vmin={low}&vmax={high}&cmap=viridis")
    return tiles


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=pathlib.Path)
    parser.add_argument("--inputs", type=pathlib.Path, default=pathlib.Path.home() / ".cache/cubegen-bench/M/input")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--tiles", type=int, default=400)
    parser.add_argument("--zooms", default="1,2,3,4,5,6,7")
    parser.add_argument("--skip-runs", action="store_true", help="serve the cube an earlier call built")
    args = parser.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    template = (HERE / "t1.yaml.in").read_text().replace("@INPUT@", str(args.inputs))
    (work / "plain.yaml").write_text(template.replace("@OUTPUT@", str(work / "plain.zarr")))
    (work / "pyr.yaml").write_text(template.replace("@OUTPUT@", str(work / "pyr.zarr")) + EXTRA)

    if not args.skip_runs:
        runs = {"plain": [], "pyr": []}
        for _ in range(args.runs):
            for name in runs:
                runs[name].append(timed_run(work / f"{name}.yaml", work))
        plain = statistics.median(w for w, _ in runs["plain"]), max(r for _, r in runs["plain"])
        pyr = statistics.median(w for w, _ in runs["pyr"]), max(r for _, r in runs["pyr"])
        print(f"T1 M run, {args.runs} interleaved runs each (wall median, peak RSS max):")
        print(f"  without pyramid and copy: {plain[0]:6.2f} s {plain[1]:6.0f} MB   all: {runs['plain']}")
        print(f"  with pyramid and copy:    {pyr[0]:6.2f} s {pyr[1]:6.0f} MB   all: {runs['pyr']}")
        print(f"  overhead: {100 * (pyr[0] / plain[0] - 1):+.0f} % wall (goal ≤ +25 %), {pyr[1] / plain[1]:.1f}× peak RSS")
        shutil.rmtree(work / "plain.zarr", ignore_errors=True)

    results, failures = {}, {"cubegen": [], "xcube": []}
    process, url = cubegen_serve(work / "pyr.zarr", work)
    try:
        with urllib.request.urlopen(url + "/datasets?details=1") as r:
            dataset = json.loads(r.read())["datasets"][0]
        bbox = dataset["bbox"]
        dates = [d[:10] for d in next(d for d in dataset["dimensions"] if d["name"] == "time")["coordinates"]]
        tiles = tile_list(args.tiles, bbox, dates, [int(z) for z in args.zooms.split(",")])
        lon, lat = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
        point = json.dumps({"type": "Point", "coordinates": [lon, lat]}).encode()
        results["cubegen"] = {"tiles": tile_bench(url, tiles, failures["cubegen"]),
                              "copy": series_bench(url, point, failures["cubegen"])}
        # Warm: the same tiles again (rendered-tile cache and chunk cache hot).
        results["cubegen"]["warm"] = tile_bench(url, tiles, failures["cubegen"])
    finally:
        stop(process)
    shutil.move(str(work / "pyr.ts.zarr"), str(work / "pyr.ts.zarr.off"))
    try:
        process, url = cubegen_serve(work / "pyr.zarr", work)
        try:
            results["cubegen"]["cube"] = series_bench(url, point, failures["cubegen"])
        finally:
            stop(process)
    finally:
        shutil.move(str(work / "pyr.ts.zarr.off"), str(work / "pyr.ts.zarr"))
    try:
        process, url = xcube_serve(work, work / "pyr.levels")
    except RuntimeError as error:
        print(f"xcube serve: not measured: {error}")
    else:
        try:
            results["xcube"] = {"tiles": tile_bench(url, tiles, failures["xcube"]),
                                "cube": series_bench(url, point, failures["xcube"])}
            results["xcube"]["warm"] = tile_bench(url, tiles, failures["xcube"])
        finally:
            stop(process)

    def cell(server, key, index):
        value = results.get(server, {}).get(key)
        return f"{value[index]:9.1f}" if value else f"{'—':>9}"

    n = args.tiles
    steps = results["cubegen"]["copy"][2]
    print(f"\nserve, T1 M cube ({', '.join(sorted(VARIABLES))}; zooms {args.zooms}), release build, same sitting")
    print(f"{'':46} {'cubegen':>9} {'xcube':>9}")
    print(f"{f'tiles, 16 clients, {n} random, cold, p50 (ms)':46} {cell('cubegen', 'tiles', 0)} {cell('xcube', 'tiles', 0)}")
    print(f"{f'tiles, 16 clients, {n} random, cold, p99 (ms)':46} {cell('cubegen', 'tiles', 1)} {cell('xcube', 'tiles', 1)}")
    print(f"{f'same tiles again (warm), p50 (ms)':46} {cell('cubegen', 'warm', 0)} {cell('xcube', 'warm', 0)}")
    print(f"{f'same tiles again (warm), p99 (ms)':46} {cell('cubegen', 'warm', 1)} {cell('xcube', 'warm', 1)}")
    print(f"{f'{steps}-step point series, copy, first (ms)':46} {cell('cubegen', 'copy', 0)} {'—':>9}")
    print(f"{f'{steps}-step point series, copy, then (ms)':46} {cell('cubegen', 'copy', 1)} {'—':>9}")
    print(f"{f'{steps}-step point series, cube, first (ms)':46} {cell('cubegen', 'cube', 0)} {cell('xcube', 'cube', 0)}")
    print(f"{f'{steps}-step point series, cube, then (ms)':46} {cell('cubegen', 'cube', 1)} {cell('xcube', 'cube', 1)}")
    for server, failed in failures.items():
        if failed:
            print(f"{server}: {len(failed)} answers were not 200, e.g. {failed[:3]}")
    if "xcube" in results:
        ratio = results["xcube"]["tiles"][1] / results["cubegen"]["tiles"][1]
        print(f"p99 tile (cold): xcube / cubegen = {ratio:.1f} (goal ≥ 5)")


if __name__ == "__main__":
    main()
