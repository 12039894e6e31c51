"""HEALPix in NetCDF and Zarr inputs (CF-1.13 `grid_mapping_name: healpix`, and the older
easygems `healpix_nside`/`healpix_order` form), read through the same cell-grid geometry as GRIB
HEALPix: files written by the test (netCDF4, xarray/zarr) with analytic fields on nested and ring
grids, whole sphere and regional subsets, turned into cubes on EPSG:4326 and EPSG:3035 and compared
with healpy (ang2pix for nearest, get_interp_weights for bilinear), the analytic truth, and the
cube of the same values read from a GRIB HEALPix message. Bad grid descriptions fail at planning
with one line naming the file, the variable and the value."""
import json
import pathlib

import numpy as np
import pytest
import xarray as xr

from conftest import cubegen

HERE = pathlib.Path(__file__).resolve().parent
# pyproj before eccodes (see test_cellgrid.py).
pyproj = pytest.importorskip("pyproj")
healpy = pytest.importorskip("healpy")
jsonschema = pytest.importorskip("jsonschema")
from cellgrid_inputs import HOURS, field  # noqa: E402
from healpix_cf_inputs import analytic, dataset, write_netcdf, write_zarr  # noqa: E402
from test_cellgrid import centres  # noqa: E402
from test_levels import one_line_error  # noqa: E402

GLOBAL = "{crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 0.5}"
EUROPE = "{crs: EPSG:3035, bbox: [2500000, 1500000, 7000000, 5500000], resolution: 50000}"
# A lon/lat window larger than the regional subsets below (cells with centres in 10°W…40°E, 35…70°N).
REGION = "{crs: EPSG:4326, bbox: [-30, 20, 60, 80], resolution: 0.5}"


def build(folder, name, store, path, variables, grid, check=True, chunks=None):
    recipe = folder / f"{name}.yaml"
    recipe.write_text(f"""version: 1
cube: {{id: {name}, title: CF HEALPix test, license: CC0-1.0}}
grid: {grid}
sources:
  - name: src
    store: {store}
    paths: [{path}]
    variables: {variables}
output: {{path: {name}.zarr, overwrite: true{f", chunks: {chunks}" if chunks else ""}}}
catalog: {{quicklooks: false}}
""")
    result = cubegen("run", recipe, cwd=folder)
    if not check:
        return result
    assert result.returncode == 0, result.stderr
    return xr.open_zarr(folder / f"{name}.zarr").load()


def write(ds, folder, name, store):
    path = folder / (f"{name}.nc" if store == "netcdf" else f"{name}.zarr")
    write_netcdf(ds, path) if store == "netcdf" else write_zarr(ds, path)
    return path


def healpy_bilinear(values, nside, nested, lon, lat):
    """healpy's four-cell interpolation of the sphere's values (NaN cells left out, the remaining
    weights renormalised, as CubeGen treats missing values)."""
    pixels, weights = healpy.get_interp_weights(nside, lon.ravel(), lat.ravel(), nest=nested, lonlat=True)
    v = values[pixels]
    valid = np.isfinite(v)
    total = np.where(valid, weights, 0).sum(axis=0)
    out = np.where(valid, weights * np.where(valid, v, 0), 0).sum(axis=0) / np.where(total > 0, total, np.nan)
    return out.reshape(lon.shape)


@pytest.mark.parametrize("store,nside,order", [("netcdf", 64, "nested"), ("netcdf", 32, "ring"),
                                               ("zarr", 32, "nested"), ("zarr", 64, "ring")])
def test_whole_sphere_equals_healpy_and_the_truth(tmp_path, store, nside, order):
    nested = order == "nested"
    path = write(dataset(nside, nested), tmp_path, "hp", store)
    cube = build(tmp_path, "c", store, path, "{tas: {resampling: bilinear}, ps: {resampling: nearest}}", GLOBAL)
    lon, lat = centres(cube)
    values = analytic(nside, nested)
    for t, hours in enumerate(HOURS):
        nearest = values["ps"][t][healpy.ang2pix(nside, lon, lat, nest=nested, lonlat=True)]
        np.testing.assert_array_equal(cube["ps"].values[t], nearest)
        np.testing.assert_allclose(cube["tas"].values[t], healpy_bilinear(values["tas"][t].astype(np.float64), nside, nested, lon, lat),
                                   atol=2e-4, rtol=0)
        # Interpolation misses the smooth field by ≈ ⅛·h²·|f''| away from the poles; the largest
        # misses are next to them, where the stencil is skewed: measured 0.132 (Nside 32) and
        # 0.054 (Nside 64) on this 0.5° target; the bounds leave ~20% headroom.
        assert np.abs(cube["tas"].values[t] - field("2t", lon, lat, hours)).max() < {32: 0.16, 64: 0.065}[nside]
    assert str(cube["time"].values[1])[:16] == "2024-01-01T06:00"


