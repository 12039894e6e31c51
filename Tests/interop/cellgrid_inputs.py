"""Writes GRIB 2 test files on cell grids with analytic fields through ecCodes (the PyPI `eccodes`
wheel, a current ecCodes that knows HEALPix template 3.150): HEALPix nested and ring, octahedral
reduced Gaussian, two parameters (2t, msl) at two valid times each. Also the cell centres and
areas the tests compare with.

usage: python cellgrid_inputs.py OUT_DIR
"""
import pathlib
import sys

import eccodes
import healpy
import numpy as np

HOURS = [0, 6]


def rough(count, hours):
    """A field with no smoothness or symmetry (seeded uniform 0…10 per cell): its area integral is
    kept by conservative remapping only, where the smooth fields' symmetric integrals are kept by
    any method."""
    return np.random.default_rng(count + hours).uniform(0, 10, count)


def field(short, lon, lat, hours):
    """The analytic truth (degrees in): smooth on the sphere, different per parameter and time."""
    lam, phi = np.radians(lon), np.radians(lat)
    base = 280.0 if short == "2t" else 1000.0
    return base + 10 * np.cos(phi) * np.sin(2 * lam) + 5 * np.sin(phi) + 0.1 * hours


def healpix_centres(nside, nested):
    lon, lat = healpy.pix2ang(nside, np.arange(12 * nside * nside), nest=nested, lonlat=True)
    return lon, lat


def octahedral_rows(n):
    north = [4 * i + 16 for i in range(1, n + 1)]
    return north + north[::-1]


def gaussian_latitudes(n):
    """Latitudes (degrees, north to south) and Gauss–Legendre weights (sum 2) of 2n rows."""
    x, w = np.polynomial.legendre.leggauss(2 * n)
    order = np.argsort(-x)
    return np.degrees(np.arcsin(x[order])), w[order]


def gaussian_centres(n, rows):
    lats, _ = gaussian_latitudes(n)
    lon = np.concatenate([360.0 * np.arange(p) / p for p in rows])
    lat = np.concatenate([np.full(p, lats[r]) for r, p in enumerate(rows)])
    return lon, lat


def cell_areas_gaussian(n, rows):
    _, w = gaussian_latitudes(n)
    return np.concatenate([np.full(p, 2 * np.pi * w[r] / p) for r, p in enumerate(rows)])


def _common(h, short, hours):
    eccodes.codes_set(h, "dataDate", 20240101)
    eccodes.codes_set(h, "dataTime", 0)
    eccodes.codes_set(h, "stepUnits", 1)
    eccodes.codes_set(h, "endStep", hours)
    eccodes.codes_set(h, "typeOfLevel", "meanSea" if short == "msl" else "surface")
    eccodes.codes_set(h, "level", 0)
    eccodes.codes_set(h, "shortName", short)
    eccodes.codes_set(h, "bitsPerValue", 24)


def write_healpix(path, nside, nested, params=("2t", "msl", "tp")):
    lon, lat = healpix_centres(nside, nested)
    with open(path, "wb") as out:
        for short in params:
            for hours in HOURS:
                h = eccodes.codes_grib_new_from_samples("GRIB2")
                eccodes.codes_set(h, "gridType", "healpix")
                eccodes.codes_set(h, "Nside", nside)
                eccodes.codes_set(h, "orderingConvention", "nested" if nested else "ring")
                eccodes.codes_set(h, "longitudeOfFirstGridPointInDegrees", 45.0)
                eccodes.codes_set(h, "shapeOfTheEarth", 6)
                _common(h, short, hours)
                eccodes.codes_set_values(h, rough(lon.size, hours) if short == "tp" else field(short, lon, lat, hours))
                eccodes.codes_write(h, out)
                eccodes.codes_release(h)


def write_octahedral(path, n, params=("2t", "msl", "tp")):
    rows = octahedral_rows(n)
    lon, lat = gaussian_centres(n, rows)
    with open(path, "wb") as out:
        for short in params:
            for hours in HOURS:
                h = eccodes.codes_grib_new_from_samples("reduced_gg_pl_32_grib2")
                eccodes.codes_set(h, "N", n)
                eccodes.codes_set(h, "Nj", 2 * n)
                eccodes.codes_set_array(h, "pl", rows)
                lats, _ = gaussian_latitudes(n)
                eccodes.codes_set(h, "latitudeOfFirstGridPointInDegrees", float(lats[0]))
                eccodes.codes_set(h, "latitudeOfLastGridPointInDegrees", float(lats[-1]))
                eccodes.codes_set(h, "longitudeOfFirstGridPointInDegrees", 0.0)
                eccodes.codes_set(h, "longitudeOfLastGridPointInDegrees", 360.0 - 360.0 / max(rows))
                _common(h, short, hours)
                eccodes.codes_set_values(h, rough(lon.size, hours) if short == "tp" else field(short, lon, lat, hours))
                eccodes.codes_write(h, out)
                eccodes.codes_release(h)


def write_regular_gaussian(path, params=("2t",)):
    """F32 (the eccodes sample's grid, 128 × 64): a regular Gaussian grid, read as a raster."""
    lats, _ = gaussian_latitudes(32)
    lon = 360.0 * np.arange(128) / 128
    LON, LAT = np.meshgrid(lon, lats)
    with open(path, "wb") as out:
        for short in params:
            for hours in HOURS:
                h = eccodes.codes_grib_new_from_samples("regular_gg_sfc_grib2")
                _common(h, short, hours)
                eccodes.codes_set_values(h, field(short, LON, LAT, hours).ravel())
                eccodes.codes_write(h, out)
                eccodes.codes_release(h)


def decoded(path, index=0):
    """The values of message `index` as ecCodes decodes them (packing included)."""
    with open(path, "rb") as f:
        for k in range(index + 1):
            h = eccodes.codes_grib_new_from_file(f)
            if k < index:
                eccodes.codes_release(h)
        values = eccodes.codes_get_values(h)
        eccodes.codes_release(h)
    return values


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for nside in (8, 16, 64):
        write_healpix(out / f"h{nside}_nested.grib2", nside, True)
        write_healpix(out / f"h{nside}_ring.grib2", nside, False)
    for n in (32, 80):
        write_octahedral(out / f"o{n}.grib2", n)
    write_regular_gaussian(out / "f32.grib2")


if __name__ == "__main__":
    main()
