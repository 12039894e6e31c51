"""Cubes with a vertical axis (`levels:`, DESIGN.md §15): GRIB files written here through ecCodes
(the PyPI `eccodes` wheel) and a NetCDF file with a `plev` dimension, with an analytic field that
depends on the level → (time, plev, lat, lon) cubes on EPSG:4326 whose values are the truth per
level; xarray opens them without warnings, xcube's verify_cube and `cubegen verify` pass, the STAC
entry and the lineage name the levels; bad input is one line naming file, variable, level, time."""
import json
import warnings

import netCDF4
import numpy as np
import pytest
import xarray as xr

from conftest import cubegen
from xcube.core.verify import verify_cube

eccodes = pytest.importorskip("eccodes")

# The files' 0.5° grid: 10°W…20°E, 60°N…40°N (cell centres), by its cell edges.
LON0, LAT0, D, NI, NJ = -10.0, 60.0, 0.5, 61, 41
BBOX = (-10.25, 39.75, 20.25, 60.25)
LEVELS_HPA = (1000, 850, 500, 250)


def truth(lon, lat, hours, hpa):
    """The analytic field: smooth in lon/lat, changing with time, and strongly with the level."""
    return 180.0 + 0.1 * hpa + 10 * np.cos(np.radians(lat)) + 0.05 * lon + 0.1 * hours


def assert_layers(cube, name, hours, layers, field, label="", **tolerance):
    """Each step (at `hours`) and layer (level or member) of `cube[name]` equals `field(LON, LAT, hours, layer)`."""
    LON, LAT = np.meshgrid(cube["lon"].values, cube["lat"].values)
    for k, h in enumerate(hours):
        for j, layer in enumerate(layers):
            np.testing.assert_allclose(cube[name].values[k, j], field(LON, LAT, h, layer), err_msg=f"{label}{layer} +{h}h", **tolerance)


def grib_message(short, level, hours, values, level_type="isobaricInhPa", extra=()):
    """A GRIB 2 message on the files' grid: `extra` keys are set before the level (ensemble
    template, member number); `values` is a function of (lon, lat) meshes. Released by the caller."""
    lons = LON0 + D * np.arange(NI)
    lats = LAT0 - D * np.arange(NJ)
    LON, LAT = np.meshgrid(lons, lats)
    h = eccodes.codes_grib_new_from_samples("regular_ll_sfc_grib2")
    for key, value in [("Ni", NI), ("Nj", NJ), ("latitudeOfFirstGridPointInDegrees", float(lats[0])),
                       ("latitudeOfLastGridPointInDegrees", float(lats[-1])),
                       ("longitudeOfFirstGridPointInDegrees", float(lons[0] % 360)),
                       ("longitudeOfLastGridPointInDegrees", float(lons[-1] % 360)),
                       ("iDirectionIncrementInDegrees", D), ("jDirectionIncrementInDegrees", D),
                       ("dataDate", 20240101), ("dataTime", 0), ("stepUnits", 1), ("endStep", hours), *extra,
                       ("typeOfLevel", level_type), ("level", level), ("shortName", short), ("bitsPerValue", 24)]:
        eccodes.codes_set(h, key, value)
    eccodes.codes_set_values(h, values(LON, LAT).ravel())
    return h


