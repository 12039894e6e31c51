"""Mosaic benchmark (issue 12): 36 COG tiles (3 dates × 12 tiles, 6 in UTM 32N and 6 in UTM 33N,
10 m, deflate with predictor, internal overviews) → one EPSG:3035 cube at 100 m, built by cubegen
(store: geotiff, time_from_name, mosaic: first), by odc-stac (`odc.stac.load` + `to_zarr`, from
hand-made STAC items) and by gdalwarp (one VRT-free warp per date), in one run. Prints wall time,
peak RSS and bytes read (`rchar` of /proc/PID/io) of each, and checks that the cubes agree.

usage: python bench/bench_mosaic.py --cubegen BIN --work DIR [--odc-python PY] [--tile-size N]
       (run with the oracle venv's python: numpy, pyproj, xarray, zarr; --odc-python names a
       python with odc-stac, rasterio and pystac, skipped when absent)
"""
import argparse
import json
import pathlib
import subprocess
import sys
import time

import numpy as np
import pyproj
import xarray as xr

DATES = ["20240601", "20240611", "20240621"]


def box_3035(tiles):
    """The union of the tiles' extents in EPSG:3035, rounded inwards to whole kilometres."""
    xs, ys = [], []
    for _, zone, _, bounds, _ in tiles:
        to_laea = pyproj.Transformer.from_crs(zone, 3035, always_xy=True)
        for x in np.linspace(bounds[0], bounds[2], 9):
            for y in np.linspace(bounds[1], bounds[3], 9):
                lx, ly = to_laea.transform(x, y)
                xs.append(lx)
                ys.append(ly)
    return [int(np.ceil(min(xs) / 1000) * 1000), int(np.ceil(min(ys) / 1000) * 1000),
            int(np.floor(max(xs) / 1000) * 1000), int(np.floor(max(ys) / 1000) * 1000)]


def field(lon, lat, day):
    return 0.3 + 0.2 * np.sin(lon * 3) * np.cos(lat * 2) + 0.01 * day


def write_tiles(work, size):
    """Six tiles per zone per date: 3 columns × 2 rows of `size` 10 m pixels, overlapping by 5 %."""
    tiles = []
    # Zone 32 tiles end a little east of 9° E, zone 33 tiles start a little west of it: the two
    # groups overlap along the zone boundary.
    span = 3 * size * 10 * 0.95 / (111320 * np.cos(np.radians(47)))
    for zone, west in [(32632, 9.05 - span), (32633, 8.95)]:
        to_utm = pyproj.Transformer.from_crs(4326, zone, always_xy=True)
        to_geo = pyproj.Transformer.from_crs(zone, 4326, always_xy=True)
        x0, y0 = to_utm.transform(west, 47.0)
        x0, y0 = round(x0, -3), round(y0, -3)
        step = size * 10 * 0.95
        for row in range(2):
            for col in range(3):
                left, top = x0 + col * step, y0 - row * step
                xs = left + (np.arange(size) + 0.5) * 10
                ys = top - (np.arange(size) + 0.5) * 10
                lon, lat = to_geo.transform(*np.meshgrid(xs, ys))
                for d, date in enumerate(DATES):
                    name = f"S2_NDVI_{date}_{zone}_{row}{col}.tif"
                    raw = work / "raw.bin"
                    (field(lon, lat, d) * 10000).astype("<i2").tofile(raw)
                    vrt = work / "raw.vrt"
                    vrt.write_text(
                        f'<VRTDataset rasterXSize="{size}" rasterYSize="{size}"><SRS>EPSG:{zone}</SRS>'
                        f"<GeoTransform>{left}, 10, 0, {top}, 0, -10</GeoTransform>"
                        f'<VRTRasterBand dataType="Int16" band="1" subClass="VRTRawRasterBand"><NoDataValue>-32768</NoDataValue>'
                        f'<SourceFilename relativetoVRT="1">raw.bin</SourceFilename><ImageOffset>0</ImageOffset><PixelOffset>2</PixelOffset>'
                        f"<LineOffset>{2 * size}</LineOffset><ByteOrder>LSB</ByteOrder></VRTRasterBand></VRTDataset>")
                    subprocess.run(["gdal_translate", "-q", "-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=YES",
                                    "-co", "BLOCKSIZE=512", "-co", "RESAMPLING=AVERAGE", str(vrt), str(work / "tiles" / name)],
                                   check=True)
                    tiles.append((name, zone, date, [left, top - size * 10, left + size * 10, top], size))
    return tiles


