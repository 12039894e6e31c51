#!/usr/bin/env bash
# Builds the Python venv holding the test oracles (xarray + zarr-python 3, netCDF4, pyproj,
# jsonschema, pytest). Test tools only, never a runtime dependency of CubeGen.
# usage: scripts/setup-oracle.sh [VENV]   (default .venv-oracle; idempotent)
set -euo pipefail
VENV=${1:-.venv-oracle}
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import xarray, zarr, netCDF4, pyproj, jsonschema, yaml, pytest, dask" 2>/dev/null; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q "xarray>=2025.1" "zarr>=3.1,<4" numcodecs netCDF4 "pyproj>=3.6" "jsonschema>=4.20" pyyaml "pytest>=8" dask
"$VENV/bin/python" -c "import xarray, zarr; print('oracle venv ready: xarray', xarray.__version__, 'zarr', zarr.__version__)"
