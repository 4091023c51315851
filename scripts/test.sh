#!/usr/bin/env bash
# Installs missing Debian packages, configures, builds (warnings are errors) and runs the whole
# test suite with CTest. AGGLO_BUILD_DIR (default build) and AGGLO_CMAKE_FLAGS select the
# configuration (CI adds a -DAGGLO_SANITIZE=ON run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD="${AGGLO_BUILD_DIR:-build}"
# shellcheck disable=SC2086
cmake -S . -B "$BUILD" -DAGGLO_WERROR=ON ${AGGLO_CMAKE_FLAGS:-}
cmake --build "$BUILD" -j "$(nproc)"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" --no-tests=error
