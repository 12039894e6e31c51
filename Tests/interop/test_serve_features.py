"""`cubegen serve`: POST /statistics, the WMTS time dimension (capabilities, RESTful and KVP tiles)
and the colour-bar images, on the real binary over loopback (the fixtures of test_serve.py).

Statistics are checked against numpy over the cube pixels whose centres are inside the polygon
(which xcube's own `mask_dataset_by_geometry`, the code xcube Server 1.14 runs for this endpoint,
keeps too, inside the window it clips to), histogram included
(`np.histogram(..., 100, range=(min, max), density=True)`); WMTS tiles at a time equal the
`/tiles` tiles at that time (whose pixels test_serve.py checks against the level values), and
differ between time steps."""
import base64
import io
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import xarray as xr
from PIL import Image
from xcube.core.geom import mask_dataset_by_geometry

from test_serve import cube, get, get_json, inside, server  # noqa: F401  (module fixtures)

WMTS = "{http://www.opengis.net/wmts/1.0}"
OWS = "{http://www.opengis.net/ows/1.1}"
RING = [[0.1, 0.2], [7.3, 0.2], [7.3, 4.9], [3.0, 8.1], [0.1, 4.9], [0.1, 0.2]]


def post_statistics(server, path, geometry):
    return get_json(server, path, json.dumps(geometry).encode())


def test_polygon_statistics_are_numpys_over_xcubes_mask(server, cube):
    polygon = {"type": "Polygon", "coordinates": [RING]}
    status, answer = post_statistics(server, "/statistics/pyr/tas?time=2020-01-02", polygon)
    assert status == 200, answer
    result = answer["result"]
    # The pixels: those whose centres are inside the polygon (numpy's even-odd rule, test_serve.py).
    lon, lat = np.meshgrid(cube.lon.values, cube.lat.values)
    mask = inside(RING, lon, lat)
    values = cube["tas"].values[1][mask]
    valid = values[~np.isnan(values)].astype(np.float64)
    # xcube's own mask_dataset_by_geometry (what xcube Server runs) agrees inside the window it
    # clips to; its clipping drops the bottom row here (centres at 0.25° N, inside the ring from
    # 0.2° N), which is xcube's rounding, not a rule the server copies.
    masked = mask_dataset_by_geometry(cube[["tas"]].isel(time=1), {"type": "Polygon", "coordinates": [RING]})
    window = xr.DataArray(mask, coords={"lat": cube.lat, "lon": cube.lon}, dims=("lat", "lon")).sel(lat=masked.lat, lon=masked.lon)
    np.testing.assert_array_equal(masked["tas"].notnull().values, window.values & cube["tas"].isel(time=1).sel(
        lat=masked.lat, lon=masked.lon).notnull().values)
    assert result["count"] == valid.size > 100
    assert result["minimum"] == pytest.approx(valid.min(), rel=1e-7)
    assert result["maximum"] == pytest.approx(valid.max(), rel=1e-7)
    assert result["mean"] == pytest.approx(valid.mean(), rel=1e-7)
    assert result["deviation"] == pytest.approx(valid.std(), rel=1e-6)
    density, edges = np.histogram(valid, 100, range=(valid.min(), valid.max()), density=True)
    np.testing.assert_allclose(result["histogram"]["edges"], edges, rtol=1e-12)
    np.testing.assert_allclose(result["histogram"]["values"], density, rtol=1e-9)
    # Another time step, another answer; no time: the first step (xcube's rule).
    other = post_statistics(server, "/statistics/pyr/tas?time=2020-01-03", polygon)[1]["result"]
    assert other["mean"] != result["mean"]
    first = post_statistics(server, "/statistics/pyr/tas", polygon)[1]["result"]
    valid0 = cube["tas"].values[0][inside(RING, lon, lat)]
    assert first["mean"] == pytest.approx(float(np.nanmean(valid0.astype(np.float64))), rel=1e-7)


