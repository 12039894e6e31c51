"""HEALPix GRIB benchmark (issue 11): a day (HEALPIX_HOURS / --hours) of hourly HEALPix H1024 nested
GRIB files, each with 3 surface variables (2t, msl, 10u) and temperature `t` on 5 pressure levels
(analytic fields, 24-bit simple packing, written with the PyPI eccodes) → a global 0.1° EPSG:4326
cube and an EPSG:3035 5 km cube of Europe, built by cubegen with `bilinear` and with
`conservative` (per target and method: one cube of the surface fields and one of `t` on `plev`,
since every variable of a cube has the same levels), beside the Python way a Destination Earth
user takes today (eccodes reads every message, healpy.get_interp_weights once for the target pixel
centres — EPSG:3035 centres through pyproj first —, the weights applied per field with numpy,
xarray `to_zarr` of the same two groups of variables), measured in one run: wall time and peak
RSS (GNU time) of each, the ratios, and the largest difference between cubegen's bilinear cubes and
the Python way's.

Both sides write the same output encoding (`--codec`): `zarr-default` (the default) is what
xarray's `to_zarr` writes without being told, zarr-python 3's Zarr v3 with `zstd` level 0 and no
shuffle, and CubeGen is given `format: zarr3, compressor: {id: zstd, level: 0}`; `lz4` is Zarr v2
with Blosc LZ4 level 5 and byte shuffle on both sides (CubeGen's T1/T2 bench encoding). CubeGen's
own default (Blosc zstd 5 with shuffle: smaller chunks, several times the encoding CPU) would
compare a different output. CubeGen records every input's SHA-256 in the lineage (the Python way
records nothing); its fingerprint cache starts empty, so the first cube of the sitting hashes the
inputs and the later ones find their digests.

usage: python bench/bench_healpix_grib.py --cubegen BIN --work DIR [--nside 1024] [--hours 24]
       [--targets global,europe] [--methods bilinear,conservative] [--codec zarr-default|lz4]
       (run with the oracle venv's python: numpy, healpy, eccodes, xarray, zarr, pyproj)
"""
import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import time

import numpy as np

SURFACE = ["2t", "msl", "10u"]
LEVELS_HPA = [1000, 850, 700, 500, 250]

# The target grids: recipe text, chunks, and what the Python way needs to rebuild the same pixel centres.
TARGETS = {
    "global": {"grid": "{crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 0.1}",
               "chunks": "lat: 900, lon: 900", "crs": "EPSG:4326", "bbox": [-180, -90, 180, 90], "resolution": 0.1,
               "dims": ("lat", "lon"), "chunk": 900},
    "europe": {"grid": "{crs: EPSG:3035, bbox: [2500000, 1400000, 7500000, 5500000], resolution: 5000}",
               "chunks": "y: 410, x: 500", "crs": "EPSG:3035", "bbox": [2500000, 1400000, 7500000, 5500000],
               "resolution": 5000, "dims": ("y", "x"), "chunk": 500},
}

PYTHON_WAY = r'''
import pyproj  # before eccodes: its wheel's bundled libraries leave pyproj without its database otherwise
import json, sys, numpy as np, eccodes, healpy, xarray as xr, pandas as pd
paths, nside, target, out = sys.argv[1].split(","), int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
codec = sys.argv[5]
west, south, east, north = target["bbox"]
res = target["resolution"]
x = west + res / 2 + res * np.arange(round((east - west) / res))
y = north - res / 2 - res * np.arange(round((north - south) / res))
X, Y = np.meshgrid(x, y)
if target["crs"] == "EPSG:4326":
    LON, LAT = X, Y
else:
    LON, LAT = pyproj.Transformer.from_crs(target["crs"], "EPSG:4326", always_xy=True).transform(X, Y)
pixels, weights = healpy.get_interp_weights(nside, LON.ravel(), LAT.ravel(), nest=True, lonlat=True)
weights = weights.astype(np.float32)
fields, times = {}, []
for path in paths:
    with open(path, "rb") as f:
        while (h := eccodes.codes_grib_new_from_file(f)) is not None:
            name, level = eccodes.codes_get(h, "shortName"), eccodes.codes_get(h, "level")
            when = pd.Timestamp(str(eccodes.codes_get(h, "validityDate"))) + pd.Timedelta(hours=eccodes.codes_get(h, "validityTime") // 100)
            values = eccodes.codes_get_values(h).astype(np.float32)
            eccodes.codes_release(h)
            plane = (weights * values[pixels]).sum(axis=0).reshape(X.shape)
            fields.setdefault((name, level), []).append(plane)
            if when not in times:
                times.append(when)
ydim, xdim = target["dims"]
levels = sorted({level for name, level in fields if name == "t"}, reverse=True)
data = {name: (("time", ydim, xdim), np.stack(planes)) for (name, level), planes in fields.items() if name != "t"}
if levels:
    data["t"] = (("time", "plev", ydim, xdim), np.stack([np.stack(fields[("t", l)]) for l in levels], axis=1))
ds = xr.Dataset(data, coords={"time": times, "plev": [100.0 * l for l in levels], ydim: y, xdim: x})
chunks = {"time": 1, "plev": 1, ydim: target["chunk"], xdim: target["chunk"]}
ds = ds.chunk({k: v for k, v in chunks.items() if k in ds.dims})
if codec == "lz4":
    import numcodecs
    blosc = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)
    ds.to_zarr(out, mode="w", consolidated=True, zarr_format=2, encoding={v: {"compressors": [blosc]} for v in ds.data_vars})
else:
    ds.to_zarr(out, mode="w", consolidated=True)
'''


