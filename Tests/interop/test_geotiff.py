"""GeoTIFF and COG inputs written by GDAL's command-line tools (Debian's gdal-bin 3.6) from analytic
fields: every compression, predictor, layout and sample type the store reads; mosaics of tiles in two
UTM zones; a user-defined CRS; pixel-is-point; bad inputs. Cubes must match the analytic truth and
GDAL's own gdalwarp of the same job.

Tolerances: exact (0) where the target grid is the source grid (nearest); 0.05 against the analytic
field after reprojection (bilinear on 1 km pixels of a field linear in lon/lat; the error is the
field's curvature in UTM plus CubeGen's and GDAL's approximate transformers, 1/8 pixel); 0.01 between
CubeGen and gdalwarp (same bilinear kernel; both approximate the transformation)."""
import json
import subprocess

import numpy as np
import pyproj
import pytest
import xarray as xr

from conftest import cubegen

UTM32 = "EPSG:32632"


def write_vrt(path, bands, geotransform, srs, dtype="Float64", nodata=None, scale=None, offset=None):
    """A VRT over raw little-endian float64 values (bands × rows × columns) that gdal_translate converts."""
    b, h, w = bands.shape
    raw = path.with_suffix(".bin")
    np.asarray(bands, dtype="<f8").tofile(raw)
    extra = ""
    if nodata is not None:
        extra += f"<NoDataValue>{nodata}</NoDataValue>"
    if scale is not None:
        extra += f"<Scale>{scale}</Scale><Offset>{offset}</Offset>"
    xml = "".join(
        f'<VRTRasterBand dataType="{dtype}" band="{k + 1}" subClass="VRTRawRasterBand">{extra}'
        f'<SourceFilename relativetoVRT="1">{raw.name}</SourceFilename><ImageOffset>{k * h * w * 8}</ImageOffset>'
        f"<PixelOffset>8</PixelOffset><LineOffset>{w * 8}</LineOffset><ByteOrder>LSB</ByteOrder></VRTRasterBand>"
        for k in range(b))
    gt = ", ".join(repr(float(v)) for v in geotransform)
    path.write_text(f'<VRTDataset rasterXSize="{w}" rasterYSize="{h}"><SRS>{srs}</SRS>'
                    f"<GeoTransform>{gt}</GeoTransform>{xml}</VRTDataset>")
    return path


def translate(src, dst, *options):
    subprocess.run(["gdal_translate", "-q", *options, str(src), str(dst)], check=True, capture_output=True)
    aux = dst.with_name(dst.name + ".aux.xml")
    if aux.exists():
        aux.unlink()
    return dst


def recipe(tmp_path, sources, grid, time="time: {}\n", name="r.yaml"):
    text = ("version: 1\ncube: {id: gt, title: GeoTIFF test, summary: s, license: CC0-1.0, version: 1.0.0, keywords: []}\n"
            f"grid: {json.dumps(grid)}\n{time}sources:\n{sources}output: {{path: cube.zarr, overwrite: true}}\n")
    path = tmp_path / name
    path.write_text(text)
    return path


# --- every layout, compression, predictor and sample type, read exactly --------------------------

W, H, RES, X0, Y0 = 40, 30, 100.0, 500000.0, 5000000.0

