"""Bit-flip campaign over the other input formats: Zarr (v2 zlib, bz2 and blosc; v3 zstd + crc32c;
v3 sharded), GeoTIFF (deflate and LZW tiles) and GRIB 2 (simple packing).

As for NetCDF (test_integrity.py): seeded single-bit and whole-byte flips at many positions of the
stored chunks, tiles or messages; the target grid equals the source grid with nearest resampling,
so every decoded value reaches the cube. Each run must either fail with a one-line error naming
the input, leaving no cube, or write data chunks byte-identical to the clean run.

Some stored bytes carry no check at all, by the format's design: Blosc (numcodecs' default
compressor) has no checksum, LZW-compressed TIFF tiles none, and GRIB 2's simple packing stores
raw bit-packed values with no checksum (only its section lengths and the `7777` end marker are
structure a reader can verify). Flips there may change values silently; the campaign records how
often, and asserts that it happens (so the documentation's claim is true) instead of hiding it.

Set CUBEGEN_INTEGRITY_TABLE=FILE to get the detection table as Markdown (appended).
"""
import hashlib
import json
import os
import pathlib
import random
import shutil
import struct
import subprocess

import numpy as np
import numcodecs
import pytest
import xarray as xr
import zarr

from conftest import cubegen

NT, NY, NX = 2, 24, 36
SEED = 20261130
FLIPS = int(os.environ.get("CUBEGEN_FLIPS_PER_CLASS", "6"))
LAT = 51.75 - 0.5 * np.arange(NY)
LON = 0.25 + 0.5 * np.arange(NX)
GRID = "{crs: EPSG:4326, bbox: [0, 40, 18, 52], resolution: 0.5}"


def values(k):
    rng = np.random.default_rng(SEED + k)
    yy, xx = np.meshgrid(np.arange(NY), np.arange(NX), indexing="ij")
    return (280 + 0.3 * yy - 0.2 * xx + k + rng.normal(0, 0.5, (NY, NX))).astype("f4")


# --- inputs: each returns (recipe source lines, variable name, [(file, {class: offsets})]) --------

def zarr_input(path, fmt, compressor, shards=None, chunks=(1, 12, 18)):
    ds = xr.Dataset({"t2m": (("time", "lat", "lon"), np.stack([values(k) for k in range(NT)]), {"units": "K"})},
                    coords={"time": ("time", 7305.0 + np.arange(NT), {"units": "days since 2000-01-01", "calendar": "standard"}),
                            "lat": ("lat", LAT, {"units": "degrees_north", "standard_name": "latitude"}),
                            "lon": ("lon", LON, {"units": "degrees_east", "standard_name": "longitude"})})
    encoding = {"chunks": chunks, "compressors": [compressor] if compressor is not None else None}
    if shards:
        encoding["shards"] = shards
    ds.to_zarr(path, zarr_format=fmt, consolidated=True, encoding={"t2m": encoding}, mode="w")
    files = sorted(p for p in (path / "t2m").rglob("*") if p.is_file() and not p.name.startswith(".") and p.name != "zarr.json")
    return files


def zarr_classes(kind):
    def classes(size):
        if kind == "zlib":
            return {"zlib header": range(0, 2), "deflate body": range(2, size - 4), "Adler-32": range(size - 4, size)}
        if kind == "crc32c":
            return {"zstd frame": range(0, size - 4), "crc32c": range(size - 4, size)}
        if kind == "sharded":
            index = 4 * 16 + 4  # 2 × 2 inner chunks of 16 bytes each, then the index's crc32c
            return {"inner chunks (+ crc32c)": range(0, size - index), "shard index (+ crc32c)": range(size - index, size)}
        if kind == "bz2":
            return {"bz2 stream": range(0, size)}
        if kind == "blosc":
            return {"blosc header": range(0, 16), "blosc body (no checksum)": range(16, size)}
        raise ValueError(kind)
    return classes


def tiff_blocks(path):
    """(offset, size) of every tile or strip of a little-endian classic TIFF's first image."""
    data = path.read_bytes()
    assert data[:4] == b"II*\x00"
    ifd = struct.unpack_from("<I", data, 4)[0]
    tags = {}
    for k in range(struct.unpack_from("<H", data, ifd)[0]):
        tag, kind, count, value = struct.unpack_from("<HHII", data, ifd + 2 + 12 * k)
        size = {3: 2, 4: 4, 16: 8}.get(kind, 1) * count
        fmt = {3: "H", 4: "I", 16: "Q"}.get(kind, "B")
        raw = data[ifd + 10 + 12 * k: ifd + 14 + 12 * k] if size <= 4 else data[value: value + size]
        tags[tag] = struct.unpack_from(f"<{count}{fmt}", raw) if fmt != "B" else raw
    offsets, sizes = (tags[324], tags[325]) if 324 in tags else (tags[273], tags[279])
    return list(zip(offsets, sizes))


