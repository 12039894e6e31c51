"""STAC benchmark (issue 13): the mosaic workload of bench_mosaic.py (36 COG tiles: 3 dates × 12
tiles in UTM 32N and 33N, 10 m → EPSG:3035 at 100 m, average) started from a STAC search instead of
file names. The tiles are served by a ranged HTTP server on loopback (Tests/interop/range_http.py)
and their items by `rustac serve` (a real STAC API, page size 5: 8 pages); CubeGen (`store: stac`)
and odc-stac (the same POST search paged by hand, `odc.stac.load(...).to_zarr(...)`) read the same
search in the same run. Prints wall time, peak RSS and bytes read of each, and how far the cubes
agree.

usage: python bench/bench_stac.py --cubegen BIN --work DIR --odc-python PY [--rustac BIN] [--tile-size N]
       (run with the oracle venv's python: numpy, pyproj, xarray, zarr; PY has odc-stac, rasterio, pystac)
"""
import argparse
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import xarray as xr

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Tests" / "interop"))
from bench_mosaic import box_3035, measure, stac_items, write_tiles  # noqa: E402
from range_http import RangeServer  # noqa: E402

COLLECTION = {"type": "Collection", "stac_version": "1.0.0", "id": "s2-ndvi", "description": "bench tiles",
              "license": "CC0-1.0", "links": [],
              "extent": {"spatial": {"bbox": [[-180, -90, 180, 90]]}, "temporal": {"interval": [["2024-01-01T00:00:00Z", None]]}}}

ODC = """
import json, sys, urllib.request
import pystac, odc.stac
from odc.geo.geobox import GeoBox
from odc.geo.geom import BoundingBox
api, out = sys.argv[1], sys.argv[2]; box = [float(v) for v in sys.argv[3:7]]
items, request = [], (api + "/search", {"collections": ["s2-ndvi"], "limit": 5,
                                         "datetime": "2024-06-01T00:00:00Z/2024-06-21T23:59:59.999Z"})
while request:
    req = urllib.request.Request(request[0], data=json.dumps(request[1]).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    page = json.loads(urllib.request.urlopen(req).read())
    items += [pystac.Item.from_dict(f) for f in page["features"]]
    nxt = next((l for l in page.get("links", []) if l["rel"] == "next"), None)
    request = (nxt["href"], nxt.get("body", request[1])) if nxt else None
geobox = GeoBox.from_bbox(BoundingBox(*box, crs="EPSG:3035"), resolution=100)
ds = odc.stac.load(items, bands=["ndvi"], geobox=geobox, groupby="solar_day", resampling="average", chunks={"x": 600, "y": 600},
                   fail_on_error=True)
ds.to_zarr(out, mode="w")
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cubegen", required=True)
    parser.add_argument("--work", required=True, type=pathlib.Path)
    parser.add_argument("--odc-python", required=True)
    parser.add_argument("--rustac", default=shutil.which("rustac") or str(pathlib.Path(sys.executable).parent / "rustac"))
    parser.add_argument("--tile-size", type=int, default=2048)
    parser.add_argument("--requests-log", type=pathlib.Path, help="write each tool's tile requests (method, path, range) here")
    args = parser.parse_args()
    work = args.work.resolve()
    cubegen = str(pathlib.Path(args.cubegen).resolve())
    (work / "tiles").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tiles = write_tiles(work, args.tile_size)
    (work / "raw.bin").unlink()
    total = sum((work / "tiles" / t[0]).stat().st_size for t in tiles)
    print(f"{len(tiles)} COG tiles of {args.tile_size}² 10 m pixels, {total / 2**20:.0f} MiB, written in {time.monotonic() - started:.0f} s")
    box = box_3035(tiles)
    print(f"target: EPSG:3035 {box}, 100 m, {(box[2] - box[0]) // 100} × {(box[3] - box[1]) // 100} pixels")
    with RangeServer(work / "tiles") as files:
        items = stac_items(tiles, work)
        for it in items:
            it["collection"] = "s2-ndvi"
            it["assets"]["ndvi"]["href"] = f"{files.url}/{pathlib.Path(it['assets']['ndvi']['href']).name}"
        (work / "collection.json").write_text(json.dumps(COLLECTION))
        (work / "items.json").write_text(json.dumps({"type": "FeatureCollection", "features": items}))
        port = free_port()
        api = f"http://127.0.0.1:{port}"
        log = open(work / "rustac.log", "w")
        server = subprocess.Popen([args.rustac, "serve", "--addr", f"127.0.0.1:{port}", str(work / "collection.json"),
                                   str(work / "items.json")], stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(api + "/", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            recipe = work / "stac.yaml"
            recipe.write_text(f"""version: 1
cube: {{id: stac-bench, title: STAC mosaic benchmark, license: CC0-1.0}}
grid: {{crs: EPSG:3035, bbox: {box}, resolution: 100}}
time: {{start: 2024-06-01, end: 2024-06-21}}
sources:
  - name: ndvi
    store: stac
    url: {api}
    collections: [s2-ndvi]
    limit: 5
    assets: {{ndvi: ndvi}}
    mosaic: first
    allow_mixed_crs: true
    variables:
      ndvi: {{resampling: average}}
output: {{path: cubegen.zarr, overwrite: true, chunks: {{time: 1, y: 600, x: 600}}}}
catalog: {{fingerprints: false, quicklooks: false}}
""")
            before = len(files.requests)
            rows = [("cubegen (store: stac)", *measure([cubegen, "run", str(recipe)], cwd=work))]
            cubegen_requests = len(files.requests) - before
            script = work / "odc_run.py"
            script.write_text(ODC)
            before = len(files.requests)
            env = {**os.environ, "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR"}
            rows.append(("odc.stac.load().to_zarr()", *measure([args.odc_python, str(script), api, str(work / "odc.zarr"), *map(str, box)],
                                                              cwd=work, env=env)))
            odc_requests = len(files.requests) - before
            if args.requests_log:
                args.requests_log.write_text("".join(f"{'cubegen' if i < cubegen_requests else 'odc'} {m} {p} {r}\n"
                                                     for i, (m, p, r) in enumerate(files.requests[-(cubegen_requests + odc_requests):])))
        finally:
            server.terminate()
            server.wait(timeout=10)
            log.close()
    print("| tool | wall s | peak RSS MiB | HTTP requests to the tiles |\n|---|---|---|---|")
    for (name, seconds, rss, _, _), requests in zip(rows, [cubegen_requests, odc_requests]):
        print(f"| {name} | {seconds:.2f} | {rss:.0f} | {requests} |")
    ours = xr.open_zarr(work / "cubegen.zarr").ndvi.values
    theirs = xr.open_zarr(work / "odc.zarr").ndvi.values.astype("float32")
    theirs = np.where(theirs == -32768, np.nan, theirs)  # odc-stac keeps int16 with the nodata value
    for d in range(ours.shape[0]):
        both = np.isfinite(ours[d]) & np.isfinite(theirs[d])
        print(f"step {d}: cubegen vs odc-stac on {both.mean():.1%} of pixels: max |Δ| {np.max(np.abs(ours[d][both] - theirs[d][both])):.4f}, "
              f"mean |Δ| {np.mean(np.abs(ours[d][both] - theirs[d][both])):.5f}")


if __name__ == "__main__":
    main()
