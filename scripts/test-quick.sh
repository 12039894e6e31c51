#!/usr/bin/env bash
# The quick tier for iteration (not a substitute for `make test`): builds, runs the Swift suites
# (the S3 suites skip themselves without a service) and the fuzz corpus replays, then the oracle
# tests named in PYTEST (e.g. PYTEST="Tests/interop/test_pyramid.py -k mean"), if any, with the
# oracle venv that `make test` installs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
swift build --build-tests
swift test --skip-build ${SWIFT_TEST_FILTER:+--filter "$SWIFT_TEST_FILTER"}
for t in Recipe Zarr NetCDF GeoTIFF GRIB STAC; do
  lower=$(echo "$t" | tr 'A-Z' 'a-z')
  "$(swift build --show-bin-path)/Fuzz$t" "Fuzz/corpus/$lower" "Fuzz/crashes/$lower" >/dev/null
done
echo "fuzz corpus replays: passed"
if [ -n "${PYTEST:-}" ]; then
  [ -x .venv-oracle/bin/python ] || scripts/setup-oracle.sh .venv-oracle
  # shellcheck disable=SC2086
  CUBEGEN_BIN_DIR="$(swift build --show-bin-path)" .venv-oracle/bin/python -m pytest -q -p no:cacheprovider $PYTEST
fi
