"""store: stac against the STAC API most platforms run: stac-fastapi-pgstac on PostgreSQL 15 +
PostGIS + pgstac (a throw-away cluster on loopback, Tests/interop/pgstac_server.py), serving items
whose COG assets (analytic fields) live on a ranged HTTP server (range_http.py).

What pgstac adds over `rustac serve` (test_stac.py): the Query extension (`query`), CQL2-JSON
`filter` (Filter extension), in POST bodies and in GET query strings, and paging by `token` in
the `next` links. The catalogue holds items the searches must leave out — a cloudy date, another
platform, a date after the recipe's range — each with its own analytic values, so an item let
through adds a time step and fails the comparison with the truth. odc-stac's load of the same
filtered search must give the same values."""
import json
import os
import pathlib
import subprocess
import urllib.request

import numpy as np
import pytest
import xarray as xr

from conftest import cubegen
from pgstac_server import PgSTACServer
from range_http import RangeServer
from test_geotiff import one_line_error
from test_stac import COLLECTION, TILES, item, nir, odc_python, recipe, red, write_cog

TIME_RANGE = "time: {start: 2020-01-01, end: 2020-01-05}\n"
# Day → (eo:cloud_cover, platform). Day 4 is cloudy, day 5 is another platform, day 9 is out of range.
SCENES = {1: (5, "sentinel-2a"), 2: (10, "sentinel-2a"), 3: (15, "sentinel-2a"), 4: (80, "sentinel-2a"),
          5: (5, "sentinel-2b"), 9: (5, "sentinel-2a")}
CLEAR_2A = {"op": "and", "args": [{"op": "=", "args": [{"property": "platform"}, "sentinel-2a"]},
                                  {"op": "<", "args": [{"property": "eo:cloud_cover"}, 20]}]}


def scene(tile, day, href_base):
    found = item(tile, day, href_base)
    found["properties"].update({"eo:cloud_cover": SCENES[day][0], "platform": SCENES[day][1]})
    found["stac_extensions"] = ["https://stac-extensions.github.io/eo/v1.1.0/schema.json"]
    return found


@pytest.fixture(scope="module")
def pgstac(tmp_path_factory):
    """The tiles on a ranged HTTP server and their items in pgstac behind stac-fastapi-pgstac."""
    folder = tmp_path_factory.mktemp("pgstac_tiles")
    for tile, (west, _) in TILES.items():
        for day in SCENES:
            write_cog(folder / f"{tile}_{day:02d}_B04.tif", west, red, day)
            write_cog(folder / f"{tile}_{day:02d}_B08.tif", west, nir, day)
    with RangeServer(folder) as files:
        items = [scene(t, d, files.url) for d in SCENES for t in TILES]
        with PgSTACServer(COLLECTION, items) as api:
            yield api


def assert_cube_is_truth(cube_path, days):
    with xr.open_zarr(cube_path) as ds:
        assert [str(t)[:19] for t in ds.time.values] == [f"2020-01-{d:02d}T10:00:00" for d in days]
        lon, lat = np.meshgrid(ds.lon.values, ds.lat.values)
        assert ds.red.shape == (len(days), 100, 200)
        for k, day in enumerate(days):
            np.testing.assert_allclose(ds.red.values[k], red(lon, lat, day), atol=1e-4, rtol=0)
            np.testing.assert_allclose(ds.nir.values[k], nir(lon, lat, day), atol=1e-4, rtol=0)


def test_query_extension_in_a_paged_post_search(tmp_path, pgstac, binaries):
    path = recipe(tmp_path, pgstac.url, time_range=TIME_RANGE,
                  extra="    collections: [tiles]\n    limit: 3\n    query: {\"eo:cloud_cover\": {lt: 20}}\n")
    plan = cubegen("plan", path, check=True)
    # Days 1, 2, 3 and 5 are clear (day 4 is not, day 9 is after time.end): 8 items, pages of 3.
    assert "8 item(s) on 3 page(s), 4 date(s)" in plan.stdout, plan.stdout
    assert f"POST {pgstac.url}/search" in plan.stdout
    cubegen("run", path, check=True)
    assert_cube_is_truth(tmp_path / "r.zarr", days=[1, 2, 3, 5])
    lineage = json.loads((tmp_path / "r.zarr" / "lineage.json").read_text())
    search = lineage["recipe"]["normalized"]["sources"][0]["stac"]["search"]
    assert search["method"] == "POST" and search["pages"] == 3 and search["items"] == 8
    body = json.loads(search["request"])
    assert body["query"] == {"eo:cloud_cover": {"lt": 20}} and body["limit"] == 3
    files = [f for v in lineage["variables"] for f in v["source"]["files"]]
    assert sorted({f["stac_item"] for f in files}) == sorted(f"{pgstac.url}/collections/tiles/items/{t}_{d:02d}"
                                                             for d in (1, 2, 3, 5) for t in TILES)


