#!/usr/bin/env bash
# Installs the Debian 12 packages cscx needs to build, test and run.
# Idempotent: when every package is already installed it only runs dpkg-query
# and returns in well under a second. Needs root (or sudo) only when
# something is missing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # database: server binaries for the embedded cluster, client tools for
  # backup/restore and the benchmarks, libpq for the program itself
  postgresql-15 postgresql-client-15 libpq-dev
  # libraries (ARCHITECTURE.md: the chosen set)
  libssl-dev libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcli11-dev libspdlog-dev libfmt-dev libargon2-dev
  # offline intelligence: PDF and DOCX text, Unicode normalisation, stemming
  libpoppler-cpp-dev libzip-dev libpugixml-dev libutf8proc-dev libstemmer-dev
  # knowledge search: approximate nearest neighbours
  libhnswlib-dev
  # tests
  libgtest-dev libgmock-dev googletest
  # benchmarks: HTTP load generator for bench/http.sh
  wrk
  # tests/compat runs the real supabase-js on Node.js (>= 18.19; Debian 12
  # ships 18). A newer Node from another source satisfies it too.
  # fuzzing: clang-14 with libFuzzer and the sanitizer runtimes
  clang-14 libclang-rt-14-dev
)

command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || {
    echo "bootstrap: missing packages and not root (no sudo): ${missing[*]}" >&2
    exit 1
  }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# Debian's postgresql-common creates and starts a "main" cluster on install;
# cscx runs its own cluster, so ask it not to create one.
if [[ ! -e /etc/postgresql-common/createcluster.conf ]] ||
   ! grep -q '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf; then
  "${sudo_cmd[@]}" mkdir -p /etc/postgresql-common
  echo 'create_main_cluster = false' |
    "${sudo_cmd[@]}" tee -a /etc/postgresql-common/createcluster.conf >/dev/null
fi
if ! "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
