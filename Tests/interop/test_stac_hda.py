"""DestinE HDA specifics of store: stac against hda_server.py (a loopback server written from HDA's
documented behaviour): a bearer token from HDA_TOKEN or a token file, never printed or recorded;
placeholder items ordered (retrieve link POSTed, polled with back-off and a progress line, read
from their downloadLink); a slow order, a failed order, an order that times out, an item that needs
ordering without `order: true`, a missing token and a token that expires mid-run. Search pages come
as a POST then a GET next link. Values: the analytic field of test_stac.py, exactly (nearest on the
tiles' own grid)."""
import json
import os
import subprocess

import numpy as np
import pytest
import xarray as xr

from conftest import BIN
from hda_server import HDAServer
from test_stac import RES, red, write_cog

TOKEN = "hda-secret-token-7f3c9a"
DAYS = [1, 2, 3]


def placeholder(day):
    return {"type": "Feature", "stac_version": "1.0.0", "id": f"EO_{day:02d}", "collection": "EO.ECMWF.DAT.DT",
            "bbox": [10, 45, 11, 46], "geometry": None, "assets": {},
            "properties": {"datetime": f"2020-01-{day:02d}T00:00:00Z"}}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hda_files")
    for day in DAYS:
        write_cog(folder / f"EO_{day:02d}.tif", 10.0, red, day)
    return folder


def recipe(folder, url, extra="    order: true\n    token_env: HDA_TOKEN\n", name="r.yaml"):
    text = ("version: 1\ncube: {id: hda-test, title: HDA test, summary: s, license: CC0-1.0, version: 1.0.0, keywords: []}\n"
            f"grid: {{crs: 'EPSG:4326', bbox: [10, 45, 11, 46], resolution: {RES}}}\n"
            "time: {start: 2020-01-01, end: 2020-01-03}\n"
            f"sources:\n  - name: dt\n    store: stac\n    url: {url}/stac\n    collections: [EO.ECMWF.DAT.DT]\n"
            f"    assets: {{downloadLink: t2m}}\n{extra}    variables:\n      t2m: {{resampling: nearest}}\n"
            f"output: {{path: {name[:-5]}.zarr, overwrite: true}}\ncatalog: {{path: {name[:-5]}.stac.json}}\n")
    path = folder / name
    path.write_text(text)
    return path


def run(path, token=TOKEN):
    env = {k: v for k, v in os.environ.items() if k != "HDA_TOKEN"}
    if token is not None:
        env["HDA_TOKEN"] = token
    return subprocess.run([str(BIN / "cubegen"), "run", str(path)], capture_output=True, text=True, env=env, timeout=300,
                          cwd=path.parent)


def error_line(result, *fragments):
    """The run failed with one error line (after any progress lines) holding every fragment."""
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.strip().splitlines() if line.strip() and not line.startswith("stac: ")]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert TOKEN not in result.stderr + result.stdout


def test_orders_are_placed_polled_and_read_with_the_token_never_recorded(tmp_path, files, binaries):
    with HDAServer(files, [placeholder(d) for d in DAYS], TOKEN) as hda:
        hda.delays = {"EO_02": 1.2}  # a slow order: polled with back-off until it succeeds
        result = run(recipe(tmp_path, hda.url))
        assert result.returncode == 0, result.stderr
        orders = [entry for entry in hda.log if entry[1] == "/stac/dataaccess/order"]
        searches = [entry[0] for entry in hda.log if entry[1].startswith("/stac/search")]
    assert len(orders) == 3 and all(status == 202 for _, _, status in orders)
    assert searches == ["POST", "GET"]  # two pages: POST, then the GET next link
    assert "item 'EO.ECMWF.DAT.DT/EO_02' order:status ordered after" in result.stderr, result.stderr
    assert "ready after" in result.stderr
    with xr.open_zarr(tmp_path / "r.zarr") as ds:
        lon, lat = np.meshgrid(ds.lon.values, ds.lat.values)
        for k, day in enumerate(DAYS):
            np.testing.assert_allclose(ds.t2m.values[k], red(lon, lat, day), atol=1e-4, rtol=0)
    written = "".join(p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file() and p.suffix in {".json", ".yaml", ""})
    assert TOKEN not in written + result.stdout + result.stderr
    assert f"{hda.url}/download/EO_01.tif" in (tmp_path / "r.zarr" / "lineage.json").read_text()


