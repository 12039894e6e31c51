#!/usr/bin/env bash
# Stops what a pgstac test left running under DIR (CUBEGEN_PGSTAC_WORK), should the test itself
# not have: each cluster (pg_ctl stop, as the postgres user when root) and each API server (by the
# pid it recorded). scripts/test.sh calls it on exit, whatever happened.
# usage: scripts/pgstac-cleanup.sh DIR
set -uo pipefail
DIR=${1:?usage: pgstac-cleanup.sh DIR}
for pidfile in "$DIR"/cubegen-pgstac-*/api.pid; do
  [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
done
for data in "$DIR"/cubegen-pgstac-*/data; do
  [ -f "$data/postmaster.pid" ] || continue
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$data" -m immediate -w stop >/dev/null 2>&1
  else
    /usr/lib/postgresql/15/bin/pg_ctl -D "$data" -m immediate -w stop >/dev/null 2>&1
  fi
done
exit 0
