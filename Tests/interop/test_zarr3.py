"""Zarr v3 cubes as users and other implementations read them: a sharded v3 cube with crc32c built
by the CLI opens in xarray without a warning, passes `xcube verify` and `cubegen verify --decode`,
and holds exactly the values of the same recipe built as Zarr v2, as read by xarray, by zarr-python
and by tensorstore (an independent C++ implementation of Zarr v3, sharding and crc32c)."""
import json
import warnings

import jsonschema

import numpy as np
import pytest
import tensorstore as ts
import xarray as xr
import zarr
from xcube.core.verify import verify_cube

from conftest import ROOT, cubegen
from test_interop import DAYS, write_input

VARIABLES = "tas: {}\n      wet: {}\n      pk: {resampling: nearest, dtype: int16, scale_factor: 0.001, fill_value: -32768}"
DATA = ["tas", "wet", "pk"]


def build(tmp_path, name, output, compressor="{id: blosc, cname: zstd, clevel: 5, shuffle: shuffle}"):
    """Runs one recipe over the shared inputs; the grid (62 × 41 × 3) is not a multiple of the chunks or shards."""
    text = f"""version: 1
cube: {{id: zarr3-interop, title: Zarr v3 interop cube, license: CC0-1.0}}
grid:
  crs: EPSG:4326
  bbox: [-10, 10, 21, 30.5]
  resolution: 0.5
sources:
  - name: src
    store: netcdf
    paths: [in_*.nc]
    variables:
      {VARIABLES}
output:
  path: {name}.zarr
  chunks: {{time: 2, y: 8, x: 10}}
  compressor: {compressor}
{output}"""
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    cubegen("run", path, check=True)
    return tmp_path / f"{name}.zarr"


