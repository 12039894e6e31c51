"""Bit-flip campaign: damaged inputs either stop the run with a located error or change nothing.

Seeded single-bit and whole-byte flips at many positions of the stored chunks of NetCDF-4 inputs
(deflate + shuffle through the direct-chunk path, with HDF5's Fletcher-32 filter, Fletcher-32
alone on uncompressed chunks, and big-endian data read through netCDF-C) and NetCDF-3 inputs. The target grid equals the source grid with
nearest resampling, so every input value reaches the cube: a flip that changes a decoded value
cannot hide outside the target window. Each run must either fail with a one-line error that names
the file, the variable, the time step (and, on the direct path, the chunk), or produce data chunks
byte-identical to the clean run. NetCDF-3 stores values raw, with no checksum: its flips are
undetectable by design, which the table records (and the README states).

Set CUBEGEN_INTEGRITY_TABLE=FILE to get the detection table as Markdown.
"""
import hashlib
import os
import pathlib
import random
import shutil

import h5py
import netCDF4
import numpy as np
import pytest

from conftest import cubegen

NT, NY, NX = 4, 24, 36
SEED = 20261129
FLIPS_PER_CLASS = int(os.environ.get("CUBEGEN_FLIPS_PER_CLASS", "6"))

# format name -> netCDF4.Dataset.createVariable keyword arguments (None: NetCDF-3)
FORMATS = {
    "NetCDF-4 deflate+shuffle (direct chunk path)": dict(zlib=True, complevel=4, shuffle=True),
    "NetCDF-4 deflate+shuffle+Fletcher-32": dict(zlib=True, complevel=4, shuffle=True, fletcher32=True),
    "NetCDF-4 Fletcher-32 only, uncompressed": dict(zlib=False, shuffle=False, fletcher32=True),
    "NetCDF-4 big-endian deflate (netCDF-C path)": dict(zlib=True, complevel=4, shuffle=False, endian="big"),
    "NetCDF-3 classic (uncompressed)": None,
}


def write_input(path, options):
    fmt = "NETCDF3_CLASSIC" if options is None else "NETCDF4"
    rng = np.random.default_rng(SEED)
    with netCDF4.Dataset(path, "w", format=fmt) as ds:
        ds.createDimension("time", NT)
        ds.createDimension("lat", NY)
        ds.createDimension("lon", NX)
        t = ds.createVariable("time", "f8", ("time",))
        t.units, t.calendar = "days since 2000-01-01", "standard"
        t[:] = np.arange(NT) + 7305.0
        lat = ds.createVariable("lat", "f8", ("lat",))
        lat.units, lat.standard_name = "degrees_north", "latitude"
        lat[:] = 40.25 + 0.5 * np.arange(NY)
        lon = ds.createVariable("lon", "f8", ("lon",))
        lon.units, lon.standard_name = "degrees_east", "longitude"
        lon[:] = 0.25 + 0.5 * np.arange(NX)
        kwargs = {} if options is None else dict(chunksizes=(1, NY, NX), **options)
        dtype = ">f4" if kwargs.get("endian") == "big" else "f4"
        v = ds.createVariable("t2m", dtype, ("time", "lat", "lon"), **kwargs)
        v.units = "K"
        yy, xx = np.meshgrid(np.arange(NY), np.arange(NX), indexing="ij")
        for k in range(NT):
            v[k] = 280 + 0.3 * yy - 0.2 * xx + k + rng.normal(0, 0.5, (NY, NX))


def chunk_ranges(path, options):
    """(offset, size) of every stored chunk of t2m in the file."""
    if options is None:
        with netCDF4.Dataset(path) as ds:
            pass
        # NetCDF-3: the record variable's data is the tail of the file: NT records of NY*NX*4 bytes.
        size = os.path.getsize(path)
        record = NY * NX * 4
        return [(size - (NT - k) * record, record) for k in range(NT)]
    with h5py.File(path, "r") as f:
        ds = f["t2m"]
        return [(ds.id.get_chunk_info(i).byte_offset, ds.id.get_chunk_info(i).size)
                for i in range(ds.id.get_num_chunks())]


def position_classes(offset, size, options):
    """Named byte positions inside one stored chunk."""
    if options is None:
        return {"data": range(offset, offset + size)}
    if not options.get("zlib"):
        return {"data": range(offset, offset + size - 4), "Fletcher-32 checksum": range(offset + size - 4, offset + size)}
    # netCDF-C puts Fletcher-32 first in the pipeline (its checksum is inside the deflate
    # stream), so a stored chunk always ends with the zlib stream's Adler-32.
    tail = "deflate end + Adler-32"
    return {
        "zlib header": range(offset, offset + 2),
        "deflate body": range(offset + 2, offset + size - 8),
        tail: range(offset + size - 4, offset + size),
    }


RECIPE = """version: 1
cube: {{id: flips, title: Bit flips, license: CC0-1.0}}
grid: {{crs: EPSG:4326, bbox: [0, 40, 18, 52], resolution: 0.5}}
sources:
  - name: src
    store: netcdf
    paths: [{input}]
    variables: {{t2m: {{resampling: nearest}}}}
output:
  path: {output}
  chunks: {{time: 1, y: 12, x: 18}}
  overwrite: true
catalog: {{quicklooks: false, fingerprints: false}}
"""


