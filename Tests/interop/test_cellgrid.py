"""Cell grids as source geometry (HEALPix nested/ring, octahedral reduced Gaussian) from GRIB files
written by the test with analytic fields (PyPI eccodes): cubes on EPSG:4326 and EPSG:3035 against
independent implementations (healpy's ang2pix and get_interp_weights, a numpy reduced-Gaussian
interpolation), the analytic truth within stated tolerances, and the area integral under
`conservative`; `select:` picks GRIB fields by their keys."""
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from conftest import cubegen

HERE = pathlib.Path(__file__).resolve().parent
# pyproj before eccodes: the eccodes wheel's bundled libraries leave pyproj without its database
# when they are loaded first.
pyproj = pytest.importorskip("pyproj")
healpy = pytest.importorskip("healpy")
pytest.importorskip("eccodes")
from cellgrid_inputs import (HOURS, cell_areas_gaussian, decoded, field, gaussian_latitudes,  # noqa: E402
                             octahedral_rows)

GLOBAL = "{crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 2}"
GLOBAL_1 = "{crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 1}"
EUROPE = "{crs: EPSG:3035, bbox: [2500000, 1500000, 7000000, 5500000], resolution: 50000}"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("cellgrid")
    subprocess.run([sys.executable, HERE / "cellgrid_inputs.py", out], check=True)
    return out


def build(folder, name, path, variables, grid, check=True):
    """Runs a recipe; `variables` is the YAML flow mapping of the source's variables."""
    recipe = folder / f"{name}.yaml"
    recipe.write_text(f"""version: 1
cube: {{id: {name}, title: cell grid test, license: CC0-1.0}}
grid: {grid}
sources:
  - name: src
    store: grib
    paths: [{path}]
    variables: {variables}
output: {{path: {name}.zarr, overwrite: true}}
catalog: {{quicklooks: false}}
""")
    result = cubegen("run", recipe, cwd=folder)
    if not check:
        return result
    assert result.returncode == 0, result.stderr
    return xr.open_zarr(folder / f"{name}.zarr").load()


def centres(cube):
    """Longitudes/latitudes of the cube's pixel centres (EPSG:4326 or EPSG:3035 cubes)."""
    if "lon" in cube.coords:
        return np.meshgrid(cube["lon"].values, cube["lat"].values)
    X, Y = np.meshgrid(cube["x"].values, cube["y"].values)
    return pyproj.Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True).transform(X, Y)


def reduced_gaussian_linear(values, n, rows, lon, lat):
    """Independent reduced-Gaussian interpolation: linear along the two bracketing rows, then
    linear in latitude between them (beyond the outer rows, the outer row alone)."""
    lats, _ = gaussian_latitudes(n)
    starts = np.concatenate([[0], np.cumsum(rows)])
    def along(r, lo):
        p = rows[r]
        x = (lo % 360.0) * p / 360.0
        k = np.floor(x).astype(int) % p
        t = x - np.floor(x)
        return (1 - t) * values[starts[r] + k] + t * values[starts[r] + (k + 1) % p]
    out = np.empty(lon.shape)
    flat_lon, flat_lat, flat_out = lon.ravel(), lat.ravel(), out.ravel()
    for i, (lo, la) in enumerate(zip(flat_lon, flat_lat)):
        if la >= lats[0]:
            flat_out[i] = along(0, lo)
        elif la < lats[-1]:
            flat_out[i] = along(len(rows) - 1, lo)
        else:
            a = np.nonzero(lats >= la)[0][-1]
            b = a + 1
            t = (lats[a] - la) / (lats[a] - lats[b])
            flat_out[i] = (1 - t) * along(a, lo) + t * along(b, lo)
    return out