def test_token_file_works_and_orders_fail_clearly(tmp_path, files, binaries):
    (tmp_path / "token").write_text(TOKEN + "\n")
    with HDAServer(files, [placeholder(d) for d in DAYS], TOKEN) as hda:
        ok = run(recipe(tmp_path, hda.url, extra="    order: true\n    token_file: token\n", name="file.yaml"), token=None)
        assert ok.returncode == 0, ok.stderr
    with HDAServer(files, [placeholder(d) for d in DAYS], TOKEN) as hda:
        hda.failing = {"EO_03"}
        error_line(run(recipe(tmp_path, hda.url)), "EO.ECMWF.DAT.DT/EO_03", "failed", "could not restore")
    with HDAServer(files, [placeholder(d) for d in DAYS], TOKEN) as hda:
        hda.delays = {"EO_01": 60}
        error_line(run(recipe(tmp_path, hda.url, extra="    order: true\n    order_timeout: 1\n    token_env: HDA_TOKEN\n")),
                   "EO.ECMWF.DAT.DT/EO_01", "did not succeed within 1 s", "order_timeout")
    with HDAServer(files, [placeholder(d) for d in DAYS], TOKEN) as hda:
        error_line(run(recipe(tmp_path, hda.url, extra="    token_env: HDA_TOKEN\n")), "not online", "order: true")


def test_missing_refused_and_expiring_tokens(tmp_path, files, binaries):
    with HDAServer(files, [placeholder(d) for d in DAYS], TOKEN) as hda:
        error_line(run(recipe(tmp_path, hda.url, extra="    order: true\n")), "HTTP 401", "token_env or token_file")
        error_line(run(recipe(tmp_path, hda.url), token=None), "HDA_TOKEN", "not set")
        error_line(run(recipe(tmp_path, hda.url), token="stale"), "HTTP 401", "may have expired")
    with HDAServer(files, [placeholder(d) for d in DAYS], TOKEN) as hda:
        hda.expire_token_after_search = True  # the token stops working once the search is answered
        error_line(run(recipe(tmp_path, hda.url)), "HTTP 401", "may have expired")


def test_a_rerun_polls_the_earlier_orders_instead_of_ordering_again(tmp_path, files, binaries):
    def orders():
        return [entry for entry in hda.log if entry[1] == "/stac/dataaccess/order"]

    with HDAServer(files, [placeholder(d) for d in DAYS], TOKEN) as hda:
        hda.orders_as_new_items = True  # searches keep answering with orderable placeholders
        path = recipe(tmp_path, hda.url)
        first = run(path)
        assert first.returncode == 0, first.stderr
        assert len(orders()) == 3
        lineage = json.loads((tmp_path / "r.zarr" / "lineage.json").read_text())
        recorded = lineage["recipe"]["normalized"]["sources"][0]["stac"]["search"]["orders"]
        placeholders = {f"{hda.url}/stac/collections/EO.ECMWF.DAT.DT/items/EO_{d:02d}": d for d in DAYS}
        assert sorted(recorded) == sorted(placeholders)
        assert all(url.startswith(f"{placeholder_url}.order") for placeholder_url, url in recorded.items())
        # The same search again: the recorded orders are polled, none placed, and the cube is up to date.
        second = run(path)
        assert second.returncode == 0, second.stderr
        assert len(orders()) == 3, orders()
        assert second.stderr.count("reuses the order an earlier run placed") == 3, second.stderr
        assert "up to date" in second.stdout, second.stdout
        assert json.loads((tmp_path / "r.zarr" / "lineage.json").read_text())["recipe"]["normalized"]["sources"][0]["stac"]["search"]["orders"] == recorded
        # The catalogue forgot the orders (purged): the recorded items answer 404, so they are ordered again.
        hda.placed.clear()
        hda.ordered_at.clear()
        third = run(path)
        assert third.returncode == 0, third.stderr
        assert len(orders()) == 6
        assert "reuses the order" not in third.stderr
    renewed = json.loads((tmp_path / "r.zarr" / "lineage.json").read_text())["recipe"]["normalized"]["sources"][0]["stac"]["search"]["orders"]
    assert sorted(renewed) == sorted(recorded) and not set(renewed.values()) & set(recorded.values())
    with xr.open_zarr(tmp_path / "r.zarr") as ds:
        lon, lat = np.meshgrid(ds.lon.values, ds.lat.values)
        for k, day in enumerate(DAYS):
            np.testing.assert_allclose(ds.t2m.values[k], red(lon, lat, day), atol=1e-4, rtol=0)
