"""Static fields (orography, land-sea mask: no time axis) through `broadcast_time: true`: a NetCDF
file without time, a time-less variable of a NetCDF file that has a time axis, and a GeoTIFF DEM,
each repeated at every output step beside a daily source; with and without `time.period`. The
cube's static variables equal the analytic field at every step, open in xarray without warnings
and pass xcube's verify."""
import json
import subprocess
import warnings

import netCDF4
import numpy as np
import pytest
import xarray as xr

from xcube.core.verify import verify_cube

from conftest import cubegen

NY, NX, DAYS = 20, 30, 6
LAT = 40.25 + 0.5 * np.arange(NY)
LON = 0.25 + 0.5 * np.arange(NX)


def orography(lat, lon):
    return 100.0 + 40.0 * lat - 15.0 * lon


def axes(ds):
    ds.createDimension("lat", NY)
    ds.createDimension("lon", NX)
    lat = ds.createVariable("lat", "f8", ("lat",))
    lat.units, lat.standard_name = "degrees_north", "latitude"
    lat[:] = LAT
    lon = ds.createVariable("lon", "f8", ("lon",))
    lon.units, lon.standard_name = "degrees_east", "longitude"
    lon[:] = LON


def write_inputs(tmp):
    with netCDF4.Dataset(tmp / "t2m.nc", "w") as ds:
        axes(ds)
        ds.createDimension("time", DAYS)
        t = ds.createVariable("time", "f8", ("time",))
        t.units, t.calendar = "days since 2000-01-01", "standard"
        t[:] = np.arange(DAYS)
        v = ds.createVariable("t2m", "f4", ("time", "lat", "lon"))
        v.units = "K"
        yy, xx = np.meshgrid(LAT, LON, indexing="ij")
        for k in range(DAYS):
            v[k] = 280 + 0.1 * yy + k
        # A time-less field inside a file with a time axis (as ERA5 files carry the land-sea mask).
        lsm = ds.createVariable("lsm", "f4", ("lat", "lon"))
        lsm.units = "1"
        lsm[:] = (xx < 8).astype("f4")
    with netCDF4.Dataset(tmp / "orog.nc", "w") as ds:
        axes(ds)
        v = ds.createVariable("orog", "f4", ("lat", "lon"))
        v.units, v.standard_name = "m", "surface_altitude"
        yy, xx = np.meshgrid(LAT, LON, indexing="ij")
        v[:] = orography(yy, xx)
    # A GeoTIFF DEM on the same grid (north-up: rows from 50 °N down).
    raw = tmp / "dem.bin"
    yy, xx = np.meshgrid(LAT[::-1], LON, indexing="ij")
    (orography(yy, xx) * 2).astype("<f4").tofile(raw)
    (tmp / "dem.vrt").write_text(
        f'<VRTDataset rasterXSize="{NX}" rasterYSize="{NY}"><SRS>EPSG:4326</SRS><GeoTransform>0, 0.5, 0, 50, 0, -0.5</GeoTransform>'
        f'<VRTRasterBand dataType="Float32" band="1" subClass="VRTRawRasterBand"><SourceFilename relativetoVRT="1">dem.bin</SourceFilename>'
        f"<ImageOffset>0</ImageOffset><PixelOffset>4</PixelOffset><LineOffset>{4 * NX}</LineOffset><ByteOrder>LSB</ByteOrder>"
        "</VRTRasterBand></VRTDataset>")
    subprocess.run(["gdal_translate", "-q", str(tmp / "dem.vrt"), str(tmp / "dem.tif")], check=True)


def recipe(tmp, name, sources, time="time: {}\n"):
    text = (f"version: 1\ncube: {{id: {name}, title: Static fields, license: CC0-1.0}}\n"
            "grid: {crs: EPSG:4326, bbox: [0, 40, 15, 50], resolution: 0.5}\n"
            f"{time}sources:\n{sources}output: {{path: {name}.zarr, overwrite: true, chunks: {{time: 2, y: 10, x: 15}}}}\n")
    path = tmp / f"{name}.yaml"
    path.write_text(text)
    return path


