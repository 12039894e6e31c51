"""What resumable, shardable runs cost and save on T1 (issue #10's four figures), in one run:

1. manifest overhead: a full run with task records against the same run without them
   (CUBEGEN_BENCH_NO_TASK_RECORDS=1), medians of --repeat runs each, alternated;
2. the up-to-date check: the same command again on the finished cube (whole process: plan + check);
3. resume after a kill at 50 %: `kill -9` once half the task records exist, then the rerun's wall
   time against a full run's;
4. two shards as two processes (one worker each, at once) plus `cubegen finalize`, against one
   process with two workers: throughput ratio (one process's time / the shards' time).

usage: python bench/bench_batch.py --cubegen BIN --input DIR --work DIR [--repeat N]
"""
import argparse
import os
import pathlib
import shutil
import signal
import statistics
import subprocess
import time

HERE = pathlib.Path(__file__).resolve().parent


def recipe(work, input_dir, name):
    text = (HERE / "t1.yaml.in").read_text().replace("@INPUT@", str(input_dir)).replace("@OUTPUT@", str(work / f"{name}.zarr"))
    path = work / f"{name}.yaml"
    path.write_text(text)
    return path


def clean(work, name):
    for suffix in (".zarr", ".zarr.cubegen-partial", ".zarr.cubegen-lock", ".stac.json", ".item.json"):
        target = work / f"{name}{suffix}"
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def timed(args, env=None):
    started = time.monotonic()
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{result.stderr}")
    return seconds, result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cubegen", required=True)
    parser.add_argument("--input", required=True, type=pathlib.Path)
    parser.add_argument("--work", required=True, type=pathlib.Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work, cubegen = args.work, args.cubegen
    work.mkdir(parents=True, exist_ok=True)
    r = recipe(work, args.input, "t1")
    without = dict(os.environ, CUBEGEN_BENCH_NO_TASK_RECORDS="1")

    # 1. Manifest overhead.
    with_records, no_records = [], []
    for _ in range(args.repeat):
        for env, times in ((None, with_records), (without, no_records)):
            clean(work, "t1")
            times.append(timed([cubegen, "run", r, "--workers", "2"], env)[0])
    full, bare = statistics.median(with_records), statistics.median(no_records)
    clean(work, "t1")
    timed([cubegen, "run", r, "--workers", "2"])
    tasks = len(list((work / "t1.zarr" / ".cubegen" / "tasks").glob("*.json")))
    print(f"T1 full run, 2 workers: {full:.2f} s with task records ({tasks} records), {bare:.2f} s without "
          f"(medians of {args.repeat}) → manifest overhead {100 * (full - bare) / bare:+.1f} % (goal ≤ 3 %)")

    # 2. Up-to-date check.
    checks = []
    for _ in range(args.repeat):
        seconds, out = timed([cubegen, "run", r, "--workers", "2"])
        assert "up to date" in out, out
        checks.append(seconds)
    print(f"up-to-date check (whole process): {statistics.median(checks):.2f} s (goal ≤ 1 s)")

    # 3. Resume after kill -9 at 50 %.
    resumes = []
    for _ in range(args.repeat):
        clean(work, "t1")
        records = work / "t1.zarr.cubegen-partial" / ".cubegen" / "tasks"
        process = subprocess.Popen([cubegen, "run", r, "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while process.poll() is None and len(list(records.glob("*.json")) if records.exists() else []) < tasks // 2:
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        done = len(list(records.glob("*.json")))
        seconds, out = timed([cubegen, "run", r, "--workers", "2"])
        assert "recorded tasks skipped" in out, out
        resumes.append((seconds, done))
    resume = statistics.median(s for s, _ in resumes)
    print(f"resume after kill -9 at {statistics.median(d for _, d in resumes):.0f}/{tasks} tasks: {resume:.2f} s "
          f"= {resume / full:.2f}× a full run (goal ≤ 0.6×)")

    # 4. Two shards as two processes against one process with two workers.
    sharded, fills = [], []
    for _ in range(args.repeat):
        clean(work, "t1")
        started = time.monotonic()
        shards = [subprocess.Popen([cubegen, "run", r, "--shard", f"{i}/2", "--workers", "1"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for i in range(2)]
        for shard in shards:
            _, err = shard.communicate()
            if shard.returncode != 0:
                raise SystemExit(f"shard failed:\n{err}")
        fills.append(time.monotonic() - started)
        timed([cubegen, "finalize", r])
        sharded.append(time.monotonic() - started)
    two, fill = statistics.median(sharded), statistics.median(fills)
    print(f"2 shards × 1 worker: {fill:.2f} s, + finalize: {two:.2f} s; 1 process × 2 workers: {full:.2f} s "
          f"→ throughput {full / fill:.2f}× for the shards, {full / two:.2f}× with finalize (goal ≥ 0.9×)")
    clean(work, "t1")


if __name__ == "__main__":
    main()