# name, GDAL type, creation options, value range (values are integers modulo it, or reals)
LAYOUTS = [
    ("strip_none_u8_pixel", "Byte", ["-co", "COMPRESS=NONE", "-co", "BLOCKYSIZE=7"], 250),
    ("strip_packbits_i16_band", "Int16", ["-co", "COMPRESS=PACKBITS", "-co", "INTERLEAVE=BAND"], 30000),
    ("strip_lzw_pred2_u16", "UInt16", ["-co", "COMPRESS=LZW", "-co", "PREDICTOR=2", "-co", "BLOCKYSIZE=4"], 60000),
    ("tile_lzw_pred2_i32_band", "Int32", ["-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16", "-co", "COMPRESS=LZW",
                                          "-co", "PREDICTOR=2", "-co", "INTERLEAVE=BAND"], 1 << 22),
    ("tile_deflate_pred2_u32", "UInt32", ["-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=32", "-co", "COMPRESS=DEFLATE",
                                          "-co", "PREDICTOR=2"], 1 << 22),
    ("tile_zstd_pred3_f32", "Float32", ["-co", "TILED=YES", "-co", "BLOCKXSIZE=32", "-co", "BLOCKYSIZE=16", "-co", "COMPRESS=ZSTD",
                                        "-co", "PREDICTOR=3"], None),
    ("strip_deflate_pred3_f64_band", "Float64", ["-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=3", "-co", "INTERLEAVE=BAND"], None),
    ("tile_zstd_i64", "Int64", ["-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16", "-co", "COMPRESS=ZSTD"], 1 << 22),
    ("strip_lzw_u64", "UInt64", ["-co", "COMPRESS=LZW"], 1 << 22),
    ("strip_deflate_i8", "Byte", ["-co", "PIXELTYPE=SIGNEDBYTE", "-co", "COMPRESS=DEFLATE"], 120),
    ("cog_deflate_pred2_i16", "Int16", ["-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=YES", "-co", "BLOCKSIZE=16"], 30000),
    ("cog_lzw_f32", "Float32", ["-of", "COG", "-co", "COMPRESS=LZW", "-co", "PREDICTOR=YES", "-co", "BLOCKSIZE=32"], None),
]


def layout_values(k, value_range, signed):
    """Band k's field: integers within the type's range (negative too when signed), or reals."""
    rows, cols = np.mgrid[0:H, 0:W]
    if value_range is None:
        return np.sin(cols * 0.3 + k) * 1000 + rows * 0.125
    v = (cols * 37 + rows * 101 + k * 1009) % value_range
    return v - value_range // 2 if signed else v


def test_every_layout_compression_predictor_and_sample_type_reads_exactly(tmp_path, binaries):
    sources, truth = "", {}
    for name, dtype, options, value_range in LAYOUTS:
        signed = dtype.startswith("Int") or "SIGNEDBYTE" in " ".join(options)
        bands = np.stack([layout_values(k, value_range, signed) for k in range(2)])
        # GDAL 3.6 has no Int8 type: a signed-byte file is written from the bytes' unsigned values.
        written = bands % 256 if dtype == "Byte" and signed else bands
        vrt = write_vrt(tmp_path / f"{name}.vrt", written, [X0, RES, 0, Y0, 0, -RES], UTM32)
        translate(vrt, tmp_path / f"{name}.tif", "-ot", dtype, *options)
        truth[f"{name}_a"], truth[f"{name}_b"] = bands[0], bands[1]
        sources += (f"  - name: {name}\n    store: geotiff\n    paths: [{name}.tif]\n    times: [2024-06-01]\n"
                    f"    bands: {{1: {name}_a, 2: {name}_b}}\n    variables:\n"
                    f"      {name}_a: {{resampling: nearest, dtype: float64}}\n      {name}_b: {{resampling: nearest, dtype: float64}}\n")
    grid = {"crs": UTM32, "bbox": [X0, Y0 - H * RES, X0 + W * RES, Y0], "resolution": RES}
    cubegen("run", recipe(tmp_path, sources, grid), check=True)
    ds = xr.open_zarr(tmp_path / "cube.zarr")
    assert ds.y.values[0] > ds.y.values[-1]
    for variable, expected in truth.items():
        # Samples travel as float32 (DatasetReader's contract): reals round to float32, the
        # integers chosen here (below 2^24) are exact.
        expected = expected.astype(np.float32)
        got = ds[variable].isel(time=0).values
        assert np.array_equal(got, expected), f"{variable}: max difference {np.max(np.abs(got - expected))}"


