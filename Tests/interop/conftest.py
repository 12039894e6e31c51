"""Shared helpers for the oracle tests: the built binaries, running them, YAML without dates."""
import os
import pathlib
import subprocess

import pytest
import yaml

try:  # pyproj before the eccodes wheel, whichever test module comes first: the other order leaves
    import pyproj  # noqa: F401  # pyproj without its database (xcube's imports then fail).
except ImportError:
    pass

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("CUBEGEN_BIN_DIR", ROOT / ".build" / "debug"))


def cubegen(*args, check=False, cwd=None):
    """Runs the cubegen binary; returns the CompletedProcess (text mode)."""
    result = subprocess.run([str(BIN / "cubegen"), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                            timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"cubegen {' '.join(map(str, args))} failed ({result.returncode}):\n{result.stderr}")
    return result


class _NoDates(yaml.SafeLoader):
    """A YAML loader that keeps dates as strings, as the recipe format reads them."""


_NoDates.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text):
    return yaml.load(text, Loader=_NoDates)


@pytest.fixture(scope="session")
def binaries():
    if not (BIN / "cubegen").exists():
        pytest.fail(f"{BIN / 'cubegen'} is missing; build first (make build)")
    return BIN
