#!/usr/bin/env bash
# The performance benchmark, in one command (docs/performance.md): sets up, builds in Release
# and runs the floors and chatd under every scenario, then prints the table.
# Arguments go to bench/run.mjs: --quick for short runs, --only a,b,c,d,e,sim,line for some.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAT_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j "$(nproc)" --target chatd chat-loadgen chat-sim chat-floor-echo chat-floor-relay \
  chat-floor-redis chat-bench-recovery chat-bench-line chat-bench-files chat-bench-webhooks
# 10,000 idle connections need as many descriptors on each side.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec node bench/run.mjs "$@"
