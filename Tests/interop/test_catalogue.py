"""The catalogue as its users meet it: STAC that stac-validator accepts (core and extensions, with
the published schemas), lineage.json that its schema accepts and that states what the recipe did,
quick-looks that show the data, and `cubegen verify` agreeing with `xcube verify`."""
import hashlib
import json
import shutil
import warnings

import jsonschema
import numpy as np
import pytest
import xarray as xr
from PIL import Image
from xcube.core.verify import verify_cube

from conftest import ROOT, cubegen
from test_interop import DAYS, recipe, write_input

from stac_offline import SCHEMA_MAP, stac_valid


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A packed, aggregated, reprojected cube with its catalogue (8-day means, ndvi-like packing)."""
    d = tmp_path_factory.mktemp("catalogue")
    write_input(d / "in_1.nc", [7305.0 + k for k in range(10)])
    variables = ("tas: {resampling: bilinear}\n      wet: {resampling: average}\n"
                 "      pk: {resampling: nearest, dtype: int16, scale_factor: 0.0001, add_offset: 0, fill_value: -32768}")
    r = recipe(d, "  crs: EPSG:3035\n  bbox: [3500000, 2500000, 4500000, 3500000]\n  resolution: 25000",
               variables=variables, extra="time: {period: 8D, period_anchor: year, label: center}\n")
    result = cubegen("run", r, check=True)
    return d, result


def test_stac_collection_and_item_validate_with_extensions(built):
    d, _ = built
    for name in ["cube.stac.json", "cube.item.json"]:
        valid, message = stac_valid(d / name)
        assert valid, message
        assert set(message[0]["schema"]) >= {str(SCHEMA_MAP["https://stac-extensions.github.io/datacube/v2.2.0/schema.json"]),
                                            str(SCHEMA_MAP["https://stac-extensions.github.io/processing/v1.2.0/schema.json"])}
    # The validator is not vacuous: a Collection without cube:dimensions fails the datacube schema.
    broken = json.loads((d / "cube.stac.json").read_text())
    del broken["cube:dimensions"]
    (d / "broken.stac.json").write_text(json.dumps(broken))
    assert not stac_valid(d / "broken.stac.json")[0]


def test_stac_states_the_cube(built):
    d, _ = built
    collection = json.loads((d / "cube.stac.json").read_text())
    item = json.loads((d / "cube.item.json").read_text())
    ds = xr.open_zarr(d / "cube.zarr")
    dims = collection["cube:dimensions"]
    assert dims["x"]["extent"] == [3500000.0, 4500000.0] and dims["x"]["step"] == 25000.0
    assert dims["y"]["extent"] == [2500000.0, 3500000.0] and dims["y"]["step"] == -25000.0
    assert dims["x"]["reference_system"] == 3035
    assert dims["time"]["step"] == "P8D" and len(dims["time"]["values"]) == ds.sizes["time"]
    assert dims["time"]["values"][0] == str(ds.time.values[0])[:19] + "Z"
    assert collection["extent"]["temporal"]["interval"] == [["2020-01-01T00:00:00Z", "2020-01-17T00:00:00Z"]]
    assert {k for k, v in collection["cube:variables"].items() if v["type"] == "data"} == set(ds.data_vars)
    assert collection["cube:variables"]["tas"]["unit"] == "K"
    # bbox from pixel edges, as the ACDD attributes.
    bbox = collection["extent"]["spatial"]["bbox"][0]
    assert bbox == [ds.attrs["geospatial_lon_min"], ds.attrs["geospatial_lat_min"], ds.attrs["geospatial_lon_max"],
                    ds.attrs["geospatial_lat_max"]]
    assert item["bbox"] == bbox and item["geometry"]["type"] == "Polygon"
    assert item["assets"]["zarr"]["href"] == "./cube.zarr" and item["assets"]["zarr"]["type"] == "application/vnd+zarr"
    thumbnails = {k: v for k, v in collection["assets"].items() if "thumbnail" in v["roles"]}
    assert {v["href"] for v in thumbnails.values()} == {f"./cube.zarr/quicklooks/{n}.png" for n in ["tas", "wet", "pk"]}
    assert item["properties"]["processing:software"]["cubegen"] == ds.attrs["cubegen_version"]
    assert "aggregate_time(method=mean" in collection["providers"][0]["processing:lineage"]


def test_stac_bbox_splits_at_the_antimeridian(tmp_path, binaries):
    write_input(tmp_path / "in_1.nc", DAYS[:1])
    r = recipe(tmp_path, "  crs: EPSG:4326\n  bbox: [170, -10, 190, 10]\n  resolution: 1", variables="tas: {}")
    cubegen("run", r, check=True)
    collection = json.loads((tmp_path / "cube.stac.json").read_text())
    item = json.loads((tmp_path / "cube.item.json").read_text())
    assert collection["extent"]["spatial"]["bbox"] == [[170, -10, -170, 10], [170, -10, 180, 10], [-180, -10, -170, 10]]
    assert item["bbox"] == [170, -10, -170, 10]
    assert item["geometry"]["type"] == "MultiPolygon"
    assert [p[0][0][0] for p in item["geometry"]["coordinates"]] == [170, -180]
    assert stac_valid(tmp_path / "cube.stac.json")[0] and stac_valid(tmp_path / "cube.item.json")[0]
    # A polar stereographic cube holding the pole spans every longitude.
    r = recipe(tmp_path, "  crs: EPSG:3031\n  bbox: [-1000000, -1000000, 1000000, 1000000]\n  resolution: 100000",
               output="polar.zarr", variables="tas: {}")
    cubegen("run", r, check=True)
    bbox = json.loads((tmp_path / "polar.stac.json").read_text())["extent"]["spatial"]["bbox"]
    assert bbox[0][0] == -180 and bbox[0][2] == 180 and bbox[0][1] == -90 and len(bbox) == 1


def test_lineage_validates_and_states_what_the_recipe_did(built):
    d, _ = built
    lineage = json.loads((d / "cube.zarr" / "lineage.json").read_text())
    schema = json.loads((ROOT / "schemas" / "lineage.schema.json").read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(lineage)
    assert lineage["recipe"]["sha256"] == hashlib.sha256((d / "recipe.yaml").read_bytes()).hexdigest()
    by_name = {v["name"]: v for v in lineage["variables"]}
    files = by_name["tas"]["source"]["files"]
    assert files == [{"path": str(d / "in_1.nc"), "bytes": (d / "in_1.nc").stat().st_size,
                      "sha256": hashlib.sha256((d / "in_1.nc").read_bytes()).hexdigest()}]
    steps = {v: [s["step"] for s in by_name[v]["steps"]] for v in by_name}
    assert steps["tas"] == ["decode", "reproject", "resample", "aggregate_time", "cast"]
    resample = {v: by_name[v]["steps"][2]["parameters"] for v in by_name}
    assert resample["wet"]["method"] == "average" and resample["pk"]["method"] == "nearest"
    # 1° source (≈ 111 km N-S) to 25 km: up-sampling ×≈4.4 along y, by pyproj-independent geometry.
    assert resample["tas"]["direction"] == "up" and 4.0 < resample["tas"]["scale_factor_y"] < 4.8
    aggregate = by_name["tas"]["steps"][3]["parameters"]
    assert (aggregate["method"], aggregate["period"], aggregate["anchor"], aggregate["label"]) == ("mean", "8D", "year", "center")
    assert aggregate["steps_per_period"] == [2, 8]
    cast = by_name["pk"]["steps"][-1]
    assert cast["parameters"]["dtype"] == "int16" and "values rounded to ±5e-05" in cast["accuracy"]
    decode = by_name["pk"]["steps"][0]
    assert decode["parameters"]["scale_factor"] == 0.001 and "±0.0005" in decode["accuracy"]
    assert "interpolated, not observed, below" in by_name["tas"]["steps"][2]["accuracy"]
    assert set(lineage["software"]) == {"cubegen", "netcdf", "hdf5", "libtiff", "libgeotiff", "proj", "blosc", "zstd", "zlib", "libdeflate", "lz4", "bzip2"}
    # The same, as plain attributes in the cube.
    ds = xr.open_zarr(d / "cube.zarr")
    assert ds.tas.attrs["cubegen_lineage"].startswith("1. decode(")
    assert "4. aggregate_time(method=mean, period=8D" in ds.tas.attrs["cubegen_lineage"]
    assert ds.attrs["cubegen_lineage_file"] == "lineage.json"


@pytest.mark.parametrize("y_axis", ["descending", "ascending"])
def test_quicklooks_show_the_last_step_north_up_with_fill_transparent(tmp_path, binaries, y_axis):
    write_input(tmp_path / "in_1.nc", DAYS)
    r = recipe(tmp_path, f"  crs: EPSG:4326\n  bbox: [-20, 10, 20, 40]\n  resolution: 1\n  y_axis: {y_axis}",
               variables="tas: {}\n      wet: {}")
    cubegen("run", r, check=True)
    ds = xr.open_zarr(tmp_path / "cube.zarr")
    for name in ["tas", "wet"]:
        image = np.asarray(Image.open(tmp_path / "cube.zarr" / "quicklooks" / f"{name}.png").convert("RGBA"))
        field = ds[name].isel(time=-1).values  # 30 × 40 pixels, rendered ×6 at (6, 20)
        if y_axis == "ascending":
            field = field[::-1]  # the picture is north-up whatever the storage order
        scale = 256 // field.shape[1]
        block = image[20:20 + field.shape[0] * scale:scale, 6:6 + field.shape[1] * scale:scale]
        assert block.shape[:2] == field.shape
        np.testing.assert_array_equal(block[..., 3] == 0, np.isnan(field), err_msg=name)
        # Colour follows value: the lowest valid pixel is viridis' dark blue, the highest its yellow.
        lo = np.unravel_index(np.nanargmin(field), field.shape)
        hi = np.unravel_index(np.nanargmax(field), field.shape)
        assert tuple(block[lo][:3]) == (68, 1, 84) and tuple(block[hi][:3]) == (253, 231, 37), name
    assert np.isnan(ds.wet.isel(time=-1).values).sum() == 10 * 40, "the sea band 20–30°N is fill"


def broken_copies(source, tmp_path):
    """Deliberately broken cubes: (name, path, our rule, whether xcube verify rejects it too)."""
    def clone(name):
        target = tmp_path / name
        shutil.copytree(source, target)
        return target

    def edit_json(cube, key, change):
        for path in [cube / key]:
            doc = json.loads(path.read_text())
            change(doc)
            path.write_text(json.dumps(doc))
        meta = json.loads((cube / ".zmetadata").read_text())
        change(meta["metadata"][key])
        (cube / ".zmetadata").write_text(json.dumps(meta))

    cases = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = xr.open_zarr(source)
        base.load()
    # xcube-convention damage, written as a user's tool would (xarray).
    c = tmp_path / "no_time.zarr"
    base.drop_vars(["time", "time_bnds"], errors="ignore").to_zarr(c, zarr_format=2, consolidated=True)
    cases.append(("no time coordinate", c, "xcube", True))
    c = tmp_path / "uneven_x.zarr"
    x = base.x.values.copy()
    x[5] += 12000
    base.assign_coords(x=x).drop_vars("x_bnds").to_zarr(c, zarr_format=2, consolidated=True)
    # xcube means to reject this too, but passes |step|/100 as a *relative* tolerance to
    # np.allclose, which accepts any spacing; cubegen applies it as the absolute tolerance.
    cases.append(("x not equidistant", c, "xcube", False))
    c = tmp_path / "chunks.zarr"
    mixed = base.copy()
    mixed["wet"] = mixed["wet"].chunk({"x": 7})
    for v in mixed.variables.values():
        v.encoding.pop("chunks", None)
        v.encoding.pop("preferred_chunks", None)
    mixed.to_zarr(c, zarr_format=2, consolidated=True)
    cases.append(("different chunks", c, "xcube", True))
    c = tmp_path / "decreasing_time.zarr"
    base.drop_vars("time_bnds").isel(time=slice(None, None, -1)).to_zarr(c, zarr_format=2, consolidated=True)
    cases.append(("time decreasing", c, "xcube", True))
    c = tmp_path / "dims.zarr"
    base.transpose("time", "x", "y", ...).to_zarr(c, zarr_format=2, consolidated=True)
    cases.append(("dims (time, x, y)", c, "xcube", True))
    # Damage xcube does not look for.
    c = clone("lost_chunk.zarr")
    next(p for p in sorted((c / "tas").iterdir()) if not p.name.startswith(".")).unlink()
    cases.append(("a lost chunk", c, "zarr", False))
    c = clone("stale.zarr")
    attrs = json.loads((c / "tas" / ".zattrs").read_text())
    attrs["units"] = "degC"
    (c / "tas" / ".zattrs").write_text(json.dumps(attrs))
    cases.append(("stale consolidated metadata", c, "zarr", False))
    c = clone("lineage.zarr")
    lineage = json.loads((c / "lineage.json").read_text())
    lineage["variables"] = lineage["variables"][:-1]
    (c / "lineage.json").write_text(json.dumps(lineage))
    cases.append(("lineage misses a variable", c, "catalogue", False))
    c = clone("object_attr.zarr")
    edit_json(c, "tas/.zattrs", lambda a: a.__setitem__("history", {"step": "regrid"}))
    cases.append(("object attribute", c, "cf", False))
    return cases


def test_verify_agrees_with_xcube_on_broken_cubes(built, tmp_path):
    d, _ = built
    good = d / "cube.zarr"
    result = cubegen("verify", good)
    assert result.returncode == 0, result.stdout
    assert "valid (0 error(s)" in result.stdout and str(d / "cube.stac.json") in result.stdout
    assert verify_cube(xr.open_zarr(good)) == []
    for name, path, rule, xcube_rejects in broken_copies(good, tmp_path):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            xcube_problems = verify_cube(xr.open_zarr(path, consolidated=True))
        result = cubegen("verify", path)
        ours = [line for line in result.stdout.splitlines() if line.startswith("error")]
        assert result.returncode == 3, (name, result.stdout)
        assert any(f"[{rule}]" in line for line in ours), (name, result.stdout)
        assert bool(xcube_problems) == xcube_rejects, (name, xcube_problems)


def test_verify_compares_the_stac_entry(built, tmp_path):
    d, _ = built
    shutil.copytree(d / "cube.zarr", tmp_path / "cube.zarr")
    collection = json.loads((d / "cube.stac.json").read_text())
    collection["cube:dimensions"]["x"]["extent"] = [3500000.0, 4600000.0]
    collection["extent"]["temporal"]["interval"] = [["2020-01-01T00:00:00Z", "2020-02-01T00:00:00Z"]]
    (tmp_path / "other.stac.json").write_text(json.dumps(collection))
    result = cubegen("verify", tmp_path / "cube.zarr", "--stac", tmp_path / "other.stac.json")
    assert result.returncode == 3
    assert "cube:dimensions.x.extent" in result.stdout and "extent.temporal.interval" in result.stdout
    missing = cubegen("verify", tmp_path / "nowhere.zarr")
    assert missing.returncode == 3 and missing.stderr.strip().startswith("error: ") and "nowhere.zarr" in missing.stderr


def test_cube_with_gdal_crs_is_valid_with_a_warning(tmp_path, binaries):
    write_input(tmp_path / "in_1.nc", DAYS[:1])
    r = recipe(tmp_path, "  crs: EPSG:3035\n  bbox: [3500000, 2500000, 4500000, 3500000]\n  resolution: 100000",
               variables="tas: {}", extra="  gdal_crs: true\n")
    cubegen("run", r, check=True)
    result = cubegen("verify", tmp_path / "cube.zarr")
    assert result.returncode == 0
    assert "warning [cf]: attribute '_CRS' of variable 'tas'" in result.stdout
