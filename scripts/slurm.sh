#!/bin/sh
# A single-node Slurm (munged + slurmctld + slurmd) on loopback for the batch tests, as root.
# usage: scripts/slurm.sh start DIR   (then export SLURM_CONF=DIR/slurm.conf)
#        scripts/slurm.sh stop DIR    (stops what start started, by PID)
# Installs Debian's slurm-wlm and munge when missing.
set -e
ACTION=${1:?usage: slurm.sh start|stop DIR}
DIR=${2:?usage: slurm.sh start|stop DIR}
case "$ACTION" in
start)
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null && [ ! -x /usr/sbin/munged ]; then
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
  fi
  mkdir -p "$DIR/state" "$DIR/spool" /run/munge
  chown munge:munge /run/munge
  [ -s /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
  sed "s#@DIR@#$DIR#g" "$(dirname "$0")/slurm/slurm.conf.in" > "$DIR/slurm.conf"
  export SLURM_CONF="$DIR/slurm.conf"
  if ! { [ -f /run/munge/munged.pid ] && kill -0 "$(cat /run/munge/munged.pid)" 2>/dev/null; }; then
    runuser -u munge -- /usr/sbin/munged
    echo started > "$DIR/munged.ours"
  fi
  slurmctld
  slurmd -N localhost
  for i in $(seq 1 150); do sinfo -h -o %T 2>/dev/null | grep -q idle && exit 0; sleep 0.1; done
  echo "slurm node did not become idle; see $DIR/*.log" >&2
  exit 1
  ;;
stop)
  pids="$DIR/slurmd.pid $DIR/slurmctld.pid"
  [ -f "$DIR/munged.ours" ] && pids="$pids /run/munge/munged.pid"
  for f in $pids; do
    [ -f "$f" ] || continue
    p=$(cat "$f"); kill "$p" 2>/dev/null || continue
    for i in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  ;;
*) echo "usage: slurm.sh start|stop DIR" >&2; exit 2 ;;
esac
