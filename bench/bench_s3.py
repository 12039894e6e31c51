"""T1 to local disk, to S3 (Zarr v2 and v3 sharded) and the peer (xarray + s3fs `to_zarr`), in one run.

Driven by scripts/bench-s3.sh, which starts SeaweedFS on loopback (with its Prometheus metrics) and
builds the release binary. Prints wall times, S3/local and cubegen/xarray ratios, requests (from
SeaweedFS's SeaweedFS_s3_request_total counters, before/after each run) and bytes stored (from the
bucket listing), the upload floor (the finished local cube's files put as they are), and checks that every chunk object cubegen wrote to S3 (v2) is byte-identical to
the local cube's chunk file.

usage: python bench/bench_s3.py --cubegen BIN --input DIR --size S|M --endpoint URL --metrics URL --work DIR
       (credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment)
"""
import argparse
import collections
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
BUCKET = "cubegen-bench"
CHUNKS = {"time": 31, "y": 256, "x": 256}
SHARDS = {"time": 31, "y": 512, "x": 512}
METRIC = re.compile(r'^SeaweedFS_s3_request_total\{(?P<labels>[^}]*)\}\s+(?P<value>[0-9.e+]+)$')


def request_counts(metrics_url):
    """{(bucket, type): requests} from SeaweedFS's Prometheus counters (every answer code)."""
    text = urllib.request.urlopen(metrics_url, timeout=10).read().decode()
    counts = collections.Counter()
    for line in text.splitlines():
        m = METRIC.match(line)
        if m:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m["labels"]))
            counts[(labels.get("bucket", ""), labels.get("type", "?"))] += int(float(m["value"]))
    return counts


def recipe(template, input_dir, output, extra=""):
    text = template.read_text().replace("@INPUT@", str(input_dir)).replace("@OUTPUT@", output)
    return text.rstrip("\n") + "\n" + extra


def flow(mapping):
    return "{" + ", ".join(f"{k}: {v}" for k, v in mapping.items()) + "}"


def main():
    p = argparse.ArgumentParser()
    for name in ("--cubegen", "--input", "--endpoint", "--metrics", "--work"):
        p.add_argument(name, required=True)
    p.add_argument("--size", default="S")
    p.add_argument("--runs", type=int, default=3, help="rounds; medians are reported")
    a = p.parse_args()
    import numcodecs
    import s3fs
    import xarray as xr

    work = pathlib.Path(a.work)
    key, secret = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    fs = s3fs.S3FileSystem(key=key, secret=secret, client_kwargs={"endpoint_url": a.endpoint},
                           skip_instance_cache=True, use_listings_cache=False)
    fs.mkdir(BUCKET)
    template = HERE / "t1.yaml.in"
    storage = f'  storage_options: {{endpoint_url: "{a.endpoint}"}}\n'
    v3 = f"  format: zarr3\n  shards: {flow(SHARDS)}\n"
    options = {"endpoint_url": a.endpoint, "key": key, "secret": secret}

    def cubegen(extra):
        def job(label, output):
            path = work / (re.sub(r"\W+", "-", label).strip("-") + ".yaml")
            path.write_text(recipe(template, a.input, output, extra))
            r = subprocess.run([a.cubegen, "run", str(path)], capture_output=True, text=True, timeout=3600)
            if r.returncode != 0:
                sys.exit(f"{label}: cubegen failed ({r.returncode}):\n{r.stderr}")
        return job

    def peer(label, output):
        # xarray opens the local cubegen cube and writes it to the same server, same chunks and
        # compressor, Zarr v2, consolidated (what a Python user does to put a cube on S3).
        ds = xr.open_zarr(work / "local-r0.zarr")
        blosc = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)
        encoding = {v: {"chunks": tuple(CHUNKS[d] for d in ds[v].dims), "compressors": (blosc,)}
                    for v in ("t2m", "precip", "ndvi")}
        for v in ds.variables:
            ds[v].encoding = {k: val for k, val in ds[v].encoding.items() if k in ("dtype", "units", "calendar", "_FillValue")}
        ds.to_zarr(output, mode="w", zarr_format=2, consolidated=True, encoding=encoding, storage_options=options)

    def upload(label, output):
        # The store's own floor: the finished local cube's files put as they are (s3fs, concurrent
        # PUTs, no computing): what moving these bytes into this SeaweedFS costs on this machine.
        fs.put(str(work / "local-r0.zarr"), output.removeprefix("s3://"), recursive=True)

    jobs = [
        ("local disk (Zarr v2)", str(work / "local-r{r}.zarr"), cubegen("")),
        ("local disk (Zarr v3 sharded)", str(work / "local-v3-r{r}.zarr"), cubegen(v3)),
        ("S3 Zarr v2", f"s3://{BUCKET}/t1-v2-r{{r}}.zarr", cubegen(storage)),
        ("S3 Zarr v3 sharded", f"s3://{BUCKET}/t1-v3-r{{r}}.zarr", cubegen(storage + v3)),
        ("xarray+s3fs to_zarr v2 (peer)", f"s3://{BUCKET}/t1-xarray-r{{r}}.zarr", peer),
        ("upload floor (s3fs put of local)", f"s3://{BUCKET}/t1-upload-r{{r}}.zarr", upload),
    ]
    times = collections.defaultdict(list)
    results = {}
    for r in range(a.runs):  # rounds interleave the jobs, so a load change on the machine hits all of them
        for label, output, job in jobs:
            output = output.format(r=r)
            before = request_counts(a.metrics)
            started = time.monotonic()
            job(label, output)
            seconds = time.monotonic() - started
            after = request_counts(a.metrics)
            times[label].append(seconds)
            results[label] = measure(label, output, seconds, before, after, fs, work)
    for label, result in results.items():
        result["runs"] = times[label]
        result["seconds"] = statistics.median(times[label])
    results = list(results.values())
    ds = xr.open_zarr(work / "local-r0.zarr")
    peer_out = f"s3://{BUCKET}/t1-xarray-r0.zarr"

    # Values: every chunk cubegen put on S3 is the local cube's chunk, byte for byte.
    local = work / "local-r0.zarr"
    compared = 0
    for var in ("t2m", "precip", "ndvi"):
        for chunk in sorted((local / var).iterdir()):
            if not chunk.name.startswith("."):
                assert fs.cat_file(f"{BUCKET}/t1-v2-r0.zarr/{var}/{chunk.name}") == chunk.read_bytes(), (var, chunk.name)
                compared += 1
    peer = xr.open_zarr(peer_out, storage_options=options)
    assert bool((peer.t2m.isel(time=0).fillna(-1) == ds.t2m.isel(time=0).fillna(-1)).all()), "peer copy differs"

    report(results, a.size, compared, work)