@pytest.mark.parametrize("nside,order", [(16, "nested"), (16, "ring"), (64, "nested"), (64, "ring")])
def test_healpix_nearest_and_bilinear_equal_healpy(inputs, tmp_path, nside, order):
    path = inputs / f"h{nside}_{order}.grib2"
    nested = order == "nested"
    cube = build(tmp_path, "hp", path, "{2t: {resampling: bilinear}, msl: {resampling: nearest, name: msl_nearest}}", GLOBAL)
    lon, lat = centres(cube)
    values = decoded(path, 0)
    pixels, weights = healpy.get_interp_weights(nside, lon.ravel(), lat.ravel(), nest=nested, lonlat=True)
    expected = (weights * values[pixels]).sum(axis=0).reshape(lon.shape)
    np.testing.assert_allclose(cube["2t"].values[0], expected, atol=2e-4, rtol=0)
    msl = decoded(path, 2)   # msl at +0 h
    nearest = msl[healpy.ang2pix(nside, lon, lat, nest=nested, lonlat=True)]
    np.testing.assert_allclose(cube["msl_nearest"].values[0], nearest.astype(np.float32), atol=1e-3, rtol=0)
    # Against the analytic truth: interpolation between cell centres h apart misses a field with
    # |f''| ≤ ~45 per rad² by about ⅛·h²·|f''|, more on HEALPix's rhombic cells near the poles where
    # the stencil is skewed: measured 0.29 at Nside 16 (h ≈ 3.7°) and 0.035 at Nside 64 (h ≈ 0.9°),
    # ×16 per halving of Nside as h² predicts; the bounds leave ~20% headroom.
    truth = field("2t", lon, lat, 0)
    tolerance = {16: 0.35, 64: 0.045}[nside]
    assert np.abs(cube["2t"].values[0] - truth).max() < tolerance
    assert str(cube["time"].values[1])[:16] == "2024-01-01T06:00"
    np.testing.assert_allclose(cube["2t"].values[1] - cube["2t"].values[0], 0.1 * HOURS[1], atol=2e-3)


def test_nested_and_ring_give_the_same_cube(inputs, tmp_path):
    a = build(tmp_path, "n", inputs / "h16_nested.grib2", "{2t: {resampling: bilinear}}", GLOBAL)
    b = build(tmp_path, "r", inputs / "h16_ring.grib2", "{2t: {resampling: bilinear}}", GLOBAL)
    np.testing.assert_allclose(a["2t"].values, b["2t"].values, atol=1e-4, rtol=0)


def test_healpix_on_epsg3035_equals_healpy_at_the_projected_centres(inputs, tmp_path):
    path = inputs / "h64_nested.grib2"
    cube = build(tmp_path, "eu", path, "{2t: {resampling: bilinear}}", EUROPE)
    lon, lat = centres(cube)
    values = decoded(path, 0)
    pixels, weights = healpy.get_interp_weights(64, lon.ravel(), lat.ravel(), nest=True, lonlat=True)
    expected = (weights * values[pixels]).sum(axis=0).reshape(lon.shape)
    np.testing.assert_allclose(cube["2t"].values[0], expected, atol=2e-4, rtol=0)
    assert np.abs(cube["2t"].values[0] - field("2t", lon, lat, 0)).max() < 0.045


@pytest.mark.parametrize("n", [32, 80])
def test_octahedral_bilinear_equals_the_reference_interpolation(inputs, tmp_path, n):
    path = inputs / f"o{n}.grib2"
    cube = build(tmp_path, "o", path, "{2t: {resampling: bilinear}}", GLOBAL)
    lon, lat = centres(cube)
    expected = reduced_gaussian_linear(decoded(path, 0), n, octahedral_rows(n), lon, lat)
    np.testing.assert_allclose(cube["2t"].values[0], expected, atol=2e-4, rtol=0)
    # Linear interpolation misses the field by ≈ ⅛·h²·|f''|, h the larger of the row spacing
    # (90°/n) and the point spacing along a row (360°/(4i+16), 18° on the first row): largest next
    # to the poles. Measured 0.19 on O32 and < 0.02 on O80.
    tolerance = {32: 0.25, 80: 0.03}[n]
    assert np.abs(cube["2t"].values[0] - field("2t", lon, lat, 0)).max() < tolerance


