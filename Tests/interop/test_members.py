"""Ensemble members as a cube dimension (`members:`, DESIGN.md §16): GRIB files written here
through ecCodes (the PyPI `eccodes` wheel) with an analytic field that depends on the member (and
the level) → (time, member, lat, lon) and (time, member, plev, lat, lon) cubes whose values are
the truth per member; xarray opens them without warnings, xcube's verify_cube and `cubegen verify`
pass, the STAC entry and the lineage name the members; bad input is one line."""
import json
import warnings

import numpy as np
import pytest
import xarray as xr

from conftest import cubegen
from test_levels import BBOX, assert_layers, grib_message, one_line_error, opened, truth
from xcube.core.mldataset import FsMultiLevelDataset
from xcube.core.verify import verify_cube

eccodes = pytest.importorskip("eccodes")


def write_members(path, messages):
    """messages: (short name, level hPa, hours after 2024-01-01T00, member number)."""
    with open(path, "wb") as out:
        for short, hpa, hours, member in messages:
            h = grib_message(short, hpa, hours, lambda lon, lat: member_truth(lon, lat, hours, hpa, member),
                             extra=[("productDefinitionTemplateNumber", 1), ("number", member), ("numberOfForecastsInEnsemble", 10)])
            eccodes.codes_write(h, out)
            eccodes.codes_release(h)


def member_truth(lon, lat, hours, hpa, member):
    return truth(lon, lat, hours, hpa) + 3.0 * member


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, binaries):
    out = tmp_path_factory.mktemp("members")
    # Members 0…3 of t on two levels, two files of steps; the second file holds member 2 only at
    # one level, so its fields are named differently (t_m2 vs t_isobaricInhPa_850_m2).
    write_members(out / "ens_a.grib2", [("t", p, h, m) for h in (0, 6) for m in range(4) for p in (850, 500)])
    write_members(out / "ens_b.grib2", [("t", p, 12, m) for m in range(4) for p in (850, 500)])
    write_members(out / "ens_c.grib2", [("t", 850, 18, m) for m in (0, 2)])
    return out


def recipe(folder, name, variable, paths, output=""):
    path = folder / f"{name}.yaml"
    path.write_text(f"""version: 1
cube: {{id: {name}, title: Members, license: CC0-1.0}}
grid: {{crs: EPSG:4326, bbox: [{", ".join(map(str, BBOX))}], resolution: 0.5}}
sources:
  - name: ens
    store: grib
    paths: [{", ".join(str(p) for p in paths)}]
    variables:
      {variable}
output: {{path: {name}.zarr, overwrite: true{output}}}
""")
    return path


