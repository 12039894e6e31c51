#!/usr/bin/env bash
# Runs every test: the Swift suites, then the oracle tests (xarray, JSON Schema, the CLI binary).
# Installs what is missing first (Debian packages, the oracle venv).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
# GDAL's and CDO's command-line tools are test oracles (GDAL must read our cubes; conservative
# remapping must match CDO's remapcon), not build dependencies.
if ! command -v gdalinfo >/dev/null || ! command -v cdo >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q gdal-bin cdo
fi
scripts/setup-oracle.sh .venv-oracle
swift build --build-tests
swift test --skip-build
# The fuzz targets replay their seed corpora and every crash ever found (regression tests).
for t in Recipe Zarr NetCDF; do
  lower=$(echo "$t" | tr 'A-Z' 'a-z')
  "$(swift build --show-bin-path)/Fuzz$t" "Fuzz/corpus/$lower" "Fuzz/crashes/$lower"
done
CUBEGEN_BIN_DIR="$(swift build --show-bin-path)" .venv-oracle/bin/python -m pytest -q -p no:cacheprovider Tests/interop
# A few seconds of libFuzzer per target (the instrumented build is its own, in .build-fuzz).
FUZZ_SECONDS=${FUZZ_SMOKE_SECONDS:-5} scripts/fuzz.sh
