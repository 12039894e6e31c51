#!/usr/bin/env bash
# Fuzzes the parsers with libFuzzer + AddressSanitizer, time-boxed per target.
# usage: scripts/fuzz.sh [TARGET…]   targets: recipe zarr netcdf geotiff grib stac (default: all)
# env:   FUZZ_SECONDS (per target, default 60), FUZZ_JOBS (parallel targets, default 1),
#        FUZZ_FORK=1: libFuzzer's fork mode, which goes on after an input that hangs a system
#        library (a timeout, kept in Fuzz/crashes/TARGET/timeout-*; see Fuzz/library-hangs) and
#        counts them; crashes still stop the run. For the long runs that must outlast such hangs.
# A crash leaves its input in Fuzz/crashes/TARGET/ and fails the script: fix it, keep the file
# (ordinary builds replay Fuzz/corpus and Fuzz/crashes in `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(recipe zarr netcdf geotiff grib stac)
scripts/setup-deps.sh
SCRATCH=.build-fuzz
mkdir -p "$SCRATCH"
build_start=$(date +%s)
product() { case $1 in recipe) echo FuzzRecipe;; zarr) echo FuzzZarr;; netcdf) echo FuzzNetCDF;; geotiff) echo FuzzGeoTIFF;; grib) echo FuzzGRIB;; stac) echo FuzzSTAC;; *) echo "unknown target $1" >&2; exit 2;; esac; }
for t in "${TARGETS[@]}"; do
  # Swift and C (Yams' libyaml) code instrumented; the system C libraries are not.
  if ! swift build --scratch-path "$SCRATCH" -c debug --product "$(product "$t")" \
      -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xcc -fsanitize=fuzzer-no-link,address \
      > "$SCRATCH/build.log" 2>&1; then
    grep -v "Cannot export local symbol" "$SCRATCH/build.log" | grep -E "error" -A3 | head -20 >&2
    exit 1
  fi
done
echo "fuzz build: $(( $(date +%s) - build_start )) s"
status=0
printf "| target | seconds | executions | exec/s | coverage (edges) | features | corpus | crashes |\n|---|---|---|---|---|---|---|---|\n" > "$SCRATCH/fuzz-report.md"
for t in "${TARGETS[@]}"; do
  product=$(product "$t")
  work="$SCRATCH/corpus/$t"; crashes="Fuzz/crashes/$t"
  mkdir -p "$work" "$crashes"
  log="$SCRATCH/fuzz-$t.log"
  set +e
  # ecCodes asks malloc for absurd sizes when a damaged length field says so, and handles the
  # NULL it gets in a normal run ("Memory allocation error"): let ASan return NULL as glibc does.
  asan=detect_leaks=0
  [ "$t" = grib ] && asan=$asan:allocator_may_return_null=1
  fork=()
  [ "${FUZZ_FORK:-0}" = 1 ] && fork=(-fork=1 -ignore_timeouts=1)
  ASAN_OPTIONS=$asan "$SCRATCH/debug/$product" "$work" "Fuzz/corpus/$t" "${fork[@]}" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$crashes/" > "$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  if [ "${FUZZ_FORK:-0}" = 1 ]; then
    # Fork mode prints '#RUNS: cov: … exec/s: E oom/timeout/crash: O/T/C time: …' per job.
    runs=$(echo "$last" | grep -o '^#[0-9]*' | tr -d '#' || echo 0)
    speed=$(echo "$last" | grep -o 'exec/s: [0-9]*' | grep -o '[0-9]*' || echo 0)
    hangs=$(echo "$last" | grep -o 'oom/timeout/crash: [0-9/]*' | awk '{print $2}' | cut -d/ -f2 || echo 0)
    # Hanging inputs are not crash regressions (a replay would never end): they go aside.
    mkdir -p "$SCRATCH/hangs/$t"
    find "$crashes" -newer "$SCRATCH/fuzz-report.md" -type f -name 'timeout-*' -exec mv {} "$SCRATCH/hangs/$t/" \;
    echo "fuzz-$t: fork mode, $hangs inputs hung a library (timeouts, not crashes; in $SCRATCH/hangs/$t)" >&2
  fi
  cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || echo "?")
  ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' || echo "?")
  corp=$(echo "$last" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*' || echo "?")
  found=$(find "$crashes" -newer "$SCRATCH/fuzz-report.md" -type f | wc -l || true)
  printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n" "$t" "$SECONDS_PER_TARGET" "$runs" "$speed" "$cov" "$ft" "$corp" "$found" >> "$SCRATCH/fuzz-report.md"
  if [ $rc -ne 0 ]; then
    echo "fuzz-$t: libFuzzer exited $rc; see $log and $crashes/" >&2
    grep -E "ERROR|SUMMARY|Fatal|Precondition" "$log" | head -5 >&2
    status=1
  fi
done
cat "$SCRATCH/fuzz-report.md"
exit $status
