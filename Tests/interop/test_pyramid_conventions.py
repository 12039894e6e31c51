"""The zarr-conventions attributes of NAME.levels (`multiscales` v1, `proj:` v1, `spatial:` v0.1).

The levels group's attributes (`.zattrs` of a v2 pyramid, `zarr.json` of a v3 one) and each level
group's validate against the conventions' own JSON schemas (Tests/interop/zarr_conventions/, copied
from the conventions' repositories) with `jsonschema`; their values agree with what xcube's reader
and xarray find in the level arrays: `spatial:shape` is each level's (lat, lon) size, and the affine
`spatial:transform` maps pixel centres (index + 0.5) to the level's own lon/lat coordinates; the
`proj:` CRS is the cube's (pyproj); xcube still opens the pyramid with the group documents in it."""
import json
import pathlib
import re

import jsonschema
import numpy as np
import pyproj
import pytest
import xarray as xr
from xcube.core.mldataset import FsMultiLevelDataset

from conftest import cubegen
from test_pyramid import DAYS, RECIPE, TILE, build, write_day

SCHEMAS = pathlib.Path(__file__).parent / "zarr_conventions"
MULTISCALES, PROJ, SPATIAL = ("d35379db-88df-4056-af3a-620245f8e347", "f17cb550-5864-4468-aeb7-f3180cfb622f",
                              "689b58e2-cf7b-45e0-9fff-9cfc0883d6b4")


def validator(name):
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    return jsonschema.Draft7Validator(schema)


def node_document(group):
    """The group's node document as the conventions' schemas expect it (v3 `zarr.json`, or v2
    `.zgroup` + `.zattrs` put in that shape)."""
    if (group / "zarr.json").exists():
        return json.loads((group / "zarr.json").read_text())
    assert json.loads((group / ".zgroup").read_text()) == {"zarr_format": 2}
    return {"zarr_format": 2, "node_type": "group", "attributes": json.loads((group / ".zattrs").read_text())}


def assert_valid(document, *schemas):
    for name in schemas:
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(document)]
        assert not errors, (name, errors)


def assert_proj(attributes, epsg):
    assert re.fullmatch(r"[A-Z]+:[0-9]+", attributes["proj:code"])
    assert attributes["proj:code"] == f"EPSG:{epsg}"
    assert pyproj.CRS.from_wkt(attributes["proj:wkt2"]).to_epsg() == epsg


def assert_transform_matches(transform, shape, ds, names):
    """x = a·(col + ½) + c and y = e·(row + ½) + f are the level's pixel-centre coordinates."""
    y, x = names
    a, b, c, d, e, f = transform
    assert b == 0 and d == 0
    assert list(shape) == [ds.sizes[y], ds.sizes[x]]
    np.testing.assert_allclose(a * (np.arange(ds.sizes[x]) + 0.5) + c, ds[x].values, rtol=0, atol=1e-9 * max(1, abs(c)))
    np.testing.assert_allclose(e * (np.arange(ds.sizes[y]) + 0.5) + f, ds[y].values, rtol=0, atol=1e-9 * max(1, abs(f)))


def check_pyramid(tmp, epsg=4326, names=("lat", "lon"), bbox=(-30, -20, 40, 30), methods=None):
    y, x = names
    levels = tmp / "pyr.levels"
    document = node_document(levels)
    assert_valid(document, "multiscales", "spatial", "zarr-conventions")
    attributes = document["attributes"]
    assert [c["uuid"] for c in attributes["zarr_conventions"]] == [MULTISCALES, PROJ, SPATIAL]
    assert_proj(attributes, epsg)
    assert attributes["spatial:dimensions"] == list(names)

    cube = xr.open_zarr(tmp / "pyr.zarr")
    bounds = [float(cube[f"{x}_bnds"].min()), float(cube[f"{y}_bnds"].min()), float(cube[f"{x}_bnds"].max()), float(cube[f"{y}_bnds"].max())]
    np.testing.assert_allclose(attributes["spatial:bbox"], bounds, atol=1e-9)
    assert bounds == pytest.approx(list(bbox))

    multiscales = attributes["multiscales"]
    methods = methods or {"tas": "average", "cls": "nearest", "tas_max": "max"}
    # Each variable's method is named; a common one is the layout's resampling_method.
    assert multiscales["cubegen:resampling_methods"] == methods
    assert ("resampling_method" in multiscales) == (len(set(methods.values())) == 1)
    layout = multiscales["layout"]
    ml = FsMultiLevelDataset(str(levels))  # xcube still reads the pyramid, the group documents beside the levels
    assert ml.num_levels == len(layout) >= 3
    base = layout[0]["spatial:transform"]
    for k, entry in enumerate(layout):
        assert entry["asset"] == ("0.link" if k == 0 else f"{k}.zarr")
        assert (levels / entry["asset"]).exists()
        ds = ml.get_dataset(k)
        assert_transform_matches(entry["spatial:transform"], entry["spatial:shape"], ds, names)
        if k == 0:
            assert "derived_from" not in entry
            # The cube, level 0, carries proj: and spatial: for its grid too.
            cube_document = node_document(tmp / "pyr.zarr")
            assert_valid(cube_document, "spatial", "zarr-conventions")
            cube_attributes = cube_document["attributes"]
            assert [c["uuid"] for c in cube_attributes["zarr_conventions"]] == [PROJ, SPATIAL]
            assert_proj(cube_attributes, epsg)
            assert cube_attributes["spatial:transform"] == entry["spatial:transform"]
            assert cube_attributes["spatial:shape"] == entry["spatial:shape"]
            assert cube_attributes["spatial:bbox"] == attributes["spatial:bbox"]
            continue
        assert entry["derived_from"] == "0.link"
        assert entry["transform"]["scale"] == [2.0 ** k, 2.0 ** k]
        # Pixel sizes are the base level's times the scale; the corner stays.
        assert entry["spatial:transform"][0] == base[0] * 2 ** k and entry["spatial:transform"][4] == base[4] * 2 ** k
        assert entry["spatial:transform"][2] == base[2] and entry["spatial:transform"][5] == base[5]
        # The level group carries proj: and spatial: for its own grid.
        level_document = node_document(levels / f"{k}.zarr")
        assert_valid(level_document, "spatial", "zarr-conventions")
        level_attributes = level_document["attributes"]
        assert [c["uuid"] for c in level_attributes["zarr_conventions"]] == [PROJ, SPATIAL]
        assert_proj(level_attributes, epsg)
        assert level_attributes["spatial:transform"] == entry["spatial:transform"]
        assert level_attributes["spatial:shape"] == entry["spatial:shape"]
        opened = xr.open_zarr(levels / f"{k}.zarr")
        assert opened.attrs["spatial:shape"] == [opened.sizes[y], opened.sizes[x]]
        half = [abs(base[0]) * 2 ** k / 2, abs(base[4]) * 2 ** k / 2]
        np.testing.assert_allclose(level_attributes["spatial:bbox"],
                                   [float(opened[x].min()) - half[0], float(opened[y].min()) - half[1],
                                    float(opened[x].max()) + half[0], float(opened[y].max()) + half[1]], atol=1e-6)


