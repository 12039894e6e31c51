"""Cubes on S3 (SeaweedFS on loopback): `cubegen run` with `output.path: s3://…` writes the cube,
its pyramid (NAME.levels) and its time-series copy (NAME.ts.zarr) into the bucket, and
`cubegen serve s3://…/NAME.zarr` serves them from there.

The same recipe is also built locally. xcube's own reader (`FsMultiLevelDataset` over s3fs) opens
the pyramid in the bucket and every level equals the local one; xarray over s3fs reads the copy
equal to the local copy. The S3-served dataset list, tiles (byte for byte) and point series equal
the locally served ones, and the series equals the cube's column. With the cube's own `tas`
chunks deleted from the bucket, the series is still the column: it comes from the copy on S3.
"""
import json
import os
import shutil
import subprocess
import uuid

import numpy as np
import pytest
import xarray as xr

from conftest import BIN
from test_pyramid import DAYS, RECIPE, TILE, write_day
from test_serve import get, get_json
from test_viewer import start, stop

ENDPOINT = os.environ.get("CUBEGEN_TEST_S3_ENDPOINT")
KEY = os.environ.get("CUBEGEN_TEST_S3_ACCESS_KEY", "")
SECRET = os.environ.get("CUBEGEN_TEST_S3_SECRET_KEY", "")

pytestmark = pytest.mark.skipif(
    not ENDPOINT, reason="needs an S3 service: CUBEGEN_TEST_S3_ENDPOINT (+ _ACCESS_KEY, _SECRET_KEY) unset; "
                         "`make test` (scripts/test.sh) starts SeaweedFS on loopback and sets them")

COPY = "  timeseries: {chunks: {time: 512, y: 32, x: 32}}\n"