def test_members_become_a_member_axis(inputs, tmp_path):
    variable = "t: {resampling: nearest, select: {shortName: t, typeOfLevel: isobaricInhPa, level: 850}, members: [2, 0, 3]}"
    result = cubegen("run", recipe(tmp_path, "m", variable, [inputs / "ens_a.grib2", inputs / "ens_b.grib2", inputs / "ens_c.grib2"]).as_posix(),
                     cwd=tmp_path)
    # ens_c lacks member 3: one line naming the file.
    one_line_error(result, "ens_c.grib2")
    assert not (tmp_path / "m.zarr").exists()
    variable = variable.replace("[2, 0, 3]", "[2, 0]")
    result = cubegen("run", recipe(tmp_path, "m", variable, [inputs / "ens_a.grib2", inputs / "ens_b.grib2", inputs / "ens_c.grib2"]),
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cube = opened(tmp_path / "m.zarr")
    assert cube["t"].dims == ("time", "member", "lat", "lon")
    assert cube["member"].values.tolist() == [2, 0] and cube["member"].dtype == np.int32
    assert cube["member"].attrs["standard_name"] == "realization"
    assert "GRIB_number" not in cube["t"].attrs
    assert cube["t"].encoding["chunks"][1] == 1
    assert_layers(cube, "t", [0, 6, 12, 18], [2, 0], lambda lon, lat, h, m: member_truth(lon, lat, h, 850, m), label="member ",
                  atol=2e-3)
    assert verify_cube(xr.open_zarr(tmp_path / "m.zarr")) == []
    verified = cubegen("verify", tmp_path / "m.zarr")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    stac = json.loads((tmp_path / "m.stac.json").read_text())
    member = stac["cube:dimensions"]["member"]
    assert member["type"] == "ensemble" and member["values"] == [2, 0] and member["extent"] == [0, 2]
    assert stac["cube:variables"]["t"]["dimensions"] == ["time", "member", "lat", "lon"]
    member["values"] = [2, 1]
    (tmp_path / "other.stac.json").write_text(json.dumps(stac))
    wrong = cubegen("verify", tmp_path / "m.zarr", "--stac", tmp_path / "other.stac.json")
    assert wrong.returncode == 3 and "cube:dimensions.member.values" in wrong.stdout, wrong.stdout
    lineage = json.loads((tmp_path / "m.zarr" / "lineage.json").read_text())
    [t] = [v for v in lineage["variables"] if v["name"] == "t"]
    record = t["source"]["grid"]["members"]
    assert record["dimension"] == "member" and record["values"] == [2, 0]
    assert [f["member"] for f in record["fields"]] == [2, 0]


def test_members_and_levels_make_a_5d_cube(inputs, tmp_path):
    variable = "t: {resampling: nearest, members: [0, 1], levels: [500, 850], level_units: hPa}"
    result = cubegen("run", recipe(tmp_path, "ml", variable, [inputs / "ens_a.grib2", inputs / "ens_b.grib2"], ", format: zarr3"),
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cube = opened(tmp_path / "ml.zarr")
    assert cube["t"].dims == ("time", "member", "plev", "lat", "lon")
    assert cube.sizes["member"] == 2 and cube["plev"].values.tolist() == [50000.0, 85000.0]
    LON, LAT = np.meshgrid(cube["lon"].values, cube["lat"].values)
    for k, hours in enumerate([0, 6, 12]):
        for j, member in enumerate([0, 1]):
            for l, hpa in enumerate([500, 850]):
                np.testing.assert_allclose(cube["t"].values[k, j, l], member_truth(LON, LAT, hours, hpa, member), atol=2e-3,
                                           err_msg=f"member {member} {hpa} hPa +{hours}h")
    assert verify_cube(xr.open_zarr(tmp_path / "ml.zarr")) == []
    verified = cubegen("verify", tmp_path / "ml.zarr")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    lineage = json.loads((tmp_path / "ml.zarr" / "lineage.json").read_text())
    [t] = [v for v in lineage["variables"] if v["name"] == "t"]
    levels = t["source"]["grid"]["vertical"]["levels"]
    assert [(l["member"], l["level"]) for l in levels] == [(0, "500 hPa"), (0, "850 hPa"), (1, "500 hPa"), (1, "850 hPa")]


def test_members_and_levels_share_chunks(inputs, tmp_path):
    """`chunks: {member: 2, plev: 2}`: a chunk holds two members × two levels, slot order member
    then level; the cube equals the one with a layer per chunk."""
    variable = "t: {resampling: nearest, members: [0, 1, 2], levels: [500, 850], level_units: hPa}"
    files = [inputs / "ens_a.grib2", inputs / "ens_b.grib2"]
    for name, output in [("single", ""), ("shared", ", chunks: {time: 1, member: 2, plev: 2, lat: 16, lon: 16}")]:
        result = cubegen("run", recipe(tmp_path, name, variable, files, output), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    a, b = opened(tmp_path / "single.zarr"), opened(tmp_path / "shared.zarr")
    assert b["t"].encoding["chunks"][1:3] == (2, 2)
    np.testing.assert_array_equal(a["t"].values, b["t"].values)
    LON, LAT = np.meshgrid(b["lon"].values, b["lat"].values)
    np.testing.assert_allclose(b["t"].values[1, 2, 1], member_truth(LON, LAT, 6, 850, 2), atol=2e-3)
    assert verify_cube(xr.open_zarr(tmp_path / "shared.zarr")) == []
    verified = cubegen("verify", tmp_path / "shared.zarr")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_member_errors_are_one_line(inputs, tmp_path):
    def run(name, variable, paths, output=""):
        result = cubegen("run", recipe(tmp_path, name, variable, paths, output), cwd=tmp_path)
        assert not (tmp_path / f"{name}.zarr").exists()
        return result

    a = [inputs / "ens_a.grib2"]
    # A member the file does not hold: the members it holds are listed.
    one_line_error(run("absent", "t: {select: {shortName: t, level: 850}, members: [0, 7]}", a),
                   "members", "no member 7", "it holds members 0, 1, 2, 3")
    # select.number beside members.
    one_line_error(run("both", "t: {select: {shortName: t, number: 1}, members: [0]}", a), "select.number", "members")
    # A member listed twice.
    one_line_error(run("twice", "t: {select: {shortName: t, level: 850}, members: [0, 0]}", a), "members[1]", "twice")


def block_means(values, f):
    """NaN-aware means over f × f blocks of the last two axes, edges padded with NaN (what a
    pyramid level holds)."""
    *lead, h, w = values.shape
    H, W = -(-h // f) * f, -(-w // f) * f
    padded = np.full((*lead, H, W), np.nan)
    padded[..., :h, :w] = values
    blocks = padded.reshape(*lead, H // f, f, W // f, f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(blocks, axis=(-3, -1))


def test_members_and_levels_get_a_pyramid_and_a_time_series_copy(inputs, tmp_path):
    """A (time, member, plev, lat, lon) cube stored two members × two levels per chunk gets its
    pyramid (every level a CF cube with the same axes, a layer per tile: NaN-aware block means of
    the cube, by numpy) and its time-series copy (a layer per chunk, equal to the cube); a lost
    tile and `.zlevels` are rebuilt from the stored chunks, each layer read from its slot."""
    variable = "t: {resampling: nearest, members: [0, 1, 2], levels: [500, 850], level_units: hPa}"
    files = [inputs / "ens_a.grib2", inputs / "ens_b.grib2"]
    output = (", chunks: {time: 1, member: 2, plev: 2, lat: 16, lon: 16}, pyramid: {levels: 3, tile: 16}"
              ", timeseries: {chunks: {time: 3, lat: 8, lon: 8}}")
    path = recipe(tmp_path, "ml", variable, files, output)
    result = cubegen("run", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cube = opened(tmp_path / "ml.zarr")
    values = cube["t"].values.astype(np.float64)
    assert values.shape == (3, 3, 2, 41, 61)
    spec = json.loads((tmp_path / "ml.levels" / ".zlevels").read_text())
    assert spec["num_levels"] == 3 and spec["agg_methods"] == {"t": "mean"}

    def check_pyramid():
        ml = FsMultiLevelDataset(str(tmp_path / "ml.levels"))
        assert ml.num_levels == 3
        for k in (1, 2):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                level = ml.get_dataset(k).load()
            assert level["t"].dims == ("time", "member", "plev", "lat", "lon")
            assert level["member"].values.tolist() == [0, 1, 2] and level["plev"].values.tolist() == [50000.0, 85000.0]
            expected = block_means(values, 2 ** k)
            assert level["t"].encoding["chunks"] == (1, 1, 1, min(16, expected.shape[-2]), min(16, expected.shape[-1]))
            np.testing.assert_allclose(level["t"].values, expected, rtol=2e-6, equal_nan=True, err_msg=f"level {k}")
        xr.testing.assert_identical(ml.get_dataset(0)["t"].load(), cube["t"])

    check_pyramid()
    copy = opened(tmp_path / "ml.ts.zarr")
    assert copy["t"].dims == cube["t"].dims and copy["t"].encoding["chunks"] == (3, 1, 1, 8, 8)
    np.testing.assert_array_equal(copy["t"].values, cube["t"].values)

    # A lost tile (member 2, 850 hPa: the chunk's third slot) and `.zlevels`: the next run
    # rebuilds the pyramid and the copy from the stored chunks without recomputing the cube.
    (tmp_path / "ml.levels" / ".zlevels").unlink()
    tile = tmp_path / "ml.levels" / "1.zarr" / "t" / "1.2.1.1.1"
    assert tile.exists()
    tile.unlink()
    rerun = cubegen("run", path, cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert tile.exists()
    check_pyramid()
    np.testing.assert_array_equal(opened(tmp_path / "ml.ts.zarr")["t"].values, cube["t"].values)


def test_cubegen_serve_selects_members_and_levels_as_xcube_does(inputs, tmp_path, binaries):
    """`cubegen serve` on a (time, member, plev, lat, lon) cube: the variable and its member and
    plev dimensions are listed; tiles, time series and statistics select a layer with query
    parameters named after the dimensions (the nearest coordinate; the first when absent), as
    xcube Server reads non-spatial labels; a tile's pixels are the layer's nearest cube values
    under the Greys colour map; a bad label is a 400 naming the dimension."""
    import io
    import signal
    import subprocess
    import urllib.error
    import urllib.request

    from PIL import Image
    from conftest import BIN

    variable = "t: {resampling: nearest, members: [0, 1, 2], levels: [500, 850], level_units: hPa}"
    path = recipe(tmp_path, "sv", variable, [inputs / "ens_a.grib2", inputs / "ens_b.grib2"],
                  ", chunks: {time: 1, member: 2, plev: 2, lat: 16, lon: 16}, pyramid: {levels: 2, tile: 16}")
    assert cubegen("run", path, cwd=tmp_path).returncode == 0
    cube = opened(tmp_path / "sv.zarr")
    process = subprocess.Popen([str(BIN / "cubegen"), "serve", str(tmp_path / "sv.zarr"), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("serving sv on http://127.0.0.1:"), line + process.stderr.read()
        url = line.split()[3].rstrip("/")

        def get(route, body=None):
            request = urllib.request.Request(url + route, data=body, method="POST" if body is not None else "GET")
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                return error.code, error.read()

        status, body = get("/datasets?details=1")
        dataset = json.loads(body)["datasets"][0]
        [t] = dataset["variables"]
        assert t["name"] == "t" and t["dims"] == ["time", "member", "plev", "lat", "lon"] and t["shape"] == [3, 3, 2, 41, 61]
        dims = {d["name"]: d["coordinates"] for d in dataset["dimensions"]}
        assert dims["member"] == [0, 1, 2] and dims["plev"] == [50000, 85000]

        # A level-0 tile (0.088° pixels) of member 2 at 850 hPa, second step.
        vmin, vmax = 240.0, 300.0
        status, png = get(f"/tiles/sv/t/3/1/8?crs=OGC:CRS84&time=2024-01-01T06:00:00Z&member=2&plev=84000"
                          f"&vmin={vmin}&vmax={vmax}&cmap=Greys")
        assert status == 200, png[:200]
        image = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
        pixel = 180 / (256 << 3)
        lon = -180 + (8 * 256 + np.arange(256) + 0.5) * pixel
        lat = 90 - (1 * 256 + np.arange(256) + 0.5) * pixel
        LON, LAT = np.meshgrid(lon, lat)
        cols = np.floor((LON - BBOX[0]) / 0.5 + 1e-12).astype(int)
        rows = np.floor((BBOX[3] - LAT) / 0.5 + 1e-12).astype(int)
        values = cube["t"].values[1, 2, 1]
        inside = (cols >= 0) & (cols < values.shape[1]) & (rows >= 0) & (rows < values.shape[0])
        v = np.full(LON.shape, np.nan)
        v[inside] = values[rows[inside], cols[inside]]
        opaque = ~np.isnan(v)
        assert opaque.sum() > 1000
        grey = np.floor(255 - 255 * np.clip((v - vmin) / (vmax - vmin), 0, 1) + 0.5)
        np.testing.assert_array_equal(image[..., 3], np.where(opaque, 255, 0))
        np.testing.assert_array_equal(image[..., 0][opaque], grey[opaque])
        # Another layer is another tile.
        assert get(f"/tiles/sv/t/3/1/8?crs=OGC:CRS84&time=2024-01-01T06:00:00Z&member=0&plev=50000"
                   f"&vmin={vmin}&vmax={vmax}&cmap=Greys")[1] != png

        # A point series of member 1 at 500 hPa is its cube column; without labels, the first layer.
        point = json.dumps({"type": "Point", "coordinates": [5.1, 50.2]}).encode()
        column = cube["t"].sel(lon=5.1, lat=50.2, method="nearest")
        for query, member, plev in [("?member=1&plev=500", 1, 0), ("", 0, 0), ("?plev=last", 0, 1)]:
            status, body = get("/timeseries/sv/t" + query, point)
            assert status == 200, body
            got = [item["mean"] for item in json.loads(body)["result"]]
            np.testing.assert_allclose(got, column.values[:, member, plev], rtol=1e-6)
        status, body = get("/statistics/sv/t?lon=5.1&lat=50.2&time=2024-01-01T12:00:00Z&member=2&plev=85000")
        assert status == 200
        assert abs(json.loads(body)["result"]["value"] - float(column.values[2, 2, 1])) < 1e-3
        status, body = get("/timeseries/sv/t?member=abc", point)
        assert status == 400 and "member 'abc'" in json.loads(body)["error"]["message"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0


def write_netcdf_members(path, realizations, with_plev, start=0):
    """A CMIP-style NetCDF file: `tas(time, realization, lat, lon)` or `ta(time, realization, plev,
    lat, lon)`, realization numbers as its coordinate (`standard_name: realization`)."""
    import netCDF4
    from test_levels import D, LAT0, LON0, NI, NJ
    lats, lons = LAT0 - D * np.arange(NJ), LON0 + D * np.arange(NI)
    LON, LAT = np.meshgrid(lons, lats)
    levels = (1000, 500)
    with netCDF4.Dataset(path, "w") as ds:
        dims = [("time", 3), ("realization", len(realizations))] + ([("plev", len(levels))] if with_plev else []) + [("lat", NJ), ("lon", NI)]
        for name, size in dims:
            ds.createDimension(name, size)
        coords = [("time", [start, start + 6, start + 12], {"units": "hours since 2024-01-01", "calendar": "standard", "standard_name": "time"}),
                  ("realization", realizations, {"standard_name": "realization", "long_name": "ensemble member"}),
                  ("lat", lats, {"units": "degrees_north", "standard_name": "latitude"}),
                  ("lon", lons, {"units": "degrees_east", "standard_name": "longitude"})]
        if with_plev:
            coords.append(("plev", [100.0 * p for p in levels], {"units": "Pa", "standard_name": "air_pressure", "positive": "down", "axis": "Z"}))
        for name, values, attrs in coords:
            v = ds.createVariable(name, "i4" if name == "realization" else "f8", (name,))
            v.setncatts(attrs)
            v[:] = values
        name = "ta" if with_plev else "tas"
        var = ds.createVariable(name, "f4", tuple(d for d, _ in dims))
        var.units = "K"
        for k, hours in enumerate([start, start + 6, start + 12]):
            for m, member in enumerate(realizations):
                if with_plev:
                    for j, hpa in enumerate(levels):
                        var[k, m, j] = member_truth(LON, LAT, hours, hpa, member)
                else:
                    var[k, m] = member_truth(LON, LAT, hours, 1000, member)


def test_netcdf_members_along_a_realization_dimension(tmp_path, binaries):
    """CMIP-style NetCDF ensembles: `members:` selects realizations along a `realization`
    dimension (by its coordinate values, in recipe order) into the member axis, with or without
    `levels:`, from every file; values are each member's truth; a member the file lacks lists the
    ones it holds, a file with other members is named, and the dimension without `members:` is
    refused with a hint."""
    write_netcdf_members(tmp_path / "tas_a.nc", [1, 2, 3], False)
    write_netcdf_members(tmp_path / "ta.nc", [1, 2, 3], True)
    write_netcdf_members(tmp_path / "tas_other.nc", [1, 4, 3], False, start=18)

    def run(name, variable, paths):
        return cubegen("run", _netcdf_recipe(tmp_path, name, variable, paths), cwd=tmp_path)

    result = run("surface", "tas: {resampling: nearest, members: [3, 1]}", [tmp_path / "tas_a.nc"])
    assert result.returncode == 0, result.stderr
    cube = opened(tmp_path / "surface.zarr")
    assert cube["tas"].dims == ("time", "member", "lat", "lon") and cube["member"].values.tolist() == [3, 1]
    assert_layers(cube, "tas", [0, 6, 12], [3, 1], lambda lon, lat, h, m: member_truth(lon, lat, h, 1000, m), label="member ",
                  rtol=1e-6)
    LON, LAT = np.meshgrid(cube["lon"].values, cube["lat"].values)
    assert verify_cube(xr.open_zarr(tmp_path / "surface.zarr")) == []
    verified = cubegen("verify", tmp_path / "surface.zarr")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    result = run("upper", "ta: {resampling: nearest, members: [2, 3], levels: [500, 1000], level_units: hPa}", [tmp_path / "ta.nc"])
    assert result.returncode == 0, result.stderr
    cube = opened(tmp_path / "upper.zarr")
    assert cube["ta"].dims == ("time", "member", "plev", "lat", "lon")
    for k, hours in enumerate([0, 6, 12]):
        for m, member in enumerate([2, 3]):
            for j, hpa in enumerate([500, 1000]):
                np.testing.assert_allclose(cube["ta"].values[k, m, j], member_truth(LON, LAT, hours, hpa, member), rtol=1e-6,
                                           err_msg=f"member {member} {hpa} hPa +{hours}h")
    lineage = json.loads((tmp_path / "upper.zarr" / "lineage.json").read_text())
    [ta] = [v for v in lineage["variables"] if v["name"] == "ta"]
    first = ta["source"]["grid"]["vertical"]["levels"][0]
    assert (first["member"], first["member_dimension"], first["member_index"]) == (2, "realization", 1)

    # Two files of steps: the member from each.
    write_netcdf_members(tmp_path / "tas_b.nc", [1, 2, 3], False, start=18)
    result = run("steps", "tas: {resampling: nearest, members: [2]}", [tmp_path / "tas_a.nc", tmp_path / "tas_b.nc"])
    assert result.returncode == 0, result.stderr
    cube = opened(tmp_path / "steps.zarr")
    assert cube.sizes["time"] == 6 and cube["member"].values.tolist() == [2]
    for k, hours in enumerate([0, 6, 12, 18, 24, 30]):
        np.testing.assert_allclose(cube["tas"].values[k, 0], member_truth(LON, LAT, hours, 1000, 2), rtol=1e-6, err_msg=f"+{hours}h")

    inspected = cubegen("inspect", tmp_path / "ta.nc")
    assert "members   realization: 1, 2, 3 (choose with 'members:')" in inspected.stdout, inspected.stdout

    one_line_error(run("absent", "tas: {members: [1, 7]}", [tmp_path / "tas_a.nc"]), "members", "no member 7", "it holds 1, 2, 3")
    one_line_error(run("other", "tas: {members: [1, 2]}", [tmp_path / "tas_a.nc", tmp_path / "tas_other.nc"]),
                   "tas_other.nc", "no member 2", "1, 4, 3")
    one_line_error(run("plain", "tas: {}", [tmp_path / "tas_a.nc"]), "'realization'", "members:")
    assert not (tmp_path / "absent.zarr").exists() and not (tmp_path / "plain.zarr").exists()


def _netcdf_recipe(folder, name, variable, paths):
    path = folder / f"{name}.yaml"
    path.write_text(f"""version: 1
cube: {{id: {name}, title: NetCDF members, license: CC0-1.0}}
grid: {{crs: EPSG:4326, bbox: [{", ".join(map(str, BBOX))}], resolution: 0.5}}
sources:
  - name: ens
    store: netcdf
    paths: [{", ".join(str(p) for p in paths)}]
    variables:
      {variable}
output: {{path: {name}.zarr, overwrite: true}}
""")
    return path
