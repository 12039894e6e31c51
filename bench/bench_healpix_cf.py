"""HEALPix in NetCDF/Zarr benchmark (issue 11, CF-1.13 inputs): HOURS hourly steps of an analytic
`tas` on HEALPix H1024 nested, written once as GRIB 2 (24-bit simple packing, PyPI eccodes), then
the decoded values as CF-1.13 NetCDF-4 (zlib 1 + shuffle, one step per chunk) and Zarr v2 (blosc
lz4, one step per chunk), and a regional NetCDF of the cells with centres in 25°W…45°E, 30…75°N.
Measured in one run (wall time and peak RSS, GNU time):

- cubegen, global 0.1° EPSG:4326 `bilinear`, from the GRIB, the NetCDF and the Zarr input (the
  NetCDF/Zarr paths against the GRIB path of the same values);
- the Python way a user takes with such a file (xarray opens it, healpy.get_interp_weights once
  for the target pixel centres, the weights applied per step with numpy, xarray `to_zarr`), on the
  NetCDF input, global and regional → EPSG:3035 5 km, beside cubegen on the same inputs;
- the largest difference between cubegen's cubes and the Python way's.

usage: python bench/bench_healpix_cf.py --cubegen BIN --work DIR [--nside 1024] [--hours 3]
       (run with the oracle venv's python: numpy, healpy, eccodes, xarray, zarr, netCDF4, pyproj)
"""
import argparse
import json
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_healpix_grib import timed  # noqa: E402

TARGETS = {
    "global": {"grid": "{crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 0.1}", "chunks": "lat: 900, lon: 900",
               "crs": "EPSG:4326", "bbox": [-180, -90, 180, 90], "resolution": 0.1, "dims": ("lat", "lon"), "chunk": 900},
    "europe": {"grid": "{crs: EPSG:3035, bbox: [2500000, 1400000, 7500000, 5500000], resolution: 5000}", "chunks": "y: 410, x: 500",
               "crs": "EPSG:3035", "bbox": [2500000, 1400000, 7500000, 5500000], "resolution": 5000, "dims": ("y", "x"), "chunk": 500},
}

PYTHON_WAY = r'''
import pyproj
import json, sys, numpy as np, healpy, xarray as xr
path, target, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
ds = xr.open_dataset(path)
crs = ds["crs"].attrs
nside, nested = 2 ** int(crs["refinement_level"]), crs["indexing_scheme"] == "nested"
west, south, east, north = target["bbox"]
res = target["resolution"]
x = west + res / 2 + res * np.arange(round((east - west) / res))
y = north - res / 2 - res * np.arange(round((north - south) / res))
X, Y = np.meshgrid(x, y)
if target["crs"] == "EPSG:4326":
    LON, LAT = X, Y
else:
    LON, LAT = pyproj.Transformer.from_crs(target["crs"], "EPSG:4326", always_xy=True).transform(X, Y)
pixels, weights = healpy.get_interp_weights(nside, LON.ravel(), LAT.ravel(), nest=nested, lonlat=True)
weights = weights.astype(np.float32)
cells = ds["cell"].values
planes = []
for t in range(ds.sizes["time"]):
    sphere = np.full(12 * nside * nside, np.nan, np.float32)
    sphere[cells] = ds["tas"].isel(time=t).values
    v = sphere[pixels]
    valid = np.isfinite(v)
    total = np.where(valid, weights, 0).sum(axis=0)
    plane = np.where(valid, weights * np.where(valid, v, 0), 0).sum(axis=0) / np.where(total > 0, total, np.nan)
    planes.append(plane.reshape(X.shape).astype(np.float32))
ydim, xdim = target["dims"]
cube = xr.Dataset({"tas": (("time", ydim, xdim), np.stack(planes))}, coords={"time": ds["time"].values, ydim: y, xdim: x})
cube.chunk({"time": 1, ydim: target["chunk"], xdim: target["chunk"]}).to_zarr(out, mode="w", consolidated=True)
'''