def test_projected_target_and_lineage(tmp_path):
    path = write(dataset(64, True), tmp_path, "hp", "netcdf")
    cube = build(tmp_path, "eu", "netcdf", path, "{tas: {resampling: bilinear}}", EUROPE)
    lon, lat = centres(cube)
    expected = healpy_bilinear(analytic(64, True)["tas"][0].astype(np.float64), 64, True, lon, lat)
    np.testing.assert_allclose(cube["tas"].values[0], expected, atol=2e-4, rtol=0)
    assert np.abs(cube["tas"].values[0] - field("2t", lon, lat, 0)).max() < 0.065
    # The cube and its STAC item pass CubeGen's own check (values, chunks, catalogue).
    verified = cubegen("verify", tmp_path / "eu.zarr")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # The lineage records the source grid as HEALPix, with the file's cells and grid mapping.
    lineage = json.loads((tmp_path / "eu.zarr" / "lineage.json").read_text())
    jsonschema.validate(lineage, json.loads((HERE.parents[1] / "schemas" / "lineage.schema.json").read_text()))
    grid = lineage["variables"][0]["source"]["grid"]
    assert grid["healpix"] == {"nside": 64, "order": "nested"}
    assert grid["cells"]["dimension"] == "cell" and grid["cells"]["stored"] == 49152
    assert grid["cells"]["grid_mapping_attributes"] == {"grid_mapping_name": "healpix", "indexing_scheme": "nested",
                                                        "refinement_level": 6, "earth_radius": 6371000.0}


def regional_cells(nside, nested):
    """The cells whose centres lie in 10°W…40°E, 35…70°N, ascending."""
    lon, lat = healpy.pix2ang(nside, np.arange(12 * nside * nside), nest=nested, lonlat=True)
    lon = np.where(lon > 180, lon - 360, lon)
    return np.nonzero((lon >= -10) & (lon <= 40) & (lat >= 35) & (lat <= 70))[0]


@pytest.mark.parametrize("store,order,shuffled", [("netcdf", "nested", False), ("zarr", "ring", True)])
def test_regional_subset(tmp_path, store, order, shuffled):
    """A file holding part of the sphere: target pixels whose nearest cell is absent are NaN,
    bilinear uses the stencil's present cells, and area methods inside the region equal those of
    the whole sphere (absent cells are ignored as NaN is)."""
    nside, nested = 64, order == "nested"
    cells = regional_cells(nside, nested)
    if shuffled:   # an auxiliary index in no particular order
        cells = np.random.default_rng(7).permutation(cells)
    ds = dataset(nside, nested, cells=cells, coordinate=not shuffled, index_name="healpix_idx")
    path = write(ds, tmp_path, "part", store)
    whole = write(dataset(nside, nested), tmp_path, "whole", store)
    variables = "{tas: {resampling: bilinear}, ps: {resampling: nearest}}"
    # Several spatial tasks: the shared whole-sphere plane is read (and scattered) once per step.
    cube = build(tmp_path, "r", store, path, variables, REGION, chunks="{time: 1, lat: 40, lon: 60}")
    lon, lat = centres(cube)
    sphere = {name: np.full((len(HOURS), 12 * nside * nside), np.nan) for name in ("tas", "ps")}
    full = analytic(nside, nested)
    for name in sphere:
        sphere[name][:, cells] = full[name][:, cells]
    nearest = sphere["ps"][0][healpy.ang2pix(nside, lon, lat, nest=nested, lonlat=True)]
    np.testing.assert_array_equal(cube["ps"].values[0], nearest.astype(np.float32))
    missing = np.isnan(nearest)
    assert missing.sum() > 1000 and (~missing).sum() > 1000   # both kinds of pixels are there
    np.testing.assert_allclose(cube["tas"].values[0], healpy_bilinear(sphere["tas"][0], nside, nested, lon, lat), atol=2e-4, rtol=0)
    # Area methods: inside the region as from the whole sphere, NaN far outside it.
    area = "{tas: {resampling: conservative}, ps: {resampling: max}}"
    part = build(tmp_path, "ra", store, path, area, REGION)
    reference = build(tmp_path, "wa", store, whole, area, REGION)
    inside = (lon >= -5) & (lon <= 35) & (lat >= 40) & (lat <= 65)
    outside = (lon < -15) | (lon > 45) | (lat < 30) | (lat > 75)
    for name in ("tas", "ps"):
        np.testing.assert_allclose(part[name].values[:, inside], reference[name].values[:, inside], rtol=1e-6, atol=1e-6)
        assert np.isnan(part[name].values[:, outside]).all()
        assert np.isfinite(reference[name].values[:, outside]).all()
    lineage = json.loads((tmp_path / "r.zarr" / "lineage.json").read_text())
    assert lineage["variables"][0]["source"]["grid"]["cells"]["stored"] == len(cells)


