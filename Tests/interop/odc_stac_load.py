"""The peer: loads a STAC API search with odc-stac (run in the .venv-odc venv, never CubeGen's).

usage: odc_stac_load.py API_URL OUT.npz [JSON]  — POSTs the search (collections, bbox, datetime,
limit 2; JSON's members added or replacing them, such as a CQL2 `filter`; every next page followed), then odc.stac.load(bands B04 and B08, EPSG:4326, 0.01°, nearest, items of
one datetime grouped) and saves red, nir and the times."""
import json
import sys
import urllib.request

import numpy as np
import odc.stac
import pystac


def search(url, body):
    items, request = [], (f"{url}/search", body)
    while request:
        req = urllib.request.Request(request[0], data=json.dumps(request[1]).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        page = json.loads(urllib.request.urlopen(req, timeout=30).read())
        items += [pystac.Item.from_dict(f) for f in page["features"]]
        nxt = next((link for link in page.get("links", []) if link["rel"] == "next"), None)
        request = (nxt["href"], nxt.get("body", request[1])) if nxt else None
    return items


def main():
    url, out = sys.argv[1], sys.argv[2]
    body = {"collections": ["tiles"], "bbox": [10, 45, 12, 46], "limit": 2,
            "datetime": "2020-01-01T00:00:00Z/2020-01-03T23:59:59.999Z"}
    items = search(url, {**body, **(json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})})
    ds = odc.stac.load(items, bands=["B04", "B08"], crs="EPSG:4326", resolution=0.01, bbox=(10, 45, 12, 46),
                       resampling="nearest", groupby="time", dtype="float32", nodata=float("nan"))
    np.savez(out, red=ds.B04.values, nir=ds.B08.values, lon=ds.longitude.values, lat=ds.latitude.values,
             time=ds.time.values.astype("datetime64[s]").astype(str))


if __name__ == "__main__":
    main()