def write_inputs(work, nside, hours):
    """One file per hour: the 3 surface variables and t on 5 pressure levels; each field is computed
    once and shifted per hour (and per level). Files already there (same name) are kept."""
    paths = [work / f"h{nside}_levels_{hour:02d}.grib2" for hour in range(hours)]
    if all(path.exists() for path in paths):
        return paths
    import eccodes
    import healpy
    lon, lat = healpy.pix2ang(nside, np.arange(12 * nside * nside), nest=True, lonlat=True)
    lam, phi = np.radians(lon), np.radians(lat)
    base = {"2t": 280 + 10 * np.cos(phi) * np.sin(2 * lam) + 5 * np.sin(phi),
            "msl": 101000 + 800 * np.cos(2 * phi) * np.cos(3 * lam),
            "10u": 5 * np.cos(phi) ** 2 * np.sin(lam + phi),
            "t": 200 + 40 * np.cos(phi) + 3 * np.sin(3 * lam) * np.cos(phi) ** 2}
    paths = []
    for hour in range(hours):
        path = work / f"h{nside}_levels_{hour:02d}.grib2"
        paths.append(path)
        if path.exists():
            continue
        with open(path.with_suffix(".part"), "wb") as out:
            fields = [(name, "surface", 0) for name in SURFACE] + [("t", "isobaricInhPa", hpa) for hpa in LEVELS_HPA]
            for name, level_type, level in fields:
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
                eccodes.codes_set(h, "typeOfLevel", level_type)
                if level_type != "surface":
                    eccodes.codes_set(h, "level", level)
                eccodes.codes_set(h, "shortName", name)
                eccodes.codes_set(h, "bitsPerValue", 24)
                eccodes.codes_set_values(h, base[name] + 0.1 * hour + 0.05 * (1000 - level) * (level > 0))
                eccodes.codes_write(h, out)
                eccodes.codes_release(h)
        path.with_suffix(".part").rename(path)
    return paths


def warm(paths):
    """Reads every input once so each timed run starts with them in the page cache (the Python
    way's 15 GiB peak evicts them, and the run after it would otherwise pay the disk)."""
    for path in paths:
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass


def timed(command, cwd, env=None):
    """Runs `command` under GNU time; returns wall seconds and peak RSS in MiB."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "PEAK_RSS_KB %M", *map(str, command)], cwd=cwd,
                            capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed:\n{result.stderr[-3000:]}")
    rss = int(re.search(r"PEAK_RSS_KB (\d+)", result.stderr).group(1)) / 1024
    return wall, rss


# CubeGen's output keys for each `--codec`: the same encoding as the Python way's.
CODECS = {"zarr-default": "format: zarr3, compressor: {id: zstd, level: 0}, ",
          "lz4": "compressor: {id: blosc, cname: lz4, clevel: 5, shuffle: shuffle}, "}


def cubegen_recipes(work, nside, target_name, method, codec):
    """The two recipes of one target and method: the surface fields, and t on its pressure levels."""
    target = TARGETS[target_name]
    files = f"{work}/h{nside}_levels_*.grib2"
    common = f"""version: 1
grid: {target["grid"]}
catalog: {{quicklooks: false}}
"""
    surface = ", ".join(f"{v}: {{resampling: {method}}}" for v in SURFACE)
    levels = ", ".join(str(level) for level in LEVELS_HPA)
    recipes = []
    for part, variables, chunks in [
        ("surface", surface, f"time: 1, {target['chunks']}"),
        ("levels", f"t: {{resampling: {method}, levels: [{levels}], level_units: hPa, select: {{shortName: t, typeOfLevel: isobaricInhPa}}}}",
         f"time: 1, plev: 1, {target['chunks']}"),
    ]:
        name = f"cubegen_{target_name}_{method}_{part}"
        path = work / f"{name}.yaml"
        path.write_text(common + f"""cube: {{id: {name.replace("_", "-")}, title: HEALPix GRIB bench, license: CC0-1.0}}
