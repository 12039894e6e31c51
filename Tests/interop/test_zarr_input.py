"""Zarr inputs (`store: zarr`) written by xarray and zarr-python: v2 and v3, consolidated or not,
sharded v3, non-default codecs (zstd, gzip), int16 packed with scale/offset and a fill value, a
non-standard calendar. The CLI builds cubes from them whose values match the analytic field; bad
inputs give one-line errors with the documented exit codes; `cubegen inspect` describes them; and
the same input served from S3 (SeaweedFS on loopback) gives the same cube while a small target
window fetches only the byte ranges it needs."""
import json
import os
import shutil
import uuid

import numcodecs
import numcodecs.zarr3
import numpy as np
import pytest
import xarray as xr
import zarr

from conftest import cubegen
from test_interop import is_sea, temperature

LON = np.arange(-9.75, 20, 0.5)  # 60 columns, 0.5° cells from -10° to 20°
LAT = np.arange(39.75, 10, -0.5)  # 60 rows, 40°N down to 10°N
DAYS = [7305.0, 7306.0, 7307.0, 7308.0]
NOLEAP_DAYS = [58.0, 59.0, 60.0, 61.0]  # 28 Feb, 1, 2, 3 March 2000 without 29 February

ENDPOINT = os.environ.get("CUBEGEN_TEST_S3_ENDPOINT")
KEY = os.environ.get("CUBEGEN_TEST_S3_ACCESS_KEY", "")
SECRET = os.environ.get("CUBEGEN_TEST_S3_SECRET_KEY", "")


def dataset(days, calendar="standard"):
    """tas (float32) and pk (int16 packed: scale 0.01, offset 250, _FillValue -32768 at sea), CF-encoded by xarray."""
    lon2, lat2 = np.meshgrid(LON, LAT)
    steps = np.arange(len(days))
    tas = np.stack([temperature(lon2, lat2, 7305 + k) for k in steps]).astype("float32")
    pk = np.where(is_sea(lon2, lat2)[None], np.nan, tas.astype("float64"))
    ds = xr.Dataset(
        {"tas": (("time", "lat", "lon"), tas, {"units": "K", "standard_name": "air_temperature"}),
         "pk": (("time", "lat", "lon"), pk, {"units": "K"})},
        coords={"time": ("time", np.array(days), {"units": "days since 2000-01-01", "calendar": calendar}),
                "lat": ("lat", LAT, {"units": "degrees_north", "standard_name": "latitude"}),
                "lon": ("lon", LON, {"units": "degrees_east", "standard_name": "longitude"})})
    ds["pk"].encoding = {"dtype": "int16", "scale_factor": 0.01, "add_offset": 250.0, "_FillValue": -32768}
    return ds


def write(path, fmt, consolidated=True, compressor=None, shards=None, calendar="standard", chunks=(1, 20, 20), keys=None):
    ds = dataset(NOLEAP_DAYS if calendar == "noleap" else DAYS, calendar)
    encoding = {}
    for name in ("tas", "pk"):
        e = dict(ds[name].encoding)
        e["chunks"] = chunks
        if compressor is not None:
            e["compressors"] = [compressor]
        if shards is not None:
            e["shards"] = shards
        if keys is not None:
            e["chunk_key_encoding"] = keys
        encoding[name] = e
    ds.to_zarr(path, zarr_format=fmt, consolidated=consolidated, encoding=encoding, mode="w")
    return path