def data_digest(cube):
    """SHA-256 over the data variable's chunk files (names and bytes)."""
    h = hashlib.sha256()
    root = pathlib.Path(cube) / "t2m"
    for chunk in sorted(p for p in root.iterdir() if not p.name.startswith(".")):
        h.update(chunk.name.encode())
        h.update(chunk.read_bytes())
    return h.hexdigest()


def run(tmp, source, output):
    recipe = tmp / "recipe.yaml"
    recipe.write_text(RECIPE.format(input=source, output=output))
    return cubegen("run", recipe, "--workers", "2")


def campaign(tmp, name, options):
    clean = tmp / "clean.nc"
    write_input(clean, options)
    result = run(tmp, clean, tmp / "clean.zarr")
    assert result.returncode == 0, result.stderr
    reference = data_digest(tmp / "clean.zarr")
    original = clean.read_bytes()
    rng = random.Random(f"{SEED}:{name}")
    counts = {}
    for index, (offset, size) in enumerate(chunk_ranges(clean, options)):
        if index % 2:  # every other chunk keeps the campaign short; all chunks are alike
            continue
        for cls, positions in position_classes(offset, size, options).items():
            tally = counts.setdefault(cls, {"detected": 0, "identical": 0, "silent": 0, "messages": []})
            for trial in range(FLIPS_PER_CLASS):
                position = rng.choice(positions)
                damaged = bytearray(original)
                if trial % 2 == 0:
                    damaged[position] ^= 1 << rng.randrange(8)
                else:
                    damaged[position] ^= rng.randrange(1, 256)
                source = tmp / "damaged.nc"
                source.write_bytes(bytes(damaged))
                output = tmp / "damaged.zarr"
                shutil.rmtree(output, ignore_errors=True)
                result = run(tmp, source, output)
                if result.returncode != 0:
                    lines = [l for l in result.stderr.splitlines() if l.strip() and not l.startswith("chunks ")]
                    tally["detected"] += 1
                    tally["messages"].append((position, lines))
                    assert not output.exists(), "a failed run left a cube behind"
                elif data_digest(output) == reference:
                    tally["identical"] += 1
                else:
                    tally["silent"] += 1
    return counts


@pytest.mark.parametrize("name", list(FORMATS))
def test_bit_flips_never_pass_silently(tmp_path, binaries, name):
    options = FORMATS[name]
    counts = campaign(tmp_path, name, options)
    table = os.environ.get("CUBEGEN_INTEGRITY_TABLE")
    if table:
        with open(table, "a") as out:
            for cls, t in counts.items():
                total = t["detected"] + t["identical"] + t["silent"]
                out.write(f"| {name} | {cls} | {total} | {t['detected']} | {t['identical']} | {t['silent']} |\n")
    if options is None:
        # Uncompressed NetCDF-3 carries no checksum: a flipped value bit is undetectable by design.
        # The campaign shows it does happen (so the documentation's claim is true).
        assert counts["data"]["silent"] > 0
        return
    for cls, t in counts.items():
        assert t["silent"] == 0, f"{name}, {cls}: {t['silent']} damaged inputs gave a different cube silently"
        for position, lines in t["messages"]:
            assert len(lines) == 1, f"flip at byte {position}: not one line:\n" + "\n".join(lines)
            line = lines[0]
            assert "damaged.nc" in line and "'t2m'" in line and "time step" in line, line
            if "netCDF-C" not in name:
                assert "chunk at [" in line, line
    # Flips in the checksum trailer are always caught (the data is intact but the check fails).
    trailer = [c for c in counts if "Adler" in c or "Fletcher" in c]
    assert all(counts[c]["detected"] == sum(v for k, v in counts[c].items() if k != "messages") for c in trailer)


def test_flipped_bits_in_a_written_cube_are_reported_by_key(tmp_path, binaries):
    """`cubegen verify --decode` compares every chunk with chunks.sha256, written with the cube."""
    options = FORMATS["NetCDF-4 deflate+shuffle (direct chunk path)"]
    write_input(tmp_path / "in.nc", options)
    cube = tmp_path / "cube.zarr"
    assert run(tmp_path, tmp_path / "in.nc", cube).returncode == 0
    assert cubegen("verify", cube, "--decode").returncode == 0
    rng = random.Random(SEED)
    chunks = sorted(p for p in (cube / "t2m").iterdir() if not p.name.startswith("."))
    for chunk in rng.sample(chunks, 8):
        original = chunk.read_bytes()
        damaged = bytearray(original)
        damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
        chunk.write_bytes(bytes(damaged))
        result = cubegen("verify", cube, "--decode")
        assert result.returncode == 3, result.stdout + result.stderr
        assert f"chunk 't2m/{chunk.name}' differs from what was written" in result.stdout + result.stderr
        chunk.write_bytes(original)
    assert cubegen("verify", cube, "--decode").returncode == 0