def test_point_statistics_and_empty_answers(server, cube):
    lon, lat = -12.2, 21.7
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [lon, lat]}}
    status, answer = post_statistics(server, "/statistics/pyr/tas?time=2020-01-03", feature)
    value = float(cube["tas"].sel(lon=lon, lat=lat, method="nearest").values[2])
    assert status == 200 and not np.isnan(value)
    assert answer["result"] == {"count": 1, "minimum": pytest.approx(value, rel=1e-7), "maximum": pytest.approx(value, rel=1e-7),
                                "mean": pytest.approx(value, rel=1e-7), "deviation": 0.0}
    assert "histogram" not in answer["result"]
    # Outside the cube, and a polygon over the all-missing block (5°–6° N … 10°–15° N in the input): count 0.
    assert post_statistics(server, "/statistics/pyr/tas", {"type": "Point", "coordinates": [120, 60]})[1]["result"] == {"count": 0}
    hole = [[1.2, 11.2], [4.8, 11.2], [4.8, 13.8], [1.2, 13.8], [1.2, 11.2]]
    values = cube["tas"].sel(lon=slice(1.2, 4.8), lat=slice(13.8, 11.2)).values
    if np.isnan(values[0]).all():
        assert post_statistics(server, "/statistics/pyr/tas?time=2020-01-01", {"type": "Polygon", "coordinates": [hole]})[1]["result"] == {"count": 0}
    # Bad requests: 4xx JSON errors.
    status, error = get_json(server, "/statistics/pyr/tas", b"{oops")
    assert status == 400 and "not JSON" in error["error"]["message"]
    status, error = post_statistics(server, "/statistics/pyr/nope", {"type": "Point", "coordinates": [0, 0]})
    assert status == 404 and "nope" in error["error"]["message"]
    status, error = post_statistics(server, "/statistics/pyr/tas?time=someday", {"type": "Point", "coordinates": [0, 0]})
    assert status == 400 and "someday" in error["error"]["message"]


def capabilities(server, path="/wmts/1.0.0/WMTSCapabilities.xml"):
    status, headers, xml = get(server, path)
    assert status == 200 and headers["Content-Type"] == "application/xml", xml[:300]
    return ET.fromstring(xml)


def test_wmts_capabilities_list_the_time_dimension(server, cube):
    root = capabilities(server)
    times = [str(t)[:19] + "Z" for t in cube.time.values.astype("datetime64[s]")]
    layers = root.findall(f"{WMTS}Contents/{WMTS}Layer")
    assert sorted(layer.find(f"{OWS}Identifier").text for layer in layers) == ["pyr.cls", "pyr.tas", "pyr.tas_max"]
    for layer in layers:
        dimension = layer.find(f"{WMTS}Dimension")
        assert dimension.find(f"{OWS}Identifier").text == "time"
        assert dimension.find(f"{OWS}UOM").text == "ISO8601"
        assert dimension.find(f"{WMTS}Default").text == "current"
        assert [v.text for v in dimension.findall(f"{WMTS}Value")] == times
        template = layer.find(f"{WMTS}ResourceURL").get("template")
        assert "{Time}" in template and template.endswith("{TileCol}.png?time={Time}")
    # The KVP GetCapabilities is the same document.
    kvp = capabilities(server, "/wmts/kvp?service=WMTS&request=GetCapabilities&version=1.0.0")
    assert ET.tostring(kvp) == ET.tostring(root)


def png(server, path):
    status, headers, data = get(server, path)
    assert status == 200 and headers["Content-Type"] == "image/png", (path, data[:300])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


