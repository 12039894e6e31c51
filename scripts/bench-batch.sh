#!/usr/bin/env bash
# Resumable and sharded runs on T1 (issue #10's figures): manifest overhead, the up-to-date check,
# resume after kill -9 at 50 %, and two shards against one process, with the release build.
# usage: scripts/bench-batch.sh [S|M]     env: BENCH_DATA (inputs, default ~/.cache/cubegen-bench),
#        BENCH_VENV (venv for the input generator), SHARED (../shared), REPEAT (default 3)
set -euo pipefail
SIZE=${1:-M}
HERE=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$HERE/../shared}
DATA=${BENCH_DATA:-$HOME/.cache/cubegen-bench}
VENV=${BENCH_VENV:-$HERE/.venv-oracle}
"$HERE/scripts/setup-oracle.sh" "$VENV"
IN=$DATA/$SIZE/input
if ! ls "$IN"/*.nc >/dev/null 2>&1; then
  "$VENV/bin/python" "$SHARED/bench/gen_inputs.py" --out "$IN" --size "$SIZE" --seed 42
fi
swift build -c release --product cubegen
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "== T1 size $SIZE: resumable and sharded runs"
python3 "$HERE/bench/bench_batch.py" --cubegen "$HERE/.build/release/cubegen" --input "$IN" --work "$WORK" --repeat "${REPEAT:-3}"
