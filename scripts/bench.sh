#!/usr/bin/env bash
# Runs the reference workloads T1 and T2 (../shared/bench/WORKLOADS.md) with the release build and
# checks their accuracy.
# usage: scripts/bench.sh [S|M]     env: BENCH_DATA (inputs, default ~/.cache/cubegen-bench),
#        BENCH_VENV (venv with xarray/netCDF4 for the generator and checker), SHARED (../shared)
set -euo pipefail
SIZE=${1:-S}
HERE=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$HERE/../shared}
DATA=${BENCH_DATA:-$HOME/.cache/cubegen-bench}
VENV=${BENCH_VENV:-$HERE/.venv-oracle}
[ -d "$SHARED/bench" ] || { echo "needs the shared bench folder at $SHARED/bench" >&2; exit 1; }
"$HERE/scripts/setup-oracle.sh" "$VENV"
IN=$DATA/$SIZE/input
if ! ls "$IN"/*.nc >/dev/null 2>&1; then
  "$VENV/bin/python" "$SHARED/bench/gen_inputs.py" --out "$IN" --size "$SIZE" --seed 42
fi
swift build -c release --product cubegen
swift build -c release --product cubegen-floor
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for TASK in T1 T2; do
  lower=$(echo "$TASK" | tr 'A-Z' 'a-z')
  sed -e "s#@INPUT@#$IN#" -e "s#@OUTPUT@#$OUT/cubegen_$TASK.zarr#" "$HERE/bench/$lower.yaml.in" > "$OUT/$lower.yaml"
  echo "== $TASK size $SIZE"
  /usr/bin/time -o "$OUT/$lower.time" -f "wall %e s, peak RSS %M kB, CPU %P" "$HERE/.build/release/cubegen" run "$OUT/$lower.yaml" 2>&1 | grep -v "^chunks"
  cat "$OUT/$lower.time"
  "$VENV/bin/python" "$SHARED/bench/check_accuracy.py" "$OUT/cubegen_$TASK.zarr" --task "$TASK" --size "$SIZE" \
    | grep -E "^  (t2m|precip|ndvi) " | cut -c1-120
  # The machine's floor for this job, with CubeGen's own read and encode code: every input plane
  # read and decoded (libdeflate + Adler-32, unshuffle, unpack) and this cube's chunks re-encoded
  # and written, no resampling (Bench/Floor). bench/floor.py compares the inflate libraries.
  "$HERE/.build/release/cubegen-floor" --inputs "$IN/*.nc" --cube "$OUT/cubegen_$TASK.zarr" --runs 3 \
    --cubegen-seconds "$(grep -o 'wall [0-9.]*' "$OUT/$lower.time" | cut -d' ' -f2)"
  "$VENV/bin/python" -c "import deflate, isal" 2>/dev/null || "$VENV/bin/pip" install -q deflate isal
  "$VENV/bin/python" "$HERE/bench/floor.py" --inputs "$IN" --cube "$OUT/cubegen_$TASK.zarr" --runs 3 | grep "^read"
  if [ "$TASK" = T1 ]; then
    echo "== ML sampling on the T1 cube, beside xbatcher"
    "$VENV/bin/python" "$HERE/bench/bench_sampling.py" --cubegen "$HERE/.build/release/cubegen" --cube "$OUT/cubegen_T1.zarr" --work "$OUT/sampling"
  fi
done
# The mosaic workload of issue 12: 36 COG tiles (3 dates × 12, UTM 32N/33N, 10 m) → EPSG:3035 at
# 100 m, beside gdalwarp and odc-stac (from PyPI, in its own venv: a peer, never a dependency).
# MOSAIC_TILE (default 2048) sets the tile size in pixels.
ODC_VENV=${ODC_VENV:-$HERE/.venv-odc}
[ -x "$ODC_VENV/bin/python" ] || python3 -m venv "$ODC_VENV"
"$ODC_VENV/bin/python" -c "import odc.stac, rasterio, pystac" 2>/dev/null || "$ODC_VENV/bin/pip" install -q odc-stac rasterio pystac dask zarr
echo "== Mosaic: 36 COG tiles in two UTM zones → EPSG:3035 100 m, beside gdalwarp and odc-stac"
"$VENV/bin/python" "$HERE/bench/bench_mosaic.py" --cubegen "$HERE/.build/release/cubegen" --work "$OUT/mosaic" \
  --odc-python "$ODC_VENV/bin/python" --tile-size "${MOSAIC_TILE:-2048}"
# The same mosaic workload started from a STAC search (issue 13): items on `rustac serve`, tiles on a
# ranged HTTP server, both on loopback; CubeGen (store: stac) beside odc.stac.load(...).to_zarr(...).
echo "== STAC: the mosaic workload from a rustac search, beside odc.stac.load().to_zarr()"
"$VENV/bin/python" "$HERE/bench/bench_stac.py" --cubegen "$HERE/.build/release/cubegen" --work "$OUT/stac" \
  --odc-python "$ODC_VENV/bin/python" --rustac "$VENV/bin/rustac" --tile-size "${MOSAIC_TILE:-2048}"
# Issue 11: hourly HEALPix H1024 nested GRIB files (3 surface variables and t on 5 pressure levels)
# → a global 0.1° cube and an EPSG:3035 5 km cube (bilinear, conservative), beside eccodes + healpy
# (+ pyproj) + xarray to_zarr. The inputs (8 × 36 MiB per hour) are kept in BENCH_DATA;
# HEALPIX_HOURS (default 24) sets how many hours.
echo "== HEALPix GRIB: H1024 nested, 8 fields × ${HEALPIX_HOURS:-24} hours → 0.1° global and EPSG:3035 5 km, beside eccodes + healpy + xarray"
"$VENV/bin/python" "$HERE/bench/bench_healpix_grib.py" --cubegen "$HERE/.build/release/cubegen" --work "$DATA/healpix" \
  --hours "${HEALPIX_HOURS:-24}"
# Issue 15: `cubegen serve` beside `xcube serve` on the same cube and pyramid: tile p50/p99 at 16
# concurrent clients, a 92-step point series. xcube's server needs more of its requirements than
# the oracle venv holds for `xcube verify` (installed here, a peer, never a dependency).
"$VENV/bin/python" -c "import chartlets, matplotlib, cmocean, numba, rioxarray, mashumaro, jdcal, tabulate, deprecated, jwt, altair, dask_image, fiona" 2>/dev/null \
  || "$VENV/bin/pip" install -q chartlets matplotlib cmocean numba rioxarray mashumaro jdcal tabulate deprecated pyjwt altair dask-image cryptography fiona
echo "== serve: cubegen serve beside xcube serve (tiles at 16 clients, 92-step point series)"
CUBEGEN_BIN_DIR="$HERE/.build/release" "$VENV/bin/python" "$HERE/bench/bench_serve.py" "$OUT/serve" 92