def test_jpeg_tiles_decode_within_jpeg_loss(tmp_path, binaries):
    rows, cols = np.mgrid[0:H, 0:W]
    field = np.stack([100 + 50 * np.sin(cols * 0.1) + rows] * 3)
    vrt = write_vrt(tmp_path / "j.vrt", field, [X0, RES, 0, Y0, 0, -RES], UTM32)
    translate(vrt, tmp_path / "j.tif", "-ot", "Byte", "-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16",
              "-co", "COMPRESS=JPEG", "-co", "PHOTOMETRIC=YCBCR", "-co", "JPEG_QUALITY=95")
    sources = ("  - name: j\n    store: geotiff\n    paths: [j.tif]\n    times: [2024-06-01]\n    bands: {1: red, 3: blue}\n"
               "    variables:\n      red: {resampling: nearest}\n      blue: {resampling: nearest}\n")
    grid = {"crs": UTM32, "bbox": [X0, Y0 - H * RES, X0 + W * RES, Y0], "resolution": RES}
    cubegen("run", recipe(tmp_path, sources, grid), check=True)
    ds = xr.open_zarr(tmp_path / "cube.zarr")
    for name in ["red", "blue"]:
        error = np.abs(ds[name].isel(time=0).values - np.round(field[0]))
        assert error.mean() < 2 and error.max() < 12, (name, error.mean(), error.max())


def test_nodata_scale_and_offset_decode(tmp_path, binaries):
    rows, cols = np.mgrid[0:H, 0:W]
    stored = (cols * 10 + rows).astype(float)
    stored[5:8, 10:20] = -32768
    vrt = write_vrt(tmp_path / "n.vrt", stored[None], [X0, RES, 0, Y0, 0, -RES], UTM32, nodata=-32768, scale=0.01, offset=5)
    translate(vrt, tmp_path / "n.tif", "-ot", "Int16", "-co", "COMPRESS=DEFLATE", "-co", "TILED=YES", "-co", "BLOCKXSIZE=16",
              "-co", "BLOCKYSIZE=16")
    sources = ("  - name: n\n    store: geotiff\n    paths: [n.tif]\n    times: [2024-06-01]\n"
               "    variables:\n      band_1: {name: ndvi, resampling: nearest, dtype: float64}\n")
    grid = {"crs": UTM32, "bbox": [X0, Y0 - H * RES, X0 + W * RES, Y0], "resolution": RES}
    cubegen("run", recipe(tmp_path, sources, grid), check=True)
    got = xr.open_zarr(tmp_path / "cube.zarr").ndvi.isel(time=0).values
    expected = np.where(stored == -32768, np.nan, stored * 0.01 + 5)
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert np.nanmax(np.abs(got - expected)) < 1e-5   # decoded in float32


def test_pixel_is_point_reads_like_gdal(tmp_path, binaries):
    """GDAL writes AREA_OR_POINT=Point as RasterPixelIsPoint with the tie point on the first centre
    and reads it back with the same geotransform: the cube must equal the pixel-is-area cube."""
    rows, cols = np.mgrid[0:H, 0:W]
    field = (cols * 3 + rows * 7).astype(float)[None]
    vrt = write_vrt(tmp_path / "p.vrt", field, [X0, RES, 0, Y0, 0, -RES], UTM32)
    translate(vrt, tmp_path / "area.tif", "-ot", "Float32")
    translate(vrt, tmp_path / "point.tif", "-ot", "Float32", "-mo", "AREA_OR_POINT=Point")
    info = json.loads(subprocess.run(["gdalinfo", "-json", str(tmp_path / "point.tif")], capture_output=True, text=True,
                                     check=True).stdout)
    assert info["geoTransform"] == [X0, RES, 0.0, Y0, 0.0, -RES]
    inspect = cubegen("inspect", "--store", "geotiff", tmp_path / "point.tif", check=True).stdout
    assert "pixel is point" in inspect and "500050 … 503950" in inspect, inspect
    sources = "".join(f"  - name: {n}\n    store: geotiff\n    paths: [{n}.tif]\n    times: [2024-06-01]\n    bands: {{1: {n}}}\n"
                      f"    variables:\n      {n}: {{resampling: bilinear}}\n" for n in ["area", "point"])
    grid = {"crs": UTM32, "bbox": [X0 + 250, Y0 - H * RES + 250, X0 + W * RES - 250, Y0 - 250], "resolution": 250}
    cubegen("run", recipe(tmp_path, sources, grid), check=True)
    ds = xr.open_zarr(tmp_path / "cube.zarr")
    assert np.array_equal(ds.area.values, ds.point.values)
    assert np.isfinite(ds.area.values).all()