@pytest.mark.parametrize("z,y,x", [(1, 0, 1), (2, 1, 2)])
def test_wmts_tiles_take_the_time(server, cube, z, y, x):
    tiles = {}
    for t, day in enumerate(["2020-01-01", "2020-01-02", "2020-01-03"]):
        expected = png(server, f"/tiles/pyr/tas/{z}/{y}/{x}?crs=EPSG:3857&time={day}")
        assert (expected[..., 3] == 255).sum() > 100
        rest = png(server, f"/wmts/1.0.0/tile/pyr/tas/{z}/{y}/{x}.png?time={day}T00:00:00Z")
        kvp = png(server, f"/wmts/kvp?Service=WMTS&Request=GetTile&Version=1.0.0&Layer=pyr.tas&Style=default&Format=image/png"
                          f"&TileMatrixSet=WebMercatorQuad&TileMatrix={z}&TileRow={y}&TileCol={x}&Time={day}")
        np.testing.assert_array_equal(rest, expected, err_msg=f"RESTful {day}")
        np.testing.assert_array_equal(kvp, expected, err_msg=f"KVP {day}")
        tiles[t] = rest
    assert not np.array_equal(tiles[0], tiles[2])
    # `current` and no time: the last step; an interval: its start (xcube's rule).
    np.testing.assert_array_equal(png(server, f"/wmts/1.0.0/tile/pyr/tas/{z}/{y}/{x}.png?time=current"), tiles[2])
    np.testing.assert_array_equal(png(server, f"/wmts/1.0.0/tile/pyr/tas/{z}/{y}/{x}.png"), tiles[2])
    interval = "2020-01-01T00:00:00Z/2020-01-02T00:00:00Z"
    np.testing.assert_array_equal(png(server, f"/wmts/1.0.0/tile/pyr/tas/{z}/{y}/{x}.png?time={interval}"), tiles[0])


def test_wmts_offers_world_crs84_quad_too(server, cube):
    """OGC's WorldCRS84Quad beside WebMercatorQuad: two 180° tiles at zoom 0, the top left corner
    in CRS84's longitude, latitude order; its tiles (RESTful with the set in the path, and KVP) are
    the `/tiles/…?crs=OGC:CRS84` tiles, and WebMercatorQuad by its name is the path without one."""
    root = capabilities(server)
    sets = {s.find(f"{OWS}Identifier").text: s for s in root.findall(f"{WMTS}Contents/{WMTS}TileMatrixSet")}
    assert sorted(sets) == ["WebMercatorQuad", "WorldCRS84Quad"]
    world = sets["WorldCRS84Quad"]
    assert world.find(f"{OWS}SupportedCRS").text == "urn:ogc:def:crs:OGC:1.3:CRS84"
    zero = world.findall(f"{WMTS}TileMatrix")[0]
    assert (zero.find(f"{WMTS}MatrixWidth").text, zero.find(f"{WMTS}MatrixHeight").text) == ("2", "1")
    assert zero.find(f"{WMTS}TopLeftCorner").text == "-180 90"
    assert abs(float(zero.find(f"{WMTS}ScaleDenominator").text) - 279541132.0143589) < 1e-3
    for layer in root.findall(f"{WMTS}Contents/{WMTS}Layer"):
        linked = [link.find(f"{WMTS}TileMatrixSet").text for link in layer.findall(f"{WMTS}TileMatrixSetLink")]
        assert linked == ["WebMercatorQuad", "WorldCRS84Quad"]
        assert "/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png" in layer.find(f"{WMTS}ResourceURL").get("template")
    for z, y, x in [(0, 0, 1), (1, 0, 2), (1, 1, 1)]:
        expected = png(server, f"/tiles/pyr/tas/{z}/{y}/{x}?crs=OGC:CRS84&time=2020-01-02")
        assert (expected[..., 3] == 255).sum() > 100
        rest = png(server, f"/wmts/1.0.0/tile/pyr/tas/WorldCRS84Quad/{z}/{y}/{x}.png?time=2020-01-02T00:00:00Z")
        kvp = png(server, f"/wmts/kvp?Service=WMTS&Request=GetTile&Version=1.0.0&Layer=pyr.tas&Format=image/png"
                          f"&TileMatrixSet=WorldCRS84Quad&TileMatrix={z}&TileRow={y}&TileCol={x}&Time=2020-01-02")
        np.testing.assert_array_equal(rest, expected)
        np.testing.assert_array_equal(kvp, expected)
    np.testing.assert_array_equal(png(server, "/wmts/1.0.0/tile/pyr/tas/WebMercatorQuad/1/0/1.png"),
                                  png(server, "/wmts/1.0.0/tile/pyr/tas/1/0/1.png"))
    # Outside the 2 × 1 matrix, or an unknown set: 400.
    assert get(server, "/wmts/1.0.0/tile/pyr/tas/WorldCRS84Quad/0/1/0.png")[0] == 400
    status, error = get_json(server, "/wmts/1.0.0/tile/pyr/tas/GoogleCRS84Quad/0/0/0.png")
    assert status == 400 and "GoogleCRS84Quad" in error["error"]["message"]


