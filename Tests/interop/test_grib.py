"""GRIB inputs (`store: grib`, ecCodes): files written by the tests with analytic fields (levels,
steps, scanning modes, a bitmap) and real files nobody here wrote (the sample data of the cfgrib
source distribution, fetched from PyPI by the test, not committed) → cubes on the files' own grids
whose values equal the analytic truth and what cfgrib/xarray reads; bad input is one line."""
import pathlib
import subprocess
import sys
import tarfile

import numpy as np
import pytest
import xarray as xr

from conftest import cubegen

HERE = pathlib.Path(__file__).resolve().parent
eccodes = pytest.importorskip("eccodes")
pytest.importorskip("cfgrib")
from grib_inputs import field  # noqa: E402


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("grib")
    subprocess.run([sys.executable, HERE / "grib_inputs.py", out], check=True)
    return out


@pytest.fixture(scope="module")
def cfgrib_samples(tmp_path_factory):
    """tests/sample-data of the cfgrib sdist on PyPI."""
    out = tmp_path_factory.mktemp("cfgrib")
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps", "cfgrib==0.9.15.1",
                    "-d", out], check=True, timeout=300)
    with tarfile.open(next(out.glob("cfgrib-*.tar.gz"))) as tar:
        members = [m for m in tar.getmembers() if "/tests/sample-data/" in m.name and m.name.endswith(".grib")]
        tar.extractall(out, members=members, filter="data")
    return next(out.glob("cfgrib-*/tests/sample-data"))


def build(folder, name, path, variables, bbox, resolution):
    recipe = folder / f"{name}.yaml"
    recipe.write_text(f"""version: 1
cube: {{id: {name}, title: GRIB test, license: CC0-1.0}}
grid: {{crs: EPSG:4326, bbox: [{bbox[0]}, {bbox[1]}, {bbox[2]}, {bbox[3]}], resolution: {resolution}}}
sources:
  - name: src
    store: grib
    paths: [{path}]
    variables: {{{", ".join(f"{v}: {{resampling: nearest}}" for v in variables)}}}
output: {{path: {name}.zarr, overwrite: true}}
catalog: {{quicklooks: false}}
""")
    result = cubegen("run", recipe, cwd=folder)
    assert result.returncode == 0, result.stderr
    return xr.open_zarr(folder / f"{name}.zarr").load()


GRID_BBOX = (-10.25, 39.75, 20.25, 60.25)  # the files' 0.5° grid, by cell edges


@pytest.mark.parametrize("name", ["sfc", "sfc_i_negative", "sfc_j_positive"])
def test_every_scanning_mode_gives_the_analytic_field(inputs, tmp_path, name):
    cube = build(tmp_path, name, inputs / f"{name}.grib2", ["2t", "msl"], GRID_BBOX, 0.5)
    assert cube.sizes["time"] == 3
    LON, LAT = np.meshgrid(cube["lon"].values, cube["lat"].values)
    for t, hours in enumerate([0, 6, 12]):
        for short in ("2t", "msl"):
            truth = field(short, LON, LAT, hours)
            tolerance = 1e-3 if short == "2t" else 0.1  # 24-bit simple packing
            np.testing.assert_allclose(cube[short].values[t], truth, atol=tolerance, err_msg=f"{name} {short} +{hours}h")
    assert str(cube["time"].values[1])[:16] == "2024-01-01T06:00"


def test_levels_become_variables_and_a_bitmap_becomes_nan(inputs, tmp_path):
    cube = build(tmp_path, "pl", inputs / "pl.grib2", ["t_isobaricInhPa_850", "t_isobaricInhPa_500"], GRID_BBOX, 0.5)
    LON, LAT = np.meshgrid(cube["lon"].values, cube["lat"].values)
    for level in (850, 500):
        np.testing.assert_allclose(cube[f"t_isobaricInhPa_{level}"].values[2], field(f"t{level}", LON, LAT, 12), atol=1e-3)
    missing = build(tmp_path, "missing", inputs / "sfc_missing.grib2", ["2t"], GRID_BBOX, 0.5)
    gone = (LON > 5) & (LAT < 50)
    values = missing["2t"].values[0]
    assert np.isnan(values[gone]).all() and not np.isnan(values[~gone]).any()
    np.testing.assert_allclose(values[~gone], field("2t", LON, LAT, 0)[~gone], atol=1e-3)