sources:
  - name: dt
    store: grib
    paths: [{files}]
    variables: {{{variables}}}
output: {{path: {name}.zarr, overwrite: true, {CODECS[codec]}chunks: {{{chunks}}}}}
""")
        recipes.append((name, path))
    return recipes


def compare(work, target_name, python_cube):
    """The largest |cubegen − python| of the bilinear cubes, per variable (t per level)."""
    import xarray as xr
    theirs = xr.open_zarr(python_cube)
    worst = {}
    for part in ["surface", "levels"]:
        ours = xr.open_zarr(work / f"cubegen_{target_name}_bilinear_{part}.zarr")
        for name in ours.data_vars:
            if name not in theirs or ours[name].ndim < 3:
                continue
            a, b = ours[name].values, theirs[name].values
            worst[name] = float(np.nanmax(np.abs(a - b)))
            # Pixels one side fills and the other does not (outside the data, or a bug).
            worst[name + " fill mismatch"] = int(np.sum(np.isnan(a) != np.isnan(b)))
    return worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cubegen", required=True)
    parser.add_argument("--work", required=True, type=pathlib.Path)
    parser.add_argument("--nside", type=int, default=1024)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--targets", default="global,europe")
    parser.add_argument("--methods", default="bilinear,conservative")
    parser.add_argument("--codec", choices=sorted(CODECS), default="zarr-default",
                        help="the output encoding both sides write (see the description)")
    parser.add_argument("--json", type=pathlib.Path, help="also write the rows here")
    args = parser.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    paths = write_inputs(work, args.nside, args.hours)
    per_file = len(SURFACE) + len(LEVELS_HPA)
    print(f"inputs: {len(paths)} files × {per_file} HEALPix H{args.nside} nested messages ({len(SURFACE)} surface, t on "
          f"{len(LEVELS_HPA)} levels; {sum(p.stat().st_size for p in paths) / 2**20:.0f} MiB), ready in {time.perf_counter() - started:.0f} s; "
          f"both write {args.codec}")
    rows = []
    # CubeGen remembers input fingerprints between runs (`FingerprintCache`): a cache of the bench's
    # own, emptied now, so the sitting's first cube hashes the inputs as a first run does.
    fingerprints = work / "fingerprint-cache"
    subprocess.run(["rm", "-rf", fingerprints], check=True)
    cubegen_env = dict(os.environ, XDG_CACHE_HOME=str(fingerprints))
    for target_name in args.targets.split(","):
        for method in args.methods.split(","):
            wall, rss = 0.0, 0.0
            for name, recipe in cubegen_recipes(work, args.nside, target_name, method, args.codec):
                subprocess.run(["rm", "-rf", work / f"{name}.zarr"], check=True)
                warm(paths)
                w, r = timed([args.cubegen, "run", recipe], work, cubegen_env)
                wall, rss = wall + w, max(rss, r)
            rows.append({"target": target_name, "tool": f"cubegen {method}", "wall": wall, "rss": rss})
        script = work / "python_way.py"
        script.write_text(PYTHON_WAY)
        out = work / f"python_{target_name}.zarr"
        subprocess.run(["rm", "-rf", out], check=True)
        target = {k: v for k, v in TARGETS[target_name].items() if k in ("crs", "bbox", "resolution", "dims", "chunk")}
        warm(paths)
        wall, rss = timed([sys.executable, script, ",".join(map(str, paths)), args.nside, json.dumps(target), out, args.codec], work)
        rows.append({"target": target_name, "tool": "python bilinear", "wall": wall, "rss": rss})
        python = rows[-1]
        for row in rows:
            if row["target"] == target_name and row is not python:
                row["speedup"] = python["wall"] / row["wall"]
                row["memory"] = row["rss"] / python["rss"]
        if "bilinear" in args.methods.split(","):
            rows[-1]["difference"] = compare(work, target_name, out)
    print(f"{'target':8s} {'tool':22s} {'wall s':>8s} {'peak RSS MiB':>13s} {'× faster':>9s} {'of memory':>10s}")
    for row in rows:
        print(f"{row['target']:8s} {row['tool']:22s} {row['wall']:8.1f} {row['rss']:13.0f} "
              f"{row.get('speedup', 1):9.2f} {row.get('memory', 1):10.2f}")
    for row in rows:
        if "difference" in row:
            print(f"  {row['target']}: largest |cubegen bilinear − python| per variable: "
                  + ", ".join(f"{k} {v:.3g}" for k, v in row["difference"].items()))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