VARIANTS = {
    "v2-blosc": dict(fmt=2),
    "v2-zstd": dict(fmt=2, compressor=numcodecs.Zstd(level=3)),
    "v2-gzip-listed": dict(fmt=2, compressor=numcodecs.GZip(level=5), consolidated=False),
    "v3-zstd": dict(fmt=3, compressor=zarr.codecs.ZstdCodec(level=3)),
    "v3-gzip-listed": dict(fmt=3, compressor=zarr.codecs.GzipCodec(level=5), consolidated=False),
    "v3-sharded": dict(fmt=3, shards=(2, 40, 40), chunks=(1, 20, 20)),
    "v3-noleap": dict(fmt=3, calendar="noleap"),
    # xarray's less common choices: lz4 and bz2 (numcodecs), "/" and v2-style chunk keys.
    "v2-lz4-slash": dict(fmt=2, compressor=numcodecs.LZ4(), keys={"name": "v2", "separator": "/"}),
    "v3-bz2-v2keys": dict(fmt=3, compressor=numcodecs.zarr3.BZ2(level=5), keys={"name": "v2", "separator": "."}),
    "v3-lz4-dotkeys": dict(fmt=3, compressor=numcodecs.zarr3.LZ4(), keys={"name": "default", "separator": "."}),
}

TARGET = "crs: EPSG:4326\n  bbox: [-5, 15, 15, 35]\n  resolution: 1"


def recipe(tmp, name, path, grid=TARGET, options=""):
    text = f"""version: 1
cube: {{id: {name}, title: Zarr input {name}, license: CC0-1.0}}
grid:
  {grid}
sources:
  - name: src
    store: zarr
    paths: ["{path}"]{options}
    variables:
      tas: {{resampling: bilinear}}
      pk: {{resampling: average}}
output:
  path: {name}.zarr
  chunks: {{time: 2, y: 10, x: 10}}
"""
    file = tmp / f"{name}.yaml"
    file.write_text(text)
    return file


def check_values(cube, days):
    """tas bilinear and pk averaged over 2×2 source cells reproduce the linear field at the target centres."""
    ds = xr.open_zarr(cube, decode_times=False)
    lon2, lat2 = np.meshgrid(ds["lon"].values, ds["lat"].values)
    assert ds["tas"].shape == (len(days), 20, 20)
    for k in range(len(days)):
        truth = temperature(lon2, lat2, 7305 + k)
        np.testing.assert_allclose(ds["tas"].values[k], truth, atol=1e-3)
        pk = ds["pk"].values[k]
        sea = is_sea(lon2, lat2)
        assert np.isnan(pk[sea]).all() and not np.isnan(pk[~sea]).any()
        np.testing.assert_allclose(pk[~sea], truth[~sea], atol=0.006)  # packing rounds to 0.01
    return ds


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, binaries):
    tmp = tmp_path_factory.mktemp("zarrin")
    for name, options in VARIANTS.items():
        write(tmp / f"{name}.zarr", **options)
    return tmp


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_cube_from_zarr_input_has_the_field(inputs, variant):
    cubegen("run", recipe(inputs, f"out-{variant}", f"{variant}.zarr"), check=True, cwd=inputs)
    days = NOLEAP_DAYS if "noleap" in variant else DAYS
    ds = check_values(inputs / f"out-{variant}.zarr", days)
    if "noleap" in variant:
        times = xr.open_zarr(inputs / f"out-{variant}.zarr", decode_times=xr.coders.CFDatetimeCoder(use_cftime=True))["time"].values
        assert [(t.month, t.day) for t in times] == [(2, 28), (3, 1), (3, 2), (3, 3)]
        assert ds["time"].attrs["calendar"] == "noleap"
    lineage = json.loads((inputs / f"out-{variant}.zarr" / "lineage.json").read_text())
    assert lineage["variables"][0]["source"]["store"] == "zarr"


def test_inspect_describes_a_zarr_input(inputs):
    out = cubegen("inspect", "--store", "zarr", inputs / "v3-sharded.zarr", check=True).stdout
    assert "format    Zarr v3, consolidated" in out
    assert "grid      geographic, 60 × 60 (lon × lat)" in out
    assert "time      4 steps" in out
    assert "variable  pk(time=4, lat=60, lon=60) int16 [K]; missing -32768.0; × 0.01 + 250.0" in out
    assert "chunks 1 × 20 × 20; shards 2 × 40 × 40; codecs" in out
    listed = cubegen("inspect", "--store", "zarr", inputs / "v2-gzip-listed.zarr", check=True).stdout
    assert "Zarr v2, not consolidated" in listed and 'codecs gzip(level 5)' in listed


