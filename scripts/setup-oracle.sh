#!/usr/bin/env bash
# Builds the Python venv holding the test oracles: xarray + zarr-python 3, netCDF4, pyproj,
# jsonschema, pytest, xcube (its `verify`), stac-validator, Pillow (to read quick-looks),
# tensorstore (a second, independent Zarr v3 reader: its codecs are C++, not zarr-python's) and
# s3fs (xarray/zarr-python reading cubes straight from an S3 bucket; the S3 benchmark's peer writer),
# healpy (an independent HEALPix implementation for CubeHEALPix) and mpmath (40-digit Gaussian
# quadrature weights for CubeGaussianGrid's reference) and rustac (its `rustac serve` is the STAC API
# the store: stac tests search on loopback) and selenium (drives Debian's chromium through
# chromium-driver for the xcube Viewer test; it never downloads a browser).
# Test tools only, never a runtime dependency of CubeGen.
# usage: scripts/setup-oracle.sh [VENV]   (default .venv-oracle; idempotent)
set -euo pipefail
VENV=${1:-.venv-oracle}
check="import xarray, zarr, netCDF4, h5py, kubernetes_validate, pyproj, jsonschema, yaml, pytest, dask, PIL, stac_validator, xcube.core.verify, xcube.core.mldataset, scipy, tensorstore, s3fs, webdataset, xbatcher, healpy, mpmath, eccodes, cfgrib, rustac, selenium"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "$check" 2>/dev/null; then
  exit 0
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q "xarray>=2025.1" "zarr>=3.1,<4" numcodecs netCDF4 h5py kubernetes-validate "pyproj>=3.6" "jsonschema>=4.20" pyyaml "pytest>=8" dask \
  pillow "stac-validator>=4.1" "tensorstore>=0.1.70" s3fs webdataset xbatcher "healpy>=1.16" mpmath eccodes eccodeslib cfgrib "rustac>=0.9" "selenium>=4.10"
# xcube-core declares GDAL's Python bindings, which only build from source; `xcube.core.verify`
# needs none of that, so it goes in without its declared dependencies, plus the few it imports.
"$VENV/bin/pip" install -q --no-deps xcube-core
"$VENV/bin/pip" install -q "pandas>=2,<3" affine geopandas rasterio distributed scipy rfc3339-validator
"$VENV/bin/python" -c "$check; print('oracle venv ready: xarray', xarray.__version__, 'zarr', zarr.__version__)"
