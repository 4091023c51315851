#!/usr/bin/env bash
# Configure, build (warnings are errors) and run the whole test suite with CTest.
# AGGLO_BUILD_DIR (default build) and AGGLO_CMAKE_FLAGS select the configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${AGGLO_BUILD_DIR:-build}"
# shellcheck disable=SC2086
cmake -S . -B "$BUILD" -DAGGLO_WERROR=ON ${AGGLO_CMAKE_FLAGS:-}
cmake --build "$BUILD" -j "$(nproc)"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)"