# --- mosaics of tiles in two UTM zones, against the truth and gdalwarp -----------------------------

def field(lon, lat):
    return 50 + 3 * lon + 2 * lat


def write_tile(path, epsg, west, north, width, height, res, offset=0.0, options=()):
    """A tile in `epsg` whose upper-left corner is near (west, north) in lon/lat, sampling `field` (+ offset)."""
    x0, y0 = pyproj.Transformer.from_crs(4326, epsg, always_xy=True).transform(west, north)
    x0, y0 = round(x0, -3), round(y0, -3)
    xs, ys = x0 + (np.arange(width) + 0.5) * res, y0 - (np.arange(height) + 0.5) * res
    lon, lat = pyproj.Transformer.from_crs(epsg, 4326, always_xy=True).transform(*np.meshgrid(xs, ys))
    vrt = write_vrt(path.with_suffix(".vrt"), (field(lon, lat) + offset)[None], [x0, res, 0, y0, 0, -res], f"EPSG:{epsg}")
    return translate(vrt, path, "-ot", "Float32", *options)


COG = ["-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=YES", "-co", "BLOCKSIZE=128"]
BOX = [7.0, 45.5, 11.0, 46.5]


def gdalwarp(tmp_path, name, inputs, resampling="bilinear"):
    out = tmp_path / f"{name}.tif"
    subprocess.run(["gdalwarp", "-q", "-overwrite", "-t_srs", "EPSG:4326", "-te", *map(str, BOX), "-tr", "0.01", "0.01",
                    "-r", resampling, "-dstnodata", "nan", *map(str, inputs), str(out)], check=True, capture_output=True)
    raw = tmp_path / f"{name}.raw"
    subprocess.run(["gdal_translate", "-q", "-of", "ENVI", str(out), str(raw)], check=True, capture_output=True)
    return np.fromfile(raw, dtype="<f4").reshape(100, 400)


