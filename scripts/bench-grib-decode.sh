#!/usr/bin/env bash
# Release-mode timing of the GRIB part of the HEALPix bench (issue 11): index FILES and decode every
# field through GRIBStore, WORKERS at a time, with this tree's CubeStoreGRIB and with the one of git
# revision BASE (default cfaff0b, before CubeGen decoded simple packing itself), run alternately.
# Builds two throw-away packages linking CubeStorage, CubeCore and CubeStoreGRIB only (not the CLI).
# usage: scripts/bench-grib-decode.sh WORKERS FILE...   (e.g. the bench's h1024_levels_*.grib2)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${TMPDIR:-/tmp}/cubegen-bench-grib-decode
BASE=${BASE:-cfaff0b}
for side in base this; do
  mkdir -p "$WORK/$side/Sources/GRIBDecodeBench"
  for module in CEccodes CubeStorage CubeCore; do ln -sfn "$ROOT/Sources/$module" "$WORK/$side/Sources/$module"; done
  cp "$ROOT/bench/grib_decode_bench.swift" "$WORK/$side/Sources/GRIBDecodeBench/main.swift"
  cat > "$WORK/$side/Package.swift" <<'PKG'
// swift-tools-version:6.2
import PackageDescription
let package = Package(name: "GRIBDecodeBench", targets: [
    .systemLibrary(name: "CEccodes", pkgConfig: "eccodes"),
    .target(name: "CubeStorage"),
    .target(name: "CubeCore", dependencies: ["CubeStorage"]),
    .target(name: "CubeStoreGRIB", dependencies: ["CubeCore", "CEccodes"]),
    .executableTarget(name: "GRIBDecodeBench", dependencies: ["CubeStoreGRIB", "CubeCore"]),
])
for target in package.targets where target.type != .system {
    target.swiftSettings = [.enableUpcomingFeature("InternalImportsByDefault")]
}
PKG
done
ln -sfn "$ROOT/Sources/CubeStoreGRIB" "$WORK/this/Sources/CubeStoreGRIB"
rm -rf "$WORK/base/Sources/CubeStoreGRIB"
git -C "$ROOT" archive "$BASE" Sources/CubeStoreGRIB | tar -x -C "$WORK/base"
for side in base this; do (cd "$WORK/$side" && swift build -c release >/dev/null); done
for side in base this base this; do
  printf '%-5s ' "$side"
  /usr/bin/time -f 'peak RSS %M KB' "$WORK/$side/.build/release/GRIBDecodeBench" "$@" 2>&1 | tr '\n' ' '
  echo
done