def write_grib(path, messages, level_type="isobaricInhPa"):
    """messages: (short name, level (hPa for pressure), hours after 2024-01-01T00)."""
    with open(path, "wb") as out:
        for short, hpa, hours in messages:
            offset = 0.0 if short == "t" else 5.0
            h = grib_message(short, hpa, hours, lambda lon, lat: truth(lon, lat, hours, hpa) + offset, level_type)
            eccodes.codes_write(h, out)
            eccodes.codes_release(h)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, binaries):
    out = tmp_path_factory.mktemp("levels")
    # Two files of steps, each with t and u on four pressure levels (file order: level inside step).
    write_grib(out / "pl_a.grib2", [(s, p, h) for h in (0, 6) for s in ("t", "u") for p in LEVELS_HPA])
    write_grib(out / "pl_b.grib2", [(s, p, h) for h in (12,) for s in ("t", "u") for p in LEVELS_HPA])
    # Level 850 missing at +6 h in one file; level 500 missing from a whole file.
    write_grib(out / "gap_step.grib2", [("t", p, h) for h in (0, 6) for p in LEVELS_HPA if (p, h) != (850, 6)])
    write_grib(out / "gap_file.grib2", [("t", p, 18) for p in LEVELS_HPA if p != 500])
    # Files that hold one level name the field `t`, files of several `t_isobaricInhPa_850`.
    write_grib(out / "one_level.grib2", [("t", 850, h) for h in (24, 30)])
    write_grib(out / "one_level_500.grib2", [("t", 500, 36)])
    # Model levels.
    write_grib(out / "ml.grib2", [("t", n, h) for h in (0, 6) for n in (1, 5, 9)], level_type="hybrid")
    # NetCDF: ta(time, plev, lat, lon) with plev in Pa (CMIP style, top of the file = surface).
    with netCDF4.Dataset(out / "ta.nc", "w") as ds:
        lats, lons = LAT0 - D * np.arange(NJ), LON0 + D * np.arange(NI)
        for name, size in [("time", 3), ("plev", len(LEVELS_HPA)), ("lat", NJ), ("lon", NI)]:
            ds.createDimension(name, size)
        for name, values, attrs in [
            ("time", [0, 6, 12], {"units": "hours since 2024-01-01", "calendar": "standard", "standard_name": "time"}),
            ("plev", [100.0 * p for p in LEVELS_HPA], {"units": "Pa", "standard_name": "air_pressure", "positive": "down", "axis": "Z"}),
            ("lat", lats, {"units": "degrees_north", "standard_name": "latitude"}),
            ("lon", lons, {"units": "degrees_east", "standard_name": "longitude"})]:
            v = ds.createVariable(name, "f8", (name,))
            v.setncatts(attrs)
            v[:] = values
        ta = ds.createVariable("ta", "f4", ("time", "plev", "lat", "lon"))
        ta.units, ta.standard_name = "K", "air_temperature"
        LON, LAT = np.meshgrid(lons, lats)
        for k, hours in enumerate([0, 6, 12]):
            for j, p in enumerate(LEVELS_HPA):
                ta[k, j] = truth(LON, LAT, hours, p)
    return out


def recipe(folder, name, sources, output=""):
    path = folder / f"{name}.yaml"
    path.write_text(f"""version: 1
cube: {{id: {name}, title: Levels, license: CC0-1.0}}
grid: {{crs: EPSG:4326, bbox: [{", ".join(map(str, BBOX))}], resolution: 0.5}}
sources:
{sources}output: {{path: {name}.zarr, overwrite: true{output}}}
""")
    return path


GRIB = """  - name: pl
    store: grib
    paths: [{paths}]
    variables:
      t: {{resampling: nearest, levels: [500, 850, 1000], level_units: hPa}}
      u: {{name: wind, resampling: nearest, select: {{shortName: u, typeOfLevel: isobaricInhPa}}, levels: [50000, 85000, 100000], level_units: Pa}}
"""


