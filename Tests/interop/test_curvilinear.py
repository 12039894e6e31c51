"""Curvilinear sources (CF 2-D lon(y, x)/lat(y, x): swaths, rotated-pole model grids) rectified onto
a target grid. Inputs are written with netCDF4-python; the truth is computed with pyproj and numpy."""
import netCDF4
import numpy as np
import xarray as xr
from pyproj import Transformer

from conftest import cubegen
from test_interop import open_cube


def field(lon, lat):
    return 250 + 0.1 * lon + 0.5 * lat


def smooth_field(lon, lat):
    """Continuous across the antimeridian."""
    return 250 + 5 * np.cos(np.radians(lon)) + 0.5 * lat


def write_curvilinear(path, lon2d, lat2d, fill_mask=None, values=field):
    ny, nx = lon2d.shape
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.createDimension("time", None)
        nc.createDimension("y", ny)
        nc.createDimension("x", nx)
        t = nc.createVariable("time", "f8", ("time",))
        t.units, t.calendar = "days since 2000-01-01", "standard"
        t[0] = 7305.0
        lon = nc.createVariable("lon", "f8", ("y", "x"), fill_value=-999.0)
        lon.standard_name, lon.units = "longitude", "degrees_east"
        lat = nc.createVariable("lat", "f8", ("y", "x"), fill_value=-999.0)
        lat.standard_name, lat.units = "latitude", "degrees_north"
        masked = fill_mask if fill_mask is not None else np.zeros_like(lon2d, dtype=bool)
        lon[:] = np.ma.masked_where(masked, lon2d)
        lat[:] = np.ma.masked_where(masked, lat2d)
        tas = nc.createVariable("tas", "f4", ("time", "y", "x"), fill_value=np.float32(-9999))
        tas.units, tas.coordinates = "K", "lon lat"
        tas[0] = np.ma.masked_where(masked, values(np.where(lon2d > 180, lon2d - 360, lon2d), lat2d))


def recipe(tmp_path, grid, resampling):
    text = f"""version: 1
cube: {{id: curvi, title: Curvilinear test, license: CC0-1.0}}
grid:
{grid}
sources:
  - name: swath
    store: netcdf
    paths: [swath.nc]
    variables:
      tas: {{resampling: {resampling}}}
output:
  path: {resampling}.zarr
  chunks: {{time: 1, y: 16, x: 16}}
"""
    path = tmp_path / f"{resampling}.yaml"
    path.write_text(text)
    return path


def target_lonlat(ds, crs):
    X, Y = np.meshgrid(ds.x.values, ds.y.values)
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(X, Y)


def test_affine_swath_bilinear_is_exact_nearest_picks_the_nearest_cell(tmp_path, binaries):
    j, i = np.mgrid[0:40, 0:60].astype(float)
    lon2d, lat2d = 5 + 0.25 * i + 0.05 * j, 42 - 0.02 * i + 0.2 * j
    write_curvilinear(tmp_path / "swath.nc", lon2d, lat2d)
    grid = "  crs: EPSG:3035\n  bbox: [3800000, 2200000, 5000000, 3400000]\n  resolution: 25000"
    for method in ["bilinear", "nearest"]:
        cubegen("run", recipe(tmp_path, grid, method), check=True)
    bil, near = open_cube(tmp_path / "bilinear.zarr"), open_cube(tmp_path / "nearest.zarr")
    lon, lat = target_lonlat(bil, "EPSG:3035")
    # Fractional source indices by inverting the affine geolocation exactly.
    a = np.array([[0.25, 0.05], [-0.02, 0.2]])
    fi, fj = np.linalg.solve(a, np.stack([lon.ravel() - 5, lat.ravel() - 42])).reshape(2, *lon.shape)
    inside = (fi >= -0.5) & (fi <= 59.5) & (fj >= -0.5) & (fj <= 39.5)
    assert inside.sum() > 500 and (~inside).sum() > 500, "the swath covers part of the target"
    got = bil.tas.values[0]
    np.testing.assert_array_equal(np.isnan(got), ~inside)
    # Exact between the outer cell centres; in the outer half cells the kernel holds the edge value.
    interior = (fi >= 0) & (fi <= 59) & (fj >= 0) & (fj <= 39)
    np.testing.assert_allclose(got[interior], field(lon, lat)[interior], atol=2e-3)
    np.testing.assert_allclose(got[inside], field(lon, lat)[inside], atol=0.06)
    ni, nj = np.clip(np.floor(fi + 0.5), 0, 59).astype(int), np.clip(np.floor(fj + 0.5), 0, 39).astype(int)
    expected = field(lon2d[nj, ni], lat2d[nj, ni])
    got = near.tas.values[0]
    np.testing.assert_allclose(got[inside], expected[inside], atol=2e-3)
    ds = xr.open_zarr(tmp_path / "bilinear.zarr")
    assert "resolution=curvilinear" not in ds.tas.attrs["cubegen_lineage"]
    assert cubegen("verify", tmp_path / "bilinear.zarr").returncode == 0


def test_rotated_pole_grid_across_the_antimeridian_with_holes(tmp_path, binaries):
    # A rotated-pole model grid (0.5° in rotated coordinates) straddling 180°, stored −180…180.
    rlon, rlat = np.meshgrid(np.arange(-10, 10.01, 0.5), np.arange(-8, 8.01, 0.5))
    to_geo = Transformer.from_crs("+proj=ob_tran +o_proj=longlat +o_lon_p=0 +o_lat_p=60 +lon_0=180 +datum=WGS84",
                                  "EPSG:4326", always_xy=True)
    lon2d, lat2d = to_geo.transform(rlon, rlat)
    assert lon2d.min() < -170 and lon2d.max() > 170, "the grid crosses the antimeridian"
    holes = np.zeros_like(lon2d, dtype=bool)
    holes[10:13, 20:23] = True
    write_curvilinear(tmp_path / "swath.nc", lon2d, lat2d, fill_mask=holes, values=smooth_field)
    grid = "  crs: EPSG:4326\n  bbox: [170, 20, 190, 40]\n  resolution: 0.25"
    cubegen("run", recipe(tmp_path, grid, "bilinear"), check=True)
    ds = open_cube(tmp_path / "bilinear.zarr")
    LON, LAT = np.meshgrid(ds.lon.values, ds.lat.values)
    got = ds.tas.values[0]
    lon = np.where(LON > 180, LON - 360, LON)
    valid = ~np.isnan(got)
    assert valid.mean() > 0.5
    # Bilinear in index space on a gently curved grid: close to the smooth truth, seam included;
    # in the outer half cells the edge value is held (≤ 0.5 K/° × 0.25° there).
    err = np.abs(got[valid] - smooth_field(lon, LAT)[valid])
    assert np.median(err) < 1e-3 and np.percentile(err, 95) < 1e-3 and err.max() < 0.13, (np.median(err), err.max())
    # The hole's centre (rotated 0.25°, -2.75° … the middle cell) gives fill.
    hole_lon, hole_lat = to_geo.transform(0.5, -2.5)
    r = np.argmin(np.abs(ds.lat.values - hole_lat))
    c = np.argmin(np.abs(lon[0] - hole_lon))
    assert np.isnan(got[r, c])
