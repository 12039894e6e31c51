"""`output.pyramid`: the levels CubeGen writes while it builds a cube, as xcube reads them.

xcube's own reader (`xcube.core.mldataset.FsMultiLevelDataset`) opens NAME.levels; every level has
the size xcube's `subdivide_size` gives and, per variable, the values numpy computes from the cube
(NaN-aware block means, top-left pixels for integer classes, block maxima) and that xcube's own
`subsample_dataset` computes from the cube: two independent implementations. The grid (140 × 100)
and chunks (24 × 36) are no multiple of the tiles (16 · 2^k), so tiles gather values from several
tasks. An appended day rewrites only the tiles of the time steps it changes; a lost `.zlevels` or
tile is rebuilt from the stored chunks without recomputing the cube."""
import json
import os
import warnings

import netCDF4
import numpy as np
import pytest
import xarray as xr
from xcube.core.mldataset import FsMultiLevelDataset
from xcube.core.subsampling import subsample_dataset
from xcube.core.tilingscheme import subdivide_size

from conftest import cubegen

DAYS = [7305.0, 7306.0, 7307.0]  # 2020-01-01 … 03 (days since 2000-01-01)
TILE = 16
RECIPE = """version: 1
cube: {{id: pyramid-test, title: Pyramid test cube, license: CC0-1.0}}
grid:
  crs: EPSG:4326
  bbox: [-30, -20, 40, 30]
  resolution: 0.5
sources:
  - name: src
    store: netcdf
    paths: [in_*.nc]
    variables:
      tas: {{}}
      cls: {{resampling: nearest, dtype: int16, fill_value: -1}}
  - name: extremes
    store: netcdf
    paths: [in_*.nc]
    variables:
      tas: {{name: tas_max, resampling: nearest, pyramid_method: max}}
output:
  path: pyr.zarr
  chunks: {{time: 2, lat: 24, lon: 36}}
  pyramid: {pyramid}
"""


def write_day(path, day):
    """A global 1° file: tas (float32 with NaN holes), cls (int16 classes 0–6, fill -1 holes)."""
    rng = np.random.default_rng(int(day))
    lon = np.arange(-179.5, 180, 1.0)
    lat = np.arange(89.5, -90, -1.0)
    LON, LAT = np.meshgrid(lon, lat)
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.createDimension("time", None)
        nc.createDimension("lat", lat.size)
        nc.createDimension("lon", lon.size)
        t = nc.createVariable("time", "f8", ("time",))
        t.units, t.calendar = "days since 2000-01-01", "standard"
        nc.createVariable("lat", "f8", ("lat",)).units = "degrees_north"
        nc.createVariable("lon", "f8", ("lon",)).units = "degrees_east"
        nc["lat"][:], nc["lon"][:] = lat, lon
        tas = nc.createVariable("tas", "f4", ("time", "lat", "lon"), fill_value=np.float32(np.nan))
        tas.units = "K"
        cls = nc.createVariable("cls", "i2", ("time", "lat", "lon"), fill_value=np.int16(-1))
        field = 250 + 0.3 * LON + 0.5 * LAT + (day - 7305) + rng.normal(0, 2, LON.shape)
        field[rng.random(LON.shape) < 0.15] = np.nan
        # A whole 5° × 6° block missing: cells of every level with no valid pixel.
        field[(LAT > 10) & (LAT < 15) & (LON > 0) & (LON < 6)] = np.nan
        t[0] = day
        tas[0] = field.astype(np.float32)
        classes = rng.integers(0, 7, LON.shape).astype(np.int16)
        classes[rng.random(LON.shape) < 0.1] = -1
        cls[0] = classes


def build(tmp, days, pyramid=f"{{levels: auto, tile: {TILE}}}", check=True):
    for day in days:
        if not (tmp / f"in_{int(day)}.nc").exists():
            write_day(tmp / f"in_{int(day)}.nc", day)
    (tmp / "pyr.yaml").write_text(RECIPE.format(pyramid=pyramid))
    return cubegen("run", tmp / "pyr.yaml", check=check)