def test_mosaic_of_two_utm_zones_matches_truth_and_gdalwarp(tmp_path, binaries):
    # Two dates × two tiles; on the second date the zone-33 tile is offset by +100, so the overlap
    # (about 8.5°–10.2° E) shows which tile each rule takes.
    for day, offset in [("20240601", 0.0), ("20240602", 100.0)]:
        write_tile(tmp_path / f"T_{day}_32.tif", 32632, 6.5, 47.2, 280, 250, 1000, options=COG)
        write_tile(tmp_path / f"T_{day}_33.tif", 32633, 8.5, 47.2, 280, 250, 1000, offset=offset, options=COG)
    sources = "".join(
        f"  - name: {rule}\n    store: geotiff\n    paths: [T_*.tif]\n    time_from_name: \"T_{{date:%Y%m%d}}_*.tif\"\n"
        f"    allow_mixed_crs: true\n    mosaic: {rule}\n    bands: {{1: f_{rule}}}\n"
        f"    variables:\n      f_{rule}: {{resampling: bilinear}}\n" for rule in ["first", "last", "mean", "min", "max"])
    grid = {"crs": "EPSG:4326", "bbox": BOX, "resolution": 0.01}
    cubegen("run", recipe(tmp_path, sources, grid), check=True)
    ds = xr.open_zarr(tmp_path / "cube.zarr")
    assert [str(t)[:10] for t in ds.time.values] == ["2024-06-01", "2024-06-02"]
    lon, lat = np.meshgrid(ds.lon.values, ds.lat.values)
    truth = field(lon, lat)
    # Day 1: both tiles sample the same field, so every rule gives it.
    for rule in ["first", "last", "mean", "min", "max"]:
        day1 = ds[f"f_{rule}"].isel(time=0).values
        assert np.isfinite(day1).all(), rule
        assert np.max(np.abs(day1 - truth)) < 0.05, (rule, np.max(np.abs(day1 - truth)))
    # Day 2: west of the overlap only zone 32 (truth), east only zone 33 (truth + 100).
    day2 = {rule: ds[f"f_{rule}"].isel(time=1).values for rule in ["first", "last", "mean", "min", "max"]}
    west, east = lon < 8.4, lon > 10.5
    overlap = (lon > 8.8) & (lon < 9.6)
    for rule, values in day2.items():
        assert np.max(np.abs(values[west] - truth[west])) < 0.05, rule
        assert np.max(np.abs(values[east] - truth[east] - 100)) < 0.05, rule
    expected_overlap = {"first": 0, "last": 100, "mean": 50, "min": 0, "max": 100}
    for rule, shift in expected_overlap.items():
        assert np.max(np.abs(day2[rule][overlap] - truth[overlap] - shift)) < 0.05, (rule, shift)
    # gdalwarp paints later inputs over earlier ones: CubeGen's `last`.
    warped = gdalwarp(tmp_path, "warp", [tmp_path / "T_20240602_32.tif", tmp_path / "T_20240602_33.tif"])
    both = np.isfinite(warped)
    assert both.mean() > 0.99
    assert np.max(np.abs(warped[both] - day2["last"][both])) < 0.01
    warped_first = gdalwarp(tmp_path, "warp_reversed", [tmp_path / "T_20240602_33.tif", tmp_path / "T_20240602_32.tif"])
    both = np.isfinite(warped_first)
    assert np.max(np.abs(warped_first[both] - day2["first"][both])) < 0.01
    lineage = json.loads((tmp_path / "cube.zarr" / "lineage.json").read_text())
    mosaic = [v["source"]["grid"]["mosaic"] for v in lineage["variables"]]
    assert mosaic[1] == {"rule": "last", "grids": 2, "crs": ["EPSG:32632", "EPSG:32633"]}


def test_user_defined_crs_matches_truth_and_gdalwarp(tmp_path, binaries):
    laea = "+proj=laea +lat_0=46 +lon_0=9 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs"
    res, w, h = 1000.0, 360, 150
    x0, y0 = -180000.0, 75000.0
    xs, ys = x0 + (np.arange(w) + 0.5) * res, y0 - (np.arange(h) + 0.5) * res
    lon, lat = pyproj.Transformer.from_crs(pyproj.CRS.from_proj4(laea), 4326, always_xy=True).transform(*np.meshgrid(xs, ys))
    vrt = write_vrt(tmp_path / "u.vrt", field(lon, lat)[None], [x0, res, 0, y0, 0, -res], laea)
    translate(vrt, tmp_path / "user_20240601.tif", "-ot", "Float32", "-co", "TILED=YES", "-co", "COMPRESS=ZSTD", "-co", "PREDICTOR=3")
    inspect = cubegen("inspect", "--store", "geotiff", tmp_path / "user_20240601.tif", check=True).stdout
    assert "+proj=laea" in inspect, inspect
    sources = ("  - name: u\n    store: geotiff\n    paths: [user_*.tif]\n    time_from_name: \"user_{date:%Y%m%d}.tif\"\n"
               "    variables:\n      band_1: {name: f, resampling: bilinear}\n")
    grid = {"crs": "EPSG:4326", "bbox": BOX, "resolution": 0.01}
    cubegen("run", recipe(tmp_path, sources, grid), check=True)
    ds = xr.open_zarr(tmp_path / "cube.zarr")
    got = ds.f.isel(time=0).values
    glon, glat = np.meshgrid(ds.lon.values, ds.lat.values)
    inside = np.isfinite(got)
    assert inside.mean() > 0.95
    assert np.max(np.abs(got[inside] - field(glon, glat)[inside])) < 0.05
    warped = gdalwarp(tmp_path, "warp", [tmp_path / "user_20240601.tif"])
    both = np.isfinite(warped) & inside
    assert both.mean() > 0.95
    assert np.max(np.abs(warped[both] - got[both])) < 0.01


