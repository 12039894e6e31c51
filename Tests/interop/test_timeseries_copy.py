"""`output.timeseries`: the time-series copy NAME.ts.zarr written in the same run as the cube.

xarray reads the copy with the chunks asked for (clipped to the dimensions) and exactly the cube's
values, coordinates and variable attributes, also with chunks that are no multiple of the tasks'
(time 3 against time blocks of 2, 7 × 9 against 24 × 36). After an appended day (an in-place
update that recomputes only the last time block, reading the other chunks back for the copy)
the copy still equals the cube; then nothing is to do."""
import json
import os
import subprocess

import numpy as np
import pytest
import xarray as xr

from conftest import BIN, cubegen
from test_pyramid import DAYS, RECIPE, write_day


def build(tmp, days, chunks):
    for day in days:
        if not (tmp / f"in_{int(day)}.nc").exists():
            write_day(tmp / f"in_{int(day)}.nc", day)
    text = RECIPE.format(pyramid="false") + f"  timeseries: {{chunks: {chunks}}}\n"
    (tmp / "pyr.yaml").write_text(text)
    return cubegen("run", tmp / "pyr.yaml", check=True)


def assert_copy_equals_cube(tmp, chunks):
    cube = xr.open_zarr(tmp / "pyr.zarr").load()
    copy = xr.open_zarr(tmp / "pyr.ts.zarr")
    for name in ("tas", "cls", "tas_max"):
        assert copy[name].encoding["chunks"] == chunks, name
        assert copy[name].attrs == cube[name].attrs
    copy = copy.load()
    xr.testing.assert_identical(copy[["tas", "cls", "tas_max"]], cube[["tas", "cls", "tas_max"]])
    assert int(np.isnan(copy["tas"].values).sum()) > 200


@pytest.mark.parametrize("asked,chunks", [("{time: 512, y: 32, x: 32}", (3, 32, 32)), ("{time: 3, lat: 7, lon: 9}", (3, 7, 9))])
def test_copy_equals_the_cube(tmp_path, binaries, asked, chunks):
    build(tmp_path, DAYS, asked)
    assert_copy_equals_cube(tmp_path, chunks)
    item = json.loads((tmp_path / "pyr.item.json").read_text())
    assert item["assets"]["timeseries"]["href"].endswith("pyr.ts.zarr")
    assert "pyramid" not in item["assets"]
    lineage = json.loads((tmp_path / "pyr.zarr" / "lineage.json").read_text())
    assert lineage["recipe"]["normalized"]["output"]["timeseries"] == {"chunks": dict(zip(["time", "lat", "lon"], chunks))}


def test_appended_day_and_up_to_date(tmp_path, binaries):
    build(tmp_path, DAYS, "{time: 3, y: 16, x: 16}")
    result = build(tmp_path, DAYS + [7308.0], "{time: 3, y: 16, x: 16}")
    assert "recorded tasks skipped" in result.stdout, result.stdout
    assert_copy_equals_cube(tmp_path, (3, 16, 16))
    assert xr.open_zarr(tmp_path / "pyr.ts.zarr").sizes["time"] == 4
    assert "is up to date" in build(tmp_path, DAYS + [7308.0], "{time: 3, y: 16, x: 16}").stdout
    # A copy that lost its finish mark is written again, though the cube is up to date.
    (tmp_path / "pyr.ts.zarr" / ".cubegen-timeseries").write_text("unfinished\n")
    assert "is up to date" not in build(tmp_path, DAYS + [7308.0], "{time: 3, y: 16, x: 16}").stdout
    assert_copy_equals_cube(tmp_path, (3, 16, 16))


def test_a_copy_too_large_to_gather_is_refused_before_anything_is_written(tmp_path, binaries):
    """The open chunks of the test cube take 3 steps × 128 × 160 (padded) × 3 variables × 4 bytes ≈ 0.7 MiB."""
    for day in DAYS:
        write_day(tmp_path / f"in_{int(day)}.nc", day)
    (tmp_path / "pyr.yaml").write_text(RECIPE.format(pyramid="false") + "  timeseries: {chunks: {time: 512}}\n")
    result = subprocess.run([str(BIN / "cubegen"), "run", str(tmp_path / "pyr.yaml")], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "CUBEGEN_TIMESERIES_MEMORY_MB": "0"})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "output.timeseries.chunks.time" in lines[0] and "at most 0 MiB" in lines[0], result.stderr
    assert not (tmp_path / "pyr.zarr").exists() and not (tmp_path / "pyr.ts.zarr").exists()
