#!/usr/bin/env bash
# Builds the demo cube: writes the sample input (demo/input/*.nc), then runs recipes/demo.yaml
# into demo/cubegen-demo-laea.zarr. Installs the Debian packages it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
swift build -c release --product cubegen
swift build -c release --product cubegen-sample-data
BIN=$(swift build -c release --show-bin-path)
"$BIN/cubegen-sample-data" demo/input
"$BIN/cubegen" plan recipes/demo.yaml
"$BIN/cubegen" run recipes/demo.yaml
echo "open it with: python3 -c \"import xarray as xr; print(xr.open_zarr('demo/cubegen-demo-laea.zarr'))\""