def test_octahedral_on_epsg3035(inputs, tmp_path):
    path = inputs / "o80.grib2"
    cube = build(tmp_path, "oeu", path, "{2t: {resampling: bilinear}}", EUROPE)
    lon, lat = centres(cube)
    expected = reduced_gaussian_linear(decoded(path, 0), 80, octahedral_rows(80), lon, lat)
    np.testing.assert_allclose(cube["2t"].values[0], expected, atol=2e-4, rtol=0)


def cube_integral(cube, name):
    """Σ value · area of a global 1° cube's pixels (sphere of radius 1)."""
    lat_bounds = np.radians(cube["lat_bnds"].values)
    lon_bounds = np.radians(cube["lon_bnds"].values)
    areas = np.abs(np.sin(lat_bounds[:, 1]) - np.sin(lat_bounds[:, 0]))[:, None] * np.abs(lon_bounds[:, 1] - lon_bounds[:, 0])[None, :]
    assert abs(areas.sum() / (4 * np.pi) - 1) < 1e-12
    return (cube[name].values[0].astype(np.float64) * areas).sum()


@pytest.mark.parametrize("source", ["h8_nested", "h64_ring", "o32", "o80"])
def test_conservative_preserves_the_area_integral(inputs, tmp_path, source):
    """On `tp`, a seeded random field without smoothness or symmetry (the smooth fields' integrals
    are symmetric enough that any method keeps them): conservative and average keep the area
    integral to 1e-6 relative, bilinear on the same field misses it by 80× that and more."""
    path = inputs / f"{source}.grib2"
    # One field read three ways (select lets two more cube variables take the same GRIB field).
    cube = build(tmp_path, "c", path, "{tp: {resampling: conservative}, tp_average: {select: {shortName: tp}, resampling: average}, "
                                      "tp_bilinear: {select: {shortName: tp}, resampling: bilinear}}", GLOBAL_1)
    other = point = cube
    values = decoded(path, 4)   # tp at +0 h
    if source.startswith("h"):
        areas = np.full(values.size, 4 * np.pi / values.size)
    else:
        n = int(source[1:])
        areas = cell_areas_gaussian(n, octahedral_rows(n))
    source_integral = (values * areas).sum()
    relative = abs(cube_integral(cube, "tp") / source_integral - 1)
    assert relative < 1e-6, relative
    # average weighs by the same true areas on a cell grid.
    assert abs(cube_integral(other, "tp_average") / source_integral - 1) < 1e-6
    # The check can fail: bilinear is not conservative on a rough field (misses by 8e-5 … 1e-3).
    assert abs(cube_integral(point, "tp_bilinear") / source_integral - 1) > 1e-5


def test_area_reductions_bracket_the_mean_and_a_constant_stays_constant(inputs, tmp_path):
    path = inputs / "h64_nested.grib2"
    cube = build(tmp_path, "m", path, "{2t: {resampling: conservative}, msl: {resampling: min, name: lo}}", GLOBAL)
    high = build(tmp_path, "x", path, "{2t: {resampling: max, name: hi}, msl: {resampling: med, name: med}}", GLOBAL)
    mean = cube["2t"].values[0]
    lo, hi = cube["lo"].values[0], high["hi"].values[0]
    values = decoded(path, 0)
    assert np.all(hi >= mean - 1e-4) and np.all(hi <= values.max() + 1e-4)
    msl = decoded(path, 2)
    assert np.all(lo >= msl.min() - 1e-3) and np.all(high["med"].values[0] >= lo - 1e-3)
    # Each 2° pixel holds several H64 cells: the max exceeds the mean somewhere by a fraction of the range.
    assert (hi - mean).max() > 0.1
    # Conservative 2° means match the analytic field's pixel means to within the cells' own spread.
    lon, lat = centres(cube)
    assert np.abs(mean - field("2t", lon, lat, 0)).max() < 0.5


