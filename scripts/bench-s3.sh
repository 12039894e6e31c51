#!/usr/bin/env bash
# The S3 benchmark: reference workload T1 (../shared/bench/WORKLOADS.md) with the release build to
# (i) local disk, (ii) S3 Zarr v2, (iii) S3 Zarr v3 sharded (shards time 31 × y 512 × x 512 of the
# 31 × 256 × 256 chunks), and (iv) the peer, xarray + s3fs `to_zarr` of the same cube (zarr v2,
# consolidated, same chunks and compressor), all in one run against a throw-away SeaweedFS on
# loopback. Prints wall times, S3/local and cubegen/xarray ratios, requests/s and MB/s.
# A benchmark, not a test: nothing here is timed against a limit.
# usage: scripts/bench-s3.sh [S|M]   env: BENCH_DATA (inputs, default ~/.cache/cubegen-bench),
#        BENCH_VENV (venv with xarray + s3fs, default .venv-oracle), SHARED (../shared), PORT (S3 port), RUNS (rounds, default 3; medians)
set -euo pipefail
SIZE=${1:-S}
HERE=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$HERE/../shared}
DATA=${BENCH_DATA:-$HOME/.cache/cubegen-bench}
VENV=${BENCH_VENV:-$HERE/.venv-oracle}
cd "$HERE"
scripts/setup-oracle.sh "$VENV"
IN=$DATA/$SIZE/input
if ! ls "$IN"/*.nc >/dev/null 2>&1; then
  [ -d "$SHARED/bench" ] || { echo "no inputs in $IN and no $SHARED/bench/gen_inputs.py to make them" >&2; exit 1; }
  "$VENV/bin/python" "$SHARED/bench/gen_inputs.py" --out "$IN" --size "$SIZE" --seed 42
fi
swift build -c release --product cubegen

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cubegen-bench-s3.XXXXXX")
trap 'scripts/s3-server.sh stop "$WORK/s3" || true; rm -rf "$WORK"' EXIT INT TERM
mkdir -p "$WORK/s3"
export CUBEGEN_TEST_S3_ACCESS_KEY="cubegen-bench-key"
export CUBEGEN_TEST_S3_SECRET_KEY="cubegen-bench-secret-$(date +%s)-$RANDOM"
# A free loopback port for SeaweedFS's Prometheus metrics (request counts).
CUBEGEN_S3_METRICS_PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
export CUBEGEN_S3_METRICS_PORT
ENDPOINT=$(scripts/s3-server.sh start "$WORK/s3" "${PORT:-$((20000 + RANDOM % 4000 * 5))}")
echo "S3 service: $ENDPOINT (SeaweedFS), metrics on 127.0.0.1:$CUBEGEN_S3_METRICS_PORT"
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$CUBEGEN_S3_METRICS_PORT/metrics" >/dev/null && break
  sleep 0.1
done
AWS_ACCESS_KEY_ID=$CUBEGEN_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$CUBEGEN_TEST_S3_SECRET_KEY AWS_REGION=us-east-1 \
  "$VENV/bin/python" bench/bench_s3.py --cubegen "$HERE/.build/release/cubegen" --input "$IN" --size "$SIZE" \
  --runs "${RUNS:-3}" --endpoint "$ENDPOINT" --metrics "http://127.0.0.1:$CUBEGEN_S3_METRICS_PORT/metrics" --work "$WORK"