def test_inspect_describes_an_xcube_pyramid(inputs):
    pyramid = inputs / "cube.levels"
    write(pyramid / "0.zarr", fmt=2)
    coarse = dataset(DAYS).coarsen(lat=2, lon=2).mean()
    for name in ("lat", "lon"):
        coarse[name].attrs = dataset(DAYS)[name].attrs
    coarse["pk"].encoding = {"dtype": "int16", "scale_factor": 0.01, "add_offset": 250.0, "_FillValue": -32768}
    coarse.to_zarr(pyramid / "1.zarr", zarr_format=2, consolidated=True, mode="w")
    (pyramid / ".zlevels").write_text(json.dumps({"version": "1.0", "num_levels": 2}))
    out = cubegen("inspect", "--store", "zarr", pyramid, check=True).stdout
    assert "xcube pyramid of 2 levels" in out
    assert "level     0: 0.zarr, 60 × 60, pixel 0.5 (described here)" in out
    assert "level     1: 1.zarr, 30 × 30, pixel 1" in out
    # A 1° target reads level 1 and says so in its lineage.
    cubegen("run", recipe(inputs, "from-pyramid", "cube.levels"), check=True, cwd=inputs)
    lineage = json.loads((inputs / "from-pyramid.zarr" / "lineage.json").read_text())
    grid = lineage["variables"][0]["source"]["grid"]
    assert grid["level"] == 1 and grid["level_path"] == "1.zarr" and grid["levels"] == 2
    import jsonschema
    from conftest import ROOT
    jsonschema.validate(lineage, json.loads((ROOT / "schemas" / "lineage.schema.json").read_text()))


def test_a_pyramid_whose_level_0_is_a_link(inputs):
    """`xcube level --link` writes `0.link` (the base cube's path relative to the pyramid) instead of
    copying level 0: a target fine enough for level 0 reads the linked cube, value for value."""
    pyramid = inputs / "linked.levels"
    pyramid.mkdir()
    (pyramid / "0.link").write_text("../v2-blosc.zarr")
    coarse = dataset(DAYS).coarsen(lat=2, lon=2).mean()
    for name in ("lat", "lon"):
        coarse[name].attrs = dataset(DAYS)[name].attrs
    coarse.to_zarr(pyramid / "1.zarr", zarr_format=2, consolidated=True, mode="w")
    (pyramid / ".zlevels").write_text(json.dumps({"version": "1.0", "num_levels": 2}))
    out = cubegen("inspect", "--store", "zarr", pyramid, check=True).stdout
    assert "level     0: ../v2-blosc.zarr, 60 × 60, pixel 0.5" in out
    fine = "crs: EPSG:4326\n  bbox: [-5, 15, 15, 35]\n  resolution: 0.5"
    cubegen("run", recipe(inputs, "via-link", "linked.levels", grid=fine), check=True, cwd=inputs)
    cubegen("run", recipe(inputs, "direct", "v2-blosc.zarr", grid=fine), check=True, cwd=inputs)
    via, direct = xr.open_zarr(inputs / "via-link.zarr"), xr.open_zarr(inputs / "direct.zarr")
    for name in ("tas", "pk"):
        assert np.array_equal(via[name].values, direct[name].values, equal_nan=True)
    grid = json.loads((inputs / "via-link.zarr" / "lineage.json").read_text())["variables"][0]["source"]["grid"]
    assert grid["level"] == 0 and grid["level_path"] == "../v2-blosc.zarr"
    # A link to nothing is a one-line error naming the pyramid.
    (pyramid / "0.link").write_text("../missing.zarr")
    one_line_error(cubegen("run", recipe(inputs, "via-bad-link", "linked.levels", grid=fine), cwd=inputs), 3,
                   "linked.levels/../missing.zarr", "is not a Zarr store")


def one_line_error(result, code, *words):
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_an_unknown_codec_is_named(inputs):
    write(inputs / "lzma.zarr", fmt=2, compressor=numcodecs.LZMA())
    result = cubegen("run", recipe(inputs, "lzma-out", "lzma.zarr"), cwd=inputs)
    one_line_error(result, 5, "lzma.zarr", "array 'pk'", "codec 'lzma'")


