"""store: stac against a real STAC API on loopback: `rustac serve` (PyPI rustac, in-memory backend)
serving items whose COG assets (analytic fields written with GDAL's gdal_translate) live on a local
HTTP server with byte ranges (range_http.py) or in a SeaweedFS bucket (CUBEGEN_TEST_S3_ENDPOINT);
paging across 3 pages (POST next links with bodies), a GET search, a static catalogue without API,
and the one-line errors of bad input (unreachable API, HTTP error, empty search, missing asset, item
without datetime, mixed CRSs).

The target grid is the tiles' own grid (0.01° pixels), read with nearest: values must equal the
analytic field at the pixel centres to float32 precision (1e-4)."""
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
import xarray as xr

from conftest import cubegen
from range_http import RangeServer
from test_geotiff import one_line_error, translate, write_vrt

RES = 0.01
TILES = {"W": (10.0, 11.0), "E": (11.0, 12.0)}  # lon ranges; lat 45…46 for both
DAYS = [1, 2, 3]
LATE_DAY = 9  # an item outside the recipe's time range: the search must not return it
COG = ["-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=YES", "-co", "BLOCKSIZE=64"]


def red(lon, lat, day):
    return 100 + 3 * lon + 2 * lat + day


def nir(lon, lat, day):
    return 20 - lon + 5 * lat + 0.5 * day


def write_cog(path, west, function, day, epsg=4326, south=45.0, res=RES):
    n = int(round(1 / res))
    lon = west + (np.arange(n) + 0.5) * res
    lat = south + 1 - (np.arange(n) + 0.5) * res
    values = function(*np.meshgrid(lon, lat), day)
    vrt = write_vrt(path.with_suffix(".vrt"), values[None], [west, res, 0, south + 1, 0, -res], f"EPSG:{epsg}")
    translate(vrt, path, "-ot", "Float32", *COG)
    path.with_suffix(".vrt").unlink()
    path.with_suffix(".bin").unlink()
    return path


def item(tile, day, href_base, assets=("B04", "B08"), datetime=True):
    west, east = TILES[tile]
    properties = {"datetime": f"2020-01-{day:02d}T10:00:00Z" if datetime else None}
    return {
        "type": "Feature", "stac_version": "1.0.0", "id": f"{tile}_{day:02d}", "collection": "tiles",
        "geometry": {"type": "Polygon", "coordinates": [[[west, 45], [east, 45], [east, 46], [west, 46], [west, 45]]]},
        "bbox": [west, 45, east, 46], "properties": properties, "links": [],
        "assets": {key: {"href": f"{href_base}/{tile}_{day:02d}_{key}.tif", "roles": ["data"],
                         "type": "image/tiff; application=geotiff; profile=cloud-optimized"} for key in assets},
    }


COLLECTION = {"type": "Collection", "stac_version": "1.0.0", "id": "tiles", "description": "analytic tiles",
              "license": "CC0-1.0", "links": [],
              "extent": {"spatial": {"bbox": [[10, 45, 12, 46]]},
                         "temporal": {"interval": [["2020-01-01T00:00:00Z", None]]}}}