@pytest.mark.parametrize("sample", ["regular_ll_sfc.grib", "regular_ll_msl.grib", "scanning_mode_64.grib",
                                    "fields_with_missing_values.grib", "regular_gg_sfc.grib"])
def test_real_files_equal_what_cfgrib_reads(cfgrib_samples, tmp_path, sample):
    path = cfgrib_samples / sample
    with xr.open_dataset(path, engine="cfgrib", indexpath="") as ds:
        reference = ds.load()
    # cfgrib names variables by cfVarName (t2m), CubeGen by ecCodes' shortName (2t).
    ours = {v: reference[v].attrs["GRIB_shortName"] for v in reference.data_vars}
    names = list(ours.values())
    lat, lon = reference["latitude"].values, reference["longitude"].values
    lon = np.where(lon > 180, lon - 360, lon) if lon.max() > 180 and lon.min() >= 180 else lon
    dlon = abs(float(lon[1] - lon[0]))
    if sample.startswith("regular_gg"):
        # Gaussian rows are not evenly spaced: sample inside the grid on a regular raster, nearest both ways.
        bbox = (float(lon.min()), -60.0, float(lon.min()) + 90, 60.0)
        resolution = 3.0
    else:
        dlat = abs(float(lat[1] - lat[0]))
        assert abs(dlat - dlon) < 1e-9
        # Target cells centred on the source points (pole rows left out: a cell cannot reach beyond ±90°).
        south = float(lat.min()) - dlon / 2 if lat.min() - dlon / 2 >= -90 else float(lat.min()) + dlon / 2
        north = float(lat.max()) + dlon / 2 if lat.max() + dlon / 2 <= 90 else float(lat.max()) - dlon / 2
        bbox = (float(lon.min()) - dlon / 2, south, float(lon.max()) + dlon / 2, north)
        resolution = dlon
    cube = build(tmp_path, "real", path, names, bbox, resolution)
    for cf_name, name in ours.items():
        ref = reference[cf_name]
        if "time" not in ref.dims and "valid_time" in ref.coords and "step" in ref.dims:
            ref = ref.swap_dims({"step": "valid_time"})
        expected = ref.sortby("longitude").sel(latitude=cube["lat"], longitude=cube["lon"], method="nearest")
        got = cube[name].values
        np.testing.assert_allclose(got.reshape(-1, *got.shape[-2:]), np.asarray(expected.values, dtype=np.float32).reshape(-1, *got.shape[-2:]),
                                   rtol=1e-6, atol=1e-6, equal_nan=True, err_msg=f"{sample} {name}")


