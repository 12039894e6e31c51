"""Writes the Gaussian-latitude reference that CubeGaussianGridTests compares against: numpy's
Gauss-Legendre nodes and weights (`numpy.polynomial.legendre.leggauss(2N)`, eigenvalues of the
companion matrix plus a Newton step: an independent method from the project's Newton-from-Tricomi).

usage: python gaussian_reference.py OUT.json
Every node of N ≤ 80; every 7th (and the two nearest each pole and the equator) for larger N.
numpy's weights lose relative accuracy towards the poles (1e-7 at the first row of N = 1280: its
Clenshaw sums and rescaling), so the first three rows' weights are also computed with mpmath at 40
digits from the same roots refined in multiple precision (`weights_exact`).
"""
import json
import sys

import mpmath as mp
import numpy as np
from numpy.polynomial.legendre import leggauss

NS = [1, 2, 3, 8, 24, 80, 320, 640, 1280]


def exact_weight(degree, x0):
    """The Gauss-Legendre weight at the root of P_degree nearest x0, in 40-digit arithmetic."""
    mp.mp.dps = 40
    p = lambda t: mp.legendre(degree, t)
    x = mp.findroot(p, mp.mpf(x0), tol=1e-60, verify=False)
    return float(2 / ((1 - x**2) * mp.diff(p, x)**2))


def main():
    cases = []
    for n in NS:
        x, w = leggauss(2 * n)
        x, w = x[::-1], w[::-1]          # north to south
        if n <= 80:
            idx = list(range(2 * n))
        else:
            idx = sorted(set(range(0, 2 * n, 7)) | {0, 1, n - 1, n, 2 * n - 2, 2 * n - 1})
        cases.append({"n": n, "index": idx, "sines": x[idx].tolist(), "weights": w[idx].tolist(),
                      "latitudes": np.degrees(np.arcsin(x[idx])).tolist(),
                      "weights_exact": [exact_weight(2 * n, x[i]) for i in range(min(3, 2 * n))]})
    with open(sys.argv[1], "w") as f:
        json.dump({"generator": "numpy " + np.__version__, "cases": cases}, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
