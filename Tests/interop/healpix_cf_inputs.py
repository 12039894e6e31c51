"""Writes HEALPix fields as CF NetCDF (netCDF4) and Zarr (xarray/zarr) files: CF-1.13
(`grid_mapping_name: healpix`, `indexing_scheme`, `refinement_level`, a `healpix_index` coordinate)
and the older easygems style (`healpix_nside`, `healpix_order`, no index). Values are the analytic
fields of `cellgrid_inputs.field` at the healpy cell centres, or any values given."""
import warnings

import healpy
import numpy as np
import xarray as xr

from cellgrid_inputs import HOURS, field


def centres(nside, nested, cells=None):
    """Longitudes/latitudes (degrees) of the cells (all when `cells` is None)."""
    cells = np.arange(12 * nside * nside) if cells is None else np.asarray(cells)
    return healpy.pix2ang(nside, cells, nest=nested, lonlat=True)


def analytic(nside, nested, cells=None, hours=HOURS):
    """`tas` (the 2t field) and `ps` (the msl field) at the cells' centres, one row per time step."""
    lon, lat = centres(nside, nested, cells)
    return {name: np.stack([field(short, lon, lat, h) for h in hours]).astype(np.float32)
            for name, short in (("tas", "2t"), ("ps", "msl"))}


def dataset(nside, nested, cells=None, values=None, style="cf", index_name="cell", coordinate=True, hours=HOURS,
            mapping=None):
    """An xarray Dataset on dimension `cell`.

    style "cf": a scalar `crs` with CF-1.13 attributes (and an Earth radius), every variable
    `grid_mapping: crs`, the cells in an index variable `index_name` with `standard_name:
    healpix_index` (a coordinate variable when `coordinate`, else an auxiliary coordinate on `cell`).
    style "easygems": `crs` with `healpix_nside`/`healpix_order`, no index: every cell in order.
    `mapping` replaces the grid-mapping attributes (for error tests)."""
    count = 12 * nside * nside if cells is None else len(cells)
    values = analytic(nside, nested, cells, hours) if values is None else values
    time = xr.Variable("time", np.asarray(hours, dtype=np.float64),
                       {"units": "hours since 2024-01-01 00:00:00", "calendar": "proleptic_gregorian", "standard_name": "time"})
    if style == "cf":
        attrs = {"grid_mapping_name": "healpix", "indexing_scheme": "nested" if nested else "ring",
                 "refinement_level": np.int32(int(np.log2(nside))), "earth_radius": 6371000.0}
    else:
        attrs = {"grid_mapping_name": "healpix", "healpix_nside": np.int32(nside), "healpix_order": "nest" if nested else "ring"}
    if mapping is not None:
        attrs = mapping
    data_vars = {"crs": xr.Variable((), np.int32(0), attrs)}
    units = {"tas": "K", "ps": "hPa"}
    for name, v in values.items():
        data_vars[name] = xr.Variable(("time", "cell"), v, {"units": units.get(name, "1"),
                                                             **({"grid_mapping": "crs"} if style == "cf" else {})})
    coords = {"time": time}
    if style == "cf":
        indices = np.arange(count, dtype=np.int64) if cells is None else np.asarray(cells, dtype=np.int64)
        index = xr.Variable("cell", indices, {"standard_name": "healpix_index", "long_name": "HEALPix cell index"})
        if coordinate:
            index_name = "cell"
            coords["cell"] = index
        else:
            coords[index_name] = index
    ds = xr.Dataset(data_vars, coords=coords, attrs={"Conventions": "CF-1.13"})
    if style == "cf" and not coordinate:
        for name in values:
            ds[name].attrs["coordinates"] = index_name
    return ds


def write_netcdf(ds, path):
    """NetCDF-4 through netCDF4 (xarray's engine), no fill attributes added to the index."""
    encoding = {name: {"_FillValue": None} for name in list(ds.variables) if name not in ("time",)}
    for name in ds.data_vars:
        if ds[name].dtype == np.float32:
            encoding[name] = {"_FillValue": np.float32(np.nan), "zlib": True}
    # An auxiliary index named in `coordinates` goes out as a coordinate, its own attribute kept.
    ds.to_netcdf(path, engine="netcdf4", encoding=encoding)


def write_zarr(ds, path, zarr_format=3):
    encoding = {name: {"chunks": (1, 4096)} for name in ds.data_vars if ds[name].ndim == 2}
    with warnings.catch_warnings():   # zarr-python's note that v3 consolidated metadata is an extension
        warnings.simplefilter("ignore")
        ds.to_zarr(path, mode="w", zarr_format=zarr_format, consolidated=True, encoding=encoding)
