"""Training data cut by `cubegen sample` as ML users read it: the Zarr groups open in xarray without a
warning, the WebDataset shards read with the `webdataset` package, the .npy files with numpy; a
numpy training-loop stand-in iterates every sample once; values equal the cube's (read by xarray) at
each sample's recorded window; statistics equal numpy's over the training split. A recipe's ml:
section runs after `cubegen run`."""
import json
import warnings

import numpy as np
import pytest
import xarray as xr

from conftest import cubegen
from test_interop import write_input

VARIABLES = ["tas", "wet", "pk"]


@pytest.fixture(scope="module")
def cube(tmp_path_factory, binaries):
    tmp = tmp_path_factory.mktemp("sampling")
    write_input(tmp / "in_1.nc", [7305.0 + k for k in range(12)])
    (tmp / "cube.yaml").write_text("""version: 1
cube: {id: sampling-interop, title: Sampling interop cube, license: CC0-1.0}
grid: {crs: EPSG:3035, bbox: [2500000, 1400000, 7500000, 5500000], resolution: 100000}
sources:
  - {name: src, store: netcdf, paths: [in_*.nc], variables: {tas: {}, wet: {}, pk: {}}}
output: {path: cube.zarr, chunks: {time: 5, y: 16, x: 16}}
ml:
  inputs: [tas, wet]
  targets: [pk]
  patch: {time: 3, y: 8, x: 8}
  stride: {time: 3, y: 4, x: 4}
  min_valid_fraction: {inputs: 0.3}
  split: {method: blocks, block: {time: 6, y: 16, x: 16}, fractions: {train: 0.5, val: 0.25, test: 0.25}, buffer: {y: 2, x: 2}}
  seed: 11
  format: zarr
  shard_size: 8
""")
    result = cubegen("run", tmp / "cube.yaml", cwd=tmp)
    assert result.returncode == 0, result.stderr
    assert "samples (train" in result.stdout, result.stdout
    return tmp


def samples(folder):
    return [json.loads(line) for line in (folder / "samples.jsonl").read_text().splitlines()]


def window(cube_ds, name, sample):
    i = sample["index"]
    return cube_ds[name].values[i["time"][0]:i["time"][1], i["y"][0]:i["y"][1], i["x"][0]:i["x"][1]]


def test_recipe_ml_section_writes_zarr_that_xarray_opens_with_the_cube_values(cube):
    out = cube / "cube.samples"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source"]["id"] == "sampling-interop" and manifest["seed"] == 11
    lines = samples(out)
    with xr.open_zarr(cube / "cube.zarr") as ds:
        source = ds.load()
    for split in ("train", "val", "test"):
        of_split = [s for s in lines if s["split"] == split]
        assert len(of_split) == manifest["counts"][split] > 0
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            group = xr.open_zarr(out / f"{split}.zarr").load()
        assert group["tas"].dims == ("sample", "time", "y", "x") and group.sizes["sample"] == len(of_split)
        for n, sample in enumerate(of_split):
            assert [int(group["t0"][n]), int(group["y0"][n]), int(group["x0"][n])] == \
                   [sample["index"]["time"][0], sample["index"]["y"][0], sample["index"]["x"][0]]
            for name in VARIABLES:
                np.testing.assert_array_equal(group[name].values[n], window(source, name, sample), err_msg=f"{split} {sample['id']} {name}")
    # Statistics: numpy's over the training split (population std), from the written train samples.
    train = xr.open_zarr(out / "train.zarr").load()
    for name in ("tas", "wet"):
        values = train[name].values
        values = values[~np.isnan(values)].astype(np.float64)
        stats = manifest["statistics"]["variables"][name]
        assert stats["count"] == values.size
        assert stats["mean"] == pytest.approx(values.mean(), rel=1e-9)
        assert stats["std"] == pytest.approx(values.std(), rel=1e-7)
        assert stats["min"] == values.min() and stats["max"] == values.max()
    # An unchanged cube: run again, the samples are not rewritten.
    before = (out / "manifest.json").stat().st_mtime_ns
    again = cubegen("run", cube / "cube.yaml", cwd=cube)
    assert again.returncode == 0 and "up to date" in again.stdout
    assert (out / "manifest.json").stat().st_mtime_ns == before


def test_webdataset_and_npy_read_with_their_own_packages_and_a_training_loop_sees_every_sample_once(cube, tmp_path):
    webdataset = pytest.importorskip("webdataset")
    config = (cube / "cube.yaml").read_text().split("ml:\n", 1)[1]
    config = "\n".join(line[2:] for line in config.splitlines())
    for fmt in ("webdataset", "npy"):
        (tmp_path / f"{fmt}.yaml").write_text(config.replace("format: zarr", f"format: {fmt}"))
        result = cubegen("sample", cube / "cube.zarr", "--config", tmp_path / f"{fmt}.yaml", "--output", tmp_path / fmt)
        assert result.returncode == 0, result.stderr
    lines = samples(tmp_path / "webdataset")
    assert lines == samples(cube / "cube.samples")  # the same samples whatever the format
    with xr.open_zarr(cube / "cube.zarr") as ds:
        source = ds.load()
    seen = []
    for split in ("train", "val", "test"):
        of_split = {s["id"]: s for s in lines if s["split"] == split}
        shards = sorted(str(p) for p in (tmp_path / "webdataset" / split).glob("*.tar"))
        dataset = webdataset.WebDataset(shards, shardshuffle=False).decode()
        for record in dataset:
            sample = of_split[record["__key__"]]
            assert record["json"]["id"] == record["__key__"]
            for name in VARIABLES:
                np.testing.assert_array_equal(record[f"{name}.npy"], window(source, name, sample))
            seen.append(record["__key__"])
        # .npy: numpy reads the arrays; origins give the windows.
        arrays = {name: np.load(tmp_path / "npy" / split / f"{name}.npy") for name in VARIABLES}
        origins = np.load(tmp_path / "npy" / split / "origins.npy")
        assert origins.shape == (len(of_split), 3)
        # A training-loop stand-in: mini-batches of inputs and targets, every sample once.
        batches = 0
        for start in range(0, len(origins), 4):
            x = np.stack([arrays["tas"][start:start + 4], arrays["wet"][start:start + 4]], axis=1)
            y = arrays["pk"][start:start + 4]
            assert x.shape[1:] == (2, 3, 8, 8) and y.shape[1:] == (3, 8, 8)
            batches += len(x)
        assert batches == len(of_split)
        for n, sample in enumerate(of_split.values()):
            assert list(origins[n]) == [sample["index"]["time"][0], sample["index"]["y"][0], sample["index"]["x"][0]]
            np.testing.assert_array_equal(arrays["tas"][n], window(source, "tas", sample))
    assert sorted(seen) == sorted(s["id"] for s in lines) and len(set(seen)) == len(seen)
