#!/usr/bin/env bash
# Runs every test: the Swift suites, then the oracle tests (xarray, JSON Schema, the CLI binary).
# Installs what is missing first (Debian packages, the oracle venv).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
scripts/setup-oracle.sh .venv-oracle
swift build --build-tests
swift test --skip-build
CUBEGEN_BIN_DIR="$(swift build --show-bin-path)" .venv-oracle/bin/python -m pytest -q -p no:cacheprovider Tests/interop