def write_inputs(work, nside, hours):
    """GRIB (one message per hour), then its decoded values as NetCDF, Zarr and a regional NetCDF."""
    import eccodes
    import healpy
    import xarray as xr
    grib = work / f"h{nside}_tas.grib2"
    names = {"grib": grib, "netcdf": work / f"h{nside}_tas.nc", "zarr": work / f"h{nside}_tas.zarr", "regional": work / f"h{nside}_europe.nc"}
    if all(p.exists() for p in names.values()):
        return names
    lon, lat = healpy.pix2ang(nside, np.arange(12 * nside * nside), nest=True, lonlat=True)
    lam, phi = np.radians(lon), np.radians(lat)
    base = 280 + 10 * np.cos(phi) * np.sin(2 * lam) + 5 * np.sin(phi)
    with open(grib, "wb") as out:
        for hour in range(hours):
            h = eccodes.codes_grib_new_from_samples("GRIB2")
            for key, value in [("gridType", "healpix"), ("Nside", nside), ("orderingConvention", "nested"),
                               ("longitudeOfFirstGridPointInDegrees", 45.0), ("shapeOfTheEarth", 6), ("dataDate", 20240101),
                               ("dataTime", 0), ("stepUnits", 1), ("endStep", hour), ("typeOfLevel", "surface"),
                               ("shortName", "2t"), ("bitsPerValue", 24)]:
                eccodes.codes_set(h, key, value)
            eccodes.codes_set_values(h, base + 0.1 * hour)
            eccodes.codes_write(h, out)
            eccodes.codes_release(h)
    values = []
    with open(grib, "rb") as f:
        while (h := eccodes.codes_grib_new_from_file(f)) is not None:
            values.append(eccodes.codes_get_values(h).astype(np.float32))
            eccodes.codes_release(h)
    values = np.stack(values)

    def dataset(cells):
        time = xr.Variable("time", np.arange(hours, dtype=np.float64), {"units": "hours since 2024-01-01", "calendar": "proleptic_gregorian"})
        crs = xr.Variable((), np.int32(0), {"grid_mapping_name": "healpix", "indexing_scheme": "nested",
                                            "refinement_level": np.int32(int(np.log2(nside))), "earth_radius": 6371229.0})
        index = xr.Variable("cell", cells.astype(np.int64), {"standard_name": "healpix_index"})
        tas = xr.Variable(("time", "cell"), values[:, cells], {"units": "K", "grid_mapping": "crs"})
        return xr.Dataset({"crs": crs, "tas": tas}, coords={"time": time, "cell": index})
    every = np.arange(12 * nside * nside)
    chunk = min(1 << 20, every.size)
    nc_encoding = {"tas": {"zlib": True, "complevel": 1, "shuffle": True, "chunksizes": (1, chunk)}}
    dataset(every).to_netcdf(names["netcdf"], engine="netcdf4", encoding=nc_encoding)
    dataset(every).to_zarr(names["zarr"], mode="w", zarr_format=2, consolidated=True, encoding={"tas": {"chunks": (1, chunk)}})
    lon = np.where(lon > 180, lon - 360, lon)
    europe = np.nonzero((lon >= -25) & (lon <= 45) & (lat >= 30) & (lat <= 75))[0]
    dataset(europe).to_netcdf(names["regional"], engine="netcdf4",
                              encoding={"tas": {**nc_encoding["tas"], "chunksizes": (1, min(1 << 20, europe.size))}})
    return names


def recipe(work, name, store, path, target):
    t = TARGETS[target]
    variable = "2t" if store == "grib" else "tas"
    (work / f"{name}.yaml").write_text(f"""version: 1
cube: {{id: {name.replace("_", "-")}, title: HEALPix CF bench, license: CC0-1.0}}
grid: {t["grid"]}
sources:
  - name: src
    store: {store}
    paths: [{path}]
    variables: {{{variable}: {{resampling: bilinear, name: tas}}}}
output: {{path: {name}.zarr, overwrite: true, chunks: {{time: 1, {t["chunks"]}}}}}
catalog: {{quicklooks: false}}
""")
    return work / f"{name}.yaml"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cubegen", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--nside", type=int, default=1024)
    parser.add_argument("--hours", type=int, default=3)
    args = parser.parse_args()
    work = pathlib.Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    cubegen = pathlib.Path(args.cubegen).resolve()
    inputs = write_inputs(work, args.nside, args.hours)
    import xarray as xr
    rows = []
    runs = [("global", "grib", "grib"), ("global", "netcdf", "netcdf"), ("global", "zarr", "zarr"),
            ("global", "netcdf", "python"), ("europe", "regional", "netcdf"), ("europe", "regional", "python")]
    for target, input_name, tool in runs:
        name = f"{tool}_{target}_{input_name}"
        if tool == "python":
            wall, rss = timed([sys.executable, "-c", PYTHON_WAY, inputs[input_name], json.dumps(TARGETS[target]), work / f"{name}.zarr"], work)
        else:
            store = "netcdf" if input_name == "regional" else input_name
            wall, rss = timed([cubegen, "run", "--force", recipe(work, name, store, inputs[input_name], target)], work)
        rows.append((target, input_name, tool, wall, rss))
        print(f"{target:7} {input_name:9} {tool:7} {wall:7.2f} s {rss:7.0f} MiB", flush=True)
    for target, input_name in [("global", "netcdf"), ("europe", "regional")]:
        ours = xr.open_zarr(work / f"netcdf_{target}_{input_name}.zarr")["tas"].values
        theirs = xr.open_zarr(work / f"python_{target}_{input_name}.zarr")["tas"].values
        print(f"{target} {input_name}: max |cubegen − python| {np.nanmax(np.abs(ours - theirs)):.3g}, "
              f"fill mismatch {int(np.sum(np.isnan(ours) != np.isnan(theirs)))} pixels")
    grib = xr.open_zarr(work / "grib_global_grib.zarr")["tas"].values
    for store in ["netcdf", "zarr"]:
        same = np.array_equal(grib, xr.open_zarr(work / f"{store}_global_{store}.zarr")["tas"].values, equal_nan=True)
        print(f"global {store} cube equal to the GRIB cube: {same}")


if __name__ == "__main__":
    main()
