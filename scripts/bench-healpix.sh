#!/usr/bin/env bash
# Release-mode timing of CubeHEALPix's per-point paths (pixel of a lat/lon, interpolation stencil)
# on 10^7 random points, one core, in a throw-away package that links Sources/CubeHEALPix only
# (so the rest of CubeGen is not built). Prints thread CPU seconds, plus 10^7 cos() for scale.
# usage: scripts/bench-healpix.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${TMPDIR:-/tmp}/cubegen-bench-healpix
mkdir -p "$WORK/Sources/HEALPixBench"
ln -sfn "$ROOT/Sources/CubeHEALPix" "$WORK/Sources/CubeHEALPix"
cp "$ROOT/bench/healpix_bench.swift" "$WORK/Sources/HEALPixBench/main.swift"
cat > "$WORK/Package.swift" <<'PKG'
// swift-tools-version:6.2
import PackageDescription
let package = Package(name: "HEALPixBench", targets: [
    .target(name: "CubeHEALPix", swiftSettings: [.enableUpcomingFeature("InternalImportsByDefault")]),
    .executableTarget(name: "HEALPixBench", dependencies: ["CubeHEALPix"]),
])
PKG
cd "$WORK"
swift build -c release --product HEALPixBench >/dev/null
"$(swift build -c release --show-bin-path)/HEALPixBench"