# --- bad input: one-line errors naming the file ----------------------------------------------------

def one_line_error(result, *fragments):
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_bad_inputs_give_one_line_errors_naming_the_file(tmp_path, binaries):
    rows, cols = np.mgrid[0:H, 0:W]
    vrt = write_vrt(tmp_path / "v.vrt", (cols + rows * 1.0)[None], [X0, RES, 0, Y0, 0, -RES], UTM32)
    grid = {"crs": UTM32, "bbox": [X0, Y0 - H * RES, X0 + W * RES, Y0], "resolution": RES}

    def run_on(name, extra="    times: [2024-06-01]\n"):
        sources = f"  - name: s\n    store: geotiff\n    paths: [{name}]\n{extra}    variables:\n      band_1: {{}}\n"
        return cubegen("run", recipe(tmp_path, sources, grid, name=f"{name}.yaml"))

    (tmp_path / "text.tif").write_text("not a TIFF at all\n")
    one_line_error(run_on("text.tif"), "text.tif", "is not a readable TIFF")

    translate(vrt, tmp_path / "plain.tif", "-ot", "Float32", "-co", "PROFILE=BASELINE")
    one_line_error(run_on("plain.tif"), "plain.tif", "has no georeferencing")

    # A COG cut short: the header is intact, the last tiles are missing.
    translate(vrt, tmp_path / "whole.tif", "-ot", "Float32", "-of", "COG", "-co", "BLOCKSIZE=16", "-co", "COMPRESS=NONE")
    data = (tmp_path / "whole.tif").read_bytes()
    (tmp_path / "cut.tif").write_bytes(data[: len(data) - 2000])
    one_line_error(run_on("cut.tif"), "cut.tif")

    # An unknown compression code patched into a striped file's Compression tag (259).
    translate(vrt, tmp_path / "odd.tif", "-ot", "Float32", "-co", "COMPRESS=NONE")
    raw = bytearray((tmp_path / "odd.tif").read_bytes())
    assert raw[:4] == b"II*\x00"
    ifd = int.from_bytes(raw[4:8], "little")
    for k in range(int.from_bytes(raw[ifd:ifd + 2], "little")):
        entry = ifd + 2 + 12 * k
        if int.from_bytes(raw[entry:entry + 2], "little") == 259:
            raw[entry + 8:entry + 10] = (65000).to_bytes(2, "little")
    (tmp_path / "odd.tif").write_bytes(bytes(raw))
    one_line_error(run_on("odd.tif"), "odd.tif", "compression 65000", "not supported")

    # A time-less raster without a time rule: not supported yet (static fields).
    translate(vrt, tmp_path / "ok.tif", "-ot", "Float32")
    one_line_error(run_on("ok.tif", extra=""), "ok.tif", "time_from_name")

    # A glob mixing CRSs without allow_mixed_crs.
    write_tile(tmp_path / "m_20240601_a.tif", 32632, 6.5, 47.2, 20, 20, 1000)
    write_tile(tmp_path / "m_20240601_b.tif", 32633, 8.5, 47.2, 20, 20, 1000)
    one_line_error(run_on("m_*.tif", extra="    time_from_name: \"m_{date:%Y%m%d}_*.tif\"\n"), "m_20240601_b.tif", "allow_mixed_crs")

    # A name the pattern does not match.
    one_line_error(run_on("ok.tif", extra="    time_from_name: \"S2_{date:%Y%m%d}.tif\"\n"), "ok.tif", "does not match time_from_name")


