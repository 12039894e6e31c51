"""HEALPix GRIB benchmark (issue 11): hourly HEALPix nested fields of 3 surface variables (2t, msl,
10u; analytic, 24-bit simple packing, written with the PyPI eccodes) → one global 0.1° EPSG:4326
cube, built by cubegen with `bilinear` and with `conservative`, and the Python way a Destination
Earth user takes today (eccodes reads every message, healpy.get_interp_weights once for the target
pixel centres, the weights applied per field with numpy, xarray `to_zarr`), measured in one run:
wall time and peak RSS (GNU time) of each, and the largest difference between the two bilinear cubes.

usage: python bench/bench_healpix_grib.py --cubegen BIN --work DIR [--nside 1024] [--hours 24]
       [--resolution 0.1]   (run with the oracle venv's python: numpy, healpy, eccodes, xarray, zarr)
"""
import argparse
import pathlib
import re
import subprocess
import sys
import time

import numpy as np

VARIABLES = ["2t", "msl", "10u"]

PYTHON_WAY = r'''
import sys, numpy as np, eccodes, healpy, xarray as xr, pandas as pd
paths, nside, resolution, out = sys.argv[1].split(","), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
lon = -180 + resolution / 2 + resolution * np.arange(round(360 / resolution))
lat = 90 - resolution / 2 - resolution * np.arange(round(180 / resolution))
LON, LAT = np.meshgrid(lon, lat)
pixels, weights = healpy.get_interp_weights(nside, LON.ravel(), LAT.ravel(), nest=True, lonlat=True)
weights = weights.astype(np.float32)
fields, times = {}, {}
for path in paths:
    with open(path, "rb") as f:
        while (h := eccodes.codes_grib_new_from_file(f)) is not None:
            name = eccodes.codes_get(h, "shortName")
            when = pd.Timestamp(str(eccodes.codes_get(h, "validityDate"))) + pd.Timedelta(hours=eccodes.codes_get(h, "validityTime") // 100)
            values = eccodes.codes_get_values(h).astype(np.float32)
            eccodes.codes_release(h)
            plane = (weights * values[pixels]).sum(axis=0).reshape(LON.shape)
            fields.setdefault(name, []).append(plane)
            times.setdefault(name, []).append(when)
ds = xr.Dataset({n: (("time", "lat", "lon"), np.stack(p)) for n, p in fields.items()},
                coords={"time": times[next(iter(times))], "lat": lat, "lon": lon})
ds.chunk({"time": 1, "lat": 900, "lon": 900}).to_zarr(out, mode="w", consolidated=True)
'''


def write_inputs(work, nside, hours):
    """One file per hour, the 3 variables each; the field is computed once and shifted per hour."""
    import eccodes
    import healpy
    lon, lat = healpy.pix2ang(nside, np.arange(12 * nside * nside), nest=True, lonlat=True)
    lam, phi = np.radians(lon), np.radians(lat)
    base = {"2t": 280 + 10 * np.cos(phi) * np.sin(2 * lam) + 5 * np.sin(phi),
            "msl": 101000 + 800 * np.cos(2 * phi) * np.cos(3 * lam),
            "10u": 5 * np.cos(phi) ** 2 * np.sin(lam + phi)}
    paths = []
    for hour in range(hours):
        path = work / f"h{nside}_{hour:02d}.grib2"
        paths.append(path)
        if path.exists():
            continue
        with open(path, "wb") as out:
            for name in VARIABLES:
                h = eccodes.codes_grib_new_from_samples("GRIB2")
                eccodes.codes_set(h, "gridType", "healpix")
                eccodes.codes_set(h, "Nside", nside)
                eccodes.codes_set(h, "orderingConvention", "nested")
                eccodes.codes_set(h, "longitudeOfFirstGridPointInDegrees", 45.0)
                eccodes.codes_set(h, "shapeOfTheEarth", 6)
                eccodes.codes_set(h, "dataDate", 20240101)
                eccodes.codes_set(h, "dataTime", 0)
                eccodes.codes_set(h, "stepUnits", 1)
                eccodes.codes_set(h, "endStep", hour)
                eccodes.codes_set(h, "shortName", name)
                eccodes.codes_set(h, "bitsPerValue", 24)
                eccodes.codes_set_values(h, base[name] + 0.1 * hour)
                eccodes.codes_write(h, out)
                eccodes.codes_release(h)
    return paths


def timed(command, cwd):
    """Runs `command` under GNU time; returns wall seconds and peak RSS in MiB."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "PEAK_RSS_KB %M", *map(str, command)], cwd=cwd,
                            capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed:\n{result.stderr[-3000:]}")
    rss = int(re.search(r"PEAK_RSS_KB (\d+)", result.stderr).group(1)) / 1024
    return wall, rss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cubegen", required=True)
    parser.add_argument("--work", required=True, type=pathlib.Path)
    parser.add_argument("--nside", type=int, default=1024)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--resolution", type=float, default=0.1)
    args = parser.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    paths = write_inputs(work, args.nside, args.hours)
    print(f"inputs: {len(paths)} files × {len(VARIABLES)} HEALPix H{args.nside} nested messages "
          f"({sum(p.stat().st_size for p in paths) / 2**20:.0f} MiB), written in {time.perf_counter() - started:.0f} s")
    rows = []
    for method in ["bilinear", "conservative"]:
        recipe = work / f"cubegen_{method}.yaml"
        variables = ", ".join(f"{v}: {{resampling: {method}}}" for v in VARIABLES)
        recipe.write_text(f"""version: 1
cube: {{id: healpix-{method}, title: HEALPix GRIB bench, license: CC0-1.0}}
grid: {{crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: {args.resolution}}}
sources:
  - name: dt
    store: grib
    paths: [{work}/h{args.nside}_*.grib2]
    variables: {{{variables}}}
output: {{path: cubegen_{method}.zarr, overwrite: true, chunks: {{time: 1, lat: 900, lon: 900}}}}
catalog: {{quicklooks: false}}
""")
        subprocess.run(["rm", "-rf", work / f"cubegen_{method}.zarr"], check=True)
        rows.append((f"cubegen {method}", *timed([args.cubegen, "run", recipe], work)))
    script = work / "python_way.py"
    script.write_text(PYTHON_WAY)
    rows.append(("python bilinear (eccodes + healpy + xarray)",
                 *timed([sys.executable, script, ",".join(map(str, paths)), args.nside, args.resolution, work / "python.zarr"], work)))
    for name, wall, rss in rows:
        print(f"  {name:45s} wall {wall:7.1f} s   peak RSS {rss:7.0f} MiB")
    python_wall, python_rss = rows[-1][1], rows[-1][2]
    print(f"  cubegen bilinear vs python: {python_wall / rows[0][1]:.1f}× faster, {rows[0][2] / python_rss:.2f} of its memory")
    import xarray as xr
    ours = xr.open_zarr(work / "cubegen_bilinear.zarr")
    theirs = xr.open_zarr(work / "python.zarr")
    worst = max(float(np.abs(ours[v].values - theirs[v].values).max()) for v in VARIABLES)
    print(f"  largest |cubegen − python| over the bilinear cubes: {worst:.3g}")


if __name__ == "__main__":
    main()
