"""Destination Earth messages (issue #11): GRIB 2 with DestinE's local section 2 (production status
12), written here by a current ecCodes (the PyPI `eccodes` wheel, ≥ 2.33, which knows the layout)
on HEALPix with CCSDS packing, as the Climate DT publishes. Debian's ecCodes 2.28 cannot decode
such a message; CubeGen decodes the DestinE section itself (`GRIBDestinE`). The cubes must hold the
analytic truth at healpy's containing pixel, the labels must be `GRIB_*` attributes and `select`
keys, and a climate-DT realization must be the member of a `members:` axis."""
import numpy as np
import pytest
import xarray as xr

from conftest import cubegen
from test_levels import one_line_error

healpy = pytest.importorskip("healpy")
eccodes = pytest.importorskip("eccodes")

NSIDE = 32
LABELS = {"dataset": "climate-dt", "activity": "ScenarioMIP", "experiment": "SSP3-7.0", "generation": 1, "model": "IFS-NEMO",
          "resolution": "high"}


def truth(lon, lat, hours, realization):
    return 280.0 + 10 * np.cos(np.radians(lat)) + 0.05 * lon + 0.1 * hours + 2.0 * realization


def write(path, messages, labels=LABELS, version=1, extra_labels=()):
    """messages: (hours after 2024-01-01T00, realization); HEALPix nested, CCSDS-packed 2t."""
    lon, lat = healpy.pix2ang(NSIDE, np.arange(12 * NSIDE * NSIDE), nest=True, lonlat=True)
    with open(path, "wb") as out:
        for hours, realization in messages:
            h = eccodes.codes_grib_new_from_samples("GRIB2")
            eccodes.codes_set(h, "productionStatusOfProcessedData", 12)
            for key, value in [("gridType", "healpix"), ("Nside", NSIDE), ("orderingConvention", "nested"),
                               ("longitudeOfFirstGridPointInDegrees", 45.0), ("shapeOfTheEarth", 6), ("dataDate", 20240101),
                               ("dataTime", 0), ("stepUnits", 1), ("endStep", hours), ("typeOfLevel", "surface"), ("level", 0),
                               ("shortName", "2t"), ("grib2LocalSectionPresent", 1), ("destineLocalVersion", version)]:
                eccodes.codes_set(h, key, value)
            for key, value in list(labels.items()) + list(extra_labels):
                eccodes.codes_set(h, key, value)
            if labels.get("dataset") == "climate-dt":
                eccodes.codes_set(h, "realization", realization)
            eccodes.codes_set(h, "packingType", "grid_ccsds")
            eccodes.codes_set(h, "bitsPerValue", 24)
            eccodes.codes_set_values(h, truth(lon, lat, hours, realization))
            eccodes.codes_write(h, out)
            eccodes.codes_release(h)


def run(folder, name, variables):
    recipe = folder / f"{name}.yaml"
    recipe.write_text(f"""version: 1
cube: {{id: {name}, title: DestinE test, license: CC0-1.0}}
grid: {{crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 3}}
sources:
  - name: dt
    store: grib
    paths: [dt.grib2]
    variables: {variables}
output: {{path: {name}.zarr, overwrite: true}}
catalog: {{quicklooks: false}}
""")
    return cubegen("run", recipe, cwd=folder)


def expected(cube, hours, realization):
    lon, lat = np.meshgrid(cube["lon"].values, cube["lat"].values)
    lons, lats = healpy.pix2ang(NSIDE, np.arange(12 * NSIDE * NSIDE), nest=True, lonlat=True)
    field = truth(lons, lats, hours, realization)
    return field[healpy.ang2pix(NSIDE, lon, lat, nest=True, lonlat=True)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory, binaries):
    out = tmp_path_factory.mktemp("destine")
    write(out / "dt.grib2", [(h, r) for r in (1, 2) for h in (0, 6)])
    return out


def test_climate_dt_realizations_are_members_with_their_labels(folder):
    result = run(folder, "members", "{t2m: {select: {shortName: 2t, dataset: climate-dt}, members: [2, 1], resampling: nearest}}")
    assert result.returncode == 0, result.stderr
    cube = xr.open_zarr(folder / "members.zarr").load()
    assert cube["t2m"].dims == ("time", "member", "lat", "lon")
    assert list(cube["member"].values) == [2, 1]
    for t, hours in enumerate((0, 6)):
        for m, realization in enumerate((2, 1)):
            np.testing.assert_allclose(cube["t2m"].values[t, m], expected(cube, hours, realization), atol=2e-3, rtol=0)
    attrs = cube["t2m"].attrs
    for key, value in LABELS.items():
        assert attrs[f"GRIB_{key}"] == value, (key, attrs)


def test_labels_select_one_realization_and_a_missing_label_is_one_line(folder):
    result = run(folder, "one", "{t2m: {select: {shortName: 2t, experiment: SSP3-7.0, model: IFS-NEMO, realization: 2}, resampling: nearest}}")
    assert result.returncode == 0, result.stderr
    cube = xr.open_zarr(folder / "one.zarr").load()
    np.testing.assert_allclose(cube["t2m"].values[1], expected(cube, 6, 2), atol=2e-3, rtol=0)
    assert cube["t2m"].attrs["GRIB_realization"] == 2
    wrong = run(folder, "wrong", "{t2m: {select: {shortName: 2t, experiment: hist}}}")
    one_line_error(wrong, "select", "experiment=hist", "experiment=SSP3-7.0", "dt.grib2")
    assert not (folder / "wrong.zarr").exists()


def test_extremes_dt_and_version_2_tile_scheme_labels(tmp_path, binaries):
    write(tmp_path / "dt.grib2", [(0, 0), (6, 0)], labels={"dataset": "on-demand-extremes-dt", "georef": "u0qj8x2b"}, version=2,
          extra_labels=[("tilescheme", "granular")])
    result = run(tmp_path, "ext", "{t2m: {select: {shortName: 2t, georef: u0qj8x2b, tilescheme: granular}, resampling: nearest}}")
    assert result.returncode == 0, result.stderr
    cube = xr.open_zarr(tmp_path / "ext.zarr").load()
    np.testing.assert_allclose(cube["t2m"].values[0], expected(cube, 0, 0), atol=2e-3, rtol=0)
    attrs = cube["t2m"].attrs
    assert (attrs["GRIB_dataset"], attrs["GRIB_georef"], attrs["GRIB_tilescheme"]) == ("on-demand-extremes-dt", "u0qj8x2b", "granular")
    assert "GRIB_realization" not in attrs
    listing = cubegen("inspect", tmp_path / "dt.grib2")  # the store from the extension
    assert "DestinE dataset=on-demand-extremes-dt georef=u0qj8x2b tilescheme=granular" in listing.stdout, listing.stdout + listing.stderr