def test_cql2_filter_in_a_get_search_paged_by_token(tmp_path, pgstac, binaries):
    path = recipe(tmp_path, pgstac.url, time_range=TIME_RANGE,
                  extra=f"    collections: [tiles]\n    limit: 2\n    method: GET\n    filter: {json.dumps(CLEAR_2A)}\n")
    plan = cubegen("plan", path, check=True)
    assert "6 item(s) on 3 page(s), 3 date(s)" in plan.stdout, plan.stdout
    assert f"GET {pgstac.url}/search?collections=tiles&bbox=10%2C45%2C12%2C46&datetime=" in plan.stdout, plan.stdout
    assert "&filter=%7B%22" in plan.stdout and "&filter-lang=cql2-json&limit=2" in plan.stdout, plan.stdout
    # pgstac pages by token: the first page's next link is the same GET with a `token`.
    request = plan.stdout.split("GET ", 1)[1].split()[0]
    page = json.loads(urllib.request.urlopen(request, timeout=30).read())
    assert len(page["features"]) == 2
    following = [link["href"] for link in page["links"] if link["rel"] == "next"]
    assert len(following) == 1 and "token=next" in following[0].replace("%3A", ":"), page["links"]
    cubegen("run", path, check=True)
    assert_cube_is_truth(tmp_path / "r.zarr", days=[1, 2, 3])
    search = json.loads((tmp_path / "r.zarr" / "lineage.json").read_text())["recipe"]["normalized"]["sources"][0]["stac"]["search"]
    assert search["method"] == "GET" and search["pages"] == 3 and search["items"] == 6


def test_odc_stac_loads_the_same_filtered_search_to_the_same_values(tmp_path, pgstac, binaries):
    peer = odc_python()
    path = recipe(tmp_path, pgstac.url, time_range=TIME_RANGE,
                  extra=f"    collections: [tiles]\n    limit: 2\n    filter: {json.dumps(CLEAR_2A)}\n")
    cubegen("run", path, check=True)
    body = {"datetime": "2020-01-01T00:00:00Z/2020-01-05T23:59:59.999Z", "filter": CLEAR_2A, "filter-lang": "cql2-json"}
    env = {**os.environ, "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR"}
    done = subprocess.run([peer, str(pathlib.Path(__file__).with_name("odc_stac_load.py")), pgstac.url, str(tmp_path / "odc.npz"), json.dumps(body)],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    odc = np.load(tmp_path / "odc.npz")
    with xr.open_zarr(tmp_path / "r.zarr") as ds:
        assert [str(t)[:19] for t in ds.time.values] == [str(t)[:19] for t in odc["time"]] == [f"2020-01-0{d}T10:00:00" for d in (1, 2, 3)]
        np.testing.assert_allclose(ds.lon.values, odc["lon"], atol=1e-9)
        np.testing.assert_allclose(ds.lat.values, odc["lat"], atol=1e-9)
        np.testing.assert_array_equal(ds.red.values, odc["red"])
        np.testing.assert_array_equal(ds.nir.values, odc["nir"])


def test_a_query_the_api_refuses_is_one_line_with_its_status_and_message(tmp_path, pgstac, binaries):
    result = cubegen("run", recipe(tmp_path, pgstac.url, time_range=TIME_RANGE, name="bad.yaml",
                                   extra="    query: {\"eo:cloud_cover\": {below: 20}}\n"))
    # stac-fastapi's validation problem, as location and message.
    one_line_error(result, "the STAC catalogue answered HTTP 400", f"POST '{pgstac.url}/search'",
                   "body.query.eo:cloud_cover.below", "Input should be 'eq'")
