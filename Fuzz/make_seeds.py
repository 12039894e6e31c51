"""Writes the seed corpora for the fuzz targets (run once; the seeds are committed).

usage: .venv-oracle/bin/python Fuzz/make_seeds.py
"""
import json
import pathlib

import netCDF4
import numcodecs
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def zarr_group_seeds(out):
    """Group documents as xarray writes them: v2 `.zmetadata` and a v3 root `zarr.json` with inline
    consolidated metadata (a sharded, zstd-compressed, packed int16 variable)."""
    import tempfile

    import xarray as xr
    import zarr

    out.mkdir(parents=True, exist_ok=True)
    ds = xr.Dataset({"tas": (("time", "lat", "lon"), np.zeros((2, 4, 6), "f4"), {"units": "K", "grid_mapping": "spatial_ref"}),
                     "spatial_ref": ((), 0, {"crs_wkt": "GEOGCRS[...]", "grid_mapping_name": "latitude_longitude"})},
                    coords={"time": ("time", [0.0, 1.0], {"units": "days since 2000-01-01", "calendar": "noleap"}),
                            "lat": ("lat", np.arange(4.0), {"units": "degrees_north"}),
                            "lon": ("lon", np.arange(6.0), {"units": "degrees_east"})})
    ds["tas"].encoding = {"dtype": "int16", "scale_factor": 0.01, "add_offset": 250.0, "_FillValue": -32768}
    with tempfile.TemporaryDirectory() as tmp:
        ds.to_zarr(f"{tmp}/v2.zarr", zarr_format=2, consolidated=True)
        (out / "v2_consolidated.bin").write_bytes(pathlib.Path(f"{tmp}/v2.zarr/.zmetadata").read_bytes() + b"\0")
        ds.to_zarr(f"{tmp}/v3.zarr", zarr_format=3, consolidated=True,
                   encoding={"tas": {**ds["tas"].encoding, "chunks": (1, 2, 3), "shards": (2, 4, 6),
                                     "compressors": [zarr.codecs.ZstdCodec(level=3)]}})
        (out / "v3_group_consolidated.bin").write_bytes(pathlib.Path(f"{tmp}/v3.zarr/zarr.json").read_bytes() + b"\0")


def zarr_seeds(out):
    out.mkdir(parents=True, exist_ok=True)
    values = (np.arange(4 * 6, dtype="<f4").reshape(4, 6) * 0.5).tobytes()
    compressors = {
        "none": None,
        "blosc_lz4": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0},
        "blosc_zstd_bit": {"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2, "blocksize": 0},
        "zstd": {"id": "zstd", "level": 3},
        "zlib": {"id": "zlib", "level": 1},
        "gzip": {"id": "gzip", "level": 1},
    }
    for name, config in compressors.items():
        meta = {"zarr_format": 2, "shape": [8, 6], "chunks": [4, 6], "dtype": "<f4", "fill_value": "NaN",
                "order": "C", "filters": None, "dimension_separator": ".", "compressor": config}
        chunk = values if config is None else numcodecs.get_codec(config).encode(values)
        (out / f"{name}.bin").write_bytes(json.dumps(meta).encode() + b"\0" + bytes(chunk))


