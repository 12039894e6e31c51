"""CubeHEALPix against healpy on a fresh, larger random sample than the checked-in fixture.

healpy (an independent HEALPix implementation) writes the reference with a new seed into a temporary
directory; the Swift suite CubeHEALPixTests then reads it through CUBEGEN_HEALPIX_REFERENCE and must
agree: pixel indices, neighbours and nest/ring conversions exactly, angles, vectors and interpolation
weights to 1e-12 relative.
"""
import os
import pathlib
import random
import subprocess
import sys

from conftest import ROOT

HERE = pathlib.Path(__file__).resolve().parent


def test_cubehealpix_matches_healpy_on_a_fresh_sample(tmp_path):
    seed = random.randrange(1 << 31)
    reference = tmp_path / "healpix_reference.json"
    subprocess.run([sys.executable, str(HERE / "healpix_reference.py"), str(reference),
                    "--points", "3000", "--pixels", "600", "--seed", str(seed)], check=True, timeout=600)
    env = dict(os.environ, CUBEGEN_HEALPIX_REFERENCE=str(reference))
    result = subprocess.run(["swift", "test", "--skip-build", "--filter", "CubeHEALPixTests"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"seed {seed}:\n{output[-6000:]}"
    assert "HEALPixOracleTests passed" in output, f"seed {seed}: the oracle suite did not run:\n{output[-3000:]}"
