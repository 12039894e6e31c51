"""ML sampling on the T1 cube (issue #16's benchmark): `cubegen sample` (8 × 64 × 64 patches, block
splits, .npy output) beside xbatcher cutting the same patches (no splits, each batch loaded into
memory), in one run. Prints samples/s and peak RSS of each and their ratios.

usage: python bench/bench_sampling.py --cubegen BIN --cube T1.zarr --work DIR
       (run with the oracle venv's python: xarray, zarr, xbatcher)
"""
import argparse
import pathlib
import resource
import shutil
import subprocess
import sys
import time

CONFIG = """inputs: [t2m, precip]
targets: [ndvi]
patch: {time: 8, y: 64, x: 64}
split: {method: blocks, block: {time: 16, y: 256, x: 256}, fractions: {train: 0.7, val: 0.15, test: 0.15}}
seed: 1
format: npy
"""

XBATCHER = """
import resource, sys, time
import numpy as np, xarray as xr, xbatcher
started = time.monotonic()
ds = xr.open_zarr(sys.argv[1])[["t2m", "precip", "ndvi"]]
count = 0
for batch in xbatcher.BatchGenerator(ds, input_dims={"time": 8, "y": 64, "x": 64}):
    batch.load()
    count += 1
seconds = time.monotonic() - started
print(count, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cubegen", required=True)
    parser.add_argument("--cube", required=True)
    parser.add_argument("--work", required=True, type=pathlib.Path)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    config = args.work / "ml.yaml"
    config.write_text(CONFIG)
    out = args.work / "samples"
    shutil.rmtree(out, ignore_errors=True)
    started = time.monotonic()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", args.cubegen, "sample", args.cube, "--config", config, "--output", out],
                            capture_output=True, text=True)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    ours_rss = int(result.stderr.strip().splitlines()[-1]) / 1024
    import json
    manifest = json.loads((out / "manifest.json").read_text())
    kept = sum(manifest["counts"].values())
    candidates = manifest["candidates"]
    peer = subprocess.run([sys.executable, "-c", XBATCHER, args.cube], capture_output=True, text=True)
    if peer.returncode != 0:
        raise SystemExit(peer.stderr)
    count, peer_seconds, peer_rss = peer.stdout.split()
    count, peer_seconds, peer_rss = int(count), float(peer_seconds), int(peer_rss) / 1024
    ours_rate, peer_rate = candidates / seconds, count / peer_seconds
    print(f"cubegen sample: {candidates} patches ({kept} kept: {manifest['counts']}) in {seconds:.2f} s "
          f"= {ours_rate:.0f} patches/s, peak RSS {ours_rss:.0f} MB")
    print(f"xbatcher:       {count} patches in {peer_seconds:.2f} s = {peer_rate:.0f} patches/s, peak RSS {peer_rss:.0f} MB")
    print(f"→ throughput {ours_rate / peer_rate:.1f}× xbatcher (goal ≥ 5×), memory {ours_rss / peer_rss:.2f}× (goal ≤ 0.25×)")


if __name__ == "__main__":
    main()