def test_a_truncated_chunk_fails_with_exit_3(inputs):
    shutil.copytree(inputs / "v2-zstd.zarr", inputs / "truncated.zarr")
    chunk = inputs / "truncated.zarr" / "tas" / "1.1.0"
    chunk.write_bytes(chunk.read_bytes()[: len(chunk.read_bytes()) // 2])
    result = cubegen("run", recipe(inputs, "truncated-out", "truncated.zarr"), cwd=inputs)
    one_line_error(result, 3, "truncated.zarr", "tas/1.1.0", "damaged")
    assert not (inputs / "truncated-out.zarr").exists()


def test_a_damaged_shard_fails_with_exit_3(inputs):
    shutil.copytree(inputs / "v3-sharded.zarr", inputs / "badshard.zarr")
    shard = inputs / "badshard.zarr" / "pk" / "c" / "0" / "0" / "0"
    data = bytearray(shard.read_bytes())
    data[-8] ^= 0xFF  # inside the shard index: its crc32c no longer matches
    shard.write_bytes(bytes(data))
    result = cubegen("run", recipe(inputs, "badshard-out", "badshard.zarr"), cwd=inputs)
    one_line_error(result, 3, "badshard.zarr", "pk/c/0/0/0", "crc32c")


def test_not_a_zarr_store_and_missing_dimension_names(inputs):
    (inputs / "empty.zarr").mkdir()
    (inputs / "empty.zarr" / "README").write_text("nothing here")
    one_line_error(cubegen("run", recipe(inputs, "empty-out", "empty.zarr"), cwd=inputs), 3, "empty.zarr", "is not a Zarr store")
    (inputs / "plain.nc").write_bytes(b"CDF\x01")
    one_line_error(cubegen("run", recipe(inputs, "file-out", "plain.nc"), cwd=inputs), 3, "plain.nc", "is a file, not a dataset directory")
    # zarr-python without xarray: arrays without _ARRAY_DIMENSIONS.
    group = zarr.open_group(inputs / "nodims.zarr", mode="w", zarr_format=2)
    group.create_array("tas", shape=(2, 4, 4), dtype="float32")
    zarr.consolidate_metadata(inputs / "nodims.zarr")
    one_line_error(cubegen("run", recipe(inputs, "nodims-out", "nodims.zarr"), cwd=inputs), 3, "nodims.zarr", "'tas'",
                   "no dimension names")


needs_s3 = pytest.mark.skipif(
    not ENDPOINT, reason="needs an S3 service: CUBEGEN_TEST_S3_ENDPOINT (+ _ACCESS_KEY, _SECRET_KEY) unset; "
                         "`make test` (scripts/test.sh) starts SeaweedFS on loopback and sets them")


@needs_s3
def test_the_same_input_on_s3_gives_the_same_cube_reading_only_needed_ranges(inputs, tmp_path):
    s3fs = pytest.importorskip("s3fs")
    from s3_fault_proxy import FaultProxy

    fs = s3fs.S3FileSystem(key=KEY, secret=SECRET, client_kwargs={"endpoint_url": ENDPOINT},
                           skip_instance_cache=True, use_listings_cache=False)
    bucket = f"cubegen-zarrin-{uuid.uuid4().hex[:10]}"
    fs.mkdir(bucket)
    fs.put(str(inputs / "v3-sharded.zarr"), f"{bucket}/in/v3-sharded.zarr", recursive=True)
    env = {**os.environ, "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "HOME": str(tmp_path),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    os.environ.update({k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")})
    log = tmp_path / "requests.jsonl"
    with FaultProxy(ENDPOINT, log, mode="pass", lifetime=300) as proxy:
        options = f'\n    storage_options: {{endpoint_url: "{proxy.url}", region: us-east-1}}'
        url = f"s3://{bucket}/in/v3-sharded.zarr"
        cubegen("run", recipe(tmp_path, "remote", url, options=options), check=True, cwd=tmp_path)
        shutil.copytree(inputs / "v3-sharded.zarr", tmp_path / "v3-sharded.zarr")
        cubegen("run", recipe(tmp_path, "local", "v3-sharded.zarr"), check=True, cwd=tmp_path)
        remote, local = xr.open_zarr(tmp_path / "remote.zarr"), xr.open_zarr(tmp_path / "local.zarr")
        for name in ("tas", "pk"):
            np.testing.assert_array_equal(remote[name].values, local[name].values)
        assert not (tmp_path / "cache" / "cubegen" / "inputs").exists() or not any((tmp_path / "cache" / "cubegen" / "inputs").iterdir())
        described = cubegen("inspect", "--store", "zarr", "--endpoint-url", proxy.url, url, check=True).stdout
        assert described.startswith(url) and "Zarr v3, consolidated" in described and "shards 2 × 40 × 40" in described

        # A one-pixel target at 5.5°E 25.5°N, step 0 only: one inner chunk (lat 20:40, lon 20:40 → chunk
        # 0/0/1/1... of shard 0/0/0) per variable, read by range, never a whole shard.
        before = len(proxy.entries)
        tiny = "crs: EPSG:4326\n  bbox: [5, 25, 6, 26]\n  resolution: 1"
        text = recipe(tmp_path, "tiny", url, grid=tiny, options=options).read_text()
        text = text.replace("pk: {resampling: average}", "pk: {resampling: nearest}")
        text = text.replace("version: 1", "version: 1\ntime: {start: 2020-01-01, end: 2020-01-01}")
        (tmp_path / "tiny.yaml").write_text(text)
        cubegen("run", tmp_path / "tiny.yaml", check=True, cwd=tmp_path)
        entries = proxy.entries[before:]
    sizes = {p: fs.size(p) for p in fs.find(f"{bucket}/in/v3-sharded.zarr")}
    data = [e for e in entries if e["method"] == "GET" and "/c/" in e["path"] and "/time/" not in e["path"]
            and "/lat/" not in e["path"] and "/lon/" not in e["path"]]
    touched = sorted({e["path"].split("?")[0] for e in data})
    assert touched == [f"/{bucket}/in/v3-sharded.zarr/pk/c/0/0/0", f"/{bucket}/in/v3-sharded.zarr/tas/c/0/0/0"], touched
    for e in data:
        key = e["path"].split("?")[0].lstrip("/")
        assert e["response_bytes"] < sizes[key] / 2, (e, sizes[key])  # a range, not the shard
    # Per variable: the shard's index (one ranged GET) and one inner chunk (one ranged GET).
    assert len(data) == 4, data


