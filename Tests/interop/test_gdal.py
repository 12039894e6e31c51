"""GDAL (3.6, Debian's gdal-bin) reads CubeGen's Zarr v2 cubes: CRS, geotransform, nodata and
values agree with xarray's reading."""
import json
import subprocess

import numpy as np
import xarray as xr

from conftest import cubegen
from test_interop import recipe, write_input


def gdal_json(target):
    out = subprocess.run(["gdalinfo", "-json", target], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_gdal_reads_crs_geotransform_and_values(tmp_path, binaries):
    write_input(tmp_path / "in_1.nc", [7305.0, 7306.0])
    # GDAL 3.6 reads a Zarr array's CRS only from the `_CRS` object attribute: output.gdal_crs.
    r = recipe(tmp_path, "  crs: EPSG:3035\n  bbox: [2500000, 1400000, 7500000, 5500000]\n  resolution: 50000",
               extra="  gdal_crs: true\n")
    cubegen("run", r, check=True)
    target = f'ZARR:"{tmp_path / "cube.zarr"}":/tas:1'
    info = gdal_json(target)
    assert info["size"] == [100, 82]
    assert info["geoTransform"] == [2500000.0, 50000.0, 0.0, 5500000.0, 0.0, -50000.0]
    assert 'ID["EPSG",3035]' in info["coordinateSystem"]["wkt"].replace("\n", "").replace(" ", "")
    assert str(info["bands"][0]["noDataValue"]).lower() == "nan"
    ds = xr.open_zarr(tmp_path / "cube.zarr")
    for x, y in [(4325000.0, 3225000.0), (2525000.0, 5475000.0), (7475000.0, 1425000.0)]:
        out = subprocess.run(["gdallocationinfo", "-valonly", "-geoloc", target, str(x), str(y)],
                             capture_output=True, text=True, check=True)
        expected = float(ds.tas.isel(time=1).sel(x=x, y=y))
        got = float(out.stdout.strip())
        assert (np.isnan(expected) and np.isnan(got)) or abs(got - expected) < 1e-4, (x, y, got, expected)