def measure(command, **kwargs):
    """Runs `command`; returns (seconds, peak RSS MiB, bytes read): wall time, the peak RSS
    `/usr/bin/time` reports for the command (for a Python driver its own process; gdalwarp runs one
    process per date from a driver script, whose figure is the driver's), and `rchar` polled from
    /proc (of the /usr/bin/time process's child tree root)."""
    import os
    started = time.monotonic()
    import tempfile
    log = tempfile.TemporaryFile()
    # Peak RSS through /usr/bin/time: wait4's maxrss of a child forked from this (large) Python
    # process starts at the parent's RSS (Linux keeps the pre-exec high-water mark).
    peak_file = tempfile.NamedTemporaryFile(suffix=".rss", delete=False).name
    process = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", peak_file, *command], stdout=subprocess.DEVNULL, stderr=log, **kwargs)
    rchar = 0
    while True:
        try:
            # The command itself is /usr/bin/time's child.
            child = open(f"/proc/{process.pid}/task/{process.pid}/children").read().split()
            for line in open(f"/proc/{child[0] if child else process.pid}/io"):
                if line.startswith("rchar:"):
                    rchar = max(rchar, int(line.split()[1]))
        except OSError:
            pass
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.02)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status):
        log.seek(0)
        sys.exit(f"{command[0]} failed: {log.read().decode()[-2000:]}")
    import resource
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_kb = int(open(peak_file).read().split()[-1])
    os.unlink(peak_file)
    return seconds, peak_kb / 1024, rchar, children / 1024


def cubegen(args, work, box):
    recipe = work / "mosaic.yaml"
    recipe.write_text(f"""version: 1
cube: {{id: mosaic-bench, title: Mosaic benchmark, license: CC0-1.0}}
grid: {{crs: EPSG:3035, bbox: {box}, resolution: 100}}
sources:
  - name: ndvi
    store: geotiff
    paths: [tiles/S2_NDVI_*.tif]
    time_from_name: "S2_NDVI_{{date:%Y%m%d}}_*.tif"
    mosaic: first
    allow_mixed_crs: true
    bands: {{1: ndvi}}
    variables:
      ndvi: {{resampling: average}}
output: {{path: cubegen.zarr, overwrite: true, chunks: {{time: 1, y: 600, x: 600}}}}
catalog: {{fingerprints: false, quicklooks: false}}
""")
    return measure([args.cubegen, "run", str(recipe)], cwd=work)


GDALWARP = """
import subprocess, sys, pathlib
work, box = pathlib.Path(sys.argv[1]), sys.argv[2:6]
for date in sys.argv[6:]:
    tiles = sorted(str(p) for p in (work / "tiles").glob(f"S2_NDVI_{date}_*.tif"))
    subprocess.run(["gdalwarp", "-q", "-overwrite", "-t_srs", "EPSG:3035", "-te", *box, "-tr", "100", "100", "-r", "average",
                    "-wo", "NUM_THREADS=ALL_CPUS", "-multi", "-ot", "Float32", "-dstnodata", "nan",
                    *reversed(tiles), str(work / f"gdalwarp_{date}.tif")], check=True)
"""

ODC = """
import json, sys, pathlib
import pystac, odc.stac, xarray as xr
work = pathlib.Path(sys.argv[1]); box = [float(v) for v in sys.argv[2:6]]
items = [pystac.Item.from_dict(d) for d in json.loads((work / "items.json").read_text())]
from odc.geo.geobox import GeoBox
from odc.geo.geom import BoundingBox
geobox = GeoBox.from_bbox(BoundingBox(*box, crs="EPSG:3035"), resolution=100)
ds = odc.stac.load(items, bands=["ndvi"], geobox=geobox, groupby="solar_day", resampling="average", chunks={"x": 600, "y": 600},
                   fail_on_error=True)
ds.to_zarr(work / "odc.zarr", mode="w")
"""