def projected(grid_mapping_attribute):
    """A field linear in EPSG:3035 metres with its CRS in a `spatial_ref` variable (rioxarray: every data
    variable names it in `grid_mapping`) or in a `crs` variable nobody names (as some xcube cubes do)."""
    import pyproj

    x = np.arange(4005000.0, 4500000.0, 10000.0)
    y = np.arange(2995000.0, 2500000.0, -10000.0)
    x2, y2 = np.meshgrid(x, y)
    wkt = pyproj.CRS.from_epsg(3035).to_wkt()
    name = "spatial_ref" if grid_mapping_attribute else "crs"
    tas = np.stack([250 + x2 / 1e5 + y2 / 2e5 + k for k in range(2)]).astype("float32")
    attrs = {"units": "K", **({"grid_mapping": name} if grid_mapping_attribute else {})}
    return xr.Dataset(
        {"tas": (("time", "y", "x"), tas, attrs),
         name: ((), 0, {"crs_wkt": wkt, "spatial_ref": wkt, "grid_mapping_name": "lambert_azimuthal_equal_area"})},
        coords={"time": ("time", DAYS[:2], {"units": "days since 2000-01-01", "calendar": "standard"}),
                "x": ("x", x, {"standard_name": "projection_x_coordinate", "units": "m"}),
                "y": ("y", y, {"standard_name": "projection_y_coordinate", "units": "m"})})


