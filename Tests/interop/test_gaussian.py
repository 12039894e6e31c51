"""The checked-in Gaussian-latitude reference is what numpy and mpmath compute today.

CubeGaussianGridTests compare the project's Legendre roots and weights with
Tests/CubeGaussianGridTests/Fixtures/gaussian_reference.json; this regenerates that file with the
oracle venv's numpy and mpmath and checks it still holds the same numbers.
"""
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
FIXTURE = HERE.parent / "CubeGaussianGridTests" / "Fixtures" / "gaussian_reference.json"


def test_gaussian_reference_is_reproducible(tmp_path):
    out = tmp_path / "gaussian_reference.json"
    subprocess.run([sys.executable, str(HERE / "gaussian_reference.py"), str(out)], check=True, timeout=900)
    fresh, kept = json.loads(out.read_text()), json.loads(FIXTURE.read_text())
    assert [c["n"] for c in fresh["cases"]] == [c["n"] for c in kept["cases"]]
    for a, b in zip(fresh["cases"], kept["cases"]):
        assert a["index"] == b["index"]
        for key in ("sines", "latitudes", "weights_exact"):
            assert all(abs(x - y) <= 2e-15 * max(1.0, abs(y)) for x, y in zip(a[key], b[key])), (a["n"], key)
        assert all(abs(x - y) <= 1e-9 * y for x, y in zip(a["weights"], b["weights"])), (a["n"], "weights")
