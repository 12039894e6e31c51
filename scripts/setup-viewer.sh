#!/usr/bin/env bash
# Installs the xcube Viewer web app for `cubegen serve` (served at /viewer/): downloads the
# `xcube-core` wheel from PyPI (pip download --no-deps: nothing is installed) and extracts the
# built app it ships (xcube/webapi/viewer/dist/, MIT licensed, with the wheel's licence) into a
# cache folder outside the repository. Never committed; the server works without it.
# usage: scripts/setup-viewer.sh [DIR]
#   DIR default: $CUBEGEN_VIEWER_DIR, else ${XDG_CACHE_HOME:-~/.cache}/cubegen/xcube-viewer (where
#   `cubegen serve` looks when --viewer is not given). XCUBE_CORE_VERSION picks the wheel
#   (default 1.14.1). Idempotent: an app of the same version is kept. Prints DIR.
set -euo pipefail
DIR=${1:-${CUBEGEN_VIEWER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cubegen/xcube-viewer}}
VERSION=${XCUBE_CORE_VERSION:-1.14.1}
PYTHON=${PYTHON:-python3}
if [ -f "$DIR/index.html" ] && [ "$(cat "$DIR/.xcube-core-version" 2>/dev/null)" = "$VERSION" ]; then
  echo "$DIR"
  exit 0
fi
mkdir -p "$(dirname "$DIR")"
# Work beside DIR, so the finished app is moved into place in one rename.
WORK=$(mktemp -d "$(dirname "$DIR")/.xcube-viewer.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$PYTHON" -m pip download -q --no-deps --only-binary=:all: "xcube-core==$VERSION" -d "$WORK/wheel" >&2
wheel=$(ls "$WORK"/wheel/xcube_core-*.whl)
"$PYTHON" - "$wheel" "$WORK/app" <<'EOF'
import pathlib
import sys
import zipfile

wheel, out = sys.argv[1], pathlib.Path(sys.argv[2])
prefix = "xcube/webapi/viewer/dist/"
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.startswith(prefix) and not n.endswith("/")]
    if prefix + "index.html" not in names:
        sys.exit(f"setup-viewer: {wheel} holds no {prefix}index.html (the viewer moved inside the wheel?)")
    for name in names:
        relative = pathlib.PurePosixPath(name[len(prefix):])
        if relative.is_absolute() or ".." in relative.parts:
            sys.exit(f"setup-viewer: {wheel} has an unsafe member name '{name}'")
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(z.read(name))
    licences = [n for n in z.namelist() if ".dist-info/" in n and n.rsplit("/", 1)[-1].upper().startswith("LICEN")]
    for name in licences[:1]:
        (out / "LICENSE.xcube").write_bytes(z.read(name))
EOF
echo "$VERSION" > "$WORK/app/.xcube-core-version"
rm -rf "$DIR"
mv "$WORK/app" "$DIR"
echo "$DIR"
