#!/usr/bin/env python3
"""stac-validator without network: its default mode (core schema and every extension) with each
schema URL mapped to the published schema kept in stac_schemas/ (or Debian's proj-data for
PROJJSON), through stac-validator's own schema_map option.

usage: VENV/bin/python Tests/interop/stac_offline.py FILE.json [FILE.json ...]   (exit 0 when all valid)
"""
import json
import pathlib
import sys
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from stac_validator import stac_validator

SCHEMAS = pathlib.Path(__file__).resolve().parent / "stac_schemas"
ITEM_PARTS = ["basics.json", "datetime.json", "instrument.json", "licensing.json", "provider.json"]
CORE = "https://schemas.stacspec.org/v1.0.0"
SCHEMA_MAP = {
    f"{CORE}/collection-spec/json-schema/collection.json": SCHEMAS / "stac-v1.0.0/collection-spec/json-schema/collection.json",
    f"{CORE}/item-spec/json-schema/item.json": SCHEMAS / "stac-v1.0.0/item-spec/json-schema/item.json",
    "../../item-spec/json-schema/item.json": SCHEMAS / "stac-v1.0.0/item-spec/json-schema/item.json",
    **{name: SCHEMAS / "stac-v1.0.0/item-spec/json-schema" / name for name in ITEM_PARTS},
    **{f"{CORE}/item-spec/json-schema/{name}": SCHEMAS / "stac-v1.0.0/item-spec/json-schema" / name for name in ITEM_PARTS},
    "https://stac-extensions.github.io/datacube/v2.2.0/schema.json": SCHEMAS / "datacube-v2.2.0.json",
    "https://stac-extensions.github.io/processing/v1.2.0/schema.json": SCHEMAS / "processing-v1.2.0.json",
    "https://geojson.org/schema/Feature.json": SCHEMAS / "geojson/Feature.json",
    "https://geojson.org/schema/Geometry.json": SCHEMAS / "geojson/Geometry.json",
    "https://proj.org/schemas/v0.4/projjson.schema.json": pathlib.Path("/usr/share/proj/projjson.schema.json"),
}


def stac_valid(path):
    """Validates one STAC file offline; returns (valid, stac-validator's message)."""
    v = stac_validator.StacValidate(str(path), schema_map={k: str(p) for k, p in SCHEMA_MAP.items()})
    return v.run(), v.message


if __name__ == "__main__":
    ok = True
    for name in sys.argv[1:]:
        valid, message = stac_valid(name)
        print(f"{name}: {'valid' if valid else 'INVALID'}")
        if not valid:
            print(json.dumps(message, indent=1))
        ok &= valid
    sys.exit(0 if ok and len(sys.argv) > 1 else 1)
