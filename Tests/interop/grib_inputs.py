"""Writes GRIB 2 test files with analytic fields through ecCodes (the PyPI `eccodes` wheel, a
current ecCodes): regular lat/lon in several scanning modes, with levels, steps and a bitmap.

usage: python grib_inputs.py OUT_DIR
"""
import pathlib
import sys

import eccodes
import numpy as np


def field(name, lon, lat, hours):
    """The analytic truth: smooth in lon/lat, changing with time and level."""
    base = {"2t": 280.0, "t850": 270.0, "t500": 250.0, "msl": 101000.0}[name]
    scale = 100.0 if name == "msl" else 1.0
    return base + scale * (10 * np.cos(np.radians(lat)) + 0.05 * lon + 0.1 * hours)


def write(path, grid, messages, i_negative=False, j_positive=False, missing=None):
    """grid: (lon0, lat0, dlon, dlat, ni, nj) with lat0 the northernmost row; messages: (short, level_type, level, hours)."""
    lon0, lat0, d, ni, nj = grid
    lons = lon0 + d * np.arange(ni)
    lats = lat0 - d * np.arange(nj)
    with open(path, "wb") as out:
        for short, level_type, level, hours in messages:
            h = eccodes.codes_grib_new_from_samples("regular_ll_sfc_grib2")
            eccodes.codes_set(h, "Ni", ni)
            eccodes.codes_set(h, "Nj", nj)
            first_lat, last_lat = (lats[-1], lats[0]) if j_positive else (lats[0], lats[-1])
            first_lon, last_lon = (lons[-1], lons[0]) if i_negative else (lons[0], lons[-1])
            eccodes.codes_set(h, "iScansNegatively", 1 if i_negative else 0)
            eccodes.codes_set(h, "jScansPositively", 1 if j_positive else 0)
            eccodes.codes_set(h, "latitudeOfFirstGridPointInDegrees", float(first_lat))
            eccodes.codes_set(h, "latitudeOfLastGridPointInDegrees", float(last_lat))
            eccodes.codes_set(h, "longitudeOfFirstGridPointInDegrees", float(first_lon % 360))
            eccodes.codes_set(h, "longitudeOfLastGridPointInDegrees", float(last_lon % 360))
            eccodes.codes_set(h, "iDirectionIncrementInDegrees", d)
            eccodes.codes_set(h, "jDirectionIncrementInDegrees", d)
            eccodes.codes_set(h, "dataDate", 20240101)
            eccodes.codes_set(h, "dataTime", 0)
            eccodes.codes_set(h, "stepUnits", 1)
            eccodes.codes_set(h, "endStep", hours)
            eccodes.codes_set(h, "typeOfLevel", level_type)
            eccodes.codes_set(h, "level", level)
            eccodes.codes_set(h, "shortName", "t" if short.startswith("t") and short != "2t" else short)
            eccodes.codes_set(h, "bitsPerValue", 24)
            LON, LAT = np.meshgrid(lons, lats)
            values = field(short, LON, LAT, hours)
            if missing is not None:
                values = np.where(missing(LON, LAT), np.nan, values)
            if i_negative:
                values = values[:, ::-1]
            if j_positive:
                values = values[::-1, :]
            flat = values.ravel()
            if np.isnan(flat).any():
                eccodes.codes_set(h, "bitmapPresent", 1)
                eccodes.codes_set(h, "missingValue", 9999.0)
                flat = np.where(np.isnan(flat), 9999.0, flat)
            eccodes.codes_set_values(h, flat)
            eccodes.codes_write(h, out)
            eccodes.codes_release(h)


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    grid = (-10.0, 60.0, 0.5, 61, 41)  # 10°W…20°E, 60°N…40°N
    steps = [0, 6, 12]
    surface = [("2t", "surface", 0, h) for h in steps] + [("msl", "meanSea", 0, h) for h in steps]
    levels = [(f"t{p}", "isobaricInhPa", p, h) for h in steps for p in (850, 500)]
    write(out / "sfc.grib2", grid, surface)
    write(out / "pl.grib2", grid, levels)
    write(out / "sfc_i_negative.grib2", grid, surface, i_negative=True)
    write(out / "sfc_j_positive.grib2", grid, surface, j_positive=True)
    write(out / "sfc_missing.grib2", grid, [("2t", "surface", 0, h) for h in steps],
          missing=lambda lon, lat: (lon > 5) & (lat < 50))


if __name__ == "__main__":
    main()