@pytest.mark.parametrize("named", [True, False], ids=["grid_mapping-spatial_ref", "unnamed-crs-variable"])
def test_a_projected_zarr_decodes_like_the_same_netcdf(inputs, named):
    import pyproj

    ds = projected(named)
    stem = f"laea-{'named' if named else 'unnamed'}"
    ds.to_zarr(inputs / f"{stem}.zarr", zarr_format=3, consolidated=True, mode="w")
    ds.to_netcdf(inputs / f"{stem}.nc")
    grid = "crs: EPSG:4326\n  bbox: [7, 46, 11, 49]\n  resolution: 0.25"
    for store, path in (("zarr", f"{stem}.zarr"), ("netcdf", f"{stem}.nc")):
        text = recipe(inputs, f"{stem}-{store}", path, grid=grid).read_text()
        text = text.replace("store: zarr", f"store: {store}").replace("      pk: {resampling: average}\n", "")
        (inputs / f"{stem}-{store}.yaml").write_text(text)
        cubegen("run", inputs / f"{stem}-{store}.yaml", check=True, cwd=inputs)
    from_zarr = xr.open_zarr(inputs / f"{stem}-zarr.zarr")
    from_netcdf = xr.open_zarr(inputs / f"{stem}-netcdf.zarr")
    np.testing.assert_array_equal(from_zarr["tas"].values, from_netcdf["tas"].values)
    # Bilinear of a field linear in LAEA metres: the field at each target centre, projected.
    lon2, lat2 = np.meshgrid(from_zarr["lon"].values, from_zarr["lat"].values)
    ex, ny = pyproj.Transformer.from_crs(4326, 3035, always_xy=True).transform(lon2, lat2)
    np.testing.assert_allclose(from_zarr["tas"].values[0], 250 + ex / 1e5 + ny / 2e5, atol=2e-3)


@pytest.mark.parametrize("projected_cube", [False, True], ids=["geographic", "laea"])
def test_an_xcube_cube_is_an_input(inputs, projected_cube):
    """Cubes made by xcube's own `new_cube` (bounds variables, a `crs` grid mapping with CF parameters
    and WKT, int64 seconds since 1970) and written as xcube writes them (v2, consolidated)."""
    from xcube.core.new import new_cube

    field = lambda t, j, i: 250 + 0.1 * i + 0.5 * j + t  # noqa: E731 (i, j: cell indices)
    if projected_cube:
        cube = new_cube(width=50, height=40, x_name="x", y_name="y", x_units="metres", y_units="metres", x_res=10000,
                        x_start=4000000, y_start=2600000, crs="EPSG:3035", time_periods=2, time_start="2020-01-01",
                        variables={"tas": field})
        grid = "crs: EPSG:3035\n  bbox: [4100000, 2700000, 4400000, 2900000]\n  resolution: 20000"
        name = "xcube-laea"
    else:
        cube = new_cube(width=36, height=18, x_res=10, time_periods=2, time_start="2020-01-01", variables={"tas": field})
        grid = "crs: EPSG:4326\n  bbox: [-50, -40, 50, 40]\n  resolution: 5"
        name = "xcube-geo"
    cube.to_zarr(inputs / f"{name}.zarr", mode="w", zarr_format=2, consolidated=True)
    text = recipe(inputs, f"{name}-out", f"{name}.zarr", grid=grid).read_text().replace("      pk: {resampling: average}\n", "")
    (inputs / f"{name}-out.yaml").write_text(text)
    cubegen("run", inputs / f"{name}-out.yaml", check=True, cwd=inputs)
    out = xr.open_zarr(inputs / f"{name}-out.zarr")
    xs, ys = ("x", "y") if projected_cube else ("lon", "lat")
    x2, y2 = np.meshgrid(out[xs].values, out[ys].values)
    if projected_cube:
        i, j = (x2 - 4005000) / 10000, (y2 - 2605000) / 10000
    else:
        i, j = (x2 + 175) / 10, (y2 + 85) / 10
    for k in range(2):
        np.testing.assert_allclose(out["tas"].values[k], field(k, j, i), atol=1e-3)