def test_reduced_gaussian_real_file_equals_an_interpolation_of_what_cfgrib_reads(cfgrib_samples, tmp_path):
    """ECMWF's reduced Gaussian N48 sample (13 280 points): CubeGen's bilinear cube equals the
    independent row-by-row linear interpolation (test_cellgrid) of the points cfgrib reads."""
    from test_cellgrid import reduced_gaussian_linear
    path = cfgrib_samples / "reduced_gg.grib"
    with xr.open_dataset(path, engine="cfgrib", indexpath="") as ds:
        ref = ds.load()
    values, lat, lon = ref["u10"].values, ref["latitude"].values, ref["longitude"].values
    assert values.shape == (13280,)
    # Points per row, north to south, from cfgrib's latitudes (each row starts at 0°E).
    starts = np.concatenate([[0], np.nonzero(np.diff(lat))[0] + 1])
    rows = np.diff(np.concatenate([starts, [lat.size]]))
    assert rows.size == 96 and np.all(lon[starts] == 0)
    recipe = tmp_path / "rg.yaml"
    recipe.write_text(f"""version: 1
cube: {{id: rg, title: reduced Gaussian sample, license: CC0-1.0}}
grid: {{crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 2.5}}
sources: [{{name: src, store: grib, paths: ["{path}"], variables: {{10u: {{resampling: bilinear}}}}}}]
output: {{path: rg.zarr, overwrite: true}}
catalog: {{quicklooks: false}}
""")
    result = cubegen("run", recipe, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cube = xr.open_zarr(tmp_path / "rg.zarr").load()
    LON, LAT = np.meshgrid(cube["lon"].values, cube["lat"].values)
    expected = reduced_gaussian_linear(values.astype(np.float64), 48, rows, LON, LAT)
    np.testing.assert_allclose(cube["10u"].values[0], expected, atol=1e-4, rtol=1e-5)


def native_cube(folder, name, path, variable, crs, x0, y0, nx, ny, d):
    """Runs `path` onto its own projected grid (`crs`, first point (x0, y0), `d` metres, north up): nearest is the identity."""
    recipe = folder / f"{name}.yaml"
    recipe.write_text(f"""version: 1
cube: {{id: {name}, title: GRIB test, license: CC0-1.0}}
grid: {{crs: "{crs}", bbox: [{x0 - d / 2}, {y0 - d / 2}, {x0 + (nx - 0.5) * d}, {y0 + (ny - 0.5) * d}], resolution: {d}}}
sources:
  - name: src
    store: grib
    paths: [{path}]
    variables: {{{variable}: {{resampling: nearest}}}}
output: {{path: {name}.zarr, overwrite: true}}
catalog: {{quicklooks: false}}
""")
    result = cubegen("run", recipe, cwd=folder)
    assert result.returncode == 0, result.stderr
    return xr.open_zarr(folder / f"{name}.zarr").load()


def test_lambert_real_file_equals_cfgrib_and_its_geolocation(cfgrib_samples, tmp_path):
    """ALADIN's Lambert conformal grid (GRIB 1, sphere of 6367470 m): on its own grid the cube is
    cfgrib's array, and every pixel centre, taken back to lon/lat with pyproj from the grid's own
    parameters, is the point ecCodes/cfgrib locate there."""
    import pyproj
    path = cfgrib_samples / "lambert_grid.grib"
    with xr.open_dataset(path, engine="cfgrib", indexpath="") as ds:
        ref = ds.load()
    a = ref["nlwrs"].attrs
    crs = (f"+proj=lcc +lat_1={a['GRIB_Latin1InDegrees']} +lat_2={a['GRIB_Latin2InDegrees']} +lat_0={a['GRIB_LaDInDegrees']} "
           f"+lon_0={a['GRIB_LoVInDegrees']} +R=6367470 +units=m +no_defs +type=crs")
    lcc = pyproj.Transformer.from_crs("+proj=longlat +R=6367470 +no_defs +type=crs", crs, always_xy=True)
    x0, y0 = lcc.transform(a["GRIB_longitudeOfFirstGridPointInDegrees"], a["GRIB_latitudeOfFirstGridPointInDegrees"])
    cube = native_cube(tmp_path, "lcc", path, "nlwrs", crs, x0, y0, 475, 475, 2500.0)
    values = cube["nlwrs"].values[0]
    assert values.shape == (475, 475)
    # cfgrib's rows run south to north (jScansPositively); the cube is north up.
    np.testing.assert_array_equal(values, ref["nlwrs"].values[::-1], err_msg="nearest on the native grid is the identity")
    X, Y = np.meshgrid(cube["x"].values, cube["y"].values)
    lon, lat = lcc.transform(X, Y, direction="INVERSE")
    np.testing.assert_allclose(lat, ref["latitude"].values[::-1], atol=1e-6)
    np.testing.assert_allclose((lon - ref["longitude"].values[::-1] + 180) % 360 - 180, 0, atol=1e-6)


def periodic(lon, lat):
    """A smooth field without a seam at any longitude (polar grids span the antimeridian)."""
    return 280.0 + 10 * np.cos(np.radians(lat)) + 5 * np.sin(np.radians(lon)) + 3 * np.cos(2 * np.radians(lon))


@pytest.mark.parametrize("south", [False, True])
def test_polar_stereographic_gives_the_analytic_field(tmp_path, south, binaries):
    """A polar stereographic GRIB 2 grid written by a current ecCodes (PyPI) on its 6371229 m sphere, its values
    the analytic field at the latitudes/longitudes ecCodes gives each point: the cube on the same
    grid holds, at each pixel centre taken to lon/lat with pyproj, the field there."""
    import eccodes
    import pyproj
    nx, ny, d = 40, 30, 50000.0
    h = eccodes.codes_grib_new_from_samples("polar_stereographic_sfc_grib2")
    for key, value in [("shapeOfTheEarth", 6), ("Nx", nx), ("Ny", ny), ("DxInMetres", d), ("DyInMetres", d), ("LaDInDegrees", -71.0 if south else 60.0),
                       ("orientationOfTheGridInDegrees", 10.0 if south else -45.0), ("projectionCentreFlag", 128 if south else 0),
                       ("latitudeOfFirstGridPointInDegrees", -60.0 if south else 55.0), ("longitudeOfFirstGridPointInDegrees", 300.0 if south else 250.0),
                       ("iScansNegatively", 0), ("jScansPositively", 1), ("dataDate", 20240101), ("dataTime", 0), ("shortName", "2t"),
                       ("bitsPerValue", 24)]:
        eccodes.codes_set(h, key, value)
    eccodes.codes_set_values(h, np.zeros(nx * ny))
    lats, lons = eccodes.codes_get_array(h, "latitudes"), eccodes.codes_get_array(h, "longitudes")
    eccodes.codes_set_values(h, periodic(lons, lats))
    with open(tmp_path / "ps.grib2", "wb") as out:
        eccodes.codes_write(h, out)
    eccodes.codes_release(h)
    crs = (f"+proj=stere +lat_0={-90 if south else 90} +lat_ts={-71 if south else 60} +lon_0={10 if south else -45} +R=6371229 "
           "+units=m +no_defs +type=crs")
    ps = pyproj.Transformer.from_crs("+proj=longlat +R=6371229 +no_defs +type=crs", crs, always_xy=True)
    x0, y0 = ps.transform(-60.0 if south else 250.0, -60.0 if south else 55.0)
    cube = native_cube(tmp_path, "ps", tmp_path / "ps.grib2", "2t", crs, x0, y0, nx, ny, d)
    X, Y = np.meshgrid(cube["x"].values, cube["y"].values)
    lon, lat = ps.transform(X, Y, direction="INVERSE")
    np.testing.assert_allclose(cube["2t"].values[0], periodic(lon, lat), atol=2e-3)


def test_bad_grib_input_is_one_line_naming_the_file(inputs, cfgrib_samples, tmp_path):
    junk = tmp_path / "junk.grib"
    junk.write_bytes(b"a text file, not a weather message\n" * 40)
    truncated = tmp_path / "truncated.grib"
    truncated.write_bytes((inputs / "sfc.grib2").read_bytes()[:-5000])
    for path, says, code in [(junk, "holds no GRIB message", 3), (cfgrib_samples / "spherical_harmonics.grib", "'sh'", 5),
                             (truncated, "at byte", 3)]:
        recipe = tmp_path / "bad.yaml"
        recipe.write_text(f"""version: 1
cube: {{id: bad, title: Bad, license: CC0-1.0}}
grid: {{crs: EPSG:4326, bbox: [0, 40, 10, 50], resolution: 1}}
sources: [{{name: s, store: grib, paths: ["{path}"], variables: {{2t: {{}}}}}}]
output: {{path: bad.zarr}}
""")
        result = cubegen("run", recipe, cwd=tmp_path)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert result.returncode == code and len(errors) == 1 and says in errors[0] and path.name in errors[0], result.stderr
        assert not (tmp_path / "bad.zarr").exists()


def test_inspect_lists_the_messages(inputs):
    result = cubegen("inspect", "--store", "grib", inputs / "pl.grib2")
    assert result.returncode == 0, result.stderr
    assert "GRIB messages: 6" in result.stdout and "t_isobaricInhPa_850" in result.stdout, result.stdout
