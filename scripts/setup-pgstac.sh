#!/usr/bin/env bash
# Installs what the pgstac STAC API test (Tests/interop/test_stac_pgstac.py) runs on loopback:
# Debian's PostgreSQL 15 with PostGIS 3 (apt, when missing) and a venv with pypgstac (schema
# migrations and loading), stac-fastapi-pgstac and uvicorn (the STAC API server).
# Test servers only, never a runtime dependency of CubeGen.
# usage: scripts/setup-pgstac.sh [VENV]   (default .venv-pgstac; idempotent)
set -euo pipefail
VENV=${1:-.venv-pgstac}
packages=(postgresql-15 postgresql-15-postgis-3)
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
check="import pypgstac, psycopg, stac_fastapi.pgstac.app, uvicorn"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "$check" 2>/dev/null; then
  exit 0
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q "pypgstac[psycopg]" "stac-fastapi.pgstac" uvicorn
"$VENV/bin/python" -c "$check; print('pgstac venv ready: pypgstac', pypgstac.__version__)"