def tiff_input(tmp, name, compression):
    raw = tmp / f"{name}.bin"
    values(0).astype("<f4").tofile(raw)
    vrt = tmp / f"{name}.vrt"
    vrt.write_text(f'<VRTDataset rasterXSize="{NX}" rasterYSize="{NY}"><SRS>EPSG:4326</SRS>'
                   f"<GeoTransform>0, 0.5, 0, 52, 0, -0.5</GeoTransform>"
                   f'<VRTRasterBand dataType="Float32" band="1" subClass="VRTRawRasterBand"><SourceFilename relativetoVRT="1">{raw.name}'
                   f"</SourceFilename><ImageOffset>0</ImageOffset><PixelOffset>4</PixelOffset><LineOffset>{4 * NX}</LineOffset>"
                   f"<ByteOrder>LSB</ByteOrder></VRTRasterBand></VRTDataset>")
    path = tmp / f"{name}.tif"
    subprocess.run(["gdal_translate", "-q", "-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16",
                    "-co", f"COMPRESS={compression}", str(vrt), str(path)], check=True, capture_output=True)
    return path


def grib_sections(data):
    """Named byte ranges of a single GRIB 2 message: section lengths, section 7's packed values,
    the 7777 end marker."""
    assert data[:4] == b"GRIB" and data[-4:] == b"7777"
    position, lengths, packed = 16, [], None
    while data[position:position + 4] != b"7777":
        length, number = struct.unpack_from(">IB", data, position)
        lengths.append(range(position, position + 4))
        if number == 7:
            packed = range(position + 5, position + length)
        position += length
    return {"section lengths": [p for r in lengths for p in r], "packed values (no checksum)": packed,
            "7777 end marker": range(len(data) - 4, len(data))}


def grib_input(tmp):
    import eccodes
    path = tmp / "in.grib2"
    with open(path, "wb") as out:
        h = eccodes.codes_grib_new_from_samples("regular_ll_sfc_grib2")
        for key, value in [("Ni", NX), ("Nj", NY), ("latitudeOfFirstGridPointInDegrees", 51.75),
                           ("latitudeOfLastGridPointInDegrees", 40.25), ("longitudeOfFirstGridPointInDegrees", 0.25),
                           ("longitudeOfLastGridPointInDegrees", 17.75), ("iDirectionIncrementInDegrees", 0.5),
                           ("jDirectionIncrementInDegrees", 0.5), ("dataDate", 20000101), ("dataTime", 0),
                           ("shortName", "2t"), ("bitsPerValue", 16)]:
            eccodes.codes_set(h, key, value)
        eccodes.codes_set_values(h, values(0).astype("f8").ravel())
        eccodes.codes_write(h, out)
        eccodes.codes_release(h)
    return path


# --- the campaign ---------------------------------------------------------------------------------

def recipe(tmp, source, output):
    text = (f"version: 1\ncube: {{id: flips, title: Bit flips, license: CC0-1.0}}\ngrid: {GRID}\n"
            f"sources:\n{source}output:\n  path: {output}\n  chunks: {{time: 1, y: 12, x: 18}}\n  overwrite: true\n"
            "catalog: {quicklooks: false, fingerprints: false}\n")
    path = tmp / "recipe.yaml"
    path.write_text(text)
    return path


def data_digest(cube, name):
    h = hashlib.sha256()
    for chunk in sorted(p for p in (pathlib.Path(cube) / name).iterdir() if not p.name.startswith(".")):
        h.update(chunk.name.encode())
        h.update(chunk.read_bytes())
    return h.hexdigest()


def campaign(tmp, label, source, variable, targets, input_name, pick=2):
    """targets: [(file, {class: positions})]; flips every class of the first `pick` targets."""
    clean = cubegen("run", recipe(tmp, source, tmp / "clean.zarr"))
    assert clean.returncode == 0, clean.stderr
    reference = data_digest(tmp / "clean.zarr", variable)
    rng = random.Random(f"{SEED}:{label}")
    counts = {}
    for file, classes in targets[:pick]:
        original = file.read_bytes()
        for cls, positions in classes.items():
            tally = counts.setdefault(cls, {"detected": 0, "identical": 0, "silent": 0, "messages": []})
            for trial in range(FLIPS):
                position = rng.choice(list(positions))
                damaged = bytearray(original)
                damaged[position] ^= (1 << rng.randrange(8)) if trial % 2 == 0 else rng.randrange(1, 256)
                file.write_bytes(bytes(damaged))
                output = tmp / "damaged.zarr"
                # Each trial starts clean: no cube and no partial run of an earlier trial to resume.
                shutil.rmtree(output, ignore_errors=True)
                shutil.rmtree(tmp / "damaged.zarr.cubegen-partial", ignore_errors=True)
                result = cubegen("run", recipe(tmp, source, output))
                file.write_bytes(original)
                if result.returncode != 0:
                    lines = [l for l in result.stderr.splitlines() if l.strip() and not l.startswith("chunks ")]
                    tally["detected"] += 1
                    tally["messages"].append((cls, position, lines))
                    assert not output.exists(), f"{label}: a failed run left a cube behind"
                elif data_digest(output, variable) == reference:
                    tally["identical"] += 1
                else:
                    tally["silent"] += 1
    table = os.environ.get("CUBEGEN_INTEGRITY_TABLE")
    if table:
        with open(table, "a") as out:
            for cls, t in counts.items():
                total = t["detected"] + t["identical"] + t["silent"]
                out.write(f"| {label} | {cls} | {total} | {t['detected']} | {t['identical']} | {t['silent']} |\n")
    for cls, t in counts.items():
        for _, position, lines in t["messages"]:
            assert len(lines) == 1, f"{label}, {cls}, flip at byte {position}: not one line:\n" + "\n".join(lines)
            assert input_name in lines[0], f"{label}, {cls}: the error does not name the input: {lines[0]}"
    return counts


