#!/usr/bin/env bash
# Quick start: build, then run cscx on the embedded database with demo data.
# Extra arguments go to `cscx serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
exec build/cscx serve --demo "$@"
