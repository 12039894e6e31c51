#!/usr/bin/env python3
"""The machine's floor for a cube build (issue 14): reading and decoding the input with the fastest
inflate available, plus encoding and writing the output, with no resampling at all.

read   every stored HDF5 chunk of the variables a cube reads, straight from the file
       (h5py `read_direct_chunk`, no HDF5 filter pipeline), inflated with libdeflate (the `deflate`
       package, the library CubeGen uses), ISA-L (`isal`) and zlib, then unshuffled (numpy),
       in 1 and 2 processes (files split between them).
write  the chunks of a finished cube decoded once, then encoded again with the cube's own
       compressor and written one file per chunk to a scratch folder, in 1 and 2 threads
       (numcodecs releases the GIL while it compresses).
floor  fastest read (2 processes) + fastest write (2 threads); `× floor` = a wall time divided by it.
All timings warm page cache, best of --runs.

usage: floor.py --inputs DIR --variables t2m,precip,ndvi --cube CUBE.zarr [--runs 3] [--cubegen-seconds S]
"""
import argparse
import glob
import json
import os
import shutil
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool

import deflate
import h5py
import isal.isal_zlib as isal_zlib
import numcodecs
import numpy as np

INFLATERS = {
    "libdeflate": lambda data, size: deflate.zlib_decompress(data, size),
    "isa-l": lambda data, size: isal_zlib.decompress(data),
    "zlib": lambda data, size: zlib.decompress(data),
}


def read_file(args):
    """Inflates and unshuffles every chunk of `variables` in `path`; returns decoded bytes."""
    path, variables, inflater = args
    inflate = INFLATERS[inflater]
    total = 0
    with h5py.File(path, "r") as f:
        for name in variables:
            v = f[name]
            size = int(np.prod(v.chunks)) * v.dtype.itemsize
            for i in range(v.id.get_num_chunks()):
                offset = v.id.get_chunk_info(i).chunk_offset
                _, data = v.id.read_direct_chunk(offset)
                raw = inflate(data, size)
                if v.shuffle:
                    raw = np.frombuffer(raw, np.uint8).reshape(v.dtype.itemsize, -1).T.tobytes()
                total += len(raw)
    return total


def read_floor(files, variables, inflater, processes):
    started = time.perf_counter()
    if processes == 1:
        total = sum(read_file((f, variables, inflater)) for f in files)
    else:
        with Pool(processes) as pool:
            total = sum(pool.map(read_file, [(f, variables, inflater) for f in files]))
    return time.perf_counter() - started, total


def cube_chunks(cube):
    """(array name, compressor, decoded bytes) of every data chunk of a Zarr v2 cube."""
    chunks = []
    for zarray in sorted(glob.glob(os.path.join(cube, "*", ".zarray"))):
        meta = json.load(open(zarray))
        folder = os.path.dirname(zarray)
        if len(meta["shape"]) < 3 or meta.get("compressor") is None:
            continue
        codec = numcodecs.get_codec(meta["compressor"])
        for name in sorted(os.listdir(folder)):
            if name.startswith("."):
                continue
            chunks.append((os.path.basename(folder) + "/" + name, meta["compressor"], bytes(codec.decode(open(os.path.join(folder, name), "rb").read()))))
    return chunks


def write_floor(chunks, threads):
    scratch = tempfile.mkdtemp(prefix="cubegen-floor-")
    codecs = {}

    def put(item):
        key, config, data = item
        codec = codecs.setdefault(json.dumps(config, sort_keys=True), numcodecs.get_codec(config))
        encoded = codec.encode(data)
        target = os.path.join(scratch, key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as out:
            out.write(encoded)
        return len(encoded)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        written = sum(pool.map(put, chunks))
    seconds = time.perf_counter() - started
    shutil.rmtree(scratch)
    return seconds, written


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--variables", default="t2m,precip,ndvi")
    parser.add_argument("--cube", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cubegen-seconds", type=float)
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(args.inputs, "*.nc")))
    variables = args.variables.split(",")
    best = {}
    for inflater in INFLATERS:
        for processes in (1, 2):
            runs = [read_floor(files, variables, inflater, processes) for _ in range(args.runs)]
            seconds, total = min(runs)
            best[("read", inflater, processes)] = seconds
            print(f"read  {inflater:10s} {processes} process(es): {seconds:6.2f} s, {total / seconds / 2**20:7.0f} MiB/s decoded")
    chunks = cube_chunks(args.cube)
    for threads in (1, 2):
        seconds, written = min(write_floor(chunks, threads) for _ in range(args.runs))
        best[("write", threads)] = seconds
        print(f"write {len(chunks)} chunks, {threads} thread(s): {seconds:6.2f} s, {written / 2**20:.0f} MiB encoded")
    fastest_read = min(v for k, v in best.items() if k[0] == "read" and k[2] == 2)
    zlib_read = best[("read", "zlib", 2)]
    write = best[("write", 2)]
    floor, zlib_floor = fastest_read + write, zlib_read + write
    print(f"floor {floor:.2f} s (fastest read + write, 2 workers); with zlib {zlib_floor:.2f} s")
    if args.cubegen_seconds:
        print(f"cubegen {args.cubegen_seconds:.2f} s = {args.cubegen_seconds / floor:.2f}× the floor "
              f"({args.cubegen_seconds / zlib_floor:.2f}× the zlib floor)")


if __name__ == "__main__":
    main()
