"""Cubes as users open them: xarray (zarr-python 3) reads every cube without warnings, and the
values match a truth computed independently (inputs written by netCDF4-python, target pixel
centres transformed by pyproj, analytic fields evaluated in numpy)."""
import warnings

import netCDF4
import numpy as np
import pytest
import xarray as xr
from pyproj import Transformer

from conftest import cubegen

DAYS = [7305.0, 7306.0, 7307.0]  # 2020-01-01 … 03


def temperature(lon, lat, t):
    return 250 + 0.1 * lon + 0.5 * lat + (t - 7305)


def is_sea(lon, lat):
    return (lat > 20) & (lat < 30)


def write_input(path, days, calendar="standard", lat_ascending=False, lon360=False, order=("time", "lat", "lon")):
    """A global 1° file: tas (float32), wet (fill at sea), pk (int16 packed, scale 1e-3)."""
    lon = np.arange(0.5, 360, 1.0) if lon360 else np.arange(-179.5, 180, 1.0)
    lat = np.arange(-89.5, 90, 1.0) if lat_ascending else np.arange(89.5, -90, -1.0)
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.createDimension("time", None)
        nc.createDimension("lat", lat.size)
        nc.createDimension("lon", lon.size)
        t = nc.createVariable("time", "f8", ("time",))
        t.units, t.calendar = "days since 2000-01-01", calendar
        nc.createVariable("lat", "f8", ("lat",)).units = "degrees_north"
        nc.createVariable("lon", "f8", ("lon",)).units = "degrees_east"
        nc["lat"][:], nc["lon"][:] = lat, lon
        tas = nc.createVariable("tas", "f4", order, zlib=True)
        tas.units, tas.standard_name, tas.long_name = "K", "air_temperature", "near-surface air temperature"
        wet = nc.createVariable("wet", "f4", order, fill_value=np.float32(-9999))
        wet.units = "1"
        pk = nc.createVariable("pk", "i2", order, fill_value=np.int16(-32767))
        pk.scale_factor, pk.add_offset = 1e-3, 0.0
        LON, LAT = np.meshgrid(np.where(lon > 180, lon - 360, lon), lat)
        for k, day in enumerate(days):
            t[k] = day
            fields = {
                "tas": temperature(LON, LAT, day),
                "wet": np.ma.masked_where(is_sea(LON, LAT), 1 + 0.01 * LON + 0.02 * LAT + 0.1 * (day - 7305)),
                "pk": 0.2 + 0.001 * LON + 0.002 * LAT,
            }
            for name, field in fields.items():
                data = field.T if order.index("lon") < order.index("lat") else field
                index = (k, slice(None), slice(None)) if order[0] == "time" else (slice(None), slice(None), k)
                nc[name][index] = data


def recipe(tmp_path, grid, output="cube.zarr", variables=None, extra=""):
    variables = variables or "tas: {}\n      wet: {}\n      pk: {resampling: nearest}"
    text = f"""version: 1
cube: {{id: interop, title: Interop test cube, license: CC0-1.0}}
grid:
{grid}
sources:
  - name: src
    store: netcdf
    paths: [in_*.nc]
    variables:
      {variables}
output:
  path: {output}
  chunks: {{time: 2, y: 20, x: 30}}
  compressor: {{id: blosc, cname: lz4, clevel: 5, shuffle: shuffle}}
{extra}"""
    path = tmp_path / "recipe.yaml"
    path.write_text(text)
    return path