ZARR = {
    "Zarr v2 zlib": (2, numcodecs.Zlib(level=4), None, "zlib"),
    "Zarr v2 bz2": (2, numcodecs.BZ2(level=5), None, "bz2"),
    "Zarr v3 zstd + crc32c": (3, None, None, "crc32c"),
    "Zarr v3 sharded (crc32c inner chunks and index)": (3, None, (1, 24, 36), "sharded"),
    "Zarr v2 blosc (no checksum)": (2, numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1), None, "blosc"),
}


@pytest.mark.parametrize("label", list(ZARR))
def test_zarr_bit_flips_never_pass_silently_where_the_format_checks(tmp_path, binaries, label):
    fmt, compressor, shards, kind = ZARR[label]
    if kind in ("crc32c", "sharded"):
        compressor = zarr.codecs.ZstdCodec(level=3, checksum=False)
    files = zarr_input(tmp_path / "in.zarr", fmt, compressor, shards=shards, chunks=(1, 12, 18))
    if kind in ("crc32c", "sharded"):
        # zarr-python writes crc32c only when asked: rewrite with it as the last codec.
        codecs = [compressor, zarr.codecs.Crc32cCodec()]
        ds = xr.open_zarr(tmp_path / "in.zarr").load()
        shutil.rmtree(tmp_path / "in.zarr")
        encoding = {"chunks": (1, 12, 18), "compressors": codecs}
        if shards:
            encoding["shards"] = shards
        ds.to_zarr(tmp_path / "in.zarr", zarr_format=3, consolidated=True, encoding={"t2m": encoding}, mode="w")
        files = sorted(p for p in (tmp_path / "in.zarr" / "t2m").rglob("*") if p.is_file() and p.name != "zarr.json")
    classes = zarr_classes(kind)
    targets = [(f, classes(f.stat().st_size)) for f in files]
    source = "  - name: src\n    store: zarr\n    paths: [in.zarr]\n    variables: {t2m: {resampling: nearest}}\n"
    counts = campaign(tmp_path, label, source.replace("in.zarr", str(tmp_path / "in.zarr")), "t2m", targets, "in.zarr")
    for cls, t in counts.items():
        if "no checksum" in cls:
            continue
        assert t["silent"] == 0, f"{label}, {cls}: {t['silent']} damaged chunks gave a different cube silently"
    if kind == "blosc":
        assert counts["blosc body (no checksum)"]["silent"] > 0, "Blosc has no checksum: flips in its body should show"


@pytest.mark.parametrize("compression", ["DEFLATE", "LZW"])
def test_geotiff_bit_flips(tmp_path, binaries, compression):
    path = tiff_input(tmp_path, "in", compression)
    blocks = tiff_blocks(path)
    if compression == "DEFLATE":
        def classes(offset, size):
            return {"zlib header": range(offset, offset + 2), "deflate body": range(offset + 2, offset + size - 4),
                    "Adler-32": range(offset + size - 4, offset + size)}
    else:
        def classes(offset, size):
            return {"LZW tile (no checksum)": range(offset, offset + size)}
    # Each target is the same file with another tile's classes.
    targets = [(path, classes(o, s)) for o, s in blocks]
    source = (f"  - name: src\n    store: geotiff\n    paths: [{path}]\n    times: [2000-01-01]\n"
              "    variables: {band_1: {resampling: nearest}}\n")
    label = f"GeoTIFF {compression.lower()} tiles"
    counts = campaign(tmp_path, label, source, "band_1", targets, "in.tif")
    if compression == "DEFLATE":
        for cls, t in counts.items():
            assert t["silent"] == 0, f"{label}, {cls}: {t['silent']} damaged tiles gave a different cube silently"
    else:
        assert counts["LZW tile (no checksum)"]["silent"] > 0, "LZW has no checksum: flips should show"


def test_grib_bit_flips(tmp_path, binaries):
    path = grib_input(tmp_path)
    classes = grib_sections(path.read_bytes())
    source = (f"  - name: src\n    store: grib\n    paths: [{path}]\n"
              "    variables: {2t: {resampling: nearest}}\n")
    counts = campaign(tmp_path, "GRIB 2 simple packing", source, "2t", [(path, classes)], "in.grib2")
    for cls in ("section lengths", "7777 end marker"):
        assert counts[cls]["silent"] == 0, f"GRIB, {cls}: {counts[cls]['silent']} damaged messages gave a different cube silently"
    assert counts["packed values (no checksum)"]["silent"] > 0, "GRIB simple packing has no checksum: flips should show"