def test_select_picks_a_field_by_its_grib_keys(inputs, tmp_path):
    path = inputs / "h16_nested.grib2"
    cube = build(tmp_path, "s", path,
                 "{air: {select: {shortName: 2t, number: 0}, resampling: nearest}, pressure: {select: {typeOfLevel: meanSea}, resampling: nearest}}",
                 GLOBAL)
    plain = build(tmp_path, "p", path, "{2t: {resampling: nearest}, msl: {resampling: nearest}}", GLOBAL)
    np.testing.assert_array_equal(cube["air"].values, plain["2t"].values)
    np.testing.assert_array_equal(cube["pressure"].values, plain["msl"].values)
    result = build(tmp_path, "bad", path, "{air: {select: {shortName: 10u}}}", GLOBAL, check=False)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode != 0 and len(errors) == 1, result.stderr
    assert "shortName=10u" in errors[0] and "h16_nested.grib2" in errors[0] and "2t (shortName=2t" in errors[0] and "msl" in errors[0], errors[0]
    assert not (tmp_path / "bad.zarr").exists()
    result = build(tmp_path, "bad2", path, "{air: {select: {shortName: 2t, colour: red}}}", GLOBAL, check=False)
    assert result.returncode != 0 and "unknown key 'colour'" in result.stderr, result.stderr
    result = build(tmp_path, "bad3", path, "{2t: {resampling: cubic}}", GLOBAL, check=False)
    assert result.returncode != 0 and "no cell-grid form" in result.stderr, result.stderr


def test_regular_gaussian_is_a_raster_that_matches_the_truth(inputs, tmp_path):
    """F32 stays a regular grid (1-D Gaussian latitudes): bilinear on the 1-D axes misses the field
    by ≈ ⅛·h²·|f''| with h ≈ 2.8°, and nothing beyond the outer rows (±87.86°) is asked for."""
    cube = build(tmp_path, "f", inputs / "f32.grib2", "{2t: {resampling: bilinear}}",
                 "{crs: EPSG:4326, bbox: [-180, -86, 180, 86], resolution: 2}")
    lon, lat = centres(cube)
    assert np.abs(cube["2t"].values[0] - field("2t", lon, lat, 0)).max() < 0.05


