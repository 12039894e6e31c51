"""`cubegen serve` tiles of a projected cube (EPSG:3035): every tile pixel is the level pixel nearest
to its centre transformed exactly by pyproj (an independent PROJ), although the server transforms
only a lattice of centres and interpolates (TileLevelPixels): pixels near a level pixel's edge must
come out as the exact transform says. Only pixels within 1e-6 level pixels of an edge, where two
PROJ builds may round differently, are excused; there must be very few of those.
"""
import io
import signal
import subprocess

import numpy as np
import pytest
import xarray as xr
from PIL import Image
from pyproj import Transformer

from conftest import BIN, cubegen
from test_pyramid import DAYS, write_day
from test_serve import get, pixel_centres

RECIPE = """version: 1
cube: {id: serve-laea, title: Projected serve test cube, license: CC0-1.0}
grid:
  crs: EPSG:3035
  bbox: [2500000, 1400000, 6500000, 5000000]
  resolution: 50000
sources:
  - name: src
    store: netcdf
    paths: [in_*.nc]
    variables:
      tas: {resampling: bilinear}
output:
  path: laea.zarr
  chunks: {time: 2, y: 32, x: 32}
  pyramid: {levels: auto, tile: 16}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, binaries):
    tmp = tmp_path_factory.mktemp("serve-laea")
    for day in DAYS:
        write_day(tmp / f"in_{int(day)}.nc", day)
    (tmp / "laea.yaml").write_text(RECIPE)
    cubegen("run", tmp / "laea.yaml", check=True)
    process = subprocess.Popen([str(BIN / "cubegen"), "serve", str(tmp / "laea.zarr"), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    assert line.startswith("serving laea on http://127.0.0.1:"), line
    yield {"url": line.split()[3].rstrip("/"), "tmp": tmp}
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0


def levels(tmp):
    out = [xr.open_zarr(tmp / "laea.zarr").load()]
    k = 1
    while (tmp / "laea.levels" / f"{k}.zarr").exists():
        out.append(xr.open_zarr(tmp / "laea.levels" / f"{k}.zarr").load())
        k += 1
    return out


@pytest.mark.parametrize("crs,z,y,x", [("EPSG:3857", 2, 1, 2), ("EPSG:3857", 3, 2, 4), ("EPSG:3857", 4, 5, 8),
                                       ("EPSG:3857", 5, 10, 16), ("EPSG:3857", 6, 21, 33), ("OGC:CRS84", 1, 0, 2),
                                       ("OGC:CRS84", 3, 1, 8), ("OGC:CRS84", 5, 7, 33)])
def test_projected_tile_pixels_are_the_exactly_transformed_nearest_level_values(server, crs, z, y, x):
    vmin, vmax = 240.0, 300.0
    status, headers, png = get(server, f"/tiles/laea/tas/{z}/{y}/{x}?crs={crs}&time=2020-01-02&vmin={vmin}&vmax={vmax}&cmap=Greys")
    assert status == 200 and headers["Content-Type"] == "image/png", png[:200]
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    lon, lat, _ = pixel_centres(crs, z, y, x)
    to_laea = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    X, Y = to_laea.transform(lon, lat)
    # The level: the coarsest whose pixel is not larger than the tile's at its centre (x).
    size = abs(X[128, 129] - X[128, 128])
    cubes = levels(server["tmp"])
    resolutions = [float(abs(c.x.values[1] - c.x.values[0])) for c in cubes]
    k = max([k for k, r in enumerate(resolutions) if r <= size * (1 + 1e-9)], default=0)
    level = cubes[k]
    xs, ys = level.x.values, level.y.values
    fx = (X - xs[0]) / (xs[1] - xs[0]) + 0.5
    fy = (Y - ys[0]) / (ys[1] - ys[0]) + 0.5
    cols, rows = np.floor(fx).astype(int), np.floor(fy).astype(int)
    inside = np.isfinite(X) & np.isfinite(Y) & (cols >= 0) & (cols < xs.size) & (rows >= 0) & (rows < ys.size)
    values = level["tas"].values[1]
    v = np.full(lon.shape, np.nan)
    v[inside] = values[rows[inside], cols[inside]]
    opaque = ~np.isnan(v)
    grey = np.floor(255 - 255 * np.clip((v - vmin) / (vmax - vmin), 0, 1) + 0.5)
    expected = np.where(opaque, grey, 0)
    got = np.where(image[..., 3] == 255, image[..., 0], 0)
    assert opaque.sum() > 1000, "the tile shows the cube"
    edge = np.minimum(np.abs(fx - np.round(fx)), np.abs(fy - np.round(fy))) < 1e-6
    wrong = ((image[..., 3] == 255) != opaque) | (got != expected)
    assert not (wrong & ~edge).any(), f"level {k}: {int((wrong & ~edge).sum())} pixels differ from the exact transform's nearest"
    assert edge.sum() < 50, edge.sum()