def run(tmp, path, env, options=""):
    recipe = RECIPE.format(pyramid=f"{{levels: auto, tile: {TILE}}}").replace("path: pyr.zarr", f"path: {path}{options}") + COPY
    (tmp / "pyr.yaml").write_text(recipe)
    result = subprocess.run([str(BIN / "cubegen"), "run", str(tmp / "pyr.yaml")], capture_output=True, text=True, cwd=tmp,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stderr


def test_a_cube_built_on_s3_with_its_pyramid_and_copy_is_served_from_s3(tmp_path, binaries):
    s3fs = pytest.importorskip("s3fs")
    from xcube.core.mldataset import FsMultiLevelDataset

    env = {**os.environ, "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "HOME": str(tmp_path),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "CUBEGEN_VIEWER_DIR": ""}
    fs = s3fs.S3FileSystem(key=KEY, secret=SECRET, client_kwargs={"endpoint_url": ENDPOINT},
                           skip_instance_cache=True, use_listings_cache=False)
    bucket = f"cubegen-serve-{uuid.uuid4().hex[:10]}"
    fs.mkdir(bucket)
    local, remote = tmp_path / "local", tmp_path / "remote"
    for folder in (local, remote):
        folder.mkdir()
        for day in DAYS:
            name = f"in_{int(day)}.nc"
            if not (local / name).exists():
                write_day(local / name, day)
            if folder is remote:
                shutil.copy(local / name, remote / name)
    run(local, "pyr.zarr", env)
    url = f"s3://{bucket}/cubes/pyr.zarr"
    run(remote, url, env, options=f'\n  storage_options: {{endpoint_url: "{ENDPOINT}", region: us-east-1}}')

    # What the run wrote into the bucket: the pyramid as xcube reads it, the copy as xarray does.
    prefix = f"{bucket}/cubes"
    assert fs.cat(f"{prefix}/pyr.levels/0.link").decode() == "../pyr.zarr"
    spec = json.loads(fs.cat(f"{prefix}/pyr.levels/.zlevels"))
    assert spec["num_levels"] == 4 and spec["agg_methods"] == {"tas": "mean", "cls": "first", "tas_max": "max"}
    theirs = FsMultiLevelDataset(f"{prefix}/pyr.levels", fs=fs)
    mine = FsMultiLevelDataset(str(local / "pyr.levels"))
    assert theirs.num_levels == mine.num_levels == 4
    for k in range(4):
        xr.testing.assert_equal(theirs.get_dataset(k)[["tas", "cls", "tas_max"]].load(), mine.get_dataset(k)[["tas", "cls", "tas_max"]].load())
    copy_remote = xr.open_zarr(fs.get_mapper(f"{prefix}/pyr.ts.zarr")).load()
    copy_local = xr.open_zarr(local / "pyr.ts.zarr").load()
    xr.testing.assert_equal(copy_remote[["tas", "cls", "tas_max"]], copy_local[["tas", "cls", "tas_max"]])  # the runs' dates differ
    assert all(copy_remote[name].attrs == copy_local[name].attrs for name in ("tas", "cls", "tas_max"))
    assert copy_remote["tas"].encoding["chunks"] == (3, 32, 32)

    # Served from S3 and served locally: the same documents, tiles and series.
    cube = xr.open_zarr(local / "pyr.zarr").load()
    column = cube["tas"].sel(lon=10.3, lat=5.1, method="nearest").values
    point = json.dumps({"type": "Point", "coordinates": [10.3, 5.1]}).encode()
    local_server = start([local / "pyr.zarr"], env=env)
    remote_server = start([url, "--endpoint-url", ENDPOINT], env=env)
    try:
        there, here = {"url": remote_server[1]}, {"url": local_server[1]}
        details, local_details = (get_json(side, "/datasets?details=1")[1]["datasets"][0] for side in (there, here))
        for d in (details, local_details):  # the runs' global attributes (dates, history, recipe digest) differ
            d.pop("attrs")
            for v in d["variables"]:
                v["attrs"].pop("cubegen_lineage", None)
        assert details == local_details
        assert details["id"] == "pyr" and sorted(v["name"] for v in details["variables"]) == ["cls", "tas", "tas_max"]
        for tile in ("0/0/0?crs=EPSG:3857", "2/1/3?crs=OGC:CRS84&time=2020-01-02", "3/3/4?crs=EPSG:3857&cmap=RdBu",
                     "5/15/17?crs=EPSG:3857"):
            status, headers, png = get(there, f"/tiles/pyr/tas/{tile}")
            assert status == 200 and headers["Content-Type"] == "image/png", png[:200]
            assert png == get(here, f"/tiles/pyr/tas/{tile}")[2], tile
        status, answer = get_json(there, "/timeseries/pyr/tas", point)
        got = np.array([np.nan if item["mean"] is None else item["mean"] for item in answer["result"]])
        np.testing.assert_allclose(got, column, rtol=1e-6, equal_nan=True)
        assert not np.isnan(got).all() and answer == get_json(here, "/timeseries/pyr/tas", point)[1]
    finally:
        stop(local_server[0])
        stop(remote_server[0])

    # The series comes from the copy on S3: without the cube's tas chunks it is still the column.
    for key in fs.find(f"{prefix}/pyr.zarr/tas"):
        if not key.rsplit("/", 1)[-1].startswith((".", "zarr.json")):
            fs.rm(key)
    process, server_url, _, _ = start([url, "--endpoint-url", ENDPOINT], env=env)
    try:
        status, answer = get_json({"url": server_url}, "/timeseries/pyr/tas", point)
        got = np.array([np.nan if item["mean"] is None else item["mean"] for item in answer["result"]])
        np.testing.assert_allclose(got, column, rtol=1e-6, equal_nan=True)
    finally:
        stop(process)

    # A prefix that holds no cube is one line naming it.
    result = subprocess.run([str(BIN / "cubegen"), "serve", f"s3://{bucket}/nothing.zarr", "--endpoint-url", ENDPOINT, "--port", "0"],
                            capture_output=True, text=True, env=env, timeout=60)
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and len(lines) == 1 and f"s3://{bucket}/nothing.zarr" in lines[0], result.stderr