def zarr3_seeds(out):
    """Zarr v3 seeds written by zarr-python (not by CubeGen): `zarr.json`, NUL, the stored object."""
    import tempfile

    import zarr
    from zarr.codecs import BloscCodec, Crc32cCodec, ZstdCodec

    out.mkdir(parents=True, exist_ok=True)
    values = np.arange(8 * 6, dtype="<f4").reshape(8, 6) * 0.5
    values[0:2, 3:6] = np.nan  # one inner chunk of fill only: missing from the shard index
    cases = {
        "v3_sharded_blosc_crc32c": dict(shards=(4, 6), compressors=[BloscCodec(cname="zstd", clevel=5, shuffle="shuffle"), Crc32cCodec()]),
        "v3_zstd": dict(compressors=[ZstdCodec(level=3)]),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, options in cases.items():
            array = zarr.create_array(f"{tmp}/{name}.zarr", shape=(8, 6), chunks=(2, 3), dtype="<f4", fill_value=np.nan,
                                      zarr_format=3, **options)
            array[...] = values
            document = pathlib.Path(f"{tmp}/{name}.zarr/zarr.json").read_bytes()
            stored = pathlib.Path(f"{tmp}/{name}.zarr/c/0/0").read_bytes()
            (out / f"{name}.bin").write_bytes(document + b"\0" + stored)


def netcdf_seeds(out):
    out.mkdir(parents=True, exist_ok=True)
    variants = {
        "classic.nc": ("NETCDF3_CLASSIC", {}),
        "deflate_shuffle.nc": ("NETCDF4", dict(zlib=True, complevel=4, shuffle=True, chunksizes=(1, 4, 6))),
        "fletcher.nc": ("NETCDF4", dict(zlib=True, shuffle=True, fletcher32=True, chunksizes=(1, 4, 6))),
        "int16_packed.nc": ("NETCDF4", dict(zlib=True, chunksizes=(1, 4, 6))),
    }
    for name, (fmt, kwargs) in variants.items():
        with netCDF4.Dataset(out / name, "w", format=fmt) as ds:
            ds.createDimension("time", 2)
            ds.createDimension("lat", 4)
            ds.createDimension("lon", 6)
            t = ds.createVariable("time", "f8", ("time",))
            t.units, t.calendar = "days since 2000-01-01", "standard"
            t[:] = [0, 1]
            lat = ds.createVariable("lat", "f8", ("lat",))
            lat.units = "degrees_north"
            lat[:] = [10, 11, 12, 13]
            lon = ds.createVariable("lon", "f8", ("lon",))
            lon.units = "degrees_east"
            lon[:] = np.arange(6) + 0.5
            if name.startswith("int16"):
                v = ds.createVariable("v", "i2", ("time", "lat", "lon"), fill_value=-32768, **kwargs)
                v.scale_factor, v.add_offset = 0.01, 0.0
            else:
                v = ds.createVariable("v", "f4", ("time", "lat", "lon"), fill_value=-9999.0, **kwargs)
            v.units = "K"
            v[:] = np.arange(48).reshape(2, 4, 6) * 0.25


def recipe_seeds(out):
    out.mkdir(parents=True, exist_ok=True)
    for path in list((ROOT / "recipes").glob("*.yaml")) + list((ROOT / "bench").glob("*.yaml.in")):
        (out / path.name).write_bytes(path.read_bytes())


def geotiff_seeds(out):
    """Small GeoTIFFs from GDAL's command-line tools: every compression and predictor the store
    reads, striped and tiled, pixel- and band-interleaved, several sample types, a COG with
    overviews, nodata and scale/offset, a user-defined CRS, pixel-is-point."""
    import subprocess
    import tempfile
    out.mkdir(parents=True, exist_ok=True)
    cases = {
        "strip_none_u8": ("Byte", ["-co", "COMPRESS=NONE", "-co", "BLOCKYSIZE=5"]),
        "strip_packbits_i16_band": ("Int16", ["-co", "COMPRESS=PACKBITS", "-co", "INTERLEAVE=BAND"]),
        "tile_lzw_pred2_u16": ("UInt16", ["-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16", "-co", "COMPRESS=LZW", "-co", "PREDICTOR=2"]),
        "tile_deflate_pred2_i32_band": ("Int32", ["-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=2", "-co", "INTERLEAVE=BAND"]),
        "tile_zstd_pred3_f32": ("Float32", ["-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16", "-co", "COMPRESS=ZSTD", "-co", "PREDICTOR=3"]),
        "strip_deflate_pred3_f64": ("Float64", ["-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=3"]),
        "tile_jpeg_u8": ("Byte", ["-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16", "-co", "COMPRESS=JPEG"]),
        "nodata_scale_i16": ("Int16", ["-a_nodata", "-32768", "-a_scale", "0.01", "-a_offset", "5"]),
        "user_crs_f32": ("Float32", ["-a_srs", "+proj=laea +lat_0=46 +lon_0=9 +ellps=GRS80 +units=m +no_defs"]),
        "point_u8": ("Byte", ["-mo", "AREA_OR_POINT=Point"]),
        "cog_deflate_f32": ("Float32", ["-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "BLOCKSIZE=16", "-co", "OVERVIEW_COUNT=2"]),
    }
    w, h = 24, 20
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        values = (np.arange(3 * h * w) % 200).astype("<f8").reshape(3, h, w)
        values.tofile(tmp / "v.bin")
        bands = "".join(
            f'<VRTRasterBand dataType="Float64" band="{b + 1}" subClass="VRTRawRasterBand"><SourceFilename relativetoVRT="1">v.bin</SourceFilename>'
            f"<ImageOffset>{b * h * w * 8}</ImageOffset><PixelOffset>8</PixelOffset><LineOffset>{w * 8}</LineOffset><ByteOrder>LSB</ByteOrder></VRTRasterBand>"
            for b in range(3))
        (tmp / "v.vrt").write_text(f'<VRTDataset rasterXSize="{w}" rasterYSize="{h}"><SRS>EPSG:32632</SRS>'
                                   f"<GeoTransform>500000, 100, 0, 5000000, 0, -100</GeoTransform>{bands}</VRTDataset>")
        for name, (dtype, options) in cases.items():
            target = out / f"{name}.tif"
            subprocess.run(["gdal_translate", "-q", "-ot", dtype, *options, str(tmp / "v.vrt"), str(target)], check=True)
            aux = target.with_suffix(".tif.aux.xml")
            if aux.exists():
                aux.unlink()


if __name__ == "__main__":
    zarr_seeds(HERE / "corpus" / "zarr")
    zarr_group_seeds(HERE / "corpus" / "zarr")
    zarr3_seeds(HERE / "corpus" / "zarr")
    netcdf_seeds(HERE / "corpus" / "netcdf")
    recipe_seeds(HERE / "corpus" / "recipe")
    geotiff_seeds(HERE / "corpus" / "geotiff")
    print("seeds written to", HERE / "corpus")
