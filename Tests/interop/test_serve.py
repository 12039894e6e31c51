"""`cubegen serve` over HTTP on loopback, every endpoint checked against the cube read by xarray.

The server is the real binary on a free port, started and stopped (SIGTERM, then a clean exit)
by the fixture. Tiles are decoded with Pillow and every pixel compared with the nearest value of
the pyramid level the documented rule picks, under the documented colour map (Greys: linear
white → black); a point time series equals the cube's column; a polygon's mean/count/max equal
numpy's over the pixels whose centres are inside it; bad requests answer 4xx with a JSON error.
"""
import base64
import io
import json
import math
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import xarray as xr
from PIL import Image

from conftest import BIN
from test_pyramid import DAYS, build

RES = 0.5  # the test cube: EPSG:4326, bbox [-30, -20, 40, 30], 140 × 100, pyramid tile 16, 4 levels


@pytest.fixture(scope="module")
def server(tmp_path_factory, binaries):
    tmp = tmp_path_factory.mktemp("serve")
    build(tmp, DAYS)
    process = subprocess.Popen([str(BIN / "cubegen"), "serve", str(tmp / "pyr.zarr"), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert line.startswith("serving pyr on http://127.0.0.1:"), line + process.stderr.read()
    url = line.split()[3].rstrip("/")
    log = []
    reader = threading.Thread(target=lambda: log.extend(process.stderr), daemon=True)
    reader.start()
    yield {"url": url, "tmp": tmp, "log": log, "process": process}
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    assert "stopped" in process.stdout.read()


def get(server, path, body=None):
    """(status, headers, bytes) of a request; 4xx/5xx do not raise."""
    request = urllib.request.Request(server["url"] + path, data=body, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def get_json(server, path, body=None):
    status, headers, data = get(server, path, body)
    assert headers["Content-Type"] == "application/json", (path, status, data[:200])
    return status, json.loads(data)


@pytest.fixture(scope="module")
def cube(server):
    return xr.open_zarr(server["tmp"] / "pyr.zarr").load()


def level(server, k):
    return xr.open_zarr(server["tmp"] / "pyr.levels" / f"{k}.zarr").load() if k else xr.open_zarr(server["tmp"] / "pyr.zarr").load()


def test_root_datasets_and_details(server, cube):
    status, info = get_json(server, "/")
    assert status == 200 and info["name"] == "cubegen serve"
    status, listing = get_json(server, "/datasets")
    assert [d["id"] for d in listing["datasets"]] == ["pyr"]
    status, details = get_json(server, "/datasets?details=1")
    ds = details["datasets"][0]
    assert ds["spatialRef"] == "EPSG:4326"
    np.testing.assert_allclose(ds["bbox"], [-30, -20, 40, 30])
    assert sorted(v["name"] for v in ds["variables"]) == ["cls", "tas", "tas_max"]
    tas = next(v for v in ds["variables"] if v["name"] == "tas")
    assert tas["timeChunkSize"] == 2 and tas["dims"] == ["time", "lat", "lon"]
    # The zoom range as xcube Server reports it for these levels (the Viewer zooms to max + 3).
    from xcube.core.tilingscheme import TilingScheme
    levels = TilingScheme.GEOGRAPHIC.get_levels_for_resolutions([0.5 * 2 ** k for k in range(4)], "degrees")
    assert (tas["tileLevelMin"], tas["tileLevelMax"]) == levels == (0, 1)
    # Colour-bar defaults: the range of the coarsest level at the last step.
    top = level(server, 3)["tas"].values[-1]
    assert tas["colorBarMin"] == pytest.approx(float(np.nanmin(top)), rel=1e-6)
    assert tas["colorBarMax"] == pytest.approx(float(np.nanmax(top)), rel=1e-6)
    times = ds["dimensions"][0]["coordinates"]
    assert times == [str(t)[:19] + "Z" for t in cube.time.values.astype("datetime64[s]")]
    assert get_json(server, "/datasets/pyr")[1]["id"] == "pyr"


def pixel_centres(crs, z, y, x):
    n = 256
    i = np.arange(n) + 0.5
    if crs == "OGC:CRS84":
        pixel = 180 / (n << z)
        lon = -180 + (x * n + i) * pixel
        lat = 90 - (y * n + i) * pixel
        step = pixel
    else:
        half = math.pi * 6378137.0
        pixel = 2 * half / (n << z)
        lon = (-half + (x * n + i) * pixel) / 6378137.0 * 180 / math.pi
        lat = np.degrees(np.arctan(np.sinh((half - (y * n + i) * pixel) / 6378137.0)))
        step = pixel / 6378137.0 * 180 / math.pi
    LON, LAT = np.meshgrid(lon, lat)
    return LON, LAT, step


@pytest.mark.parametrize("crs,z,y,x", [("OGC:CRS84", 2, 1, 3), ("OGC:CRS84", 0, 0, 0), ("EPSG:3857", 0, 0, 0), ("EPSG:3857", 3, 3, 4)])
@pytest.mark.parametrize("time", [1, 0, 2])
def test_tile_pixels_are_the_nearest_level_values_under_the_colour_map(server, crs, z, y, x, time):
    """Every step of a tile position: the later ones reuse the position's pixel placement, and
    read one step of the cube's two-step Blosc chunks (step 1 lies inside its chunk)."""
    vmin, vmax = 240.0, 300.0
    date = f"2020-01-0{time + 1}"
    status, headers, png = get(server, f"/tiles/pyr/tas/{z}/{y}/{x}?crs={crs}&time={date}&vmin={vmin}&vmax={vmax}&cmap=Greys")
    assert status == 200 and headers["Content-Type"] == "image/png", png[:200]
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    assert image.shape == (256, 256, 4)
    lon, lat, step = pixel_centres(crs, z, y, x)
    k = max(k for k in range(4) if RES * 2 ** k <= step * (1 + 1e-9)) if RES <= step else 0
    res = RES * 2 ** k
    values = level(server, k)["tas"].values[time]
    cols = np.floor((lon + 30) / res + 1e-12).astype(int)
    rows = np.floor((30 - lat) / res + 1e-12).astype(int)
    inside = (cols >= 0) & (cols < values.shape[1]) & (rows >= 0) & (rows < values.shape[0])
    v = np.full(lon.shape, np.nan)
    v[inside] = values[rows[inside], cols[inside]]
    opaque = ~np.isnan(v)
    t = np.clip((v - vmin) / (vmax - vmin), 0, 1)
    grey = np.floor(255 - 255 * t + 0.5)
    assert opaque.sum() > 100, "the tile shows the cube"
    np.testing.assert_array_equal(image[..., 3], np.where(opaque, 255, 0))
    for channel in range(3):
        np.testing.assert_array_equal(image[..., channel][opaque], grey[opaque])


def test_colour_maps_and_cache(server):
    for cmap in ("viridis", "plasma", "RdBu", "Greys"):
        status, headers, png = get(server, f"/tiles/pyr/tas/2/1/3?crs=OGC:CRS84&cmap={cmap}")
        assert status == 200 and png[:8] == b"\x89PNG\r\n\x1a\n"
    first = get(server, "/tiles/pyr/cls/1/0/1?crs=OGC:CRS84")[2]
    assert get(server, "/tiles/pyr/cls/1/0/1?crs=OGC:CRS84")[2] == first


def test_point_time_series_is_the_cube_column(server, cube):
    lon, lat = 10.3, 5.1
    status, answer = get_json(server, "/timeseries/pyr/tas", json.dumps({"type": "Point", "coordinates": [lon, lat]}).encode())
    assert status == 200
    column = cube["tas"].sel(lon=lon, lat=lat, method="nearest").values
    times = [str(t)[:19] + "Z" for t in cube.time.values.astype("datetime64[s]")]
    assert [item["time"] for item in answer["result"]] == times
    got = np.array([np.nan if item["mean"] is None else item["mean"] for item in answer["result"]])
    np.testing.assert_allclose(got, column, rtol=1e-6, equal_nan=True)
    # A Feature wrapping the point, and a date range.
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [lon, lat]}}
    status, answer = get_json(server, "/timeseries/pyr/tas?startDate=2020-01-02&endDate=2020-01-03", json.dumps(feature).encode())
    assert [item["time"] for item in answer["result"]] == times[1:]
    # Outside the cube: an empty series.
    assert get_json(server, "/timeseries/pyr/tas", json.dumps({"type": "Point", "coordinates": [100, 60]}).encode())[1]["result"] == []


def inside(ring, x, y):
    """Even-odd rule, as the server (pixel centres against the ring)."""
    result = np.zeros(x.shape, bool)
    j = len(ring) - 1
    for i in range(len(ring)):
        (xi, yi), (xj, yj) = ring[i], ring[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            crosses = ((yi > y) != (yj > y)) & (x < (xj - xi) * (y - yi) / (yj - yi) + xi)
        result ^= crosses
        j = i
    return result


def test_polygon_time_series_aggregates_the_pixels_inside(server, cube):
    ring = [[0.1, 0.2], [7.3, 0.2], [7.3, 4.9], [3.0, 8.1], [0.1, 4.9], [0.1, 0.2]]
    status, answer = get_json(server, "/timeseries/pyr/tas?aggMethods=mean,count,max,std,median",
                              json.dumps({"type": "Polygon", "coordinates": [ring]}).encode())
    assert status == 200
    lon, lat = np.meshgrid(cube.lon.values, cube.lat.values)
    mask = inside(ring, lon, lat)
    assert 100 < mask.sum() < 400
    for t, item in enumerate(answer["result"]):
        values = cube["tas"].values[t][mask]
        valid = values[~np.isnan(values)]
        assert item["count"] == valid.size
        assert item["mean"] == pytest.approx(float(valid.astype(np.float64).mean()), rel=1e-6)
        assert item["max"] == pytest.approx(float(valid.max()), rel=1e-7)
        # What the xcube Viewer asks for with "mean,std" and "median": numpy's population std, median.
        assert item["std"] == pytest.approx(float(valid.astype(np.float64).std()), rel=1e-6)
        assert item["median"] == pytest.approx(float(np.median(valid.astype(np.float64))), rel=1e-7)


def test_statistics_colorbars_and_places(server, cube):
    status, answer = get_json(server, "/statistics/pyr/tas?lon=-12.2&lat=21.7&time=2020-01-03")
    assert status == 200
    assert answer["result"]["value"] == pytest.approx(float(cube["tas"].sel(lon=-12.2, lat=21.7, method="nearest").values[2]), rel=1e-6)
    assert get_json(server, "/statistics/pyr/tas?lon=120&lat=60")[1]["result"]["value"] is None
    status, bars = get_json(server, "/colorbars")
    names = [bar[0] for group in bars for bar in group[2]]
    assert names == ["viridis", "plasma", "Greys", "RdBu"]
    greys = np.asarray(Image.open(io.BytesIO(base64.b64decode(bars[0][2][2][1]))).convert("RGB"))
    assert greys.shape == (1, 256, 3) and tuple(greys[0, 0]) == (255, 255, 255) and tuple(greys[0, 255]) == (0, 0, 0)
    status, places = get_json(server, "/places")
    assert status == 200 and places["placeGroups"] == [] and places["features"] == []


@pytest.mark.parametrize("path,body,status,words", [
    ("/datasets/nope", None, 404, "no dataset 'nope'"),
    ("/tiles/nope/tas/0/0/0", None, 404, "no dataset 'nope'"),
    ("/tiles/pyr/nope/0/0/0", None, 404, "no variable 'nope'"),
    ("/tiles/pyr/tas/0/0/5?crs=OGC:CRS84", None, 400, "outside the 2 × 1 tile matrix"),
    ("/tiles/pyr/tas/0/1/0", None, 400, "outside the 1 × 1 tile matrix"),
    ("/tiles/pyr/tas/40/0/0", None, 400, "zoom level 40"),
    ("/tiles/pyr/tas/x/0/0", None, 400, "z 'x' is not a whole number"),
    ("/tiles/pyr/tas/0/0/0?crs=EPSG:2056", None, 400, "crs 'EPSG:2056'"),
    ("/tiles/pyr/tas/0/0/0?cmap=jet", None, 400, "cmap 'jet'"),
    ("/tiles/pyr/tas/0/0/0?vmin=cold", None, 400, "vmin 'cold'"),
    ("/tiles/pyr/tas/0/0/0?time=yesterday", None, 400, "time 'yesterday'"),
    ("/timeseries/pyr/tas", b"{not json", 400, "not JSON"),
    ("/timeseries/pyr/tas", b'{"type": "Point"}', 400, "without \"coordinates\""),
    ("/timeseries/pyr/tas", b'{"type": "Point", "coordinates": [500, 0]}', 400, "[longitude, latitude]"),
    ("/timeseries/pyr/tas", b'{"type": "LineString", "coordinates": [[0, 0], [1, 1]]}', 400, "LineString"),
    ("/timeseries/pyr/tas?aggMethods=mode", b'{"type": "Point", "coordinates": [0, 0]}', 400, "aggMethods 'mode'"),
    ("/datasets/..%2F..%2F..%2Fetc%2Fpasswd", None, 404, "no dataset"),
    ("/tiles/..%2F..%2Fetc/passwd/0/0/0", None, 404, "no dataset"),
    ("/no/such/endpoint", None, 404, ""),
])
def test_bad_requests_answer_4xx_json(server, path, body, status, words):
    got, answer = get_json(server, path, body)
    assert got == status, answer
    assert answer["error"]["status"] == status and words in answer["error"]["message"], answer


def test_huge_polygon_is_refused(server):
    ring = [[10 * math.cos(a), 10 * math.sin(a)] for a in np.linspace(0, 2 * math.pi, 100_001)]
    got, answer = get_json(server, "/timeseries/pyr/tas", json.dumps({"type": "Polygon", "coordinates": [ring]}).encode())
    assert got == 413 and "vertices" in answer["error"]["message"]


def test_concurrent_tiles_and_the_access_log(server):
    paths = [f"/tiles/pyr/{var}/{z}/{y}/{x}?crs=OGC:CRS84&time={t}" for var in ("tas", "tas_max") for z, y, x in
             [(1, 0, 1), (1, 0, 2), (2, 1, 3), (2, 1, 4), (3, 2, 7), (3, 3, 8)] for t in ("2020-01-01", "2020-01-03")]
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda p: get(server, p), paths))
    assert all(status == 200 for status, _, _ in results)
    assert get(server, "/datasets/nope")[0] == 404
    # The access log is written as each answer is sent; a loaded machine may take a moment.
    deadline = time.monotonic() + 10
    needles = ["GET /tiles/pyr/tas/1/0/1?crs=OGC:CRS84&time=2020-01-01 200", "GET /datasets/nope 404"]
    while time.monotonic() < deadline and not all(n in "".join(server["log"]) for n in needles):
        time.sleep(0.05)
    log = "".join(server["log"])
    assert "GET /datasets?details=1 200" in log or "GET /datasets 200" in log, log[-2000:]
    assert "GET /tiles/pyr/tas/1/0/1?crs=OGC:CRS84&time=2020-01-01 200" in log, log[-2000:]
    assert "GET /datasets/nope 404" in log


