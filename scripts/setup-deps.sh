#!/usr/bin/env bash
# Installs the Debian packages CubeGen builds against, when any is missing (idempotent).
# usage: scripts/setup-deps.sh
set -euo pipefail
packages=(libnetcdf-dev libhdf5-dev libtiff-dev libgeotiff-dev libproj-dev proj-data libblosc-dev libzstd-dev zlib1g-dev libssl-dev libdeflate-dev liblz4-dev libbz2-dev libeccodes-dev pkg-config python3-venv)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
for pc in netcdf hdf5-serial libtiff-4 proj blosc libzstd zlib libcrypto libdeflate liblz4 eccodes; do
  pkg-config --exists "$pc" || { echo "pkg-config cannot find $pc after installing" >&2; exit 1; }
done
# libgeotiff ships no pkg-config file on Debian: check its header instead.
[ -f /usr/include/geotiff/geotiffio.h ] || { echo "libgeotiff-dev headers missing after installing" >&2; exit 1; }