def measure(label, output, seconds, before, after, fs, work):
    if output.startswith("s3://"):
        prefix = output.removeprefix("s3://")
        sizes = fs.du(prefix, total=False)
        nbytes, objects = sum(sizes.values()), len(sizes)
        delta = collections.Counter({k: after[k] - before[k] for k in after if after[k] - before[k]})
        requests = sum(n for (bucket, _), n in delta.items())
        by_type = collections.Counter()
        for (_, kind), n in delta.items():
            by_type[kind] += n
    else:
        files = [f for f in pathlib.Path(output).rglob("*") if f.is_file()]
        nbytes, objects, requests, by_type = sum(f.stat().st_size for f in files), len(files), None, {}
    return {"label": label, "seconds": seconds, "bytes": nbytes, "objects": objects, "requests": requests,
            "by_type": dict(by_type)}


def report(results, size, compared, work):
    local = results[0]["seconds"]  # x local: against the local Zarr v2 run
    print(f"T1 size {size}: median wall time of {len(results[0]['runs'])} interleaved rounds, requests (SeaweedFS counters), bytes stored (listing)")
    print(f"  {'run':34} {'wall s':>7} {'x local':>7} {'objects':>7} {'MB':>7} {'MB/s':>7} {'requests':>8} {'req/s':>7}  by type")
    for r in results:
        mb = r["bytes"] / 1e6
        req = "-" if r["requests"] is None else str(r["requests"])
        rps = "-" if r["requests"] is None else f"{r['requests'] / r['seconds']:.0f}"
        types = " ".join(f"{k}:{v}" for k, v in sorted(r["by_type"].items()))
        print(f"  {r['label']:34} {r['seconds']:7.2f} {r['seconds'] / local:7.2f} {r['objects']:7d} {mb:7.1f} "
              f"{mb / r['seconds']:7.1f} {req:>8} {rps:>7}  {types}  (runs: {' '.join(f'{t:.2f}' for t in r['runs'])})")
    local_v3, v2, v3, peer = (results[i]["seconds"] for i in (1, 2, 3, 4))
    print(f"  S3/local: v2 {v2 / local:.2f}x, v3 sharded {v3 / local:.2f}x (goal <= 1.3x); "
          f"v3 sharded S3/local v3 sharded {v3 / local_v3:.2f}x")
    print(f"  cubegen S3 v2 / xarray to_zarr: {v2 / peer:.2f}x (cubegen reprojects from the NetCDF input; "
          f"xarray only copies the finished local cube)")
    floor = results[5]["seconds"]
    print(f"  upload floor {floor:.2f} s: local + floor = {local + floor:.2f} s would be no overlap of compute and upload; "
          f"S3 v2 - local = {v2 - local:.2f} s")
    print(f"  {compared} chunk objects on S3 (v2) byte-identical to the local cube's chunk files")
    (work / "bench-s3.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
