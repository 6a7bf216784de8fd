#!/usr/bin/env bash
# Sets up, builds and runs every test: once as built for use, once under AddressSanitizer
# and UndefinedBehaviorSanitizer. Warnings are errors in CI.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
werror=OFF
[[ "${CI:-}" == "true" ]] && werror=ON
jobs=$(nproc)

build_and_test() {
    local dir=$1
    shift
    cmake -S . -B "$dir" -G Ninja -DCHAT_WERROR="$werror" "$@" >/dev/null
    cmake --build "$dir" -j "$jobs"
    ctest --test-dir "$dir" --output-on-failure -j "$jobs"
}

echo "== tests (RelWithDebInfo)"
build_and_test build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== tests under address and undefined-behaviour sanitizers"
# The benchmark's programs are compiled (with warnings as errors) by the first build; no test runs them.
build_and_test build/sanitize -DCMAKE_BUILD_TYPE=Debug "-DCHAT_SANITIZE=address;undefined" -DCHAT_BUILD_BENCH=OFF
