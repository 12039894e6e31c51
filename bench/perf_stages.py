#!/usr/bin/env python3
"""CPU breakdown of a cubegen run by pipeline stage (issue 14): each perf sample goes to the stage
of the innermost frame that matches a stage pattern (symbols of the release build and its C
libraries); the rest is reported by where its leaf lies.

usage: perf record -F 999 --call-graph=fp -o run.perf .build/release/cubegen run --force R.yaml
       perf script -i run.perf | bench/perf_stages.py"""
import re, sys, collections
STAGES = [  # first match from the leaf upwards wins
    ("sha256 (fingerprints, chunks.sha256)", r"libcrypto|SHA256|CubeCrypto"),
    ("quick-looks", r"Quicklook"),
    ("encode: lz4/blosc", r"LZ4_|blosc|libblosc"),
    ("encode: fill check", r"isAllFill"),
    ("encode+write other", r"ChunkWriter|FileSystemB0V3set|writeChunk"),
    ("inflate (libdeflate)", r"libdeflate"),
    ("unshuffle/convert/unpack", r"HDF5ChunkDecoder|CFPacking|unfilter"),
    ("read (HDF5/netCDF/pread)", r"libhdf5|libnetcdf|ChunkReader|readChunk|pread"),
    ("resample apply", r"Weights.{0,8}apply"),
    ("weights/mapping (planning)", r"Weights.{0,6}mapping|PixelMapping|libproj|sqlite|CubeProjection"),
]
pats = [(n, re.compile(p)) for n, p in STAGES]
counts = collections.Counter(); total = 0
stack = []
def flush():
    global total
    if not stack: return
    total += 1
    for frame in stack:  # leaf first
        for n, p in pats:
            if p.search(frame):
                counts[n] += 1; return
    leaf = stack[0]
    key = "other: " + ("kernel" if "kernel" in leaf else "libc memmove/memset" if "mem" in leaf and "libc" in leaf else "swift runtime" if "libswift" in leaf else "rest")
    counts[key] += 1
for line in sys.stdin:
    if not line.strip():
        flush(); stack = []; continue
    if line[0] not in " \t":
        flush(); stack = []; continue
    stack.append(line.strip())
flush()
try:
    for n, c in counts.most_common():
        print(f"{100*c/total:6.1f}%  {n}")
    print(f"{total} samples")
except BrokenPipeError:
    pass