def open_strict(path):
    """xarray as a user calls it; any warning fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = xr.open_zarr(path)
        ds.load()
    return ds


@pytest.fixture(scope="module")
def cubes(tmp_path_factory, binaries):
    tmp = tmp_path_factory.mktemp("zarr3")
    write_input(tmp / "in_1.nc", DAYS)
    v2 = build(tmp, "v2", "")
    v3 = build(tmp, "v3", "  format: zarr3\n  shards: {time: 4, y: 16, x: 30}\n  checksum: crc32c\n")
    return v2, v3


def test_v3_metadata_is_sharded_with_crc32c_and_consolidated(cubes):
    _, v3 = cubes
    root = json.loads((v3 / "zarr.json").read_text())
    assert root["zarr_format"] == 3 and root["node_type"] == "group"
    assert root["consolidated_metadata"]["kind"] == "inline"
    tas = json.loads((v3 / "tas" / "zarr.json").read_text())
    assert root["consolidated_metadata"]["metadata"]["tas"] == tas
    assert tas["chunk_grid"]["configuration"]["chunk_shape"] == [4, 16, 30]
    sharding = tas["codecs"][0]
    assert sharding["name"] == "sharding_indexed"
    assert [c["name"] for c in sharding["configuration"]["codecs"]] == ["bytes", "blosc", "crc32c"]
    assert tas["dimension_names"] == ["time", "lat", "lon"]
    assert tas["attributes"]["_FillValue"] == "AAAAAAAA+H8="


def test_xarray_opens_v3_without_warnings_and_equals_v2(cubes):
    v2, v3 = cubes
    a, b = open_strict(v2), open_strict(v3)
    assert a.sizes == b.sizes == {"time": 3, "lat": 41, "lon": 62, "bnds": 2}
    assert set(a.variables) == set(b.variables)
    for name in a.variables:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
    for name in DATA:
        assert a[name].attrs == b[name].attrs, name
        assert b[name].encoding["chunks"] == (2, 8, 10)
    # Masking and unpacking work in v3 as in v2: NaN at sea, pk decoded from int16.
    assert np.isnan(b.wet.values).any() and not np.isnan(b.wet.values).all()
    assert b.pk.dtype == np.float32 or b.pk.dtype == np.float64
    assert b.pk.encoding["dtype"] == np.int16
    assert a.attrs.keys() == b.attrs.keys()
    assert verify_cube(b) == []


def test_zarr_python_reads_the_same_stored_values(cubes):
    v2, v3 = cubes
    g2, g3 = zarr.open_group(v2, mode="r"), zarr.open_group(v3, mode="r")
    assert g3.metadata.zarr_format == 3
    for name in DATA:
        a, b = g2[name], g3[name]
        assert b.chunks == (2, 8, 10) and b.shards == (4, 16, 30)
        np.testing.assert_array_equal(a[...], b[...], err_msg=name)
    assert int(g3["crs"][...]) == 0


@pytest.mark.parametrize("name", DATA + ["time", "lat", "lon_bnds"])
def test_tensorstore_reads_the_same_stored_values(cubes, name):
    v2, v3 = cubes
    store = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": str(v3 / name)}}, open=True).result()
    values = store.read().result()
    expected = zarr.open_array(v2 / name, mode="r")[...]
    assert values.dtype == expected.dtype
    np.testing.assert_array_equal(values, expected, err_msg=name)


def test_cubegen_verify_decodes_every_inner_chunk(cubes):
    _, v3 = cubes
    result = cubegen("verify", "--decode", v3)
    assert result.returncode == 0, result.stdout + result.stderr


def test_lineage_and_stac_name_the_format(cubes):
    v2, v3 = cubes
    lineage = json.loads((v3 / "lineage.json").read_text())
    schema = json.loads((ROOT / "schemas" / "lineage.schema.json").read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(lineage)
    output = lineage["recipe"]["normalized"]["output"]
    assert output["format"] == "zarr3" and output["checksum"] == "crc32c"
    assert output["shards"] == {"time": 4, "lat": 16, "lon": 30}
    # Fill-only inner chunks are listed by chunk index, as in the v2 build.
    v2_lineage = json.loads((v2 / "lineage.json").read_text())
    assert any(v["empty_chunks"] for v in lineage["variables"])
    assert [v["empty_chunks"] for v in lineage["variables"]] == [v["empty_chunks"] for v in v2_lineage["variables"]]
    item = json.loads((v3.parent / "v3.item.json").read_text())
    assert item["assets"]["zarr"]["description"].startswith("Zarr v3 store")


def test_tensorstore_refuses_a_flipped_bit_as_cubegen_verify_does(cubes, tmp_path):
    _, v3 = cubes
    import shutil
    damaged = tmp_path / "damaged.zarr"
    shutil.copytree(v3, damaged)
    shard = damaged / "tas" / "c" / "0" / "0" / "0"
    data = bytearray(shard.read_bytes())
    data[5] ^= 0x01
    shard.write_bytes(bytes(data))
    store = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": str(damaged / "tas")}}, open=True).result()
    with pytest.raises(Exception):
        store[0:2, 0:8, 0:10].read().result()
    result = cubegen("verify", "--decode", damaged)
    assert result.returncode != 0
    assert "tas/c/0/0/0" in result.stdout + result.stderr


@pytest.mark.parametrize("compressor,codecs", [
    ("{id: zstd, level: 5}", ["bytes", "zstd", "crc32c"]),
    ("{id: gzip, level: 6}", ["bytes", "gzip", "crc32c"]),
    ("{id: blosc, cname: lz4, clevel: 3, shuffle: bitshuffle}", ["bytes", "blosc", "crc32c"]),
    ("{id: none}", ["bytes"]),
])
def test_unsharded_v3_codecs_read_back_in_xarray_and_tensorstore(cubes, tmp_path, compressor, codecs):
    v2, _ = cubes
    for path in v2.parent.glob("in_*.nc"):
        (tmp_path / path.name).symlink_to(path)
    checksum = "  checksum: crc32c\n" if "crc32c" in codecs else ""
    cube = build(tmp_path, "codec", "  format: zarr3\n" + checksum, compressor=compressor)
    tas = json.loads((cube / "tas" / "zarr.json").read_text())
    assert [c["name"] for c in tas["codecs"]] == codecs
    a, b = open_strict(v2), open_strict(cube)
    for name in DATA:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
        store = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": str(cube / name)}}, open=True).result()
        np.testing.assert_array_equal(store.read().result(), zarr.open_array(v2 / name, mode="r")[...], err_msg=name)
