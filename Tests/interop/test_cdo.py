"""`conservative` matches CDO's first-order conservative remapping (`cdo remapcon`) on a
lat/lon → lat/lon case to 1e-5 relative, fill cells included."""
import subprocess

import netCDF4
import numpy as np
import xarray as xr

from conftest import cubegen


def test_conservative_matches_cdo_remapcon(tmp_path, binaries):
    # A 1° global source with a smooth field and a band of fill values.
    lon = np.arange(-179.5, 180, 1.0)
    lat = np.arange(89.5, -90, -1.0)
    LON, LAT = np.meshgrid(lon, lat)
    field = 280 + 20 * np.cos(np.deg2rad(LAT)) * np.sin(np.deg2rad(2 * LON)) + 0.1 * LAT
    field = np.ma.masked_where((LAT > 10) & (LAT < 13) & (LON > 30), field)
    path = tmp_path / "in.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("time", None)
        nc.createDimension("lat", lat.size)
        nc.createDimension("lon", lon.size)
        t = nc.createVariable("time", "f8", ("time",))
        t.units, t.calendar = "days since 2000-01-01", "standard"
        nc.createVariable("lat", "f8", ("lat",)).units = "degrees_north"
        nc.createVariable("lon", "f8", ("lon",)).units = "degrees_east"
        nc["lat"][:], nc["lon"][:] = lat, lon
        v = nc.createVariable("v", "f4", ("time", "lat", "lon"), fill_value=np.float32(-999))
        t[0] = 7305
        v[0] = field
    # Target: 4° × 3° cells over part of the globe.
    (tmp_path / "grid.txt").write_text(
        "gridtype = lonlat\nxsize = 30\nysize = 40\nxfirst = -58\nxinc = 4\nyfirst = 58.5\nyinc = -3\n")
    subprocess.run(["cdo", "-s", f"remapcon,{tmp_path / 'grid.txt'}", str(path), str(tmp_path / "cdo.nc")], check=True)
    (tmp_path / "r.yaml").write_text("""version: 1
cube: {id: cdo, title: cdo, license: CC0-1.0}
grid: {crs: EPSG:4326, bbox: [-60, -60, 60, 60], resolution: [4, 3]}
sources:
  - {name: s, store: netcdf, paths: [in.nc], variables: {v: {resampling: conservative}}}
output: {path: cube.zarr}
""")
    cubegen("run", tmp_path / "r.yaml", check=True)
    ours = xr.open_zarr(tmp_path / "cube.zarr").v.isel(time=0)
    cdo = xr.open_dataset(tmp_path / "cdo.nc").v.isel(time=0)
    np.testing.assert_allclose(ours.lat.values, cdo.lat.values)
    np.testing.assert_allclose(ours.lon.values, cdo.lon.values)
    a, b = ours.values.astype(np.float64), cdo.values.astype(np.float64)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    valid = ~np.isnan(a)
    assert valid.sum() > 1000
    np.testing.assert_allclose(a[valid], b[valid], rtol=1e-5)
