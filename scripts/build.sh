#!/usr/bin/env bash
# Installs what is missing (scripts/bootstrap.sh), then configures and builds
# with CMake + Ninja (+ ccache when present) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${CSCX_BUILD_TYPE:-RelWithDebInfo}"
fi
cmake --build build