def stac_items(tiles, work):
    items = []
    for name, zone, date, bounds, size in tiles:
        to_geo = pyproj.Transformer.from_crs(zone, 4326, always_xy=True)
        w, s = to_geo.transform(bounds[0], bounds[1])
        e, n = to_geo.transform(bounds[2], bounds[3])
        items.append({
            "type": "Feature", "stac_version": "1.0.0", "id": name[:-4],
            "stac_extensions": ["https://stac-extensions.github.io/projection/v1.1.0/schema.json",
                                "https://stac-extensions.github.io/raster/v1.1.0/schema.json"],
            "geometry": {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]},
            "bbox": [w, s, e, n],
            "properties": {"datetime": f"{date[:4]}-{date[4:6]}-{date[6:]}T10:00:00Z", "proj:epsg": zone,
                           "proj:shape": [size, size], "proj:transform": [10, 0, bounds[0], 0, -10, bounds[3], 0, 0, 1]},
            "assets": {"ndvi": {"href": str(work / "tiles" / name), "type": "image/tiff; application=geotiff; profile=cloud-optimized",
                                "roles": ["data"], "raster:bands": [{"nodata": -32768, "data_type": "int16"}]}},
            "links": [],
        })
    return items


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cubegen", required=True)
    parser.add_argument("--work", required=True, type=pathlib.Path)
    parser.add_argument("--odc-python")
    parser.add_argument("--tile-size", type=int, default=2048)
    args = parser.parse_args()
    work = args.work.resolve()
    args.cubegen = str(pathlib.Path(args.cubegen).resolve())
    (work / "tiles").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tiles = write_tiles(work, args.tile_size)
    (work / "raw.bin").unlink()
    total = sum((work / "tiles" / t[0]).stat().st_size for t in tiles)
    print(f"{len(tiles)} COG tiles of {args.tile_size}² 10 m pixels, {total / 2**20:.0f} MiB, written in {time.monotonic() - started:.0f} s")
    (work / "items.json").write_text(json.dumps(stac_items(tiles, work)))
    box = box_3035(tiles)
    print(f"target: EPSG:3035 {box}, 100 m, {(box[2] - box[0]) // 100} × {(box[3] - box[1]) // 100} pixels")
    rows = [("cubegen", *cubegen(args, work, box))]
    script = work / "gdalwarp_run.py"
    script.write_text(GDALWARP)
    rows.append(("gdalwarp", *measure([sys.executable, str(script), str(work), *map(str, box), *DATES])))
    if args.odc_python and pathlib.Path(args.odc_python).exists():
        script = work / "odc_run.py"
        script.write_text(ODC)
        try:
            rows.append(("odc-stac", *measure([args.odc_python, str(script), str(work), *map(str, box)], cwd=work)))
        except SystemExit as failure:
            print(f"odc-stac: {failure}"[-1500:])
    print("| tool | wall s | peak RSS MiB | bytes read MiB |\n|---|---|---|---|")
    for name, seconds, rss, rchar, _ in rows:
        print(f"| {name} | {seconds:.2f} | {rss:.0f} | {rchar / 2**20:.1f} |")
    cube = xr.open_zarr(work / "cubegen.zarr").ndvi.values
    for d, date in enumerate(DATES):
        raw = work / f"gdalwarp_{date}.raw"
        subprocess.run(["gdal_translate", "-q", "-of", "ENVI", str(work / f"gdalwarp_{date}.tif"), str(raw)], check=True)
        warped = np.fromfile(raw, dtype="<f4").reshape(cube.shape[1:])
        both = np.isfinite(warped) & np.isfinite(cube[d])
        print(f"{date}: cubegen vs gdalwarp on {both.mean():.1%} of pixels: max |Δ| {np.max(np.abs(warped[both] - cube[d][both])):.4f}, "
              f"mean |Δ| {np.mean(np.abs(warped[both] - cube[d][both])):.5f}")


if __name__ == "__main__":
    main()