def opened(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return xr.open_zarr(path).load()


@pytest.mark.parametrize("fmt,output", [("zarr2", ", chunks: {time: 2, plev: 2, lat: 20, lon: 32}"),
                                        ("zarr3", ", format: zarr3, chunks: {time: 1, plev: 2, lat: 20, lon: 32}, "
                                                  "shards: {time: 2, plev: 2, lat: 40, lon: 64}")])
def test_several_levels_per_chunk_stack_in_one_chunk(inputs, tmp_path, fmt, output):
    """`chunks: {plev: 2}` over three levels: chunks of two levels and one of one (its second
    slot fill), with shards too; the values are those of one level per chunk, the cube passes
    xcube's and CubeGen's checks, and a rerun finds it up to date."""
    paths = f"{inputs}/pl_a.grib2, {inputs}/pl_b.grib2"
    one = recipe(tmp_path, "one", GRIB.format(paths=paths), ", chunks: {time: 2, plev: 1, lat: 20, lon: 32}")
    two = recipe(tmp_path, "two", GRIB.format(paths=paths), output)
    for path in (one, two):
        result = cubegen("run", path, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    plan = cubegen("plan", two, cwd=tmp_path)
    assert "2 levels per chunk" in plan.stdout, plan.stdout
    a, b = opened(tmp_path / "one.zarr"), opened(tmp_path / "two.zarr")
    for name in ("t", "wind"):
        np.testing.assert_array_equal(a[name].values, b[name].values)
    assert b["t"].encoding["chunks"][1] == 2 and b.sizes["plev"] == 3
    LON, LAT = np.meshgrid(b["lon"].values, b["lat"].values)
    np.testing.assert_allclose(b["t"].values[2, 2], truth(LON, LAT, 12, 1000), atol=2e-3)
    assert verify_cube(xr.open_zarr(tmp_path / "two.zarr")) == []
    verified = cubegen("verify", tmp_path / "two.zarr")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # The lineage counts the chunks of two levels as the array's: no layer is lost.
    lineage = json.loads((tmp_path / "two.zarr" / "lineage.json").read_text())
    [t] = [v for v in lineage["variables"] if v["name"] == "t"]
    assert [l["level"] for l in t["source"]["grid"]["vertical"]["levels"]] == ["500 hPa", "850 hPa", "1000 hPa"]
    again = cubegen("run", two, cwd=tmp_path)
    assert again.returncode == 0 and "up to date" in again.stdout + again.stderr, again.stdout + again.stderr


@pytest.mark.parametrize("fmt", ["zarr2", "zarr3"])
def test_grib_pressure_levels_become_a_plev_axis(inputs, tmp_path, fmt):
    path = recipe(tmp_path, "pl", GRIB.format(paths=f"{inputs}/pl_a.grib2, {inputs}/pl_b.grib2"),
                  f", format: {fmt}, chunks: {{time: 2, plev: 1, lat: 20, lon: 32}}")
    result = cubegen("run", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cube = opened(tmp_path / "pl.zarr")
    assert cube["t"].dims == ("time", "plev", "lat", "lon") and cube["wind"].dims == ("time", "plev", "lat", "lon")
    assert cube.sizes == {"time": 3, "plev": 3, "lat": NJ, "lon": NI, "bnds": 2}
    np.testing.assert_array_equal(cube["plev"].values, [50000.0, 85000.0, 100000.0])
    assert {k: cube["plev"].attrs[k] for k in ("standard_name", "units", "positive", "axis")} == \
        {"standard_name": "air_pressure", "units": "Pa", "positive": "down", "axis": "Z"}
    assert "GRIB_level" not in cube["t"].attrs and cube["t"].attrs["GRIB_typeOfLevel"] == "isobaricInhPa"
    LON, LAT = np.meshgrid(cube["lon"].values, cube["lat"].values)
    for k, hours in enumerate([0, 6, 12]):
        for j, hpa in enumerate([500, 850, 1000]):
            np.testing.assert_allclose(cube["t"].values[k, j], truth(LON, LAT, hours, hpa), atol=2e-3, err_msg=f"t {hpa} +{hours}h")
            np.testing.assert_allclose(cube["wind"].values[k, j], truth(LON, LAT, hours, hpa) + 5, atol=2e-3, err_msg=f"u {hpa}")
    # Zarr chunking: one level per chunk.
    assert cube["t"].encoding["chunks"] == (2, 1, 20, 32)
    assert verify_cube(xr.open_zarr(tmp_path / "pl.zarr")) == []
    verified = cubegen("verify", tmp_path / "pl.zarr")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    stac = json.loads((tmp_path / "pl.stac.json").read_text())
    plev = stac["cube:dimensions"]["plev"]
    assert plev["type"] == "spatial" and plev["axis"] == "z" and plev["values"] == [50000.0, 85000.0, 100000.0]
    assert plev["unit"] == "Pa" and plev["extent"] == [50000.0, 100000.0]
    assert stac["cube:variables"]["t"]["dimensions"] == ["time", "plev", "lat", "lon"]
    # `cubegen verify` compares the levels the STAC entry states with the cube's.
    plev["values"] = [50000.0, 70000.0, 100000.0]
    (tmp_path / "other.stac.json").write_text(json.dumps(stac))
    wrong = cubegen("verify", tmp_path / "pl.zarr", "--stac", tmp_path / "other.stac.json")
    assert wrong.returncode == 3 and "cube:dimensions.plev.values" in wrong.stdout, wrong.stdout
    lineage = json.loads((tmp_path / "pl.zarr" / "lineage.json").read_text())
    [t] = [v for v in lineage["variables"] if v["name"] == "t"]
    vertical = t["source"]["grid"]["vertical"]
    assert vertical["dimension"] == "plev" and [l["level"] for l in vertical["levels"]] == ["500 hPa", "850 hPa", "1000 hPa"]
    assert vertical["levels"][1]["variable"] == "t_isobaricInhPa_850"
    assert (tmp_path / "pl.zarr" / "quicklooks" / "t.png").exists() and not any((tmp_path / "pl.zarr" / "quicklooks").glob("*@*"))


def test_netcdf_plev_dimension_is_read_level_by_level(inputs, tmp_path):
    sources = f"""  - name: nc
    store: netcdf
    paths: [{inputs}/ta.nc]
    variables:
      ta: {{resampling: nearest, levels: [250, 850], level_units: hPa}}
"""
    result = cubegen("run", recipe(tmp_path, "nc", sources), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cube = opened(tmp_path / "nc.zarr")
    assert cube["ta"].dims == ("time", "plev", "lat", "lon")
    np.testing.assert_array_equal(cube["plev"].values, [25000.0, 85000.0])
    assert_layers(cube, "ta", [0, 6, 12], [250, 850], truth, rtol=1e-6)
    assert verify_cube(xr.open_zarr(tmp_path / "nc.zarr")) == []
    assert cubegen("verify", tmp_path / "nc.zarr").returncode == 0
    # Without levels, the 4-D variable is refused, pointing at levels:.
    plain = recipe(tmp_path, "plain", sources.replace(", levels: [250, 850], level_units: hPa", ""))
    one_line_error(cubegen("run", plain, cwd=tmp_path), "'plev'", "levels:", "ta.nc")


def test_zarr_plev_dimension_is_read_level_by_level(inputs, tmp_path):
    """A Zarr store with (time, plev, lat, lon) arrays, as ARCO ERA5 keeps pressure levels (here
    the NetCDF file written anew by xarray, zarr v2 and v3): `store: zarr` reads one level at a
    time, in recipe order, the values the truth; an array with another long dimension beside the
    level is one line naming it."""
    source = xr.open_dataset(inputs / "ta.nc")
    for fmt in (2, 3):
        store = tmp_path / f"ta{fmt}.zarr"
        source.to_zarr(store, zarr_format=fmt, consolidated=fmt == 2)
        sources = f"""  - name: z
    store: zarr
    paths: [{store}]
    variables:
      ta: {{resampling: nearest, levels: [850, 250], level_units: hPa}}
"""
        result = cubegen("run", recipe(tmp_path, f"z{fmt}", sources), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        cube = opened(tmp_path / f"z{fmt}.zarr")
        assert cube["ta"].dims == ("time", "plev", "lat", "lon")
        np.testing.assert_array_equal(cube["plev"].values, [85000.0, 25000.0])
        assert_layers(cube, "ta", [0, 6, 12], [850, 250], truth, label=f"zarr{fmt} ", rtol=1e-6)
    # A member dimension beside plev: refused in one line naming it.
    stacked = xr.concat([source, source], dim="member").transpose("time", "member", "plev", "lat", "lon")
    stacked.to_zarr(tmp_path / "members.zarr", zarr_format=2)
    sources = f"""  - name: z
    store: zarr
    paths: [{tmp_path / "members.zarr"}]
    variables:
      ta: {{resampling: nearest, levels: [850], level_units: hPa}}
"""
    one_line_error(cubegen("run", recipe(tmp_path, "zm", sources), cwd=tmp_path), "'member'", "members.zarr")


def test_grib_model_levels_become_a_lev_axis(inputs, tmp_path):
    sources = f"""  - name: ml
    store: grib
    paths: [{inputs}/ml.grib2]
    levels: [9, 1]
    variables: {{t: {{resampling: nearest}}}}
"""
    result = cubegen("run", recipe(tmp_path, "ml", sources), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cube = opened(tmp_path / "ml.zarr")
    assert cube["t"].dims == ("time", "lev", "lat", "lon")
    np.testing.assert_array_equal(cube["lev"].values, [9, 1])
    assert cube["lev"].attrs["standard_name"] == "model_level_number" and cube["lev"].attrs["positive"] == "down"
    LON, LAT = np.meshgrid(cube["lon"].values, cube["lat"].values)
    for j, n in enumerate([9, 1]):
        np.testing.assert_allclose(cube["t"].values[1, j], truth(LON, LAT, 6, n), atol=2e-3)
    assert verify_cube(xr.open_zarr(tmp_path / "ml.zarr")) == []


@pytest.mark.parametrize("order", ["several_first", "one_first"])
def test_a_file_of_one_level_joins_files_of_several(inputs, tmp_path, order):
    # The GRIB store names a parameter by level only where the file holds several levels; every
    # field also answers to its level-qualified name, so the planner finds the level in each file.
    files = [f"{inputs}/pl_a.grib2", f"{inputs}/one_level.grib2"]
    hours = [0, 6, 24, 30]
    if order == "one_first":
        files = [f"{inputs}/one_level.grib2", f"{inputs}/pl_b.grib2"]
        hours = [12, 24, 30]
    t_only = GRIB.split("      u:")[0].replace("[500, 850, 1000]", "[850]")
    leveled = recipe(tmp_path, "lv", t_only.format(paths=", ".join(files)))
    result = cubegen("run", leveled, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # `select` with a level picks the same field in both kinds of file: a 3-D cube.
    plain = recipe(tmp_path, "sel", t_only.replace("levels: [850], level_units: hPa", "select: {{shortName: t, typeOfLevel: isobaricInhPa, level: 850}}")
                   .format(paths=", ".join(files)))
    result = cubegen("run", plain, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cube, flat = opened(tmp_path / "lv.zarr"), opened(tmp_path / "sel.zarr")
    assert cube["t"].dims == ("time", "plev", "lat", "lon") and flat["t"].dims == ("time", "lat", "lon")
    LON, LAT = np.meshgrid(cube["lon"].values, cube["lat"].values)
    assert cube.sizes["time"] == len(hours)
    for k, h in enumerate(hours):
        np.testing.assert_allclose(cube["t"].values[k, 0], truth(LON, LAT, h, 850), atol=2e-3, err_msg=f"+{h}h")
        np.testing.assert_allclose(flat["t"].values[k], truth(LON, LAT, h, 850), atol=2e-3, err_msg=f"+{h}h")
    # A file of one other level is still missing that level, named as such.
    wrong = recipe(tmp_path, "wrong", t_only.format(paths=f"{files[0]}, {inputs}/one_level_500.grib2"))
    one_line_error(cubegen("run", wrong, cwd=tmp_path), "one_level_500.grib2", "850 hPa")


def one_line_error(result, *fragments):
    assert result.returncode != 0
    lines = [l for l in result.stderr.strip().splitlines() if l.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_level_errors_are_one_line(inputs, tmp_path):
    def run(name, sources, output=""):
        result = cubegen("run", recipe(tmp_path, name, sources, output), cwd=tmp_path)
        assert not (tmp_path / f"{name}.zarr").exists()
        return result

    t_only = GRIB.split("      u:")[0]
    # A level the file does not hold: the levels it holds are listed.
    absent = t_only.replace("[500, 850, 1000]", "[500, 700]").format(paths=f"{inputs}/pl_a.grib2")
    one_line_error(run("absent", absent), "no level 700 hPa", "'t'", "pl_a.grib2", "it holds 250, 500, 850, 1000 hPa")
    # A level missing at one step of a file: file, variable with its level, and the time.
    one_line_error(run("gap_step", t_only.format(paths=f"{inputs}/gap_step.grib2")),
                   "gap_step.grib2", "t_isobaricInhPa_850", "2024-01-01T06:00")
    # A level missing from one file of several: that file, the level and its time.
    one_line_error(run("gap_file", t_only.format(paths=f"{inputs}/pl_a.grib2, {inputs}/gap_file.grib2")),
                   "gap_file.grib2", "500 hPa", "'t'", "2024-01-01T18:00")
    # Units that do not fit pressure levels.
    one_line_error(run("units", t_only.replace("level_units: hPa", "level_units: m").format(paths=f"{inputs}/pl_a.grib2")),
                   "level_units", "hPa or Pa")
    # A variable without levels beside one with.
    mixed = t_only + "      u: {{name: wind, resampling: nearest, select: {{shortName: u, typeOfLevel: isobaricInhPa, level: 850}}}}\n"
    one_line_error(run("mixed", mixed.format(paths=f"{inputs}/pl_a.grib2")), "'wind'", "vertical axis")
    # Levels per shard other than the levels per chunk.
    one_line_error(run("shards", t_only.format(paths=f"{inputs}/pl_a.grib2"), ", format: zarr3, chunks: {plev: 1}, shards: {plev: 3}"),
                   "output.shards.plev", "levels of one chunk")