@pytest.mark.parametrize("method", ["bilinear", "conservative"])
def test_weights_shared_between_time_blocks_give_the_same_cube(inputs, tmp_path, method):
    """One time step per chunk and 2 × 3 regions: each region's cell-grid weights are made by the
    first time block and reused by the next (a cache shared between tasks). The cube must equal,
    bit for bit, the one whose single time block makes its weights itself, and the second step
    must still match healpy (bilinear) or keep the area integral (conservative)."""
    path = inputs / "h64_nested.grib2"
    cubes = {}
    for name, chunks in [("one_block", "{time: 2, lat: 60, lon: 120}"), ("per_step", "{time: 1, lat: 60, lon: 120}")]:
        recipe = tmp_path / f"{name}.yaml"
        recipe.write_text(f"""version: 1
cube: {{id: {name.replace("_", "-")}, title: shared weights, license: CC0-1.0}}
grid: {GLOBAL_1}
sources:
  - name: src
    store: grib
    paths: [{path}]
    variables: {{2t: {{resampling: {method}}}, tp: {{resampling: {method}}}}}
output: {{path: {name}.zarr, overwrite: true, chunks: {chunks}}}
catalog: {{quicklooks: false}}
""")
        result = cubegen("run", recipe, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        cubes[name] = xr.open_zarr(tmp_path / f"{name}.zarr").load()
    a, b = cubes["one_block"], cubes["per_step"]
    for name in ["2t", "tp"]:
        assert a[name].shape[0] == 2
        np.testing.assert_array_equal(a[name].values, b[name].values)
    lon, lat = centres(b)
    if method == "bilinear":
        values = decoded(path, 1)   # 2t at +6 h
        pixels, weights = healpy.get_interp_weights(64, lon.ravel(), lat.ravel(), nest=True, lonlat=True)
        expected = (weights * values[pixels]).sum(axis=0).reshape(lon.shape)
        np.testing.assert_allclose(b["2t"].values[1], expected, atol=2e-4, rtol=0)
    else:
        values = decoded(path, 5)   # tp at +6 h
        areas = np.full(values.size, 4 * np.pi / values.size)
        cell = np.radians(1.0)
        pixel_areas = cell * (np.sin(np.radians(lat + 0.5)) - np.sin(np.radians(lat - 0.5)))
        integral = (b["tp"].values[1].astype(np.float64) * pixel_areas).sum()
        assert abs(integral / (values * areas).sum() - 1) < 1e-6


# Regional targets: Europe (EPSG:3035), the Arctic up to the pole (EPSG:3413), and the Pacific
# across the antimeridian (EPSG:3832, WGS 84 / PDC Mercator centred at 150° E: 160° E … 160° W).
REGIONS = {
    "europe": EUROPE,
    "arctic": "{crs: EPSG:3413, bbox: [-2000000, -2000000, 2000000, 2000000], resolution: 50000}",
    "pacific": "{crs: EPSG:3832, bbox: [1100000, -4850000, 5550000, -1100000], resolution: 50000}",
}


def region_centres(cube, crs):
    X, Y = np.meshgrid(cube["x"].values, cube["y"].values)
    return pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(X, Y)


@pytest.mark.parametrize("source", ["h64_nested", "h64_ring", "o80"])
@pytest.mark.parametrize("region", sorted(REGIONS))
def test_a_regional_target_reads_only_the_cells_it_reaches(inputs, tmp_path, source, region):
    """A regional target decodes only the cells it can reach (`cubegen plan` says how many): the
    cube still equals healpy's interpolation (or the numpy reduced-Gaussian one) at the projected
    pixel centres, and `conservative` (whose weights would be refused if they read a cell left
    out) stays within its cells' spread of the analytic field."""
    path = inputs / f"{source}.grib2"
    grid = REGIONS[region]
    variables = "{2t: {resampling: bilinear}, 2t_cons: {select: {shortName: 2t}, resampling: conservative}}"
    recipe_name = f"{region}_{source}"
    build(tmp_path, recipe_name + "_probe", path, "{2t: {resampling: nearest}}", grid)   # writes the recipe file too
    plan = cubegen("plan", tmp_path / f"{recipe_name}_probe.yaml", cwd=tmp_path)
    assert plan.returncode == 0, plan.stderr
    line = next(line for line in plan.stdout.splitlines() if line.startswith("source"))
    reads, total = (int(word) for word in line.split("reads ")[1].split(" cells")[0].split(" of "))
    assert 0 < reads < total / 2, line
    cube = build(tmp_path, recipe_name, path, variables, grid)
    crs = grid.split("crs: ")[1].split(",")[0]
    lon, lat = region_centres(cube, crs)
    values = decoded(path, 0)
    if source.startswith("h"):
        nside = 64
        pixels, weights = healpy.get_interp_weights(nside, lon.ravel(), lat.ravel(), nest=source.endswith("nested"), lonlat=True)
        expected = (weights * values[pixels]).sum(axis=0).reshape(lon.shape)
    else:
        expected = reduced_gaussian_linear(values, 80, octahedral_rows(80), lon, lat)
    np.testing.assert_allclose(cube["2t"].values[0], expected, atol=2e-4, rtol=0)
    # 50 km pixels over ~100 km cells: the area means stay within the field's spread over a cell or two.
    assert np.abs(cube["2t_cons"].values[0] - field("2t", lon, lat, 0)).max() < 0.5
    assert not np.isnan(cube["2t_cons"].values[0]).any()
