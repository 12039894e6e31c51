"""The JSON Schema and the Swift decoder describe the same format.

Every recipe in recipes/ and bench/, and every YAML recipe example in the docs, validates against
schemas/recipe.schema.json; every schema rule has a recipe that breaks it, and both the schema and
`cubegen validate` reject that recipe (naming the key).
"""
import copy
import json
import pathlib
import re

import jsonschema
import pytest

from conftest import ROOT, cubegen, load_yaml

SCHEMA = json.loads((ROOT / "schemas" / "recipe.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def recipe_files():
    files = sorted((ROOT / "recipes").glob("*.yaml")) + sorted((ROOT / "bench").glob("*.yaml.in"))
    assert files, "no recipes found"
    return files


def doc_examples():
    """YAML blocks in the docs that are whole recipes (they start with `version:`)."""
    examples = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for i, block in enumerate(re.findall(r"```yaml\n(.*?)```", doc.read_text(), re.S)):
            if block.lstrip().startswith("version:"):
                examples.append(pytest.param(block, id=f"{doc.name}#{i}"))
    assert examples, "the docs show no recipe example"
    return examples


def errors(recipe):
    return sorted(VALIDATOR.iter_errors(recipe), key=lambda e: list(e.path))


def test_schema_is_valid_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", recipe_files(), ids=lambda p: p.name)
def test_every_project_recipe_validates(path):
    assert errors(load_yaml(path.read_text())) == []


@pytest.mark.parametrize("text", doc_examples())
def test_every_doc_example_validates(text):
    assert errors(load_yaml(text)) == []


BASE = {
    "version": 1,
    "cube": {"id": "c", "title": "t", "license": "CC0-1.0"},
    "grid": {"crs": "EPSG:4326", "bbox": [0, 0, 10, 10], "resolution": 1},
    "sources": [{"name": "s", "store": "netcdf", "paths": ["*.nc"], "variables": {"v": {"resampling": "bilinear"}}}],
    "output": {"path": "out.zarr", "compressor": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": "shuffle"}},
}


def mutate(path, value):
    recipe = copy.deepcopy(BASE)
    node = recipe
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return recipe


DELETE = object()

# (mutation path, new value, key cubegen must name)
BREAKS = [
    (["version"], 2, "version"),
    (["surprise"], 1, "surprise"),
    (["cube", "id"], DELETE, "cube.id"),
    (["cube", "id"], "has space", "cube.id"),
    (["cube", "colour"], "red", "cube.colour"),
    (["grid", "crs"], DELETE, "grid.crs"),
    (["grid", "bbox"], [0, 0, 10], "grid.bbox"),
    (["grid", "resolution"], DELETE, "grid.resolution"),
    (["grid", "resolution"], -1, "grid.resolution"),
    (["grid", "resolution"], [1, 2, 3], "grid.resolution"),
    (["grid", "size"], [10, 10], "grid.size"),
    (["grid", "snap"], "round", "grid.snap"),
    (["grid", "y_axis"], "up", "grid.y_axis"),
    (["grid", "max_error"], -1, "grid.max_error"),
    (["time"], {"start": "yesterday"}, "time.start"),
    (["time"], {"period": "8 days"}, "time.period"),
    (["time"], {"period_anchor": "month"}, "time.period_anchor"),
    (["time"], {"label": "middle"}, "time.label"),
    (["time"], {"step": "1D"}, "time.step"),
    (["time"], {"calendar": "lunar"}, "time.calendar"),
    (["sources", 0, "variables", "v"], {"min_count": 0}, "sources[0].variables.v.min_count"),
    (["sources", 0, "variables", "v"], {"upsampling": "cubic"}, "sources[0].variables.v.upsampling"),
    (["sources"], [], "sources"),
    (["sources", 0, "store"], DELETE, "sources[0].store"),
    (["sources", 0, "variables"], {}, "sources[0].variables"),
    (["sources", 0, "variables", "v"], {"resampling": "bicubic"}, "sources[0].variables.v.resampling"),
    (["sources", 0, "variables", "v"], {"resampling": {"up": "bicubic"}}, "sources[0].variables.v.resampling.up"),
    (["sources", 0, "variables", "v"], {"resampling": {"sideways": "average"}}, "sources[0].variables.v.resampling.sideways"),
    (["sources", 0, "variables", "v"], {"aggregation": "avg"}, "sources[0].variables.v.aggregation"),
    (["sources", 0, "variables", "v"], {"dtype": "int12"}, "sources[0].variables.v.dtype"),
    (["sources", 0, "variables", "v"], {"dtype": "int16"}, "sources[0].variables.v.fill_value"),
    (["sources", 0, "variables", "v"], {"scale_factor": 0}, "sources[0].variables.v.scale_factor"),
    (["sources", 0, "variables", "v"], {"units": "K"}, "sources[0].variables.v.units"),
    (["sources", 0, "bands"], {"red": "band_1"}, "sources[0].bands.red"),
    (["sources", 0, "time_from_name"], "NDVI_20240101.tif", "sources[0].time_from_name"),
    (["sources", 0, "times"], [], "sources[0].times"),
    (["sources", 0, "times"], ["June"], "sources[0].times[0]"),
    (["sources", 0, "mosaic"], "median", "sources[0].mosaic"),
    (["sources", 0, "allow_mixed_crs"], "yes please", "sources[0].allow_mixed_crs"),
    (["sources", 0, "url"], "http://127.0.0.1:9/", "sources[0].url"),
    (["sources", 0, "store"], "stac", "sources[0].url"),
    (["sources", 0, "variables", "v"], {"asset": "B04"}, "sources[0].variables.v.asset"),
    (["sources", 0, "variables", "v"], {"select": {"realization": "first"}}, "sources[0].variables.v.select.realization"),
    (["sources", 0, "variables", "v"], {"select": {"ensemble": 1}}, "sources[0].variables.v.select.ensemble"),
    (["output", "path"], DELETE, "output.path"),
    (["output", "format"], "zarr4", "output.format"),
    (["output", "chunks"], {"time": 0}, "output.chunks.time"),
    (["output", "chunks"], {"band": 4}, "output.chunks.band"),
    (["output", "shards"], {"x": 4}, "output.shards"),
    (["output", "checksum"], "crc32c", "output.checksum"),
    (["output", "checksum"], "md5", "output.checksum"),
    (["output", "shards"], {"time": 0}, "output.shards.time"),
    (["output", "compressor"], {"id": "lzma"}, "output.compressor.id"),
    (["output", "compressor"], {"id": "blosc", "clevel": 12}, "output.compressor.clevel"),
    (["output", "compressor"], {"id": "zstd", "cname": "lz4"}, "output.compressor.cname"),
    (["output", "compressor"], {"id": "zlib", "level": 10}, "output.compressor.level"),
    (["output", "overwrite"], "yes please", "output.overwrite"),
    (["output", "attrs"], {"nested": {"a": 1}}, "output.attrs.nested"),
    (["output", "pyramid"], {"levels": 0}, "output.pyramid.levels"),
    (["output", "pyramid"], {"levels": "many"}, "output.pyramid.levels"),
    (["output", "pyramid"], {"tile": 8}, "output.pyramid.tile"),
    (["output", "pyramid"], {"tiles": 256}, "output.pyramid.tiles"),
    (["output", "pyramid"], "yes please", "output.pyramid"),
    (["sources", 0, "variables", "v"], {"pyramid_method": "median"}, "sources[0].variables.v.pyramid_method"),
    (["output", "timeseries"], {}, "output.timeseries.chunks"),
    (["output", "timeseries"], {"chunks": {"time": 0}}, "output.timeseries.chunks.time"),
    (["output", "timeseries"], {"chunks": {"band": 4}}, "output.timeseries.chunks.band"),
    (["output", "timeseries"], {"chunks": {"time": 512}, "shards": {}}, "output.timeseries.shards"),
    (["catalog"], {"url": "x"}, "catalog.url"),
    (["sources", 0, "variables", "v"], {"levels": []}, "sources[0].variables.v.levels"),
    (["sources", 0, "variables", "v"], {"levels": [850, 850]}, "sources[0].variables.v.levels"),
    (["sources", 0, "variables", "v"], {"levels": [850], "level_units": "bar"}, "sources[0].variables.v.level_units"),
    (["sources", 0, "levels"], ["high"], "sources[0].levels"),
    (["output", "chunks"], {"plev": 0}, "output.chunks.plev"),
]


def test_the_base_recipe_is_valid():
    assert errors(BASE) == []


@pytest.mark.parametrize("path,value,key", BREAKS, ids=[b[2] + ":" + json.dumps(b[1], default=str)[:20] for b in BREAKS])
def test_schema_and_decoder_reject_the_same_recipes(tmp_path, path, value, key):
    recipe = mutate(path, value)
    assert errors(recipe), "the schema accepted it"
    file = tmp_path / "r.yaml"
    file.write_text(json.dumps(recipe))  # JSON is YAML
    result = cubegen("validate", file)
    assert result.returncode != 0, "cubegen accepted it"
    assert key in result.stderr, result.stderr
    assert re.search(r"r\.yaml:\d+:\d+: error: ", result.stderr), result.stderr