def test_v2_pyramid_carries_multiscales_proj_and_spatial(tmp_path, binaries):
    build(tmp_path, DAYS)
    assert not (tmp_path / "pyr.levels" / "zarr.json").exists()
    check_pyramid(tmp_path)


def test_v3_pyramid_carries_them_in_zarr_json(tmp_path, binaries):
    build(tmp_path, DAYS[:1], pyramid=f"{{levels: auto, tile: {TILE}}}\n  format: zarr3")
    assert not (tmp_path / "pyr.levels" / ".zattrs").exists()
    assert node_document(tmp_path / "pyr.levels")["zarr_format"] == 3
    check_pyramid(tmp_path)


def test_the_schemas_reject_what_they_should(tmp_path, binaries):
    """The checks can fail: a layout entry without asset, a malformed bbox, a foreign registration."""
    build(tmp_path, DAYS[:1])
    document = node_document(tmp_path / "pyr.levels")
    broken = json.loads(json.dumps(document))
    del broken["attributes"]["multiscales"]["layout"][1]["asset"]
    assert list(validator("multiscales").iter_errors(broken))
    broken = json.loads(json.dumps(document))
    broken["attributes"]["spatial:bbox"] = [0, 0, 1]
    assert list(validator("spatial").iter_errors(broken))
    broken = json.loads(json.dumps(document))
    broken["attributes"]["zarr_conventions"][0]["uuid"] = "not-a-uuid"
    assert list(validator("zarr-conventions").iter_errors(broken))


def test_projected_pyramid_names_its_epsg_code_and_metre_grid(tmp_path, binaries):
    """EPSG:3035 (LAEA Europe), 10 km pixels, one method for all: `proj:code` EPSG:3035, dimensions
    (y, x), transforms in metres, and the common `resampling_method` on the layout."""
    write_day(tmp_path / f"in_{int(DAYS[0])}.nc", DAYS[0])
    recipe = (RECIPE.replace("crs: EPSG:4326", "crs: EPSG:3035").replace("bbox: [-30, -20, 40, 30]", "bbox: [3000000, 2000000, 4200000, 3000000]")
              .replace("resolution: 0.5", "resolution: 10000").replace("lat: 24, lon: 36", "y: 24, x: 36")
              .replace("tas: {{name: tas_max, resampling: nearest, pyramid_method: max}}", "tas: {{name: tas_max, resampling: nearest, pyramid_method: mean}}")
              .replace("cls: {{resampling: nearest, dtype: int16, fill_value: -1}}", "cls: {{resampling: nearest, dtype: int16, fill_value: -1, pyramid_method: mean}}"))
    (tmp_path / "pyr.yaml").write_text(recipe.format(pyramid=f"{{levels: auto, tile: {TILE}}}"))
    cubegen("run", tmp_path / "pyr.yaml", check=True)
    check_pyramid(tmp_path, epsg=3035, names=("y", "x"), bbox=(3000000, 2000000, 4200000, 3000000),
                  methods={"tas": "average", "cls": "average", "tas_max": "average"})
    multiscales = node_document(tmp_path / "pyr.levels")["attributes"]["multiscales"]
    assert multiscales["resampling_method"] == "average"
    assert all(entry["resampling_method"] == "average" for entry in multiscales["layout"][1:])
    assert multiscales["layout"][1]["spatial:transform"] == [20000.0, 0.0, 3000000.0, 0.0, -20000.0, 3000000.0]