def test_easygems_style_reads_as_cf(tmp_path):
    """`crs` with healpix_nside/healpix_order "nest", no index and no grid_mapping on the data
    (easygems, grid-doctor): the same cube as the CF-1.13 file of the same values."""
    old = tmp_path / "old.zarr"
    write_zarr(dataset(32, True, style="easygems"), old, zarr_format=2)
    new = write(dataset(32, True), tmp_path, "new", "netcdf")
    a = build(tmp_path, "a", "zarr", old, "{tas: {resampling: bilinear}, ps: {resampling: nearest}}", GLOBAL)
    b = build(tmp_path, "b", "netcdf", new, "{tas: {resampling: bilinear}, ps: {resampling: nearest}}", GLOBAL)
    for name in ("tas", "ps"):
        np.testing.assert_array_equal(a[name].values, b[name].values)


METHODS = ["nearest", "bilinear", "average", "conservative", "min", "max", "mode", "med", "q1", "q3", "rms", "sum"]


def test_same_cube_as_the_grib_path(tmp_path):
    """The values of a GRIB HEALPix message written into NetCDF give the GRIB source's cube, bit
    for bit, for every cell-grid method (one cube variable per method, chunked into several
    spatial tasks)."""
    pytest.importorskip("eccodes")
    from cellgrid_inputs import decoded, write_healpix
    grib = tmp_path / "h32.grib2"
    write_healpix(grib, 32, True, params=("2t",))
    values = np.stack([decoded(grib, k) for k in range(len(HOURS))]).astype(np.float32)
    path = write(dataset(32, True, values={f"tas_{m}": values for m in METHODS}), tmp_path, "same", "netcdf")
    grid = "{crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 1}"
    chunks = "{time: 1, lat: 90, lon: 120}"
    a = build(tmp_path, "g", "grib", grib, "{" + ", ".join(f"{m}: {{select: {{shortName: 2t}}, resampling: {m}}}" for m in METHODS) + "}",
              grid, chunks=chunks)
    b = build(tmp_path, "n", "netcdf", path, "{" + ", ".join(f"tas_{m}: {{resampling: {m}, name: {m}}}" for m in METHODS) + "}",
              grid, chunks=chunks)
    for m in METHODS:
        assert np.isfinite(a[m].values).all()
        np.testing.assert_array_equal(a[m].values, b[m].values, err_msg=m)


CF = {"grid_mapping_name": "healpix", "indexing_scheme": "nested", "refinement_level": np.int32(2)}


@pytest.mark.parametrize("case,mapping,cells,fragments", [
    ("no_level", {k: v for k, v in CF.items() if k != "refinement_level"}, None, ["no refinement_level"]),
    ("negative", {**CF, "refinement_level": np.int32(-1)}, None, ["refinement_level -1"]),
    ("too_large", {**CF, "refinement_level": np.int32(12)}, None, ["refinement_level 12", "too large"]),
    ("nuniq", {**CF, "indexing_scheme": "nuniq"}, None, ['indexing_scheme "nuniq"', "not supported"]),
    ("zuniq", {**CF, "indexing_scheme": "zuniq"}, None, ['indexing_scheme "zuniq"']),
    ("unknown", {**CF, "indexing_scheme": "spiral"}, None, ['indexing_scheme "spiral"']),
    ("out_of_range", CF, [3, 5, 192], ["healpix_index 'cell'", "index 192", "position 2", "0…191"]),
    ("negative_index", CF, [-1, 5], ["index -1", "position 0"]),
    ("duplicated", CF, [7, 3, 7], ["index 7 appears twice", "positions 0 and 2"]),
])
def test_bad_grid_descriptions_fail_at_planning(tmp_path, case, mapping, cells, fragments):
    for store in ("netcdf", "zarr"):
        if cells is None:
            ds = dataset(4, True, mapping=mapping)
        else:
            ds = dataset(4, True, cells=np.asarray(cells), coordinate=cells == sorted(cells) and cells[0] >= 0,
                         values={"tas": np.zeros((len(HOURS), len(cells)), np.float32)})
            ds["crs"].attrs = mapping
        path = write(ds, tmp_path, f"in_{case}_{store}", store)
        result = build(tmp_path, f"{case}_{store}", store, path, "{tas: {resampling: nearest}}", GLOBAL, check=False)
        one_line_error(result, path.name, "'crs'" if cells is None else "'cell'", *fragments)
        assert not (tmp_path / f"{case}_{store}.zarr").exists()


