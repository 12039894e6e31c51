#!/usr/bin/env python3
"""Where a cubegen run leaves cores idle (issue 14's "CPU busy"), phase by phase.

Runs `cubegen run --force RECIPE` under `perf record -k CLOCK_MONOTONIC` with `CUBEGEN_PHASES=1`
(the run prints when each phase begins on the same clock), then gives per phase its wall time, the
CPU time perf sampled in it and the idle core time: cores x wall - CPU. "exec" is from the
process's first sample to the CLI's first mark (dynamic loader, Swift runtime). With --output the
cube there (and its .levels, .ts.zarr and STAC files) is removed first, as `make bench` does;
without it, `--force` replaces the previous cube, whose removal after publishing is part of
"finalize" (about 70 ms for T1 M's 190 files on ext4).

usage: bench/phases.py RECIPE.yaml [--output CUBE.zarr] [--cubegen .build/release/cubegen] [--frequency 999]"""
import argparse, os, re, shutil, subprocess, sys, tempfile

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("recipe")
parser.add_argument("--cubegen", default=".build/release/cubegen")
parser.add_argument("--frequency", type=int, default=999)
parser.add_argument("--output", help="the recipe's output.path (local), removed before the run")
args = parser.parse_args()
if args.output:
    base = args.output.rstrip("/").removesuffix(".zarr")
    for path in [args.output, base + ".levels", base + ".ts.zarr", base + ".stac.json", base + ".item.json"]:
        shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else (os.path.exists(path) and os.remove(path))
    subprocess.run(["sync"])

with tempfile.TemporaryDirectory() as work:
    data = os.path.join(work, "run.perf")
    run = subprocess.run(["perf", "record", "-q", "-k", "CLOCK_MONOTONIC", "-F", str(args.frequency), "-o", data,
                          args.cubegen, "run", "--force", args.recipe],
                         env={**os.environ, "CUBEGEN_PHASES": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if run.returncode != 0:
        sys.exit(f"cubegen run failed ({run.returncode}):\n{run.stderr}")
    times = subprocess.run(["perf", "script", "-i", data, "-F", "time"], capture_output=True, text=True, check=True).stdout
samples = sorted(float(line.strip().rstrip(":")) for line in times.splitlines() if line.strip())
marks = [(float(m.group(1)), m.group(2)) for m in re.finditer(r"\[phase \S+ ([\d.]+)\] (.+)", run.stderr)]
if not samples or not marks:
    sys.exit("no samples or no phase marks (is perf allowed here, and is this a build with PhaseMarks?)")
cores = len(os.sched_getaffinity(0))
period = 1 / args.frequency
bounds = [(samples[0], "exec")] + marks + [(samples[-1] + period, "exit")]
total_wall = bounds[-1][0] - bounds[0][0]
print(f"{'phase':<10} {'wall ms':>8} {'CPU ms':>8} {'idle core-ms':>13}")
idle_total = 0.0
for (start, name), (end, _) in zip(bounds, bounds[1:]):
    cpu = sum(1 for t in samples if start <= t < end) * period
    idle = cores * (end - start) - cpu
    idle_total += idle
    print(f"{name:<10} {1000 * (end - start):8.1f} {1000 * cpu:8.1f} {1000 * idle:13.1f}")
print(f"{'all':<10} {1000 * total_wall:8.1f} {1000 * len(samples) * period:8.1f} {1000 * idle_total:13.1f}"
      f"   CPU busy {100 * len(samples) * period / total_wall:.0f} % of {cores} cores' {100 * cores} %")
