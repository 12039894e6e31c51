"""Writes the HEALPix reference that CubeHEALPixTests compares against, computed by healpy.

usage: python healpix_reference.py OUT.json [--points N] [--pixels N] [--seed S]

Seeded random points and pixels for Nside 1, 2, 4, 8, 64, 1024 and 8192: ang2pix (ring and nested,
from lon/lat degrees and from θ/φ radians), get_interp_weights, pix2ang, nest2ring/ring2nest,
boundaries (step 1, and step 3 for a few), get_all_neighbours. Small grids list every pixel; large
ones add pixels on base-face edges and corners, where neighbours cross faces. The checked-in fixture
(Tests/CubeHEALPixTests/Fixtures/healpix_reference.json) is this script's output with the defaults.
"""
import argparse
import json

import healpy as hp
import numpy as np

NSIDES = [1, 2, 4, 8, 64, 1024, 8192]


def edge_pixels(rng, nside, count):
    """Nested indices of pixels on base-face edges and at face corners."""
    n = nside
    picks = []
    for f in range(12):
        for x, y in [(0, 0), (n - 1, n - 1), (0, n - 1), (n - 1, 0)]:
            picks.append((f, x, y))
    while len(picks) < 48 + count:
        f = int(rng.integers(12))
        t = int(rng.integers(n))
        side = int(rng.integers(4))
        picks.append((f, [0, n - 1, t, t][side], [t, t, 0, n - 1][side]))
    return [int(hp.xyf2pix(nside, x, y, f, nest=True)) for f, x, y in picks]


def case(rng, nside, n_points, n_pixels):
    npix = hp.nside2npix(nside)
    # Points: uniform on the sphere, longitudes in [-180, 360), plus poles and longitude seams.
    lon = rng.uniform(-180.0, 360.0, n_points)
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n_points)))
    lon = np.concatenate([lon, [0.0, 0.0, 45.0, 359.999999, -180.0, 123.4, 10.0, 200.0]])
    lat = np.concatenate([lat, [90.0, -90.0, 89.9999999, -89.9999999, 0.0, 41.8103148957786, 1e-9, -66.0]])
    theta = np.arccos(rng.uniform(-1.0, 1.0, n_points))
    phi = rng.uniform(0.0, 2 * np.pi, n_points)
    ipix_r, w = hp.get_interp_weights(nside, lon, lat, nest=False, lonlat=True)
    ipix_n, w_n = hp.get_interp_weights(nside, lon, lat, nest=True, lonlat=True)
    assert np.array_equal(w, w_n)
    points = {
        "lon": lon.tolist(), "lat": lat.tolist(),
        "ring": hp.ang2pix(nside, lon, lat, nest=False, lonlat=True).tolist(),
        "nested": hp.ang2pix(nside, lon, lat, nest=True, lonlat=True).tolist(),
        "interp_ring": ipix_r.T.tolist(), "interp_nested": ipix_n.T.tolist(), "interp_weights": w.T.tolist(),
        "theta": theta.tolist(), "phi": phi.tolist(),
        "theta_ring": hp.ang2pix(nside, theta, phi, nest=False).tolist(),
        "theta_nested": hp.ang2pix(nside, theta, phi, nest=True).tolist(),
    }
    # Pixels, given by their nested index (so face edges can be picked), checked in both orderings.
    if npix <= 768:
        nest = list(range(npix))
    else:
        nest = sorted(set(edge_pixels(rng, nside, n_pixels // 2)
                          + rng.integers(0, npix, n_pixels).tolist() + [0, npix - 1]))
    nest = np.array(nest, dtype=np.int64)
    ring = hp.nest2ring(nside, nest)
    assert np.array_equal(hp.ring2nest(nside, ring), nest)
    theta_c, phi_c = hp.pix2ang(nside, ring, nest=False)
    boundary_sample = nest[:: max(1, len(nest) // 60)]
    pixels = {
        "nested": nest.tolist(), "ring": ring.tolist(),
        "theta": theta_c.tolist(), "phi": phi_c.tolist(),
        "neighbours_ring": hp.get_all_neighbours(nside, ring, nest=False).T.tolist(),
        "neighbours_nested": hp.get_all_neighbours(nside, nest, nest=True).T.tolist(),
        "boundary_nested": boundary_sample.tolist(),
        "boundaries": [hp.boundaries(nside, int(p), step=1, nest=True).T.ravel().tolist() for p in boundary_sample],
        "boundaries_step3": [hp.boundaries(nside, int(p), step=3, nest=True).T.ravel().tolist()
                             for p in boundary_sample[:4]],
    }
    return {"nside": nside, "points": points, "pixels": pixels}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--points", type=int, default=40)
    parser.add_argument("--pixels", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20051)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    doc = {"generator": "healpy " + hp.__version__, "seed": args.seed,
           "cases": [case(rng, nside, args.points, args.pixels) for nside in NSIDES]}
    with open(args.out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