@pytest.mark.parametrize("query,words", [
    ("service=WMS&request=GetTile", "SERVICE must be WMTS"),
    ("service=WMTS&request=GetMap", "REQUEST 'GetMap'"),
    ("service=WMTS&request=GetCapabilities&version=2.0.0", "VERSION '2.0.0'"),
    ("service=WMTS&request=GetTile&layer=tas&tilematrix=0&tilerow=0&tilecol=0", "LAYER 'tas'"),
    ("service=WMTS&request=GetTile&layer=pyr.tas&tilematrix=0&tilerow=0", "TILECOL"),
    ("service=WMTS&request=GetTile&layer=pyr.tas&tilematrix=0&tilerow=0&tilecol=0&format=image/jpeg", "FORMAT"),
    ("service=WMTS&request=GetTile&layer=pyr.tas&tilematrixset=GoogleCRS84Quad&tilematrix=0&tilerow=0&tilecol=0", "TILEMATRIXSET"),
    ("service=WMTS&request=GetTile&layer=pyr.tas&tilematrix=0&tilerow=0&tilecol=1", "outside"),
    ("service=WMTS&request=GetTile&layer=pyr.tas&tilematrix=0&tilerow=0&tilecol=0&time=never", "time 'never'"),
])
def test_bad_wmts_kvp_requests_answer_400(server, query, words):
    status, error = get_json(server, "/wmts/kvp?" + query)
    assert status == 400 and words in error["error"]["message"], error


def test_unknown_wmts_layer_dataset_is_404(server):
    status, error = get_json(server, "/wmts/kvp?service=WMTS&request=GetTile&layer=nope.tas&tilematrix=0&tilerow=0&tilecol=0")
    assert status == 404 and "no dataset 'nope'" in error["error"]["message"]


def test_colorbar_images_are_one_row_as_xcubes(server):
    """xcube's get_cmap_png_base64 draws a 256 × 1 image; each of ours is one row of the ramp."""
    status, bars = get_json(server, "/colorbars")
    images = {name: np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGBA"))
              for group in bars for name, data in group[2]}
    for name, image in images.items():
        assert image.shape == (1, 256, 4), name
        assert (image[..., 3] == 255).all()
    greys = images["Greys"][0]
    np.testing.assert_array_equal(greys[:, 0], np.floor(255 - np.arange(256) + 0.5).astype(np.uint8))


def test_gdal_fills_the_time_dimension_of_the_template(server, tmp_path):
    """GDAL's WMTS driver puts the dimension's default (`current`) into `{Time}`; the tile it reads
    is the last step's."""
    import os
    import subprocess
    capabilities = f"WMTS:{server['url']}/wmts/1.0.0/WMTSCapabilities.xml,layer=pyr.tas"
    env = {**os.environ, "GDAL_DEFAULT_WMS_CACHE_PATH": str(tmp_path / "gdalwmscache")}
    out = tmp_path / "wmts.png"
    result = subprocess.run(["gdal_translate", "-q", "-of", "PNG", "-outsize", "256", "256", capabilities, str(out)],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert any("/wmts/1.0.0/tile/pyr/tas/WebMercatorQuad/0/0/0.png?time=current 200" in line for line in server["log"]), server["log"][-5:]
    theirs = np.asarray(Image.open(out).convert("RGBA"))
    np.testing.assert_array_equal(theirs, png(server, "/tiles/pyr/tas/0/0/0?crs=EPSG:3857&time=2020-01-03"))