def test_sigint_stops_the_server_cleanly_and_unknown_cubes_are_one_line_errors(server, tmp_path):
    process = subprocess.Popen([str(BIN / "cubegen"), "serve", str(server["tmp"] / "pyr.zarr"), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert "http://127.0.0.1:" in line
    url = line.split()[3].rstrip("/")
    with urllib.request.urlopen(url + "/datasets", timeout=10) as response:
        assert response.status == 200
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 0
    result = subprocess.run([str(BIN / "cubegen"), "serve", str(tmp_path / "missing.zarr"), "--port", "0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "missing.zarr" in lines[0], result.stderr


def test_time_series_come_from_the_time_series_copy(tmp_path, binaries):
    """With NAME.ts.zarr beside the cube, series read the copy: they still equal the cube's column
    after the cube's own tas chunks are gone (tiles, which read the cube, then show nothing)."""
    from test_timeseries_copy import build as build_with_copy
    build_with_copy(tmp_path, DAYS, "{time: 512, y: 32, x: 32}")
    cube = xr.open_zarr(tmp_path / "pyr.zarr").load()
    column = cube["tas"].sel(lon=10.3, lat=5.1, method="nearest").values
    for chunk in (tmp_path / "pyr.zarr" / "tas").iterdir():
        if not chunk.name.startswith("."):
            chunk.unlink()
    process = subprocess.Popen([str(BIN / "cubegen"), "serve", str(tmp_path / "pyr.zarr"), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert "http://127.0.0.1:" in line, line + process.stderr.read()
        served = {"url": line.split()[3].rstrip("/")}
        status, answer = get_json(served, "/timeseries/pyr/tas", json.dumps({"type": "Point", "coordinates": [10.3, 5.1]}).encode())
        assert status == 200
        got = np.array([np.nan if item["mean"] is None else item["mean"] for item in answer["result"]])
        np.testing.assert_allclose(got, column, rtol=1e-6, equal_nan=True)
        assert not np.isnan(got).all()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0


def test_gdal_reads_the_wmts_capabilities_and_a_tile(server, tmp_path):
    """GDAL's WMTS driver (an independent client) lists the layers and reads the zoom-0 tile, which
    holds exactly the pixels of /tiles/…/0/0/0 (EPSG:3857, last step, colour-bar range, viridis)."""
    status, headers, xml = get(server, "/wmts/1.0.0/WMTSCapabilities.xml")
    assert status == 200 and headers["Content-Type"] == "application/xml" and b"<Capabilities" in xml
    capabilities = f"WMTS:{server['url']}/wmts/1.0.0/WMTSCapabilities.xml"
    # GDAL caches WMTS tiles in ./gdalwmscache unless told otherwise: keep it out of the repository.
    env = {**os.environ, "GDAL_DEFAULT_WMS_CACHE_PATH": str(tmp_path / "gdalwmscache")}
    info = subprocess.run(["gdalinfo", capabilities], capture_output=True, text=True, timeout=120, env=env)
    assert info.returncode == 0, info.stderr
    for layer in ("pyr.tas", "pyr.cls", "pyr.tas_max"):
        assert f"layer={layer}" in info.stdout, info.stdout
    out = tmp_path / "wmts.png"
    translate = subprocess.run(["gdal_translate", "-q", "-of", "PNG", "-outsize", "256", "256", f"{capabilities},layer=pyr.tas", str(out)],
                               capture_output=True, text=True, timeout=120, env=env)
    assert translate.returncode == 0, translate.stderr
    theirs = np.asarray(Image.open(out).convert("RGBA"))
    mine = np.asarray(Image.open(io.BytesIO(get(server, "/tiles/pyr/tas/0/0/0")[2])).convert("RGBA"))
    assert (mine[..., 3] == 255).sum() > 100
    np.testing.assert_array_equal(theirs, mine)
    assert get(server, "/wmts/1.0.0/tile/pyr/tas/0/0/1.png")[0] == 400
    assert get(server, "/wmts/1.0.0/tile/pyr/tas/9/0/0.png")[0] == 400
    # WorldCRS84Quad: GDAL's zoom-0 read of the 360° × 180° set is the two CRS84 tiles side by side.
    out = tmp_path / "wmts84.png"
    translate = subprocess.run(["gdal_translate", "-q", "-of", "PNG", "-outsize", "512", "256",
                                f"{capabilities},layer=pyr.tas,tilematrixset=WorldCRS84Quad", str(out)],
                               capture_output=True, text=True, timeout=120, env=env)
    assert translate.returncode == 0, translate.stderr
    theirs = np.asarray(Image.open(out).convert("RGBA"))
    mine = np.concatenate([np.asarray(Image.open(io.BytesIO(get(server, f"/tiles/pyr/tas/0/0/{x}?crs=OGC:CRS84")[2])).convert("RGBA"))
                           for x in (0, 1)], axis=1)
    assert (mine[..., 3] == 255).sum() > 100
    np.testing.assert_array_equal(theirs, mine)