def block(values, f, reduce):
    """Level-k values by numpy: `reduce` over f × f blocks of (time, y, x), edges padded with NaN."""
    t, h, w = values.shape
    H, W = -(-h // f) * f, -(-w // f) * f
    padded = np.full((t, H, W), np.nan)
    padded[:, :h, :w] = values
    blocks = padded.reshape(t, H // f, f, W // f, f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN blocks give NaN, as they should
        return reduce(blocks, axis=(2, 4))


def expected_levels(cube, num_levels):
    """Per level, per variable, what the level must hold, from the cube's own values."""
    base = {name: cube[name].values.astype(np.float64) for name in ("tas", "cls", "tas_max")}
    levels = []
    for k in range(num_levels):
        f = 2 ** k
        levels.append({
            "tas": block(base["tas"], f, np.nanmean),
            "cls": base["cls"][:, ::f, ::f],
            "tas_max": block(base["tas_max"], f, np.nanmax),
        })
    return levels


def assert_level(ds, expected, k):
    for name in ("tas", "tas_max"):
        np.testing.assert_allclose(ds[name].values, expected[name], rtol=2e-6, atol=1e-4, equal_nan=True,
                                   err_msg=f"level {k} {name}")
    np.testing.assert_array_equal(ds["cls"].values, expected["cls"], err_msg=f"level {k} cls")


@pytest.fixture(scope="module")
def built(tmp_path_factory, binaries):
    tmp = tmp_path_factory.mktemp("pyramid")
    build(tmp, DAYS)
    return tmp


def test_levels_open_in_xcube_with_xcube_sizes_and_numpy_values(built):
    levels = built / "pyr.levels"
    spec = json.loads((levels / ".zlevels").read_text())
    sizes = subdivide_size((140, 100), (TILE, TILE))
    assert [tuple(s) for s in sizes] == [(140, 100), (70, 50), (35, 25), (18, 13)]
    assert spec["num_levels"] == len(sizes) == 4
    assert spec["tile_size"] == [TILE, TILE]
    assert spec["agg_methods"] == {"tas": "mean", "cls": "first", "tas_max": "max"}
    assert (levels / "0.link").read_text() == "../pyr.zarr"
    assert sorted(p.name for p in levels.iterdir() if not p.name.startswith(".")) == ["0.link", "1.zarr", "2.zarr", "3.zarr"]

    cube = xr.open_zarr(built / "pyr.zarr").load()
    assert int(np.isnan(cube["tas"].values).sum()) > 200  # the holes made it into the cube (bilinear renormalises around lone holes)
    ml = FsMultiLevelDataset(str(levels))
    assert ml.num_levels == 4
    expected = expected_levels(cube, 4)
    for k in range(4):
        ds = ml.get_dataset(k).load()
        assert (ds.sizes["lon"], ds.sizes["lat"], ds.sizes["time"]) == (*sizes[k], 3), f"level {k}"
        assert_level(ds, expected[k], k)
        if k > 0:
            # Cell centres of the level grid: 2^k times the pixel, same top-left corner.
            res = 0.5 * 2 ** k
            np.testing.assert_allclose(ds["lon"].values, -30 + (np.arange(sizes[k][0]) + 0.5) * res)
            np.testing.assert_allclose(ds["lat"].values, 30 - (np.arange(sizes[k][1]) + 0.5) * res)
            assert ds["tas"].encoding["chunks"] == (1, min(TILE, sizes[k][1]), min(TILE, sizes[k][0]))
            assert ds["tas"].attrs["grid_mapping"] == "crs" or "crs" in ds.coords or "crs" in ds
    # Level 0 is the cube itself.
    xr.testing.assert_identical(ml.get_dataset(0)[["tas", "cls"]].load(), cube[["tas", "cls"]])


def test_levels_equal_xcubes_own_subsampling(built):
    """xcube's subsample_dataset (coarsen with padded edges; slicing for 'first') on the cube."""
    cube = xr.open_zarr(built / "pyr.zarr").load()
    ml = FsMultiLevelDataset(str(built / "pyr.levels"))
    methods = {"tas": "mean", "cls": "first", "tas_max": "max"}
    for k in range(1, ml.num_levels):
        mine = ml.get_dataset(k).load()
        theirs = subsample_dataset(cube[list(methods)], 2 ** k, xy_dim_names=("lon", "lat"), agg_methods=methods)
        for name in methods:
            np.testing.assert_allclose(mine[name].values, theirs[name].values, rtol=2e-6, atol=1e-4, equal_nan=True,
                                       err_msg=f"level {k} {name}")


def test_cubegen_reads_its_own_pyramid_back(built):
    """`store: zarr` on NAME.levels: a target at the cube's resolution reads level 0 through 0.link,
    one at 4× the pixel reads level 2; both equal what xarray sees at those levels (nearest on the
    level's own grid)."""
    ml = FsMultiLevelDataset(str(built / "pyr.levels"))
    for k, resolution in [(0, 0.5), (2, 2.0)]:
        level = ml.get_dataset(k).load()
        lon, lat = level["lon"].values, level["lat"].values
        half = resolution / 2
        bbox = [float(lon.min() - half), float(lat.min() - half), float(lon.max() + half), float(lat.max() + half)]
        recipe = built / f"from-levels-{k}.yaml"
        recipe.write_text(
            f"version: 1\ncube: {{id: back{k}, title: Pyramid as input, license: CC0-1.0}}\n"
            f"grid: {{crs: EPSG:4326, bbox: {json.dumps(bbox)}, resolution: {resolution}}}\n"
            "sources:\n  - name: p\n    store: zarr\n    paths: [pyr.levels]\n"
            "    variables: {tas: {resampling: nearest}}\n"
            f"output: {{path: back{k}.zarr, overwrite: true}}\n")
        cubegen("run", recipe, check=True, cwd=built)
        back = xr.open_zarr(built / f"back{k}.zarr").load()
        np.testing.assert_array_equal(back["tas"].values, level["tas"].values.astype(np.float32), err_msg=f"level {k}")
        grid = json.loads((built / f"back{k}.zarr" / "lineage.json").read_text())["variables"][0]["source"]["grid"]
        assert grid["level"] == k and grid["level_path"] == ("../pyr.zarr" if k == 0 else f"{k}.zarr")


def test_stac_item_names_the_pyramid(built):
    item = json.loads((built / "pyr.item.json").read_text()) if (built / "pyr.item.json").exists() else None
    if item is None:
        items = [p for p in built.glob("*.json") if json.loads(p.read_text()).get("type") == "Feature"]
        assert items, sorted(p.name for p in built.iterdir())
        item = json.loads(items[0].read_text())
    asset = item["assets"]["pyramid"]
    assert asset["href"].endswith("pyr.levels")
    assert "overview" in asset["roles"]
    lineage = json.loads((built / "pyr.zarr" / "lineage.json").read_text())
    assert lineage["recipe"]["normalized"]["output"]["pyramid"] == {"levels": 4, "tile": TILE}


def stat(path):
    s = os.stat(path)
    return s.st_ino, s.st_mtime_ns


def test_appended_day_rewrites_only_its_tiles_and_a_lost_pyramid_is_rebuilt(tmp_path, binaries):
    build(tmp_path, DAYS)
    levels = tmp_path / "pyr.levels"
    # Time chunk 0 (days 1–2) is not recomputed when a fourth day lands in time chunk 1.
    old = {key: stat(levels / key) for key in ("1.zarr/tas/0.0.0", "1.zarr/tas/1.1.2", "3.zarr/tas_max/1.0.0")}
    rewritten = levels / "1.zarr" / "tas" / "2.0.0"
    before = stat(rewritten)
    result = build(tmp_path, DAYS + [7308.0])
    assert "recorded tasks skipped" in result.stdout, result.stdout
    assert {key: stat(levels / key) for key in old} == old
    assert stat(rewritten) != before
    assert (levels / "1.zarr" / "tas" / "3.0.0").exists()
    cube = xr.open_zarr(tmp_path / "pyr.zarr").load()
    assert cube.sizes["time"] == 4
    ml = FsMultiLevelDataset(str(levels))
    expected = expected_levels(cube, 4)
    for k in range(1, 4):
        assert_level(ml.get_dataset(k).load(), expected[k], k)

    # A pyramid whose .zlevels (the commit mark) is gone is unfinished: the next run rebuilds it
    # whole from the stored chunks (nothing recomputed), lost tiles included.
    (levels / ".zlevels").unlink()
    (levels / "2.zarr" / "cls" / "3.1.0").unlink()
    result = build(tmp_path, DAYS + [7308.0])
    assert "is up to date" not in result.stdout
    assert "0 chunks" in result.stdout, result.stdout
    assert (levels / "2.zarr" / "cls" / "3.1.0").exists()
    ml = FsMultiLevelDataset(str(levels))
    for k in range(1, 4):
        assert_level(ml.get_dataset(k).load(), expected[k], k)
    # Now everything is up to date.
    assert "is up to date" in build(tmp_path, DAYS + [7308.0]).stdout


def test_explicit_level_count_and_a_foreign_levels_folder(tmp_path, binaries):
    build(tmp_path, DAYS, pyramid="{levels: 2, tile: 64}")
    spec = json.loads((tmp_path / "pyr.levels" / ".zlevels").read_text())
    assert spec["num_levels"] == 2 and spec["tile_size"] == [64, 64]
    ml = FsMultiLevelDataset(str(tmp_path / "pyr.levels"))
    assert ml.get_dataset(1).sizes["lon"] == 70 and ml.get_dataset(1).sizes["lat"] == 50

    other = tmp_path / "other"
    other.mkdir()
    for day in DAYS:
        write_day(other / f"in_{int(day)}.nc", day)
    (other / "pyr.levels").mkdir()
    (other / "pyr.levels" / "notes.txt").write_text("mine")
    result = build(other, DAYS, check=False)
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "pyr.levels" in lines[0] and "not written by CubeGen" in lines[0], result.stderr
    assert (other / "pyr.levels" / "notes.txt").read_text() == "mine"
    assert not (other / "pyr.zarr").exists()


def test_bad_pyramid_keys_are_one_line_errors(tmp_path, binaries):
    for pyramid, words in [("{levels: 0}", "output.pyramid.levels"), ("{tile: 3}", "output.pyramid.tile"),
                           ("{tiles: 256}", "tiles")]:
        (tmp_path / "bad.yaml").write_text(RECIPE.format(pyramid=pyramid))
        result = cubegen("validate", tmp_path / "bad.yaml")
        assert result.returncode != 0, pyramid
        assert words in result.stderr + result.stdout, (pyramid, result.stderr, result.stdout)


def test_shards_leave_the_pyramid_and_the_copy_to_finalize(tmp_path, binaries):
    """Two `--shard` runs write neither; `cubegen finalize` builds both from the stored chunks."""
    for day in DAYS:
        write_day(tmp_path / f"in_{int(day)}.nc", day)
    recipe = tmp_path / "pyr.yaml"
    recipe.write_text(RECIPE.format(pyramid=f"{{tile: {TILE}}}") + "  timeseries: {chunks: {time: 3, y: 20, x: 20}}\n")
    for shard in ("0/2", "1/2"):
        cubegen("run", recipe, "--shard", shard, check=True)
    assert not (tmp_path / "pyr.levels" / ".zlevels").exists() and not (tmp_path / "pyr.ts.zarr" / ".zmetadata").exists()
    cubegen("finalize", recipe, check=True)
    cube = xr.open_zarr(tmp_path / "pyr.zarr").load()
    ml = FsMultiLevelDataset(str(tmp_path / "pyr.levels"))
    expected = expected_levels(cube, ml.num_levels)
    for k in range(1, ml.num_levels):
        assert_level(ml.get_dataset(k).load(), expected[k], k)
    copy = xr.open_zarr(tmp_path / "pyr.ts.zarr").load()
    xr.testing.assert_identical(copy[["tas", "cls", "tas_max"]], cube[["tas", "cls", "tas_max"]])


MODE_RECIPE = RECIPE.replace("output:", """  - name: classes
    store: netcdf
    paths: [in_*.nc]
    variables:
      cls: {{name: cls_mode, resampling: nearest, dtype: int16, fill_value: -1, pyramid_method: mode}}
output:""")


def block_mode(values, f):
    """numpy: the most frequent valid value of each f × f block (ties: the smallest), NaN for none."""
    t, h, w = values.shape
    H, W = -(-h // f) * f, -(-w // f) * f
    padded = np.full((t, H, W), np.nan)
    padded[:, :h, :w] = values
    cells = padded.reshape(t, H // f, f, W // f, f).transpose(0, 1, 3, 2, 4).reshape(t, H // f, W // f, f * f)
    out = np.full(cells.shape[:3], np.nan)
    for index in np.ndindex(*cells.shape[:3]):
        valid = cells[index][~np.isnan(cells[index])]
        if valid.size:
            uniques, counts = np.unique(valid, return_counts=True)  # sorted: argmax takes the smallest of a tie
            out[index] = uniques[np.argmax(counts)]
    return out


def test_mode_levels_are_the_most_frequent_class_of_each_block(tmp_path, binaries):
    """`pyramid_method: mode` on integer classes 0–6 with holes: level k holds, per 2^k × 2^k block
    of the cube, the most frequent valid class, ties going to the smallest (numpy), as xcube's own
    `subsample_dataset(agg_methods='mode')` (scipy.stats.mode) computes it; `.zlevels` names it."""
    for day in DAYS[:2]:
        write_day(tmp_path / f"in_{int(day)}.nc", day)
    (tmp_path / "pyr.yaml").write_text(MODE_RECIPE.format(pyramid=f"{{levels: auto, tile: {TILE}}}"))
    cubegen("run", tmp_path / "pyr.yaml", check=True)
    levels = tmp_path / "pyr.levels"
    assert json.loads((levels / ".zlevels").read_text())["agg_methods"]["cls_mode"] == "mode"
    cube = xr.open_zarr(tmp_path / "pyr.zarr").load()
    base = cube["cls_mode"].values.astype(np.float64)
    assert np.isnan(base).any() and set(np.unique(base[~np.isnan(base)])) == set(range(7))
    ml = FsMultiLevelDataset(str(levels))
    ties = 0
    for k in range(1, ml.num_levels):
        mine = ml.get_dataset(k)["cls_mode"].values
        expected = block_mode(base, 2 ** k)
        np.testing.assert_array_equal(mine, expected, err_msg=f"level {k}")
        theirs = subsample_dataset(cube[["cls_mode"]], 2 ** k, xy_dim_names=("lon", "lat"), agg_methods={"cls_mode": "mode"})
        np.testing.assert_array_equal(mine, theirs["cls_mode"].values, err_msg=f"level {k} (xcube)")
        if k == 2:
            # Blocks (2 × 2 input pixels: the cube is the 1° input at 0.5°) whose top count is shared:
            # the tie rule decided them.
            f = 4
            t, h, w = base.shape
            padded = np.full((t, -(-h // f) * f, -(-w // f) * f), np.nan)
            padded[:, :h, :w] = base
            cells = padded.reshape(t, padded.shape[1] // f, f, padded.shape[2] // f, f).transpose(0, 1, 3, 2, 4).reshape(-1, f * f)
            for cell in cells:
                counts = np.unique(cell[~np.isnan(cell)], return_counts=True)[1]
                ties += counts.size > 1 and (counts == counts.max()).sum() > 1
    assert ties > 100
    # The mode is a class of its block, never invented: the mean would not be.
    assert set(np.unique(ml.get_dataset(1)["cls_mode"].values[~np.isnan(ml.get_dataset(1)["cls_mode"].values)])) <= set(range(7))