def open_cube(path):
    """Opens like a user: any warning fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = xr.open_zarr(path)
        ds.load()
    return ds


@pytest.fixture
def inputs(tmp_path):
    write_input(tmp_path / "in_2.nc", DAYS[2:])
    write_input(tmp_path / "in_1.nc", DAYS[:2])
    return tmp_path


def test_geographic_to_laea_opens_cleanly_and_matches_the_truth(inputs, binaries):
    r = recipe(inputs, "  crs: EPSG:3035\n  bbox: [2500000, 1400000, 7500000, 5500000]\n  resolution: 50000")
    cubegen("run", r, check=True)
    ds = open_cube(inputs / "cube.zarr")
    assert ds.sizes == {"time": 3, "y": 82, "x": 100, "bnds": 2}
    assert list(ds.time.values) == list(np.array(["2020-01-01", "2020-01-02", "2020-01-03"], dtype="datetime64[ns]"))
    assert ds.tas.attrs["units"] == "K" and ds.tas.attrs["standard_name"] == "air_temperature"
    assert ds.tas.encoding["chunks"] == (2, 20, 30)
    assert ds.x.attrs["standard_name"] == "projection_x_coordinate" and ds.y.attrs["units"] == "m"
    np.testing.assert_allclose(ds.x.values, 2525000 + 50000 * np.arange(100))
    np.testing.assert_allclose(ds.y.values, 5475000 - 50000 * np.arange(82))
    assert ds.crs.attrs["grid_mapping_name"] == "lambert_azimuthal_equal_area"
    assert ds.tas.encoding.get("grid_mapping", ds.tas.attrs.get("grid_mapping")) == "crs"
    X, Y = np.meshgrid(ds.x.values, ds.y.values)
    lon, lat = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True).transform(X, Y)
    for k, day in enumerate(DAYS):
        np.testing.assert_allclose(ds.tas.values[k], temperature(lon, lat, day), atol=2e-3)
        # nearest: the value of the containing 1° cell, unpacked from int16.
        cell_lon, cell_lat = np.floor(lon) + 0.5, np.floor(lat) + 0.5
        np.testing.assert_allclose(ds.pk.values[k], 0.2 + 0.001 * cell_lon + 0.002 * cell_lat, atol=6e-4)
    wet = ds.wet.values[0]
    land = ~is_sea(lon, lat + 1) & ~is_sea(lon, lat - 1)
    np.testing.assert_allclose(wet[land], (1 + 0.01 * lon + 0.02 * lat)[land], atol=1e-4)


@pytest.mark.parametrize("layout", [
    dict(lat_ascending=True), dict(lon360=True), dict(order=("lon", "lat", "time")), dict(calendar="noleap"),
])
def test_geographic_grids_in_any_layout(tmp_path, binaries, layout):
    write_input(tmp_path / "in_1.nc", DAYS, **layout)
    r = recipe(tmp_path, "  crs: EPSG:4326\n  bbox: [-30, -10, 30, 50]\n  resolution: 0.5",
               extra="  # chunks named lat/lon\n")
    r.write_text(r.read_text().replace("{time: 2, y: 20, x: 30}", "{time: 2, lat: 40, lon: 40}"))
    cubegen("run", r, check=True)
    ds = open_cube(tmp_path / "cube.zarr")
    assert ds.lat.attrs["units"] == "degrees_north" and ds.lon.attrs["standard_name"] == "longitude"
    assert ds.lat.values[0] == 49.75 and ds.lon.values[0] == -29.75
    assert ds.lat_bnds.shape == (120, 2) and ds.lat_bnds.values[0].tolist() == [50.0, 49.5]
    LON, LAT = np.meshgrid(ds.lon.values, ds.lat.values)
    np.testing.assert_allclose(ds.tas.values[2], temperature(LON, LAT, DAYS[2]), atol=1e-3)
    # Fill-aware: NaN where all source neighbours are sea, exact where all are land.
    wet = ds.wet.values[2]
    deep_sea = is_sea(LON, LAT + 1) & is_sea(LON, LAT - 1)
    land = ~is_sea(LON, LAT + 1) & ~is_sea(LON, LAT - 1)
    assert deep_sea.any() and np.isnan(wet[deep_sea]).all()
    np.testing.assert_allclose(wet[land], (1 + 0.01 * LON + 0.02 * LAT + 0.2)[land], atol=1e-4)
    if layout.get("calendar") == "noleap":
        assert ds.time.attrs.get("calendar", ds.time.encoding.get("calendar")) == "noleap"


def test_packed_output_is_decoded_by_xarray(inputs, binaries):
    r = recipe(inputs, "  crs: EPSG:4326\n  bbox: [0, 0, 20, 20]\n  resolution: 1",
               variables="tas: {dtype: int16, scale_factor: 0.01, add_offset: 260, fill_value: -32768}")
    cubegen("run", r, check=True)
    raw = xr.open_zarr(inputs / "cube.zarr", mask_and_scale=False)
    assert raw.tas.dtype == np.int16
    ds = open_cube(inputs / "cube.zarr")
    LON, LAT = np.meshgrid(ds.lon.values, ds.lat.values)
    np.testing.assert_allclose(ds.tas.values[0], temperature(LON, LAT, DAYS[0]), atol=0.005 + 1e-4)


def test_cube_exports_to_netcdf(inputs, binaries, tmp_path):
    r = recipe(inputs, "  crs: EPSG:3035\n  bbox: [3500000, 2500000, 4500000, 3500000]\n  resolution: 100000")
    cubegen("run", r, check=True)
    ds = open_cube(inputs / "cube.zarr")
    # Every attribute, the lineage included, is a string or a number: the cube exports as it is.
    blockers = [(name, key) for name, v in ds.variables.items() for key, value in v.attrs.items()
                if not isinstance(value, (str, int, float, list, np.ndarray, np.number))]
    assert blockers == []
    ds.to_netcdf(tmp_path / "exported.nc")
    with netCDF4.Dataset(tmp_path / "exported.nc") as nc:
        assert nc.title == "Interop test cube"
        assert "resample(method=average" in nc["tas"].cubegen_lineage  # 100 km from 1°: down-sampling
        assert nc["tas"].source.startswith("variable 'tas' (float32) of netcdf source 'src'")
        assert nc["tas"].shape == (3, 10, 10)


def test_resampling_by_direction(tmp_path, binaries):
    """`resampling: {up: …, down: …}` and the defaults pick by the direction at the grid's centre."""
    import json
    write_input(tmp_path / "in_1.nc", DAYS[:1])
    variables = "tas: {resampling: {up: cubic, down: max}}\n      wet: {}\n      pk: {}"
    cases = {"fine.zarr": ("  resolution: 25000", "up", ("cubic", "bilinear", "bilinear")),
             "coarse.zarr": ("  resolution: 250000", "down", ("max", "average", "average"))}
    for output, (resolution, direction, methods) in cases.items():
        r = recipe(tmp_path, "  crs: EPSG:3035\n  bbox: [3500000, 2500000, 4500000, 3500000]\n" + resolution,
                   output=output, variables=variables)
        cubegen("run", r, check=True)
        lineage = json.loads((tmp_path / output / "lineage.json").read_text())
        steps = {v["name"]: next(s for s in v["steps"] if s["step"] == "resample")["parameters"] for v in lineage["variables"]}
        assert tuple(steps[n]["method"] for n in ["tas", "wet", "pk"]) == methods, (output, steps)
        assert steps["tas"]["direction"] == direction