@pytest.fixture(scope="module")
def tiles(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stac_tiles")
    for tile, (west, _) in TILES.items():
        for day in DAYS + [LATE_DAY]:
            write_cog(folder / f"{tile}_{day:02d}_B04.tif", west, red, day)
            write_cog(folder / f"{tile}_{day:02d}_B08.tif", west, nir, day)
    return folder


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rustac_binary():
    for candidate in [os.environ.get("CUBEGEN_RUSTAC"), pathlib.Path(sys.executable).parent / "rustac", shutil.which("rustac")]:
        if candidate and pathlib.Path(candidate).exists():
            return str(candidate)
    pytest.fail("rustac is missing: scripts/setup-oracle.sh installs it into .venv-oracle (or set CUBEGEN_RUSTAC)")


class STACServer:
    """`rustac serve` on a free loopback port with the collection and `items`; stopped on exit."""

    def __init__(self, folder, items, port=None):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "collection.json").write_text(json.dumps(COLLECTION))
        (folder / "items.json").write_text(json.dumps({"type": "FeatureCollection", "features": items}))
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.log = open(self.folder / "rustac.log", "w")
        self.process = subprocess.Popen([rustac_binary(), "serve", "--addr", f"127.0.0.1:{self.port}",
                                         str(self.folder / "collection.json"), str(self.folder / "items.json")],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/", timeout=1).read()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"rustac serve did not start: {(self.folder / 'rustac.log').read_text()}")
                time.sleep(0.1)

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def recipe(folder, url, extra="", variables=None, time_range="time: {start: 2020-01-01, end: 2020-01-03}\n",
           name="r.yaml", bbox=(10, 45, 12, 46)):
    variables = variables or "      red: {resampling: nearest}\n      nir: {resampling: nearest, asset: B08}\n"
    text = ("version: 1\ncube: {id: stac-test, title: STAC test, summary: s, license: CC0-1.0, version: 1.0.0, keywords: []}\n"
            f"grid: {{crs: 'EPSG:4326', bbox: {list(bbox)}, resolution: {RES}}}\n{time_range}"
            f"sources:\n  - name: s2\n    store: stac\n    url: {url}\n    assets: {{B04: red}}\n{extra}"
            f"    variables:\n{variables}"
            f"output: {{path: {name.replace('.yaml', '')}.zarr, overwrite: true}}\n"
            f"catalog: {{path: {name.replace('.yaml', '')}.stac.json}}\n")
    path = folder / name
    path.write_text(text)
    return path


def assert_cube_is_truth(cube_path, days=DAYS):
    with xr.open_zarr(cube_path) as ds:
        assert [str(t)[:19] for t in ds.time.values] == [f"2020-01-{d:02d}T10:00:00" for d in days]
        lon, lat = np.meshgrid(ds.lon.values, ds.lat.values)
        assert ds.red.shape == (len(days), 100, 200)
        for k, day in enumerate(days):
            np.testing.assert_allclose(ds.red.values[k], red(lon, lat, day), atol=1e-4, rtol=0)
            np.testing.assert_allclose(ds.nir.values[k], nir(lon, lat, day), atol=1e-4, rtol=0)


# --- a STAC API with assets on an HTTP server ------------------------------------------------------

def test_paged_post_search_builds_the_analytic_cube_and_records_the_items(tmp_path, tiles, binaries):
    with RangeServer(tiles) as files:
        items = [item(t, d, files.url) for d in DAYS + [LATE_DAY] for t in TILES]
        with STACServer(tmp_path, items) as api:
            path = recipe(tmp_path, api.url, extra="    collections: [tiles]\n    limit: 2\n")
            plan = cubegen("plan", path, check=True)
            assert "6 item(s) on 3 page(s), 3 date(s)" in plan.stdout, plan.stdout
            assert f"POST {api.url}/search" in plan.stdout
            assert "B04 → red (geotiff), B08 → nir (geotiff)" in plan.stdout
            requests_before = len(files.requests)
            cubegen("run", path, check=True)
        # Assets are read by range, never whole.
        gets = [r for r in files.requests[requests_before:] if r[0] == "GET"]
        assert gets and all(r[2] is not None for r in gets), gets[:5]
    assert_cube_is_truth(tmp_path / "r.zarr")
    lineage = json.loads((tmp_path / "r.zarr" / "lineage.json").read_text())
    red_files = next(v for v in lineage["variables"] if v["name"] == "red")["source"]["files"]
    assert sorted(f["path"].rsplit("/", 1)[1] for f in red_files) == sorted(f"{t}_{d:02d}_B04.tif" for d in DAYS for t in TILES)
    for f in red_files:
        assert f["fingerprint"] == "etag" and len(f["etag"]) == 32
        assert f["stac_item"].startswith(api.url + "/collections/tiles/items/")
    search = lineage["recipe"]["normalized"]["sources"][0]["stac"]["search"]
    assert search["method"] == "POST" and search["pages"] == 3 and search["items"] == 6
    body = json.loads(search["request"])
    assert body["bbox"] == [10, 45, 12, 46] and body["collections"] == ["tiles"] and body["limit"] == 2
    assert body["datetime"] == "2020-01-01T00:00:00Z/2020-01-03T23:59:59.999Z"
    documents = [json.loads(p.read_text()) for p in tmp_path.glob("r.*.json")]
    assert len(documents) == 2  # the collection and the item
    derived = sorted(l["href"] for d in documents for l in d.get("links", []) if l["rel"] == "derived_from")
    assert derived == sorted(f"{api.url}/collections/tiles/items/{t}_{d:02d}" for d in DAYS for t in TILES), derived


def test_get_search_gives_the_same_cube(tmp_path, tiles, binaries):
    # rustac 0.9 rejects `limit` beside list parameters in GET queries, so this search is one page.
    with RangeServer(tiles) as files:
        items = [item(t, d, files.url) for d in DAYS + [LATE_DAY] for t in TILES]
        with STACServer(tmp_path, items) as api:
            path = recipe(tmp_path, api.url, extra="    collections: [tiles]\n    method: GET\n")
            plan = cubegen("plan", path, check=True)
            assert f"GET {api.url}/search?collections=tiles&bbox=10%2C45%2C12%2C46&datetime=" in plan.stdout, plan.stdout
            cubegen("run", path, check=True)
    assert_cube_is_truth(tmp_path / "r.zarr")


def s3_test_service():
    """The S3 service `scripts/test.sh` starts (SeaweedFS): endpoint, key, secret and an s3fs
    file system on it; skips the test without one."""
    endpoint = os.environ.get("CUBEGEN_TEST_S3_ENDPOINT")
    if not endpoint:
        pytest.skip("CUBEGEN_TEST_S3_ENDPOINT is not set (scripts/test.sh starts SeaweedFS)")
    s3fs = pytest.importorskip("s3fs")
    key, secret = os.environ["CUBEGEN_TEST_S3_ACCESS_KEY"], os.environ["CUBEGEN_TEST_S3_SECRET_KEY"]
    return endpoint, key, secret, s3fs.S3FileSystem(key=key, secret=secret, client_kwargs={"endpoint_url": endpoint},
                                                    skip_instance_cache=True)


def test_assets_in_an_s3_bucket(tmp_path, tiles, binaries):
    endpoint, key, secret, fs = s3_test_service()
    bucket = f"cubegen-stac-{os.getpid()}-{int(time.time())}"
    fs.mkdir(bucket)
    for file in tiles.glob("*.tif"):
        fs.put(str(file), f"{bucket}/tiles/{file.name}")
    items = [item(t, d, f"s3://{bucket}/tiles") for d in DAYS for t in TILES]
    with STACServer(tmp_path, items) as api:
        path = recipe(tmp_path, api.url, extra=f"    limit: 4\n    storage_options: {{endpoint_url: \"{endpoint}\"}}\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_REGION="us-east-1",
                   AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent")
        result = subprocess.run([str(binaries / "cubegen"), "run", str(path)], capture_output=True, text=True, env=env, timeout=600)
        assert result.returncode == 0, result.stderr
    assert_cube_is_truth(tmp_path / "r.zarr")
    lineage = json.loads((tmp_path / "r.zarr" / "lineage.json").read_text())
    paths = [f["path"] for v in lineage["variables"] for f in v["source"]["files"]]
    assert all(p.startswith(f"s3://{bucket}/tiles/") for p in paths) and len(paths) == 12


# --- a static catalogue ------------------------------------------------------------------------------

def write_static_catalogue(folder, tiles_folder, items):
    """catalog.json → collection.json → one item file each, hrefs relative (assets relative to items)."""
    (folder / "tiles" / "items").mkdir(parents=True, exist_ok=True)
    links = []
    for it in items:
        rel = f"items/{it['id']}.json"
        for asset in it["assets"].values():
            asset["href"] = os.path.relpath(asset["href"], folder / "tiles" / "items")
        (folder / "tiles" / rel).write_text(json.dumps(it))
        links.append({"rel": "item", "href": rel, "type": "application/geo+json"})
    (folder / "tiles" / "collection.json").write_text(json.dumps({**COLLECTION, "links": links}))
    (folder / "catalog.json").write_text(json.dumps({
        "type": "Catalog", "stac_version": "1.0.0", "id": "root", "description": "static",
        "links": [{"rel": "child", "href": "tiles/collection.json", "type": "application/json"}]}))
    return folder / "catalog.json"


def test_static_catalogue_without_api(tmp_path, tiles, binaries):
    items = [item(t, d, str(tiles)) for d in DAYS + [LATE_DAY] for t in TILES]
    catalogue = write_static_catalogue(tmp_path / "cat", tiles, items)
    path = recipe(tmp_path, catalogue.relative_to(tmp_path))
    plan = cubegen("plan", path, check=True)
    assert "static catalogue" in plan.stdout and "6 item(s)" in plan.stdout, plan.stdout
    cubegen("run", path, check=True)
    assert_cube_is_truth(tmp_path / "r.zarr")
    lineage = json.loads((tmp_path / "r.zarr" / "lineage.json").read_text())
    files = [f for v in lineage["variables"] for f in v["source"]["files"]]
    # Local assets are fingerprinted by their SHA-256.
    assert all(len(f["sha256"] or "") == 64 and f["stac_item"].endswith(".json#" + f["stac_item"].rsplit("#", 1)[1]) for f in files)


# --- bad input: one line, naming what is wrong ---------------------------------------------------------

def test_bad_input_gives_one_line_errors(tmp_path, tiles, binaries):
    closed = free_port()
    one_line_error(cubegen("run", recipe(tmp_path, f"http://127.0.0.1:{closed}", name="down.yaml")),
                   f"http://127.0.0.1:{closed}", "cannot reach the STAC catalogue")
    with RangeServer(tiles) as files:
        items = [item(t, d, files.url) for d in DAYS for t in TILES]
        items[3] = item("E", 2, files.url, assets=("B04",))  # E_02 has no B08
        with STACServer(tmp_path, items) as api:
            one_line_error(cubegen("run", recipe(tmp_path, f"{api.url}/collections/none", name="http.yaml")),
                           "HTTP 404", f"{api.url}/collections/none", "no collection")
            empty = cubegen("run", recipe(tmp_path, api.url, name="empty.yaml",
                                          time_range="time: {start: 2021-01-01, end: 2021-01-31}\n"))
            one_line_error(empty, "found no items", f"POST {api.url}/search", '"datetime":"2021-01-01T00:00:00Z/2021-01-31T23:59:59.999Z"')
            one_line_error(cubegen("run", recipe(tmp_path, api.url, name="asset.yaml")), "tiles/E_02", "no asset 'B08'")
    # Without datetime and with mixed CRSs: static catalogues (rustac refuses items without a datetime).
    items = [item(t, d, str(tiles)) for d in DAYS for t in TILES]
    items[0] = item("W", 1, str(tiles), datetime=False)
    catalogue = write_static_catalogue(tmp_path / "nodate", tiles, items)
    one_line_error(cubegen("run", recipe(tmp_path, catalogue, name="nodate.yaml")), "tiles/W_01", "has no time")
    utm = tmp_path / "utm"
    utm.mkdir()
    for key in ("B04", "B08"):
        vrt = write_vrt(utm / f"{key}.vrt", np.ones((1, 100, 100)), [600000.0, 1000, 0, 5050000.0, 0, -1000], "EPSG:32632")
        translate(vrt, utm / f"W_01_{key}.tif", "-ot", "Float32")
    items = [item("W", 1, str(utm))] + [item(t, d, str(tiles)) for d in DAYS for t in TILES][1:]
    catalogue = write_static_catalogue(tmp_path / "mixed", tiles, items)
    one_line_error(cubegen("run", recipe(tmp_path, catalogue, name="mixed.yaml")), "W_01", "allow_mixed_crs")


# --- the same search loaded by odc-stac ----------------------------------------------------------------

def odc_python():
    for candidate in [os.environ.get("CUBEGEN_ODC_PYTHON"), pathlib.Path(__file__).resolve().parents[2] / ".venv-odc" / "bin" / "python"]:
        if candidate and pathlib.Path(candidate).exists():
            return str(candidate)
    pytest.fail("the odc-stac peer venv is missing: scripts/test.sh installs it into .venv-odc (or set CUBEGEN_ODC_PYTHON)")


def test_odc_stac_loads_the_same_search_to_the_same_values(tmp_path, tiles, binaries):
    peer = odc_python()
    with RangeServer(tiles) as files:
        items = [item(t, d, files.url) for d in DAYS + [LATE_DAY] for t in TILES]
        with STACServer(tmp_path, items) as api:
            cubegen("run", recipe(tmp_path, api.url, extra="    collections: [tiles]\n    limit: 2\n"), check=True)
            env = {**os.environ, "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR"}
            done = subprocess.run([peer, str(pathlib.Path(__file__).with_name("odc_stac_load.py")), api.url, str(tmp_path / "odc.npz")],
                                  capture_output=True, text=True, timeout=600, env=env)
            assert done.returncode == 0, done.stderr[-3000:]
    odc = np.load(tmp_path / "odc.npz")
    with xr.open_zarr(tmp_path / "r.zarr") as ds:
        assert [str(t)[:19] for t in ds.time.values] == [str(t)[:19] for t in odc["time"]]
        np.testing.assert_allclose(ds.lon.values, odc["lon"], atol=1e-9)
        np.testing.assert_allclose(ds.lat.values, odc["lat"], atol=1e-9)
        # Same pixels (nearest on the tiles' own grid): the same values, exactly.
        np.testing.assert_array_equal(ds.red.values, odc["red"])
        np.testing.assert_array_equal(ds.nir.values, odc["nir"])


# --- re-runs: the same search is up to date; a new item adds its time step only ---------------------

def test_rerun_is_up_to_date_and_a_new_item_adds_only_its_step(tmp_path, tiles, binaries):
    with RangeServer(tiles) as files:
        items = [item(t, d, files.url) for d in DAYS for t in TILES]
        with STACServer(tmp_path / "a", items) as api:
            path = recipe(tmp_path, api.url, time_range="time: {}\n")
            cubegen("run", path, check=True)
            chunk = tmp_path / "r.zarr" / "red" / "0.0.0"
            first_written = chunk.stat().st_mtime_ns
            assert "up to date" in cubegen("run", path, check=True).stdout
        # The catalogue gains the items of a new date (same API address): one new time step.
        items += [item(t, LATE_DAY, files.url) for t in TILES]
        with STACServer(tmp_path / "b", items, port=api.port) as api:
            update = cubegen("run", path, check=True)
    assert "wrote" in update.stdout and ": 2 chunks" in update.stdout, update.stdout
    assert chunk.stat().st_mtime_ns == first_written  # the first step was not rewritten
    assert_cube_is_truth(tmp_path / "r.zarr", days=DAYS + [LATE_DAY])


# --- a grid across the antimeridian: two boxes searched, tiles on both sides mosaicked -------------

def red_wrapped(lon, lat, day):
    return red(lon % 360, lat, day)


def nir_wrapped(lon, lat, day):
    return nir(lon % 360, lat, day)


def test_a_grid_across_the_antimeridian_searches_both_sides(tmp_path, binaries):
    # Tile W covers 179…180°E, tile E 180…179°W (−180…−179); the grid 179…181° spans both.
    tiles = tmp_path / "tiles"
    tiles.mkdir()
    for name, west in (("W", 179.0), ("E", -180.0)):
        write_cog(tiles / f"{name}_01_B04.tif", west, red_wrapped, 1)
        write_cog(tiles / f"{name}_01_B08.tif", west, nir_wrapped, 1)
    with RangeServer(tiles) as files:
        items = []
        for name, west in (("W", 179.0), ("E", -180.0)):
            it = item("W", 1, files.url)
            it["id"] = f"{name}_01"
            it["bbox"] = [west, 45, west + 1, 46]
            it["geometry"]["coordinates"] = [[[west, 45], [west + 1, 45], [west + 1, 46], [west, 46], [west, 45]]]
            it["assets"] = {key: {**asset, "href": f"{files.url}/{name}_01_{key}.tif"} for key, asset in it["assets"].items()}
            items.append(it)
        # An item far away that neither box may return.
        far = item("W", 1, files.url)
        far["id"] = "far_01"
        items.append(far)
        with STACServer(tmp_path / "api", items) as api:
            path = recipe(tmp_path, api.url, time_range="time: {start: 2020-01-01, end: 2020-01-01}\n", bbox=(179, 45, 181, 46))
            plan = cubegen("plan", path, check=True)
            assert '"bbox":[179,45,180,46]' in plan.stdout and '"bbox":[-180,45,-179,46]' in plan.stdout, plan.stdout
            assert "2 item(s) on 2 page(s), 1 date(s)" in plan.stdout, plan.stdout
            cubegen("run", path, check=True)
    with xr.open_zarr(tmp_path / "r.zarr") as ds:
        assert ds.red.shape == (1, 100, 200)
        lon, lat = np.meshgrid(ds.lon.values, ds.lat.values)
        assert np.all(np.isfinite(ds.red.values)), "both sides of the antimeridian are filled"
        np.testing.assert_allclose(ds.red.values[0], red_wrapped(lon, lat, 1), atol=1e-4, rtol=0)
        np.testing.assert_allclose(ds.nir.values[0], nir_wrapped(lon, lat, 1), atol=1e-4, rtol=0)
    derived = sorted(l["href"].rsplit("/", 1)[1] for d in (tmp_path.glob("r.*.json")) for l in json.loads(d.read_text())["links"]
                     if l["rel"] == "derived_from")
    assert derived == ["E_01", "W_01"], derived


# --- NetCDF and Zarr assets: the format store picked by media type, read from the HTTP server -------

def test_netcdf_and_zarr_assets_of_one_item(tmp_path, binaries):
    n = int(round(1 / RES))
    folder = tmp_path / "assets"
    folder.mkdir()
    items = []
    with RangeServer(folder) as files:
        for day in DAYS:
            for tile, (west, _) in TILES.items():
                lon = west + (np.arange(n) + 0.5) * RES
                lat = 46 - (np.arange(n) + 0.5) * RES
                lons, lats = np.meshgrid(lon, lat)
                coords = {"lat": ("lat", lat, {"units": "degrees_north", "standard_name": "latitude"}),
                          "lon": ("lon", lon, {"units": "degrees_east", "standard_name": "longitude"})}
                xr.Dataset({"red": (("lat", "lon"), red(lons, lats, day).astype("float32"))}, coords=coords).to_netcdf(
                    folder / f"{tile}_{day:02d}.nc", engine="netcdf4")
                xr.Dataset({"nir": (("lat", "lon"), nir(lons, lats, day).astype("float32"))}, coords=coords).to_zarr(
                    folder / f"{tile}_{day:02d}.zarr", zarr_format=2, consolidated=True, mode="w")
                it = item(tile, day, files.url)
                it["assets"] = {"B04": {"href": f"{files.url}/{tile}_{day:02d}.nc", "type": "application/netcdf", "roles": ["data"]},
                                # No media type: the .zarr extension picks the store.
                                "B08": {"href": f"{files.url}/{tile}_{day:02d}.zarr", "roles": ["data"]}}
                items.append(it)
        with STACServer(tmp_path / "api", items) as api:
            path = recipe(tmp_path, api.url, extra="    limit: 4\n")
            plan = cubegen("plan", path, check=True)
            assert "B04 → red (netcdf), B08 → nir (zarr)" in plan.stdout, plan.stdout
            cubegen("run", path, check=True)
    assert_cube_is_truth(tmp_path / "r.zarr")


# --- GRIB assets; assets of one item on different grids; one variable's tiles in several CRSs ----------

def write_grib(path, west, function, day):
    """One GRIB 2 message written by ecCodes: `function` on the 0.01° lat/lon points at the cell
    centres of the tile west…west+1, 45…46, valid at the item's time (2020-01-DD 10:00)."""
    import eccodes
    n = int(round(1 / RES))
    lons = west + (np.arange(n) + 0.5) * RES
    lats = 46 - (np.arange(n) + 0.5) * RES
    handle = eccodes.codes_grib_new_from_samples("regular_ll_sfc_grib2")
    try:
        for key, value in [("Ni", n), ("Nj", n), ("iScansNegatively", 0), ("jScansPositively", 0),
                           ("latitudeOfFirstGridPointInDegrees", float(lats[0])), ("latitudeOfLastGridPointInDegrees", float(lats[-1])),
                           ("longitudeOfFirstGridPointInDegrees", float(lons[0])), ("longitudeOfLastGridPointInDegrees", float(lons[-1])),
                           ("iDirectionIncrementInDegrees", RES), ("jDirectionIncrementInDegrees", RES),
                           ("dataDate", 20200100 + day), ("dataTime", 1000), ("stepUnits", 1), ("endStep", 0),
                           ("typeOfLevel", "surface"), ("level", 0), ("shortName", "2t"), ("bitsPerValue", 24)]:
            eccodes.codes_set(handle, key, value)
        eccodes.codes_set_values(handle, function(*np.meshgrid(lons, lats), day).astype("float64").ravel())
        with open(path, "wb") as out:
            eccodes.codes_write(handle, out)
    finally:
        eccodes.codes_release(handle)


def test_grib_assets_picked_by_media_type_or_extension_read_over_https(tmp_path, binaries):
    folder = tmp_path / "assets"
    folder.mkdir()
    items = []
    with RangeServer(folder) as files:
        for day in DAYS:
            for tile, (west, _) in TILES.items():
                write_grib(folder / f"{tile}_{day:02d}_B04.grib2", west, red, day)
                write_grib(folder / f"{tile}_{day:02d}_B08.grb", west, nir, day)
                it = item(tile, day, files.url)
                it["assets"] = {
                    "B04": {"href": f"{files.url}/{tile}_{day:02d}_B04.grib2", "roles": ["data"],
                            "type": "application/wmo-grib2" if tile == "W" else "application/x-grib"},
                    # No media type: the .grb extension picks the store.
                    "B08": {"href": f"{files.url}/{tile}_{day:02d}_B08.grb", "roles": ["data"]}}
                items.append(it)
        with STACServer(tmp_path / "api", items) as api:
            path = recipe(tmp_path, api.url, extra="    limit: 4\n")
            plan = cubegen("plan", path, check=True)
            assert "B04 → red (grib), B08 → nir (grib)" in plan.stdout, plan.stdout
            cubegen("run", path, check=True)
        # Every GRIB asset came from the HTTP server (through the input cache).
        fetched = {r[1].lstrip("/") for r in files.requests if r[0] == "GET"}
        assert fetched == {p.name for p in folder.iterdir()}, fetched
    assert_cube_is_truth(tmp_path / "r.zarr")
    lineage = json.loads((tmp_path / "r.zarr" / "lineage.json").read_text())
    nir_files = next(v for v in lineage["variables"] if v["name"] == "nir")["source"]["files"]
    assert sorted(f["path"].rsplit("/", 1)[1] for f in nir_files) == sorted(f"{t}_{d:02d}_B08.grb" for d in DAYS for t in TILES)


def test_a_run_reads_each_asset_header_once_and_checks_it_twice(tmp_path, tiles, binaries):
    """`cubegen run` plans and runs in one process: per COG asset one HEAD when the search is
    inspected, one when the run opens it (unchanged since planning?), and no byte range twice (the
    header pages planning read serve the run's open)."""
    with RangeServer(tiles) as files:
        items = [item(t, d, files.url) for d in DAYS for t in TILES]
        with STACServer(tmp_path, items) as api:
            cubegen("run", recipe(tmp_path, api.url), check=True)
    per_asset = {}
    for method, path, byte_range in files.requests:
        per_asset.setdefault(path, []).append((method, byte_range))
    assert len(per_asset) == 2 * len(items), sorted(per_asset)
    for path, requests in per_asset.items():
        assert [m for m, _ in requests].count("HEAD") == 2, (path, requests)
        ranges = [r for m, r in requests if m == "GET"]
        assert ranges and all(r is not None for r in ranges) and len(ranges) == len(set(ranges)), (path, requests)
    assert_cube_is_truth(tmp_path / "r.zarr")


def test_grib_assets_in_an_s3_bucket(tmp_path, binaries):
    endpoint, key, secret, fs = s3_test_service()
    bucket = f"cubegen-stac-grib-{os.getpid()}-{int(time.time())}"
    fs.mkdir(bucket)
    folder = tmp_path / "assets"
    folder.mkdir()
    items = []
    for day in DAYS:
        for tile, (west, _) in TILES.items():
            for key_name, function in (("B04", red), ("B08", nir)):
                name = f"{tile}_{day:02d}_{key_name}.grib2"
                write_grib(folder / name, west, function, day)
                fs.put(str(folder / name), f"{bucket}/grib/{name}")
            it = item(tile, day, f"s3://{bucket}/grib")
            it["assets"] = {k: {"href": f"s3://{bucket}/grib/{tile}_{day:02d}_{k}.grib2", "type": "application/wmo-grib2", "roles": ["data"]}
                            for k in ("B04", "B08")}
            items.append(it)
    with STACServer(tmp_path / "api", items) as api:
        path = recipe(tmp_path, api.url, extra=f"    limit: 4\n    storage_options: {{endpoint_url: \"{endpoint}\"}}\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_REGION="us-east-1",
                   AWS_CONFIG_FILE="/nonexistent", AWS_SHARED_CREDENTIALS_FILE="/nonexistent")
        result = subprocess.run([str(binaries / "cubegen"), "run", str(path), "--cache-dir", str(tmp_path / "cache")],
                                capture_output=True, text=True, env=env, timeout=600)
        assert result.returncode == 0, result.stderr
    assert_cube_is_truth(tmp_path / "r.zarr")
    lineage = json.loads((tmp_path / "r.zarr" / "lineage.json").read_text())
    paths = [f["path"] for v in lineage["variables"] for f in v["source"]["files"]]
    assert all(p.startswith(f"s3://{bucket}/grib/") and p.endswith(".grib2") for p in paths) and len(paths) == 12


def test_assets_of_one_item_on_different_grids_are_each_resampled_from_their_own_grid(tmp_path, binaries):
    """B04 at 0.01° and B11 at 0.02° in every item: the source is planned as one source per asset
    grid; red is the 0.01° field itself, nir the 0.02° field taken by nearest (the coarse cell
    holding each 0.01° centre: no ties)."""
    folder = tmp_path / "assets"
    folder.mkdir()
    items = []
    with RangeServer(folder) as files:
        for day in DAYS:
            for tile, (west, _) in TILES.items():
                write_cog(folder / f"{tile}_{day:02d}_B04.tif", west, red, day)
                write_cog(folder / f"{tile}_{day:02d}_B11.tif", west, nir, day, res=0.02)
                items.append(item(tile, day, files.url, assets=("B04", "B11")))
        with STACServer(tmp_path / "api", items) as api:
            path = recipe(tmp_path, api.url, variables="      red: {resampling: nearest}\n      nir: {resampling: nearest, asset: B11}\n")
            plan = cubegen("plan", path, check=True)
            sources = [line for line in plan.stdout.splitlines() if line.startswith("source")]
            assert len(sources) == 2 and "100 × 100" in sources[0] and "50 × 50" in sources[1], plan.stdout
            cubegen("run", path, check=True)
    with xr.open_zarr(tmp_path / "r.zarr") as ds:
        assert [str(t)[:19] for t in ds.time.values] == [f"2020-01-{d:02d}T10:00:00" for d in DAYS]
        lon, lat = np.meshgrid(ds.lon.values, ds.lat.values)
        coarse_lon = np.floor(lon / 0.02) * 0.02 + 0.01
        coarse_lat = np.floor(lat / 0.02) * 0.02 + 0.01
        for k, day in enumerate(DAYS):
            np.testing.assert_allclose(ds.red.values[k], red(lon, lat, day), atol=1e-4, rtol=0)
            np.testing.assert_allclose(ds.nir.values[k], nir(coarse_lon, coarse_lat, day), atol=1e-4, rtol=0)
    lineage = json.loads((tmp_path / "r.zarr" / "lineage.json").read_text())
    grids = {v["name"]: v["source"]["grid"] for v in lineage["variables"]}
    assert grids["red"] != grids["nir"], grids
    documents = [json.loads(p.read_text()) for p in tmp_path.glob("r.*.json")]
    derived = [l["href"] for d in documents for l in d.get("links", []) if l["rel"] == "derived_from"]
    assert sorted(derived) == sorted(f"{api.url}/collections/tiles/items/{t}_{d:02d}" for d in DAYS for t in TILES), derived


MERCATOR_PIXEL = 1000.0


def write_mercator_cog(path, west, function, day):
    """The tile west…west+1, 45…46 on a Web Mercator (EPSG:3857) grid of 1 km pixels, starting
    exactly at `west` (so it does not overlap the tile west of it) and overlapping the other
    edges; each pixel holds `function` at its centre. Returns the grid's origin."""
    import pyproj
    to_merc = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
    to_geo = pyproj.Transformer.from_crs(3857, 4326, always_xy=True)
    x0, y_top = to_merc.transform(west, 46.0)
    _, y_bottom = to_merc.transform(west, 45.0)
    x1, _ = to_merc.transform(west + 1, 46.0)
    y0 = y_top + 2 * MERCATOR_PIXEL
    width, height = int(np.ceil((x1 - x0) / MERCATOR_PIXEL)) + 2, int(np.ceil((y0 - y_bottom) / MERCATOR_PIXEL)) + 2
    xs = x0 + (np.arange(width) + 0.5) * MERCATOR_PIXEL
    ys = y0 - (np.arange(height) + 0.5) * MERCATOR_PIXEL
    lon, lat = to_geo.transform(*np.meshgrid(xs, ys))
    vrt = write_vrt(path.with_suffix(".vrt"), function(lon, lat, day)[None], [x0, MERCATOR_PIXEL, 0, y0, 0, -MERCATOR_PIXEL], "EPSG:3857")
    translate(vrt, path, "-ot", "Float32", *COG)
    path.with_suffix(".vrt").unlink()
    path.with_suffix(".bin").unlink()
    return x0, y0


def test_one_variable_from_tiles_in_two_crss(tmp_path, tiles, binaries):
    """Tile W in EPSG:4326, tile E in Web Mercator: refused without allow_mixed_crs (one line
    naming it), mosaicked with it; E's pixels are the Mercator pixel holding each target centre
    (nearest, computed here with pyproj), W's the field itself."""
    import pyproj
    folder = tmp_path / "assets"
    folder.mkdir()
    origins = {}
    for day in DAYS:
        for key, function in (("B04", red), ("B08", nir)):
            shutil.copy(tiles / f"W_{day:02d}_{key}.tif", folder / f"W_{day:02d}_{key}.tif")
            origins[key] = write_mercator_cog(folder / f"E_{day:02d}_{key}.tif", TILES["E"][0], function, day)
    with RangeServer(folder) as files:
        items = [item(t, d, files.url) for d in DAYS for t in TILES]
        with STACServer(tmp_path / "api", items) as api:
            one_line_error(cubegen("run", recipe(tmp_path, api.url, name="refused.yaml")), "allow_mixed_crs", "/collections/tiles/items/")
            cubegen("run", recipe(tmp_path, api.url, extra="    allow_mixed_crs: true\n"), check=True)
    to_merc = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
    to_geo = pyproj.Transformer.from_crs(3857, 4326, always_xy=True)
    with xr.open_zarr(tmp_path / "r.zarr") as ds:
        lon, lat = np.meshgrid(ds.lon.values, ds.lat.values)
        east = lon > TILES["E"][0]
        for key, variable, function in (("B04", "red", red), ("B08", "nir", nir)):
            x0, y0 = origins[key]
            x, y = to_merc.transform(lon, lat)
            cx = x0 + (np.floor((x - x0) / MERCATOR_PIXEL) + 0.5) * MERCATOR_PIXEL
            cy = y0 - (np.floor((y0 - y) / MERCATOR_PIXEL) + 0.5) * MERCATOR_PIXEL
            centre_lon, centre_lat = to_geo.transform(cx, cy)
            for k, day in enumerate(DAYS):
                values = ds[variable].values[k]
                np.testing.assert_allclose(values[~east], function(lon, lat, day)[~east], atol=1e-4, rtol=0)
                np.testing.assert_allclose(values[east], function(centre_lon, centre_lat, day)[east], atol=1e-3, rtol=0)