def test_index_length_differs_from_the_cell_dimension(tmp_path):
    """Zarr arrays may name one dimension with different lengths: the index and a variable disagree.
    In NetCDF the variable on the mapping but off the index's dimension is the same mistake."""
    zarr = pytest.importorskip("zarr")
    path = write(dataset(4, True, cells=np.arange(10, 40)), tmp_path, "len", "zarr")
    group = zarr.open_group(path, mode="a")
    array = group.create_array("tas2", shape=(len(HOURS), 29), dtype="float32", dimension_names=("time", "cell"),
                               attributes={"grid_mapping": "crs", "_FillValue": "AAAAAAAA+H8="})
    array[:] = 0
    zarr.consolidate_metadata(path)
    result = build(tmp_path, "len", "zarr", path, "{tas: {resampling: nearest}}", GLOBAL, check=False)
    one_line_error(result, "len.zarr", "'tas2'", "29 cells along 'cell'", "healpix_index 'cell' has 30")
    ds = dataset(4, True, cells=np.arange(10, 40))
    ds["tas3"] = xr.Variable(("time", "other"), np.zeros((len(HOURS), 12), np.float32), {"grid_mapping": "crs"})
    nc = write(ds, tmp_path, "dims", "netcdf")
    result = build(tmp_path, "dims", "netcdf", nc, "{tas: {resampling: nearest}}", GLOBAL, check=False)
    one_line_error(result, "dims.nc", "'tas3'", "without 'cell'", "healpix_index 'cell' (30 values)")


def test_pressure_levels_of_a_regional_file(tmp_path):
    """(time, plev, cell) on part of the sphere: `levels:` picks the levels, each the nearest
    present cell's value of its level, NaN where the cell is absent."""
    nside, cells = 16, np.arange(100, 2000)
    ds = dataset(nside, True, cells=cells)
    offsets = np.array([0.0, 100.0, 200.0], np.float32)
    ds["t"] = xr.Variable(("time", "plev", "cell"), ds["tas"].values[:, None, :] + offsets[None, :, None], {"grid_mapping": "crs", "units": "K"})
    ds = ds.drop_vars(["tas", "ps"]).assign_coords(
        plev=xr.Variable("plev", np.array([100000.0, 85000.0, 50000.0]), {"standard_name": "air_pressure", "units": "Pa", "positive": "down"}))
    path = write(ds, tmp_path, "lev", "netcdf")
    cube = build(tmp_path, "lev", "netcdf", path, "{t: {resampling: nearest, levels: [500, 850], level_units: hPa}}",
                 "{crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 2}")
    assert cube["t"].dims == ("time", "plev", "lat", "lon")
    np.testing.assert_array_equal(cube["plev"].values, [50000.0, 85000.0])
    lon, lat = centres(cube)
    sphere = np.full((len(HOURS), 12 * nside * nside), np.nan, np.float32)
    sphere[:, cells] = analytic(nside, True)["tas"][:, cells]
    pixels = healpy.ang2pix(nside, lon, lat, nest=True, lonlat=True)
    for t in range(len(HOURS)):
        for k, offset in enumerate([200.0, 100.0]):
            np.testing.assert_array_equal(cube["t"].values[t, k], sphere[t][pixels] + np.float32(offset))


def test_files_with_different_cells_concatenate_along_time(tmp_path):
    """Files of one source may store different cells: each step is read with its own file's
    index. A bad index in a later file fails at planning, naming that file."""
    nside = 16
    first, second = np.arange(0, 1500), np.arange(1000, 3072, 2)
    a = write(dataset(nside, True, cells=first, hours=[0, 6]), tmp_path, "a", "netcdf")
    b = write(dataset(nside, True, cells=second, hours=[12, 18]), tmp_path, "b", "netcdf")
    grid = "{crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 2}"
    cube = build(tmp_path, "two", "netcdf", f"{a}, {b}", "{ps: {resampling: nearest}}", grid)
    assert cube.sizes["time"] == 4
    lon, lat = centres(cube)
    pixels = healpy.ang2pix(nside, lon, lat, nest=True, lonlat=True)
    for t, (hours, cells) in enumerate([(0, first), (6, first), (12, second), (18, second)]):
        sphere = np.full(12 * nside * nside, np.nan, np.float32)
        sphere[cells] = analytic(nside, True, hours=[hours])["ps"][0][cells]
        np.testing.assert_array_equal(cube["ps"].values[t], sphere[pixels], err_msg=f"+{hours}h")
    bad = write(dataset(nside, True, cells=np.array([5, 9, 5]), hours=[24], values={"ps": np.zeros((1, 3), np.float32)}),
                tmp_path, "bad", "netcdf")
    result = build(tmp_path, "three", "netcdf", f"{a}, {b}, {bad}", "{ps: {resampling: nearest}}", grid, check=False)
    one_line_error(result, "bad.nc", "healpix_index 'cell'", "index 5 appears twice")
    assert not (tmp_path / "three.zarr").exists()