TIMED = "  - name: daily\n    store: netcdf\n    paths: [t2m.nc]\n    variables: {t2m: {resampling: nearest}}\n"
STATIC = ("  - name: static\n    store: netcdf\n    paths: [orog.nc]\n    broadcast_time: true\n"
          "    variables: {orog: {resampling: nearest}}\n"
          "  - name: mask\n    store: netcdf\n    paths: [t2m.nc]\n    broadcast_time: true\n"
          "    variables: {lsm: {resampling: nearest}}\n"
          "  - name: dem\n    store: geotiff\n    paths: [dem.tif]\n    broadcast_time: true\n"
          "    variables: {band_1: {name: dem, resampling: nearest}}\n")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, binaries):
    tmp = tmp_path_factory.mktemp("static")
    write_inputs(tmp)
    return tmp


@pytest.mark.parametrize("period", [None, "2D"])
def test_static_fields_repeat_at_every_step(inputs, period):
    name = f"static-{period or 'daily'}"
    time = "time: {}\n" if period is None else f"time: {{period: {period}}}\n"
    cubegen("run", recipe(inputs, name, TIMED + STATIC, time=time), check=True, cwd=inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = xr.open_zarr(inputs / f"{name}.zarr")
        ds.load()
    steps = DAYS if period is None else DAYS // 2
    assert ds.sizes["time"] == steps
    yy, xx = np.meshgrid(ds.lat.values, ds.lon.values, indexing="ij")
    for k in range(steps):
        np.testing.assert_allclose(ds.orog.values[k], orography(yy, xx), rtol=1e-6)
        np.testing.assert_allclose(ds.dem.values[k], 2 * orography(yy, xx), rtol=1e-6)
        np.testing.assert_array_equal(ds.lsm.values[k], (xx < 8).astype("f4"))
    assert ds.orog.attrs["units"] == "m"
    assert verify_cube(xr.open_zarr(inputs / f"{name}.zarr")) == []
    lineage = json.loads((inputs / f"{name}.zarr" / "lineage.json").read_text())
    assert json.dumps(lineage).count('"broadcast_time": true') >= 3


def one_line_error(result, *fragments):
    assert result.returncode != 0
    lines = [l for l in result.stderr.strip().splitlines() if l.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_static_source_errors(inputs):
    # Only static sources: no time axis to repeat them on.
    only = STATIC.split("  - name: mask")[0]
    one_line_error(cubegen("run", recipe(inputs, "only-static", only), cwd=inputs), "broadcast_time", "a source with a time axis")
    # A time-less variable from a timed source without broadcast_time: told what to do.
    mixed = TIMED.replace("{t2m: {resampling: nearest}}", "{t2m: {resampling: nearest}, lsm: {resampling: nearest}}")
    one_line_error(cubegen("run", recipe(inputs, "mixed", mixed), cwd=inputs), "lsm", "broadcast_time: true")
    # A variable with a time axis asked of a static source.
    wrong = TIMED + "  - name: s\n    store: netcdf\n    paths: [t2m.nc]\n    broadcast_time: true\n    variables: {t2m: {name: t2m_static}}\n"
    one_line_error(cubegen("run", recipe(inputs, "wrong", wrong), cwd=inputs), "t2m", "lsm")
    # broadcast_time with dates.
    dated = TIMED + STATIC.replace("    broadcast_time: true\n    variables: {band_1", "    broadcast_time: true\n    times: [2000-01-01]\n    variables: {band_1")
    result = cubegen("validate", recipe(inputs, "dated", dated), cwd=inputs)
    assert result.returncode != 0 and "sources[3].broadcast_time" in result.stderr.splitlines()[0], result.stderr