def test_a_plain_tiff_is_georeferenced_by_the_recipe(tmp_path, binaries):
    """A TIFF without GeoKeys or tie points (GDAL's baseline profile) read with the recipe's `crs` and
    GDAL `geotransform`: the cube equals the one built from the georeferenced file, value for value,
    and the recipe's values replace a file's own (as gdal_translate -a_srs/-a_gt do)."""
    rows, cols = np.mgrid[0:H, 0:W]
    values = (cols * 0.5 + rows * 2.0)[None]
    gt = [X0, RES, 0, Y0, 0, -RES]
    vrt = write_vrt(tmp_path / "g.vrt", values, gt, UTM32)
    translate(vrt, tmp_path / "plain.tif", "-ot", "Float32", "-co", "PROFILE=BASELINE")
    # The same pixels georeferenced elsewhere (a shifted origin, another CRS): the recipe overrides.
    wrong = write_vrt(tmp_path / "w.vrt", values, [X0 + 5 * RES, RES, 0, Y0, 0, -RES], "EPSG:32633")
    translate(wrong, tmp_path / "wrong.tif", "-ot", "Float32")
    grid = {"crs": "EPSG:4326", "bbox": [8.99, 45.12, 9.06, 45.16], "resolution": 0.002}
    keys = f"    crs: {UTM32}\n    geotransform: {json.dumps(gt)}\n"
    cubes = {}
    for name in ["plain", "wrong"]:
        sources = (f"  - name: s\n    store: geotiff\n    paths: [{name}.tif]\n    times: [2024-06-01]\n{keys}"
                   "    variables:\n      band_1: {resampling: bilinear}\n")
        r = recipe(tmp_path, sources, grid, name=f"{name}.yaml")
        r.write_text(r.read_text().replace("cube.zarr", f"{name}.zarr"))
        cubegen("run", r, check=True)
        cubes[name] = xr.open_zarr(tmp_path / f"{name}.zarr").band_1.isel(time=0).values
    # The truth: the field at each target pixel's UTM coordinates (bilinear of a linear field is exact).
    lon, lat = np.meshgrid(8.991 + 0.002 * np.arange(35), 45.159 - 0.002 * np.arange(20))
    x, y = pyproj.Transformer.from_crs("EPSG:4326", UTM32, always_xy=True).transform(lon, lat)
    col, row = (x - X0) / RES - 0.5, (Y0 - y) / RES - 0.5
    inside = (col >= 0) & (col <= W - 1) & (row >= 0) & (row <= H - 1)
    got = cubes["plain"]
    assert got.shape == lon.shape
    assert inside.sum() > 100 and np.isfinite(got[inside]).all()
    assert np.max(np.abs(got[inside] - (col * 0.5 + row * 2.0)[inside])) < 0.05
    assert np.array_equal(cubes["plain"], cubes["wrong"], equal_nan=True)
    # A CRS PROJ does not know, a rotated geotransform: errors naming the recipe key.
    for extra, fragment in [("    crs: EPSG:999999\n    geotransform: [0, 1, 0, 0, 0, -1]\n", "sources[0].crs"),
                            ("    crs: EPSG:32632\n    geotransform: [0, 1, 0.2, 0, 0, -1]\n", "sources[0].geotransform")]:
        sources = f"  - name: s\n    store: geotiff\n    paths: [plain.tif]\n    times: [2024-06-01]\n{extra}    variables:\n      band_1: {{}}\n"
        one_line_error(cubegen("run", recipe(tmp_path, sources, grid, name="bad.yaml")), fragment)


def test_inspect_describes_a_cog(tmp_path, binaries):
    rows, cols = np.mgrid[0:300, 0:400]
    vrt = write_vrt(tmp_path / "c.vrt", np.stack([cols * 1.0, rows * 1.0]), [X0, 10, 0, Y0, 0, -10], UTM32, nodata=-1)
    translate(vrt, tmp_path / "c.tif", "-ot", "Float32", "-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=YES",
              "-co", "BLOCKSIZE=128", "-co", "OVERVIEW_COUNT=2")
    out = cubegen("inspect", "--store", "geotiff", tmp_path / "c.tif", check=True).stdout
    for fragment in ["projected, 400 × 300 (x × y), CRS EPSG:32632", "tiled 128 × 128", "deflate, predictor 3", "pixel;",
                     "overviews 200 × 150, 100 × 75", "nodata -1", "band_1(y=300, x=400) float32; missing -1.0", "band_2("]:
        assert fragment in out, (fragment, out)


# --- COG overviews for large down-sampling -----------------------------------------------------------

def test_large_downsampling_reads_the_cog_overview_gdal_would(tmp_path, binaries):
    """10 m → 100 m: the overviews are 20, 40, 80 and 160 m; like gdalwarp's -ovr AUTO, CubeGen reads
    the 80 m one (the coarsest not coarser than the target), and says so in the lineage."""
    n, res = 1600, 10.0
    rows, cols = np.mgrid[0:n, 0:n]
    xs, ys = X0 + (cols + 0.5) * res, Y0 - (rows + 0.5) * res
    values = 0.002 * (xs - X0) + 0.001 * (Y0 - ys) + 5 * np.sin((xs - X0) / 3000)
    vrt = write_vrt(tmp_path / "big.vrt", values[None], [X0, res, 0, Y0, 0, -res], UTM32)
    translate(vrt, tmp_path / "big_20240601.tif", "-ot", "Float32", "-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=YES",
              "-co", "BLOCKSIZE=256", "-co", "OVERVIEW_COUNT=4", "-co", "RESAMPLING=AVERAGE")
    sources = ("  - name: big\n    store: geotiff\n    paths: [big_*.tif]\n    time_from_name: \"big_{date:%Y%m%d}.tif\"\n"
               "    variables:\n      band_1: {name: f, resampling: average}\n")
    box = [X0, Y0 - n * res, X0 + n * res, Y0]
    r = recipe(tmp_path, sources, {"crs": UTM32, "bbox": box, "resolution": 100})
    plan = cubegen("plan", r, check=True).stdout
    assert "overview 3" in plan and "200 × 200 grid" in plan, plan
    cubegen("run", r, check=True)
    ds = xr.open_zarr(tmp_path / "cube.zarr")
    got = ds.f.isel(time=0).values
    lineage = json.loads((tmp_path / "cube.zarr" / "lineage.json").read_text())
    grid = lineage["variables"][0]["source"]["grid"]
    assert grid["overview"] == {"level": 3, "full_size": [1600, 1600]} and grid["size"] == [200, 200]
    tx, ty = np.meshgrid(ds.x.values, ds.y.values)
    truth = 0.002 * (tx - X0) + 0.001 * (Y0 - ty) + 5 * np.sin((tx - X0) / 3000)
    assert np.isfinite(got).all()
    assert np.max(np.abs(got - truth)) < 0.05
    out = tmp_path / "warp.tif"
    subprocess.run(["gdalwarp", "-q", "-overwrite", "-te", *map(str, box), "-tr", "100", "100", "-r", "average",
                    str(tmp_path / "big_20240601.tif"), str(out)], check=True, capture_output=True)
    subprocess.run(["gdal_translate", "-q", "-of", "ENVI", str(out), str(tmp_path / "warp.raw")], check=True, capture_output=True)
    warped = np.fromfile(tmp_path / "warp.raw", dtype="<f4").reshape(160, 160)
    assert np.max(np.abs(warped - got)) < 0.01, np.max(np.abs(warped - got))
